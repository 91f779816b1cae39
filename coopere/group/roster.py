"""The roster of an event (who takes which task: « Je m'en charge », « Je laisse », handed out by
the pilote), the next rosters at a glance, and how the load was shared these last months."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth.models import User
from ..events.models import Event, EventKind
from ..events.services import upcoming_events
from ..extensions import db
from ..timeutil import months_before, utcnow
from .models import TASK_LABELS, RosterSlot, Task
from .services import RosterError, animators, can_assign, in_group

#: Events whose roster opens by itself (the six tasks appear on first view); group meetings and
#: collective actions get theirs on demand (« Ajouter les tâches »).
ROSTER_KINDS = (EventKind.CAFE.value, EventKind.APERO_INFO.value, EventKind.FETE.value)
#: The fair-share view looks back this many months.
SHARE_MONTHS = 6
TASK_ORDER = {task.value: index for index, task in enumerate(Task)}

# --- the roster of an event -----------------------------------------------------------------


def _check_open(event: Event) -> None:
    if event.cancelled:
        raise RosterError(_l("Ce rendez-vous est annulé : son tableau des tâches ne change plus."))
    if event.has_ended():
        raise RosterError(_l("Ce rendez-vous est passé : son tableau des tâches ne change plus."))


def _sorted(slots):
    return sorted(slots, key=lambda slot: TASK_ORDER[slot.task])


def slots_of(event: Event) -> list[RosterSlot]:
    """The event's slots in the tasks' order, volunteers loaded (one query)."""
    rows = db.session.execute(
        select(RosterSlot, User)
        .outerjoin(User, User.id == RosterSlot.volunteer_id)
        .where(RosterSlot.event_id == event.id)
    ).all()
    return _sorted(slot for slot, _volunteer in rows)


def opens_by_itself(event: Event) -> bool:
    return event.kind in ROSTER_KINDS


def _create_slots(event: Event) -> None:
    existing = set(
        db.session.scalars(select(RosterSlot.task).where(RosterSlot.event_id == event.id))
    )
    for task in Task:
        if task.value not in existing:
            db.session.add(RosterSlot(event_id=event.id, task=task.value))
    db.session.flush()


def ensure_slots(event: Event) -> bool:
    """Open the roster of a café, an apéro-info or a fête on first view (if still to come).
    True when slots were created (the caller commits)."""
    if not opens_by_itself(event) or event.cancelled or event.has_ended():
        return False
    count = db.session.scalar(
        select(func.count()).select_from(RosterSlot).where(RosterSlot.event_id == event.id)
    )
    if count >= len(Task):
        return False
    _create_slots(event)
    return True


def add_tasks(event: Event) -> None:
    """« Ajouter les tâches »: the six tasks for a group meeting or a collective action."""
    _check_open(event)
    _create_slots(event)


def _slot(event: Event, task: Task) -> RosterSlot:
    """The slot, locked for the change (created first for the events whose roster opens alone)."""
    query = (
        select(RosterSlot)
        .where(RosterSlot.event_id == event.id, RosterSlot.task == task.value)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    slot = db.session.scalar(query)
    if slot is None:
        if not opens_by_itself(event):
            raise RosterError(_l("Ce rendez-vous n'a pas encore de tâches : ajoutez-les d'abord."))
        _create_slots(event)
        slot = db.session.scalar(query)
    return slot


def task_label(task: Task) -> str:
    return str(TASK_LABELS[task])


def take(event: Event, task: Task, user: User) -> RosterSlot:
    """« Je m'en charge »: `user` takes an open task (taking it twice changes nothing)."""
    if not in_group(user):
        raise RosterError(_l("Seuls les membres du groupe d'animation prennent des tâches."))
    _check_open(event)
    slot = _slot(event, task)
    if slot.volunteer_id == user.id:
        return slot
    if slot.volunteer_id is not None:
        holder = db.session.get(User, slot.volunteer_id)
        raise RosterError(
            _l(
                "« %(task)s » est déjà pris en charge par %(name)s : rien n'a été changé.",
                task=task_label(task),
                name=holder.full_name,
            )
        )
    slot.volunteer_id, slot.taken_at, slot.reminded_at = user.id, utcnow(), None
    return slot


def release(event: Event, task: Task, user: User) -> RosterSlot:
    """« Je laisse »: `user` gives back a task they had taken."""
    _check_open(event)
    slot = db.session.scalar(
        select(RosterSlot)
        .where(RosterSlot.event_id == event.id, RosterSlot.task == task.value)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if slot is None or slot.volunteer_id != user.id:
        raise RosterError(
            _l(
                "Vous ne vous chargez pas de « %(task)s » : rien n'a été changé.",
                task=task_label(task),
            )
        )
    slot.volunteer_id = slot.taken_at = slot.reminded_at = None
    return slot


def assign(event: Event, task: Task, volunteer_id: int | None, *, actor: User) -> RosterSlot:
    """The pilote, the copilote or an admin hands a task to someone in the group (None: nobody)."""
    if not can_assign(actor):
        raise PermissionError("only the pilote, the copilote and admins assign tasks")
    _check_open(event)
    volunteer = db.session.get(User, volunteer_id) if volunteer_id else None
    if volunteer_id and not in_group(volunteer):
        if volunteer is None:
            raise RosterError(
                _l("Cette personne ne fait pas partie du groupe d'animation : rien n'a été changé.")
            )
        raise RosterError(
            _l(
                "%(names)s ne fait pas partie du groupe d'animation : rien n'a été changé.",
                names=volunteer.full_name,
            )
        )
    slot = _slot(event, task)
    if slot.volunteer_id != volunteer_id:
        slot.volunteer_id = volunteer_id
        slot.taken_at = utcnow() if volunteer_id else None
        slot.reminded_at = None
    return slot


# --- the next rosters at a glance -----------------------------------------------------------


@dataclass
class SlotView:
    task: Task
    volunteer: User | None = None

    @property
    def label(self) -> str:
        return task_label(self.task)

    @property
    def is_open(self) -> bool:
        return self.volunteer is None


@dataclass
class RosterView:
    event: Event
    slots: list[SlotView]
    opened: bool  # False: a meeting whose tasks have not been added

    @property
    def open_count(self) -> int:
        return sum(slot.is_open for slot in self.slots)


def roster_view(event: Event, slots: list[RosterSlot], volunteers: dict[int, User]) -> RosterView:
    """The six tasks of a café, apéro-info or fête even before anyone opened its roster."""
    taken = {slot.task: volunteers.get(slot.volunteer_id) for slot in slots}
    tasks = list(Task) if opens_by_itself(event) else [task for task in Task if task.value in taken]
    return RosterView(event, [SlotView(task, taken.get(task.value)) for task in tasks], bool(tasks))


def upcoming_rosters(limit: int = 8) -> list[RosterView]:
    """The next events (not cancelled) with their rosters: two queries whatever the number."""
    events = upcoming_events(limit=limit)
    if not events:
        return []
    by_event: dict[int, list[RosterSlot]] = {event.id: [] for event in events}
    volunteers: dict[int, User] = {}
    for slot, volunteer in db.session.execute(
        select(RosterSlot, User)
        .outerjoin(User, User.id == RosterSlot.volunteer_id)
        .where(RosterSlot.event_id.in_(list(by_event)))
    ):
        by_event[slot.event_id].append(slot)
        if volunteer is not None:
            volunteers[volunteer.id] = volunteer
    return [roster_view(event, by_event[event.id], volunteers) for event in events]


# --- fair share -----------------------------------------------------------------------------


@dataclass
class Share:
    user: User
    by_task: dict[Task, int]
    total: int


def fair_share(now: datetime | None = None) -> tuple[list[Share], datetime]:
    """Tasks each person of the group took at the events of the last six months (events that took
    place, not cancelled), least loaded first; and the start of the period."""
    now = now or utcnow()
    since = months_before(now, SHARE_MONTHS)
    counts: dict[int, Counter] = {}
    for volunteer_id, task, count in db.session.execute(
        select(RosterSlot.volunteer_id, RosterSlot.task, func.count())
        .join(Event, Event.id == RosterSlot.event_id)
        .where(
            RosterSlot.volunteer_id.is_not(None),
            Event.cancelled.is_(False),
            Event.starts_at >= since,
            Event.ends_at <= now,
        )
        .group_by(RosterSlot.volunteer_id, RosterSlot.task)
    ):
        counts.setdefault(volunteer_id, Counter())[Task(task)] += count
    shares = []
    for user in animators():
        tally = counts.get(user.id, Counter())
        shares.append(Share(user, {task: tally.get(task, 0) for task in Task}, sum(tally.values())))
    shares.sort(key=lambda share: (share.total, share.user.last_name, share.user.first_name))
    return shares, since


def share_nudge(shares: list[Share]) -> str:
    """One sentence nudging the group to share the load."""
    if not shares:
        return str(_l("Personne n'est encore dans le groupe d'animation."))
    totals = [share.total for share in shares]
    if max(totals) == 0:
        return str(
            _l(
                "Aucune tâche n'a encore été prise ces six derniers mois : inscrivez-vous au "
                "tableau du prochain rendez-vous."
            )
        )
    if max(totals) - min(totals) <= 1:
        return str(
            _l("Les tâches sont bien partagées : chacun garde une part légère. Continuez ainsi !")
        )
    least = [share.user.first_name for share in shares if share.total == min(totals)]
    most = [share.user.first_name for share in shares if share.total == max(totals)]
    return str(
        _l(
            "Pour que la charge reste légère pour chacun, proposez les prochaines tâches d'abord à "
            "%(least)s, et laissez souffler %(most)s.",
            least=", ".join(least),
            most=", ".join(most),
        )
    )
