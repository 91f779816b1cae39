"""The printed roster, as plain data for the print engine. Always French."""

from __future__ import annotations

from babel.dates import format_date
from flask_babel import force_locale

from .. import printing
from ..auth.models import GroupRole
from ..events.models import Event
from ..perimeter.models import Perimeter
from ..events.printouts import event_data
from ..perimeter.services import perimeter_data
from ..timeutil import to_paris, utcnow
from .models import TASK_LABELS, Task
from .roster import SlotView, roster_view, slots_of
from .services import animators

PLACES = {GroupRole.PILOTE.value: "Pilote", GroupRole.COPILOTE.value: "Copilote"}


def roster_sheet(event: Event, perimeter: Perimeter) -> printing.RosterSheet:
    """The event's roster: its slots, or the six tasks left blank when none were opened yet
    (a meeting's roster can still be filled in by hand)."""
    info = event_data(event, perimeter)
    slots = slots_of(event)  # volunteers loaded with them
    view = roster_view(
        event, slots, {slot.volunteer_id: slot.volunteer for slot in slots if slot.volunteer}
    )
    with force_locale("fr"):
        tasks = [
            printing.RosterTask(
                str(TASK_LABELS[slot.task]), slot.volunteer.full_name if slot.volunteer else ""
            )
            for slot in view.slots or [SlotView(task) for task in Task]
        ]
    coordinators = [
        f"{PLACES[user.group_role]} : {user.full_name}"
        for user in animators()
        if user.group_role in PLACES
    ]
    return printing.RosterSheet(
        perimeter=perimeter_data(perimeter),
        event_title=info.kind[:1].upper() + info.kind[1:],
        date_text=info.date_text,
        time_text=info.time_text,
        place=event.place,
        rain_place=event.rain_place,
        tasks=tasks,
        coordinators=coordinators,
        printed_text="imprimé le "
        + format_date(to_paris(utcnow()).date(), "d MMMM y", locale="fr"),
    )
