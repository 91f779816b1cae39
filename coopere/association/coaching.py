"""The coaching log: the sessions a coach holds with a perimeter's group, the hours per month
against the method's 2 hours a week of structuration, and each coach's workload.

The monthly reference: 2 h a week × 52 weeks ÷ 12 months = 104 h ÷ 12 = 8 h 40 a month
(REFERENCE_MINUTES = 520)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from ..timeutil import add_months
from . import audit
from .models import Account, CoachingSession, PerimeterProfile, Role
from .store import db_session
from .topics import FORMS, TOPICS

WEEKLY_MINUTES = 120  # the method: about 2 hours of coaching a week during the structuration
REFERENCE_MINUTES = WEEKLY_MINUTES * 52 // 12  # 520 minutes = 8 h 40 a month
MONTHS = 12  # the months the pages show, this one included
MAX_MINUTES = 12 * 60  # one session: at most 12 hours


class CoachingError(ValueError):
    """A session the log refuses, with the French sentence that says why."""


def duration_label(minutes: int) -> str:
    """« 45 min », « 2 h », « 8 h 40 » (with no-break spaces: never cut at the end of a line)."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(m)d\u00a0min", m=rest)
    if not rest:
        return _("%(h)d\u00a0h", h=hours)
    return _("%(h)d\u00a0h\u00a0%(m)02d", h=hours, m=rest)


def total_minutes(hours: int | None, minutes: int | None) -> int:
    """A duration typed as hours and minutes (either may be empty), checked."""
    total = (hours or 0) * 60 + (minutes or 0)
    if total <= 0:
        raise CoachingError(_("Indiquez la durée de la séance, en heures et/ou en minutes."))
    if total > MAX_MINUTES:
        raise CoachingError(_("Une séance dure 12 heures au plus."))
    return total


def log_session(
    account,
    slug: str,
    *,
    held_on: date,
    minutes: int,
    form: str,
    topics: list[str],
    attendees: str,
    notes: str,
    today: date,
) -> CoachingSession:
    if held_on > today:
        raise CoachingError(_("La date ne peut pas être dans le futur."))
    if held_on < add_months(today, -120):
        raise CoachingError(_("Indiquez une date des dix dernières années."))
    if form not in FORMS:
        raise CoachingError(_("Choisissez la forme de la séance."))
    unknown = [key for key in topics if key not in TOPICS]
    if unknown:
        raise CoachingError(_("Choisissez les thèmes dans la liste."))
    if not 0 < minutes <= MAX_MINUTES:
        raise CoachingError(_("Une séance dure 12 heures au plus."))
    row = CoachingSession(
        slug=slug,
        account_id=account.id,
        held_on=held_on,
        minutes=minutes,
        form=form,
        topics=",".join(key for key in TOPICS if key in topics),
        attendees=attendees,
        notes=notes,
    )
    db_session().add(row)
    audit.record(
        "coaching.logged",
        account=account,
        target=slug,
        detail=f"{held_on.isoformat()} {minutes} min",
    )
    return row


def sessions(slug: str) -> list[CoachingSession]:
    """The perimeter's sessions, the newest first."""
    return list(
        db_session().scalars(
            select(CoachingSession)
            .where(CoachingSession.slug == slug)
            .order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())
        )
    )


def may_delete(account, row: CoachingSession) -> bool:
    """Its author, or the coordination."""
    return account.role == Role.COORDINATION or row.account_id == account.id


def delete_session(account, row: CoachingSession) -> None:
    db_session().delete(row)
    audit.record(
        "coaching.deleted",
        account=account,
        target=row.slug,
        detail=f"{row.held_on.isoformat()} {row.minutes} min",
    )


# --- month by month -------------------------------------------------------------------------------


def month_label(start: date) -> str:
    """« mars 2026 »."""
    return format_date(start, "LLLL y")


def month_starts(today: date, count: int = MONTHS) -> list[date]:
    """The first day of the last `count` months, this one included, the oldest first."""
    first = today.replace(day=1)
    return [add_months(first, -back) for back in range(count - 1, -1, -1)]


@dataclass
class Month:
    start: date
    minutes: int

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def gap(self) -> int:
        """Minutes above (positive) or below (negative) the monthly reference."""
        return self.minutes - REFERENCE_MINUTES

    @property
    def share(self) -> int:
        """The month's hours as a percentage of the reference, rounded."""
        return round(100 * self.minutes / REFERENCE_MINUTES)


def per_month(rows, today: date, count: int = MONTHS) -> list[Month]:
    """Minutes of the sessions `rows` (anything with held_on and minutes) per month over the last
    `count` months, the oldest first; sessions outside those months are left out."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.held_on.strftime("%Y-%m")] += row.minutes
    return [
        Month(start, totals.get(start.strftime("%Y-%m"), 0)) for start in month_starts(today, count)
    ]


# --- workload -------------------------------------------------------------------------------------


@dataclass
class Workload:
    coach: Account
    months: list[Month]
    perimeters: list[PerimeterProfile]

    @property
    def total(self) -> int:
        return sum(month.minutes for month in self.months)

    @property
    def structuring(self) -> int:
        """How many of their perimeters are in the structuration, each about 8 h 40 a month."""
        return sum(1 for profile in self.perimeters if profile.phase == "structuration")

    @property
    def expected(self) -> int:
        """Minutes a month the method expects: 8 h 40 per perimeter in structuration."""
        return self.structuring * REFERENCE_MINUTES


def workload(account, today: date) -> list[Workload]:
    """Hours per month of each coach over the last 12 months and the perimeters confided to them:
    every coach (and every coordinator who logged a session or coaches a perimeter) for the
    coordination; their own only for a coach. Three queries."""
    session = db_session()
    first = month_starts(today)[0]
    people = list(
        session.scalars(select(Account).where(Account.active.is_(True)).order_by(Account.name))
    )
    if account.role != Role.COORDINATION:
        people = [person for person in people if person.id == account.id]
    logged = session.execute(
        select(CoachingSession.account_id, CoachingSession.held_on, CoachingSession.minutes).where(
            CoachingSession.held_on >= first
        )
    ).all()
    profiles = list(session.scalars(select(PerimeterProfile).order_by(PerimeterProfile.slug)))
    by_coach: dict[int, list] = defaultdict(list)
    for row in logged:
        by_coach[row.account_id].append(row)
    confided: dict[int, list[PerimeterProfile]] = defaultdict(list)
    for profile in profiles:
        if profile.coach_id is not None:
            confided[profile.coach_id].append(profile)
    result = []
    for person in people:
        if (
            person.role == Role.COORDINATION
            and not by_coach.get(person.id)
            and not confided.get(person.id)
        ):
            continue  # a coordinator who coaches nobody is no coach
        result.append(
            Workload(person, per_month(by_coach.get(person.id, []), today), confided[person.id])
        )
    return result
