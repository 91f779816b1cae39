"""The café desk on the event's day: who is checked in (members, sponsored neighbours,
newcomers), visitors counted, the people found by a search.

Checking in is allowed from the event's day (Paris time) on, never before, so that the paper
sheet can be typed in afterwards; never for a cancelled event. A person is checked in once per
event (a database constraint as well: a second check-in is refused, even from two tablets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from ..inputs import parse_id
from ..auth.models import User, fold_name
from ..dwellings.models import Dwelling
from ..events.models import Event
from ..extensions import db
from ..i18n import long_date
from ..members.models import Sponsorship
from ..members.services import members_query
from ..timeutil import paris_today, to_paris
from .models import CheckIn
from .services import SEARCH_LIMIT, CafeError


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
