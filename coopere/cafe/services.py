"""Rules of the café-rencontre around the day itself: who is on the call list and what each call
gave, who is checked in at the desk (members, sponsored neighbours, newcomers, visitors), and the
figures of the event report (the paper attendance sheet: coopere/cafe/printouts.py). Views stay
thin and call these.

Checking in is allowed from the event's day (Paris time) on, never before, so that the paper
sheet can be typed in afterwards; never for a cancelled event. A person is checked in once per
event (a database constraint as well: a second check-in is refused, even from two tablets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from ..inputs import parse_id
from ..audit.services import record
from ..auth.models import User, fold_name
from ..dwellings.models import Dwelling
from ..events.models import Event, EventSignup
from ..extensions import db
from ..i18n import long_date
from ..listings.models import Listing, ListingKind
from ..members.models import Sponsorship
from ..members.services import members_query, sponsors_by_sponsee
from ..timeutil import paris_today, to_paris, to_utc, utcnow
from .models import Call, CallOutcome, CheckIn, EventReport

SEARCH_LIMIT = 20
REPORTS_PAGE_SIZE = 30
NOTE_MAX = 300
REPORT_NOTES_MAX = 4000
COLLECTED_MAX = 999

OUTCOME_LABELS = {
    CallOutcome.REACHED.value: _l("Joint(e)"),
    CallOutcome.NO_ANSWER.value: _l("Pas de réponse"),
    CallOutcome.MESSAGE_LEFT.value: _l("Message laissé"),
}


class CafeError(ValueError):
    """A refused action at the desk, on the call list or in the report; the message is French
    (or the reader's language) and safe to show."""


# --- the event's day ----------------------------------------------------------------------------


def event_day(event: Event) -> date:
    return to_paris(event.starts_at).date()


def desk_closed_reason(event: Event) -> str | None:
    """Why check-ins (and the visitors' counter) are refused for this event now, or None."""
    if event.cancelled:
        return str(_l("Ce rendez-vous est annulé : on ne peut pas y noter de présences."))
    if paris_today() < event_day(event):
        return str(
            _l(
                "L'accueil ouvre le jour du rendez-vous, le %(date)s : les présences se notent "
                "ce jour-là ou après, pas avant.",
                date=long_date(event.starts_at),
            )
        )
    return None


def _check_desk_open(event: Event) -> None:
    reason = desk_closed_reason(event)
    if reason is not None:
        raise CafeError(reason)


# --- the café desk ------------------------------------------------------------------------------


@dataclass
class DeskCounts:
    present: int = 0  # checked in (members, sponsored neighbours, newcomers)
    newcomers: int = 0
    visitors: int = 0  # the « + 1 visiteur » counter: people who did not give their name

    @property
    def attendance(self) -> int:
        return self.present + self.visitors


def desk_counts(event: Event) -> DeskCounts:
    present, newcomers = db.session.execute(
        select(
            func.count(CheckIn.id),
            func.coalesce(func.sum(case((CheckIn.newcomer.is_(True), 1), else_=0)), 0),
        ).where(CheckIn.event_id == event.id)
    ).one()
    return DeskCounts(present=present, newcomers=int(newcomers), visitors=event.visitors)


def present_people(event: Event) -> list[tuple[CheckIn, User]]:
    """Who is checked in, the latest first (the one to undo after a mistake is at the top)."""
    return list(
        db.session.execute(
            select(CheckIn, User)
            .join(User, User.id == CheckIn.user_id)
            .outerjoin(Dwelling, User.dwelling_id == Dwelling.id)
            .options(contains_eager(User.dwelling))
            .where(CheckIn.event_id == event.id)
            .order_by(CheckIn.at.desc(), CheckIn.id.desc())
        ).all()
    )


def search_people(q: str, limit: int = SEARCH_LIMIT) -> list[User]:
    """People of the perimeter (not those who left) whose name contains every word typed,
    accents and case ignored (« elodie » finds « Élodie »)."""
    if not fold_name(q).split():
        return []  # « - » or spaces only: a search for nothing, not for everyone
    query = members_query(q).order_by(
        func.lower(User.last_name), func.lower(User.first_name), User.id
    )
    return list(db.session.scalars(query.limit(limit)).unique())


def sponsored_residents() -> list[tuple[User, User]]:
    """Neighbours without internet who have a sponsor, with that sponsor: at the top of the desk,
    one tap each (they are the ones least likely to be found by a search)."""
    sponsor = aliased(User)
    return list(
        db.session.execute(
            select(User, sponsor)
            .join(Sponsorship, Sponsorship.sponsee_id == User.id)
            .join(sponsor, sponsor.id == Sponsorship.sponsor_id)
            .outerjoin(Dwelling, User.dwelling_id == Dwelling.id)
            .options(contains_eager(User.dwelling))
            .where(Sponsorship.ended_at.is_(None), User.left_at.is_(None))
            .order_by(func.lower(User.last_name), func.lower(User.first_name), User.id)
        ).all()
    )


def is_checked_in(event: Event, person: User) -> bool:
    return (
        db.session.scalar(
            select(CheckIn.id).where(CheckIn.event_id == event.id, CheckIn.user_id == person.id)
        )
        is not None
    )


def check_in(event: Event, person: User, *, actor: User, newcomer: bool = False) -> CheckIn:
    """Note `person` present at `event`. CafeError (nothing changed) when the desk is not open,
    the person left the perimeter, or is checked in already — also when another tablet did it
    a moment before (the unique constraint, caught inside a savepoint)."""
    _check_desk_open(event)
    if person.has_left:
        raise CafeError(
            _l(
                "%(name)s est parti(e) du périmètre : on ne peut pas le ou la noter présent(e).",
                name=person.full_name,
            )
        )
    already = _l("%(name)s est déjà noté(e) présent(e) : rien n'a changé.", name=person.full_name)
    if is_checked_in(event, person):
        raise CafeError(already)
    row = CheckIn(event_id=event.id, user_id=person.id, checked_by_id=actor.id, newcomer=newcomer)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise CafeError(already) from None
    return row


def undo_check_in(event: Event, person: User) -> None:
    """Take back a check-in made by mistake (the person's registration, if any, stays)."""
    _check_desk_open(event)
    row = db.session.scalar(
        select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.user_id == person.id)
    )
    if row is None:
        raise CafeError(
            _l("%(name)s n'était pas noté(e) présent(e) : rien n'a changé.", name=person.full_name)
        )
    db.session.delete(row)


def change_visitors(event: Event, delta: int) -> int:
    """« + 1 visiteur » or « − 1 »: one statement, so two tablets tapping together both count;
    never below zero. Returns the new count."""
    if delta not in (1, -1):
        raise CafeError(_l("Le compteur avance ou recule d'un visiteur à la fois."))
    _check_desk_open(event)
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.visitors + delta >= 0)
        .values(visitors=Event.visitors + delta)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event, ["visitors"])
    if result.rowcount == 0:
        raise CafeError(_l("Le compteur de visiteurs est déjà à zéro : rien n'a changé."))
    return event.visitors


def event_for_desk(value) -> Event | None:
    """The event a registration started from the café desk returns to (`?cafe=<id>`), if any."""
    text = str(value or "").strip()
    ident = parse_id(text)
    return db.session.get(Event, ident) if ident is not None else None


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


# --- the event report ---------------------------------------------------------------------------


@dataclass
class ReportFigures:
    present: int
    newcomers: int
    visitors: int
    offers: int  # offers and needs drafted when the newcomers registered (the form's defaults)
    needs: int

    @property
    def attendance(self) -> int:
        return self.present + self.visitors


def _day_start_utc(day: date) -> datetime:
    return to_utc(day, time(0))


def collected_listings(event: Event) -> tuple[int, int]:
    """Offers and needs drafted for the newcomers of `event` when they registered: listings of
    people checked in as newcomers, created from the event's day until their check-in (the
    registration desk writes the questionnaire's answers just before the check-in; a paper
    sheet typed in a few days later counts too)."""
    rows = db.session.execute(
        select(Listing.kind, func.count(Listing.id))
        .join(
            CheckIn,
            and_(
                CheckIn.user_id == Listing.owner_id,
                CheckIn.event_id == event.id,
                CheckIn.newcomer.is_(True),
            ),
        )
        .where(
            Listing.created_at >= _day_start_utc(event_day(event)), Listing.created_at <= CheckIn.at
        )
        .group_by(Listing.kind)
    ).all()
    counts = dict(rows)
    return counts.get(ListingKind.OFFER.value, 0), counts.get(ListingKind.NEED.value, 0)


def report_figures(event: Event) -> ReportFigures:
    counts = desk_counts(event)
    offers, needs = collected_listings(event)
    return ReportFigures(
        present=counts.present,
        newcomers=counts.newcomers,
        visitors=counts.visitors,
        offers=offers,
        needs=needs,
    )


def report_of(event: Event) -> EventReport | None:
    return db.session.scalar(select(EventReport).where(EventReport.event_id == event.id))


def save_report(event: Event, values: dict, *, actor: User) -> EventReport:
    """Write (or rewrite) the report of an event that has started. `values`: offers_collected,
    needs_collected, notes (checked by the form; checked again here)."""
    if event.cancelled:
        raise CafeError(_l("Ce rendez-vous est annulé : il n'a pas de bilan."))
    if not event.has_started():
        raise CafeError(_l("Le bilan s'écrit une fois le rendez-vous commencé."))
    offers, needs = values.get("offers_collected"), values.get("needs_collected")
    for number in (offers, needs):
        if not isinstance(number, int) or not 0 <= number <= COLLECTED_MAX:
            raise CafeError(_l("Indiquez un nombre de 0 à %(max)d.", max=COLLECTED_MAX))
    notes = (values.get("notes") or "").strip()
    if len(notes) > REPORT_NOTES_MAX:
        raise CafeError(
            _l("Les notes sont trop longues (%(max)d caractères au plus).", max=REPORT_NOTES_MAX)
        )
    report = report_of(event)
    if report is None:
        report = EventReport(event_id=event.id)
        try:
            with db.session.begin_nested():
                db.session.add(report)
        except IntegrityError:  # written at the same moment on another device: update that one
            report = report_of(event)
    report.offers_collected, report.needs_collected, report.notes = offers, needs, notes
    report.written_by_id = actor.id
    return report


@dataclass
class ReportRow:
    event: Event
    present: int
    newcomers: int
    report: EventReport | None

    @property
    def attendance(self) -> int:
        return self.present + self.event.visitors


def past_reports(page: int = 1, page_size: int = REPORTS_PAGE_SIZE) -> tuple[list[ReportRow], int]:
    """Events that have started (not cancelled), newest first, each with its attendance,
    newcomers and report: three queries whatever the number of events."""
    counts = (
        select(
            CheckIn.event_id.label("event_id"),
            func.count(CheckIn.id).label("present"),
            func.sum(case((CheckIn.newcomer.is_(True), 1), else_=0)).label("newcomers"),
        )
        .group_by(CheckIn.event_id)
        .subquery()
    )
    where = (Event.starts_at <= utcnow(), Event.cancelled.is_(False))
    total = db.session.scalar(select(func.count(Event.id)).where(*where))
    rows = db.session.execute(
        select(
            Event,
            func.coalesce(counts.c.present, 0),
            func.coalesce(counts.c.newcomers, 0),
            EventReport,
        )
        .outerjoin(counts, counts.c.event_id == Event.id)
        .outerjoin(EventReport, EventReport.event_id == Event.id)
        .where(*where)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        ReportRow(event=event, present=present, newcomers=int(newcomers), report=report)
        for event, present, newcomers, report in rows
    ], total


def totals_of_past_events() -> DeskCounts:
    """All started, not cancelled events together: check-ins, newcomers and visitors."""
    where = (Event.starts_at <= utcnow(), Event.cancelled.is_(False))
    present, newcomers = db.session.execute(
        select(
            func.count(CheckIn.id),
            func.coalesce(func.sum(case((CheckIn.newcomer.is_(True), 1), else_=0)), 0),
        )
        .join(Event, Event.id == CheckIn.event_id)
        .where(*where)
    ).one()
    visitors = db.session.scalar(select(func.coalesce(func.sum(Event.visitors), 0)).where(*where))
    return DeskCounts(present=present, newcomers=int(newcomers), visitors=int(visitors))
