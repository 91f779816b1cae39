"""Reminders to the volunteers of an event two days ahead (`flask group remind`, daily cron): one
notice each, in their language, with a link to the roster; running it twice sends once."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..auth.models import User
from ..events.models import Event, EventKind
from ..extensions import db
from ..i18n import day_text, hour_text
from ..notifications.services import notify
from ..timeutil import to_paris, utcnow
from .models import RosterSlot, Task
from .roster import task_label

REMINDER_TEXTS = {
    EventKind.CAFE.value: _l(
        "Rappel : vous vous êtes chargé(e) de « %(task)s » au café-rencontre du "
        "%(date)s, %(time)s, %(place)s."
    ),
    EventKind.APERO_INFO.value: _l(
        "Rappel : vous vous êtes chargé(e) de « %(task)s » à l'apéro-info du "
        "%(date)s, %(time)s, %(place)s."
    ),
    EventKind.FETE.value: _l(
        "Rappel : vous vous êtes chargé(e) de « %(task)s » à la Fête de la Coopération "
        "du %(date)s, %(time)s, %(place)s."
    ),
    EventKind.GROUP_MEETING.value: _l(
        "Rappel : vous vous êtes chargé(e) de « %(task)s » à la réunion du "
        "groupe d'animation du %(date)s, %(time)s, %(place)s."
    ),
    EventKind.COLLECTIVE_ACTION.value: _l(
        "Rappel : vous vous êtes chargé(e) de « %(task)s » à l'action "
        "collective du %(date)s, %(time)s, %(place)s."
    ),
}
TITLED_REMINDER = _l(
    "Rappel : vous vous êtes chargé(e) de « %(task)s » pour « %(title)s », le %(date)s, "
    "%(time)s, %(place)s."
)


def reminder_text(event: Event, task: Task) -> str:
    """The reminder in the current language (call it inside force_locale)."""
    start = to_paris(event.starts_at)
    values = {
        "task": task_label(task),
        "date": day_text(start.date()),
        "time": hour_text(start),
        "place": event.place,
    }
    if event.title:
        return str(TITLED_REMINDER) % {**values, "title": event.title}
    return str(REMINDER_TEXTS[event.kind]) % values


def roster_path(event: Event) -> str:
    """The roster's local path, without a request (cron)."""
    return current_app.url_map.bind("localhost").build("group.roster", {"event_id": event.id})


def send_reminders(days: int = 2, now: datetime | None = None) -> int:
    """A notice to each volunteer of an event starting within `days` days who has not been reminded
    yet, in their language, with a link to the roster. Running it twice sends once."""
    now = now or utcnow()
    rows = db.session.execute(
        select(RosterSlot, Event, User)
        .join(Event, Event.id == RosterSlot.event_id)
        .join(User, User.id == RosterSlot.volunteer_id)
        .where(
            Event.cancelled.is_(False),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=days),
            RosterSlot.reminded_at.is_(None),
            User.left_at.is_(None),
        )
        .order_by(Event.starts_at, RosterSlot.id)
    ).all()
    sent = 0
    for slot, event, volunteer in rows:
        # Claim the slot first: a second run at the same moment finds it taken and skips it.
        claimed = db.session.execute(
            update(RosterSlot)
            .where(
                RosterSlot.id == slot.id,
                RosterSlot.reminded_at.is_(None),
                RosterSlot.volunteer_id == volunteer.id,
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        task = Task(slot.task)
        sent += notify(
            [volunteer],
            "roster.reminder",
            lambda event=event, task=task: reminder_text(event, task),
            link=roster_path(event),
        )
    return sent
