"""A perimeter's report figures month by month (the snapshot's "months"), in a dozen queries.

The figures are those of coopere/reports/summary.py `summary()` (SUMMARY_KEYS and EXTRA_KEYS),
with the same definitions. Calling `summary()` once per month costs about 16 queries a month
(380 for 24 months, 0.6 s on the demo perimeter, more than the snapshot's budget): here the rows
of the whole window are read once and counted in their Paris month, reusing the reports' own
month-by-month rows where they exist (`members_by_month`, `exchange_rows`, `cafe_rows`,
`month_finder`). tests/association/test_snapshot_collect.py checks, month by month on the demo
perimeter and on a seeded one, that both give the same numbers."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..auth.models import Role, User
from ..dwellings.models import Dwelling, LetterSent
from ..extensions import db
from ..listings.models import Listing, ListingKind, ListingStatus, Participation, Theme
from ..members.models import Sponsorship
from ..printruns.models import LetterScan
from ..reports.figures import exchange_rows, member_at, members_by_month, projects_in, ratio
from ..reports.outreach import cafe_rows
from ..reports.period import Period, month_finder
from ..reports.summary import EXTRA_KEYS, SUMMARY_KEYS
from ..sheets.models import SheetLaunch
from ..timeutil import add_months

FIGURE_KEYS = SUMMARY_KEYS + EXTRA_KEYS


def month_periods(today: date, count: int = 24) -> list[Period]:
    """The `count` last Paris calendar months, oldest first; the current one ends today."""
    first = add_months(today.replace(day=1), -(count - 1))
    periods = []
    for index in range(count):
        start = add_months(first, index)
        end = min(add_months(start, 1) - timedelta(days=1), today)
        periods.append(Period(start, end, "month"))
    return periods


def _alive(person, end: datetime) -> bool:
    """reports.figures.member_at, for a fetched row: registered before `end`, not left then."""
    return person.created_at < end and (person.left_at is None or person.left_at >= end)


def monthly_figures(periods: list[Period], now: datetime) -> dict[str, dict]:
    """{"YYYY-MM": {figure: value}} for each period (a calendar month), as `summary()` counts."""
    window = Period(periods[0].start, periods[-1].end)
    month_of = month_finder(window)
    keys = [period.start.strftime("%Y-%m") for period in periods]
    ends = [min(period.end_utc, now) for period in periods]

    # People: the reports' own month-by-month rows, then the group, reached dwellings, sponsees.
    people = {row["month"]: row for row in members_by_month(window)}
    users = db.session.execute(
        select(User.id, User.created_at, User.left_at, User.role, User.dwelling_id)
    ).all()
    occupied = set(db.session.scalars(select(Dwelling.id).where(Dwelling.vacant.is_(False))))
    sponsorships = db.session.execute(
        select(Sponsorship.sponsee_id, Sponsorship.started_at, Sponsorship.ended_at)
    ).all()
    by_id = {person.id: person for person in users}
    group_roles = (Role.ANIMATOR.value, Role.ADMIN.value)
    pending = (
        db.session.scalar(
            select(func.count(User.id)).where(
                member_at(now),
                User.has_internet.is_(True),
                User.password_hash.is_(None),
                User.erased_at.is_(None),
            )
        )
        or 0
    )

    # Activity within each month: listings published, exchanges, letters, scans, projects.
    published = Counter(
        (month_of(moment), kind)
        for kind, moment in db.session.execute(
            select(Listing.kind, Listing.published_at).where(window.covers(Listing.published_at))
        )
    )
    open_now = dict(
        db.session.execute(
            select(Listing.kind, func.count())
            .where(Listing.status == ListingStatus.OPEN.value)
            .group_by(Listing.kind)
        ).all()
    )
    exchanges = {row["month"]: row for row in exchange_rows(window)}
    letters = Counter()
    for day, count in db.session.execute(
        select(LetterSent.sent_on, func.count())
        .where(LetterSent.sent_on >= window.start, LetterSent.sent_on <= window.end)
        .group_by(LetterSent.sent_on)
    ):
        letters[day.strftime("%Y-%m")] += count
    scans = Counter(
        month_of(moment)
        for moment in db.session.scalars(select(LetterScan.at).where(window.covers(LetterScan.at)))
    )
    # Cafés: the reports' rows over the whole window, each counted in its Paris month (a first
    # visit does not depend on the period asked).
    cafes: dict[str, list[dict]] = {}
    for row in cafe_rows(window):
        cafes.setdefault(row["date"][:7], []).append(row)
    projects = _project_counts(periods)
    dwellings = len(occupied)

    months = {}
    for i, key in enumerate(keys):
        end, held = ends[i], cafes.get(key, [])
        alive = [person for person in users if _alive(person, end)]
        figures = {
            "dwellings": dwellings,
            "members": people[key]["members"],
            "members_offline": people[key]["offline"],
            "reach": ratio(people[key]["members"], dwellings),
            "dwellings_reached": len({p.dwelling_id for p in alive if p.dwelling_id in occupied}),
            "offers_open": open_now.get(ListingKind.OFFER.value, 0),
            "needs_open": open_now.get(ListingKind.NEED.value, 0),
            "exchanges_done": exchanges[key]["done"],
            "cafes_held": len(held),
            "cafe_attendance": sum(row["attendance"] for row in held),
            "letters_sent": letters[key],
            "members_sponsored": len(
                {
                    s.sponsee_id
                    for s in sponsorships
                    if s.sponsee_id in by_id
                    and _alive(by_id[s.sponsee_id], end)
                    and s.started_at < end
                    and (s.ended_at is None or s.ended_at >= end)
                }
            ),
            "members_new": people[key]["new"],
            "activations_pending": pending,
            "offers_published": published[(key, ListingKind.OFFER.value)],
            "needs_published": published[(key, ListingKind.NEED.value)],
            "exchanges_accepted": exchanges[key]["accepted"],
            "projects": projects[i][0],
            "project_participants": projects[i][1],
            "projects_from_sheets": projects[i][2],
            "cafe_newcomers": sum(row["first_visits"] for row in held),
            "cafe_registrations": sum(row["registrations"] for row in held),
            "letter_scans": scans[key],
            "group_size": sum(1 for p in alive if p.role in group_roles),
        }
        months[key] = {figure: figures[figure] for figure in FIGURE_KEYS}
    return months


def _project_counts(periods: list[Period]) -> list[tuple[int, int, int]]:
    """Per period: the collective projects published or dated within it (as `project_rows`
    selects them), their participants, and how many were launched from a sheet."""
    first, last = periods[0], periods[-1]
    rows = db.session.execute(
        select(
            Listing.id,
            Listing.published_at,
            Listing.project_date,
            func.count(Participation.user_id),
            SheetLaunch.listing_id,
        )
        .join(Theme, Theme.id == Listing.theme_id)
        .outerjoin(SheetLaunch, SheetLaunch.listing_id == Listing.id)
        .outerjoin(Participation, Participation.listing_id == Listing.id)
        .where(*projects_in(Period(first.start, last.end)))
        .group_by(Listing.id, Listing.published_at, Listing.project_date, SheetLaunch.listing_id)
    ).all()
    counts = []
    for period in periods:
        inside = Counter()
        for _id, published_at, project_date, participants, launched in rows:
            if (
                published_at is not None
                and period.start_utc <= published_at < period.end_utc
                or project_date is not None
                and period.start <= project_date <= period.end
            ):
                inside["projects"] += 1
                inside["participants"] += participants
                inside["from_sheets"] += launched is not None
        counts.append((inside["projects"], inside["participants"], inside["from_sheets"]))
    return counts
