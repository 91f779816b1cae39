"""The animation group's rules: who is in it, who looks after which task family, who takes which
task at each event, how the load is shared, reminders, and what happens when a volunteer steps back.

Views stay thin: they call these functions and show the RosterError messages (French, lazy)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.models import GroupRole, Role, User
from ..events.models import Event, EventKind
from ..events.services import upcoming_events
from ..extensions import db
from ..signals import volunteer_leaving
from ..i18n import day_text, hour_text
from ..notifications.services import notify
from ..timeutil import months_before, to_paris, utcnow
from .models import TASK_LABELS, Family, FamilyMember, HandoverNote, RosterSlot, Task

#: The method's advice on the group's size: 4 to 12 volunteers, ideally at least 6.
GROUP_MIN, GROUP_IDEAL, GROUP_MAX = 4, 6, 12
#: Events whose roster opens by itself (the six tasks appear on first view); group meetings and
#: collective actions get theirs on demand (« Ajouter les tâches »).
ROSTER_KINDS = (EventKind.CAFE.value, EventKind.APERO_INFO.value, EventKind.FETE.value)
#: The fair-share view looks back this many months.
SHARE_MONTHS = 6
#: A volunteer who stepped back is shown on the group page, with a prompt to write handover
#: notes, for this many days (or until every family they looked after has a newer note).
DEPARTURE_DAYS = 60
STEPPED_BACK = "group.stepped_back"
NOTE_MAX = 2000
TASK_ORDER = {task.value: index for index, task in enumerate(Task)}


class RosterError(ValueError):
    """A refused roster or group change; the message is French (lazy) and safe to show."""


# --- the group ------------------------------------------------------------------------------


def _in_group():
    return (
        User.role.in_([Role.ANIMATOR.value, Role.ADMIN.value]),
        User.left_at.is_(None),
        User.is_enabled.is_(True),
    )


def animators() -> list[User]:
    """The animation group, the one definition: animators and admins whose account is enabled and
    who have not left; pilote, then copilote, then by name."""
    people = db.session.scalars(
        select(User).where(*_in_group()).order_by(User.last_name, User.first_name, User.id)
    ).all()
    rank = {GroupRole.PILOTE.value: 0, GroupRole.COPILOTE.value: 1}
    return sorted(people, key=lambda user: rank.get(user.group_role, 2))


def in_group(user: User | None) -> bool:
    return user is not None and user.is_animator and not user.has_left


def can_assign(user: User) -> bool:
    """The pilote, the copilote and the admins hand tasks out to anyone in the group."""
    return user.is_admin or user.group_role in (GroupRole.PILOTE.value, GroupRole.COPILOTE.value)


def size_advice(count: int) -> tuple[str, str]:
    """("warning" | "info" | "ok", sentence) about the group's size, after the method."""
    if count < GROUP_MIN:
        return "warning", str(
            _l(
                "Le groupe compte moins de %(min)d personnes : c'est trop peu pour que chacun garde une part "
                "légère. Invitez d'autres voisins au prochain café-rencontre.",
                min=GROUP_MIN,
            )
        )
    if count < GROUP_IDEAL:
        return "info", str(
            _l(
                "La méthode conseille d'être au moins %(ideal)d : pensez à proposer à d'autres "
                "voisins de vous rejoindre.",
                ideal=GROUP_IDEAL,
            )
        )
    if count > GROUP_MAX:
        return "info", str(
            _l(
                "Au-delà de %(max)d personnes, le groupe a du mal à se coordonner : pensez à "
                "former un second groupe ou à lancer un périmètre voisin.",
                max=GROUP_MAX,
            )
        )
    return "ok", str(
        _l(
            "La taille du groupe est dans ce que conseille la méthode (de %(min)d à %(max)d).",
            min=GROUP_MIN,
            max=GROUP_MAX,
        )
    )


def families_by_user(user_ids) -> dict[int, list[Family]]:
    """The task families each person looks after (in the method's order)."""
    ids = list(user_ids)
    found: dict[int, list[Family]] = {user_id: [] for user_id in ids}
    if not ids:
        return found
    for user_id, family in db.session.execute(
        select(FamilyMember.user_id, FamilyMember.family).where(FamilyMember.user_id.in_(ids))
    ):
        found[user_id].append(Family(family))
    order = list(Family)
    return {user_id: sorted(families, key=order.index) for user_id, families in found.items()}


def set_family_members(family: Family, user_ids: list[int], *, actor: User) -> list[User]:
    """Who looks after `family` from now on (the whole list). Refuses anyone outside the group."""
    wanted = set(user_ids)
    people = (
        {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(wanted)))}
        if wanted
        else {}
    )
    outsiders = [people.get(user_id) for user_id in wanted if not in_group(people.get(user_id))]
    if outsiders:
        known = [person.full_name for person in outsiders if person is not None]
        if known:
            raise RosterError(
                _l(
                    "%(names)s ne fait pas partie du groupe d'animation : rien n'a été changé.",
                    names=", ".join(sorted(known)),
                )
            )
        raise RosterError(
            _l("Cette personne ne fait pas partie du groupe d'animation : rien n'a été changé.")
        )
    current = set(
        db.session.scalars(select(FamilyMember.user_id).where(FamilyMember.family == family.value))
    )
    gone, added = current - wanted, wanted - current
    if gone:
        db.session.execute(
            delete(FamilyMember).where(
                FamilyMember.family == family.value, FamilyMember.user_id.in_(gone)
            )
        )
    for user_id in sorted(added):
        db.session.add(FamilyMember(user_id=user_id, family=family.value))
    return sorted(people.values(), key=lambda user: (user.last_name, user.first_name))


def add_note(family: Family, text: str, *, author: User) -> HandoverNote:
    text = (text or "").strip()
    if not text:
        raise RosterError(_l("Écrivez la note avant de l'enregistrer."))
    if len(text) > NOTE_MAX:
        raise RosterError(
            _l("Cette note est trop longue (%(max)d caractères au plus).", max=NOTE_MAX)
        )
    note = HandoverNote(family=family.value, author_id=author.id, text=text)
    db.session.add(note)
    return note


def notes_by_family(limit: int = 200) -> dict[Family, list[HandoverNote]]:
    """Handover notes of each family, newest first, authors loaded (one query)."""
    found: dict[Family, list[HandoverNote]] = {family: [] for family in Family}
    notes = db.session.execute(
        select(HandoverNote, User)
        .outerjoin(User, User.id == HandoverNote.author_id)
        .order_by(HandoverNote.created_at.desc(), HandoverNote.id.desc())
        .limit(limit)
    ).all()
    for note, _author in notes:
        found[Family(note.family)].append(note)
    return found


# --- a volunteer steps back -----------------------------------------------------------------


@volunteer_leaving.connect
def _on_volunteer_leaving(user: User, actor: User | None = None, **_extra) -> None:
    release_volunteer(user, actor)


def release_volunteer(user: User, actor: User | None) -> dict:
    """`user` leaves the animation group (becomes a member again, or leaves the perimeter): their
    slots at events still to come are released, their task families dropped, and the step back is
    recorded so the group page asks for handover notes. Returns {"slots": n, "families": [...]}."""
    now = utcnow()
    future = select(Event.id).where(Event.starts_at > now)
    released = (
        db.session.execute(
            update(RosterSlot)
            .where(RosterSlot.volunteer_id == user.id, RosterSlot.event_id.in_(future))
            .values(volunteer_id=None, taken_at=None, reminded_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    families = [family.value for family in families_by_user([user.id])[user.id]]
    if families:
        db.session.execute(delete(FamilyMember).where(FamilyMember.user_id == user.id))
    if released or families or user.is_animator:
        record(STEPPED_BACK, actor=actor, target=user, families=families, slots=released)
    return {"slots": released, "families": families}


@dataclass
class Departure:
    """Someone who stepped back lately, and the families still waiting for a handover note."""

    user: User
    at: datetime
    families: list[Family]  # empty: they looked after none, any note will do
    pending: list[Family] = field(default_factory=list)


def departures(
    notes: dict[Family, list[HandoverNote]], now: datetime | None = None
) -> list[Departure]:
    """Volunteers who stepped back in the last DEPARTURE_DAYS and are not back in the group,
    whose families have no handover note written since (one query)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(AuditEvent, User)
        .join(User, User.id == AuditEvent.target_user_id)
        .where(
            AuditEvent.action == STEPPED_BACK, AuditEvent.at >= now - timedelta(days=DEPARTURE_DAYS)
        )
        .order_by(AuditEvent.at.desc())
    ).all()
    seen, found = set(), []
    for entry, user in rows:
        if user.id in seen:
            continue
        seen.add(user.id)
        if in_group(user):
            continue  # came back
        try:
            families = [
                Family(value) for value in json.loads(entry.details or "{}").get("families", [])
            ]
        except (ValueError, AttributeError):
            families = []

        def noted_since(family: Family, since=entry.at) -> bool:
            return any(note.created_at >= since for note in notes.get(family, []))

        if families:
            pending = [family for family in families if not noted_since(family)]
        else:
            pending = [] if any(noted_since(family) for family in Family) else list(Family)
        if pending:
            found.append(Departure(user=user, at=entry.at, families=families, pending=pending))
    return found


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


def _label(task: Task) -> str:
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
                task=_label(task),
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
            _l("Vous ne vous chargez pas de « %(task)s » : rien n'a été changé.", task=_label(task))
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
        return _label(self.task)

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
                "Aucune tâche n'a encore été prise ces six derniers mois : inscrivez-vous au tableau "
                "du prochain rendez-vous."
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


# --- reminders ------------------------------------------------------------------------------

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
        "task": _label(task),
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
