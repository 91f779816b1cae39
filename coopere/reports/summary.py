"""The perimeter's summary figures for a period (the JSON report), and their sum over perimeters."""

from __future__ import annotations

from itertools import repeat

from sqlalchemy import func, or_, select

from ..auth.models import Role, User
from ..dwellings.models import Dwelling, LetterSent
from ..exchanges.models import Exchange, ExchangeStatus
from ..extensions import db
from ..listings.models import Listing, ListingKind, ListingStatus
from ..members.models import Sponsorship
from ..printruns.models import LetterScan
from ..timeutil import utcnow
from .figures import member_at, project_rows, ratio, shared_rows
from .outreach import cafe_rows
from .period import Period

# The keys `flask report --json` always prints; --merge adds them up (reach is recomputed).
SUMMARY_KEYS = (
    "dwellings",
    "members",
    "members_offline",
    "reach",
    "dwellings_reached",
    "offers_open",
    "needs_open",
    "exchanges_done",
    "cafes_held",
    "cafe_attendance",
    "letters_sent",
)
# Further counts in the JSON report, added up by --merge as well.
EXTRA_KEYS = (
    "members_sponsored",
    "members_new",
    "activations_pending",
    "offers_published",
    "needs_published",
    "exchanges_accepted",
    "projects",
    "projects_from_sheets",
    "project_participants",
    "cafe_newcomers",
    "cafe_registrations",
    "letter_scans",
    "group_size",
)


def _dwelling_count() -> int:
    return db.session.scalar(select(func.count(Dwelling.id)).where(Dwelling.vacant.is_(False))) or 0


def summary(period: Period, shared: dict | None = None) -> dict:
    """Every figure of the perimeter for the period, as plain numbers (the JSON report)."""
    shared = {} if shared is None else shared
    end = min(period.end_utc, utcnow())
    members = db.session.execute(
        select(
            func.count(User.id), func.sum(func.cast(User.has_internet.is_(False), db.Integer))
        ).where(member_at(end))
    ).one()
    dwellings = _dwelling_count()
    # Members living in a vacant or deleted dwelling do not make the register's dwellings reached.
    reached = (
        db.session.scalar(
            select(func.count(func.distinct(User.dwelling_id)))
            .join(Dwelling, Dwelling.id == User.dwelling_id)
            .where(member_at(end), Dwelling.vacant.is_(False))
        )
        or 0
    )
    listings = dict(
        db.session.execute(
            select(Listing.kind, func.count())
            .where(period.covers(Listing.published_at))
            .group_by(Listing.kind)
        ).all()
    )
    open_now = dict(
        db.session.execute(
            select(Listing.kind, func.count())
            .where(Listing.status == ListingStatus.OPEN.value)
            .group_by(Listing.kind)
        ).all()
    )
    cafes = shared_rows(shared, "cafes", cafe_rows, period)
    projects = shared_rows(shared, "projects", project_rows, period)
    letters = (
        db.session.scalar(
            select(func.count(LetterSent.id)).where(
                LetterSent.sent_on >= period.start, LetterSent.sent_on <= period.end
            )
        )
        or 0
    )
    scans = (
        db.session.scalar(select(func.count(LetterScan.id)).where(period.covers(LetterScan.at)))
        or 0
    )
    sponsored = (
        db.session.scalar(
            select(func.count(func.distinct(Sponsorship.sponsee_id)))
            .join(User, User.id == Sponsorship.sponsee_id)
            .where(
                member_at(end),
                Sponsorship.started_at < end,
                or_(Sponsorship.ended_at.is_(None), Sponsorship.ended_at >= end),
            )
        )
        or 0
    )
    figures = {
        "period_from": period.start.isoformat(),
        "period_to": period.end.isoformat(),
        "dwellings": dwellings,
        "members": members[0],
        "members_offline": int(members[1] or 0),
        "reach": ratio(members[0], dwellings),
        "dwellings_reached": reached,
        "offers_open": open_now.get(ListingKind.OFFER.value, 0),
        "needs_open": open_now.get(ListingKind.NEED.value, 0),
        "exchanges_done": _count_exchanges(Exchange.done_at, period),
        "cafes_held": len(cafes),
        "cafe_attendance": sum(row["attendance"] for row in cafes),
        "letters_sent": letters,
        "members_sponsored": sponsored,
        "members_new": db.session.scalar(
            select(func.count(User.id)).where(period.covers(User.created_at))
        )
        or 0,
        "activations_pending": db.session.scalar(
            select(func.count(User.id)).where(
                member_at(utcnow()),
                User.has_internet.is_(True),
                User.password_hash.is_(None),
                User.erased_at.is_(None),
            )
        )
        or 0,
        "offers_published": listings.get(ListingKind.OFFER.value, 0),
        "needs_published": listings.get(ListingKind.NEED.value, 0),
        "exchanges_accepted": _count_exchanges(Exchange.decided_at, period, accepted=True),
        "projects": len(projects),
        "projects_from_sheets": sum(1 for row in projects if row["sheet"]),
        "project_participants": sum(row["participants"] for row in projects),
        "cafe_newcomers": sum(row["first_visits"] for row in cafes),
        "cafe_registrations": sum(row["registrations"] for row in cafes),
        "letter_scans": scans,
        "group_size": db.session.scalar(
            select(func.count(User.id)).where(
                member_at(end), User.role.in_([Role.ANIMATOR.value, Role.ADMIN.value])
            )
        )
        or 0,
    }
    figures["dwellings_reached_share"] = ratio(reached, dwellings)
    return figures


def _count_exchanges(column, period: Period, accepted: bool = False) -> int:
    query = select(func.count(Exchange.id)).where(period.covers(column))
    if accepted:  # decided_at is also set on a decline
        query = query.where(
            Exchange.status.in_([ExchangeStatus.ACCEPTED.value, ExchangeStatus.DONE.value])
        )
    return db.session.scalar(query) or 0


def _added(reports: list[dict], key: str) -> int:
    """The sum of one key over the reports (a missing or empty value counts 0). Whole numbers,
    as every report holds, are added in one go: the console adds up 13,000 reports a page."""
    values = list(map(dict.get, reports, repeat(key)))
    if set(map(type, values)) <= {int}:
        return sum(values)
    return sum(int(value) for value in values if value)


def merge(reports: list[dict]) -> dict:
    """Add up the JSON reports of several perimeters; the ratios are recomputed from the sums."""
    merged: dict = {"perimeters": len(reports)}
    for key in SUMMARY_KEYS + EXTRA_KEYS:
        if key in ("reach",):
            continue
        merged[key] = _added(reports, key)
    merged["reach"] = ratio(merged["members"], merged["dwellings"])
    merged["dwellings_reached_share"] = ratio(merged["dwellings_reached"], merged["dwellings"])
    starts = [r["period_from"] for r in reports if r.get("period_from")]
    ends = [r["period_to"] for r in reports if r.get("period_to")]
    merged["period_from"] = min(starts) if starts else None
    merged["period_to"] = max(ends) if ends else None
    merged["names"] = [r.get("perimeter", "") for r in reports]
    return {
        key: merged[key]
        for key in (
            "perimeters",
            "names",
            "period_from",
            "period_to",
            *SUMMARY_KEYS,
            *EXTRA_KEYS,
            "dwellings_reached_share",
        )
    }
