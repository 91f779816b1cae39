"""The call list before a café: who wants a call (« Appelez-moi avant chaque café ») or has no
internet, who is set apart and why, and what each call gave."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..audit.services import record
from ..auth.models import User
from ..events.models import Event, EventSignup
from ..extensions import db
from ..members.services import sponsors_by_sponsee
from .models import Call, CallOutcome
from .services import NOTE_MAX, OUTCOME_LABELS, CafeError


# --- the call list ------------------------------------------------------------------------------

NO_PHONE = "no_phone"
PREFERS_SPONSOR = "prefers_sponsor"
PREFERS_OTHER = "prefers_other"


@dataclass
class CallEntry:
    person: User
    sponsor: User | None = None
    calls: list[tuple[Call, User | None]] = field(
        default_factory=list
    )  # oldest first, with the caller
    apart_reason: str | None = (
        None  # why not to phone them: NO_PHONE, PREFERS_SPONSOR, PREFERS_OTHER
    )
    signed_up: bool = False  # already said they would come

    @property
    def last(self) -> Call | None:
        return self.calls[-1][0] if self.calls else None

    @property
    def last_caller(self) -> User | None:
        return self.calls[-1][1] if self.calls else None

    @property
    def reached(self) -> bool:
        return any(call.outcome == CallOutcome.REACHED.value for call, _caller in self.calls)


@dataclass
class CallList:
    to_call: list[CallEntry]
    apart: list[CallEntry]  # to be told another way: by their sponsor, or a note in the letterbox

    @property
    def reached(self) -> int:
        return sum(1 for entry in self.to_call if entry.reached)

    @property
    def not_called(self) -> int:
        return sum(1 for entry in self.to_call if not entry.calls)


def _call_candidates():
    """Offline neighbours and people who asked to be called before each café, still here."""
    return select(User).where(
        User.left_at.is_(None), (User.has_internet.is_(False)) | (User.call_before_cafes.is_(True))
    )


def apart_reason(person: User) -> str | None:
    """None when the group phones this person before a café; else why it tells them otherwise.

    Tranquillité: only people who asked for it (« Appelez-moi avant chaque café ») or neighbours
    without internet who chose the phone as their way to be reached are phoned. An offline
    neighbour who chose to be reached through their sponsor is told by the sponsor."""
    if not person.phone:
        return NO_PHONE
    if person.call_before_cafes or person.contact_preference == "phone":
        return None
    return PREFERS_SPONSOR if person.contact_preference == "sponsor" else PREFERS_OTHER


def on_call_list(person: User) -> bool:
    return (
        not person.has_left
        and (person.is_offline or person.call_before_cafes)
        and apart_reason(person) is None
    )


def call_list(event: Event) -> CallList:
    """The people to phone before `event`, each with the calls already made for it, and apart
    those to tell another way (no phone, or who prefer their sponsor). A constant number of
    queries."""
    people = list(
        db.session.scalars(
            _call_candidates().order_by(
                func.lower(User.last_name), func.lower(User.first_name), User.id
            )
        )
    )
    ids = [person.id for person in people]
    sponsors = sponsors_by_sponsee(ids)
    signed_up = (
        set(
            db.session.scalars(
                select(EventSignup.user_id).where(
                    EventSignup.event_id == event.id, EventSignup.user_id.in_(ids)
                )
            )
        )
        if ids
        else set()
    )
    calls: dict[int, list[tuple[Call, User | None]]] = {}
    if ids:
        caller = aliased(User)
        for call, who in db.session.execute(
            select(Call, caller)
            .outerjoin(caller, caller.id == Call.called_by_id)
            .where(Call.event_id == event.id, Call.user_id.in_(ids))
            .order_by(Call.at, Call.id)
        ):
            calls.setdefault(call.user_id, []).append((call, who))
    to_call, apart = [], []
    for person in people:
        entry = CallEntry(
            person=person,
            sponsor=sponsors.get(person.id),
            calls=calls.get(person.id, []),
            apart_reason=apart_reason(person),
            signed_up=person.id in signed_up,
        )
        (apart if entry.apart_reason else to_call).append(entry)
    return CallList(to_call=to_call, apart=apart)


def record_call(event: Event, person: User, outcome: str, note: str = "", *, actor: User) -> Call:
    """Note what a call gave. Refused for someone not on the call list, an unknown outcome, a
    note too long, or an event already over."""
    if outcome not in OUTCOME_LABELS:
        raise CafeError(
            _l("Choisissez ce qu'a donné l'appel : joint(e), pas de réponse ou message laissé.")
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise CafeError(_l("La note est trop longue (%(max)d caractères au plus).", max=NOTE_MAX))
    if event.has_ended():
        raise CafeError(_l("Ce rendez-vous est passé : les appels ne se notent plus."))
    if not on_call_list(person):
        raise CafeError(
            _l(
                "%(name)s n'est pas sur la liste d'appels : rien n'a été noté.",
                name=person.full_name,
            )
        )
    call = Call(
        event_id=event.id, user_id=person.id, outcome=outcome, note=note, called_by_id=actor.id
    )
    db.session.add(call)
    return call


def set_call_before_cafes(person: User, wanted: bool, *, actor: User) -> bool:
    """« Appelez-moi avant chaque café »: set by the person or an animator. True if it changed;
    an animator's change is in the person's history (their own is with their preferences)."""
    wanted = bool(wanted)
    if person.call_before_cafes == wanted:
        return False
    person.call_before_cafes = wanted
    if actor.id != person.id:
        record("member.updated", actor=actor, target=person, fields=["call_before_cafes"])
    return True
