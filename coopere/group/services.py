"""The animation group: who is in it (the one definition) and its size, who looks after which
task family, handover notes, and what happens when a volunteer steps back.

The roster of each event and the shared load: group/roster.py; reminders: group/reminders.py.
Views stay thin: they call these functions and show the RosterError messages (French, lazy)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.models import GroupRole, Role, User
from ..events.models import Event
from ..extensions import db
from ..signals import volunteer_leaving
from ..timeutil import utcnow
from .models import Family, FamilyMember, HandoverNote, RosterSlot

#: The method's advice on the group's size: 4 to 12 volunteers, ideally at least 6.
GROUP_MIN, GROUP_IDEAL, GROUP_MAX = 4, 6, 12
#: A volunteer who stepped back is shown on the group page, with a prompt to write handover
#: notes, for this many days (or until every family they looked after has a newer note).
DEPARTURE_DAYS = 60
STEPPED_BACK = "group.stepped_back"
NOTE_MAX = 2000


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
                "Le groupe compte moins de %(min)d personnes : c'est trop peu pour que chacun "
                "garde une part légère. Invitez d'autres voisins au prochain café-rencontre.",
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
