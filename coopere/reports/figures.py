"""The rows behind a period's figures: members and reach, listings, exchanges, projects.

How each figure is counted, here and in `summary` and `outreach` (the French guide repeats it
in plain words):
- a **member** at a date is a person registered before it who had not left the perimeter then.
  A member erased at their request stays counted: their row is kept, anonymous.
- **dwellings** are the register's dwellings that are not marked vacant; **reach** is members ÷
  dwellings, and a dwelling is **reached** when at least one member lives there.
- figures about **activity** (listings published, exchanges accepted and done, cafés held,
  letters sent) count what happened within the period; **open** offers and needs are the
  listings open today.
- a **café held** is a café-rencontre of the period, not cancelled, already started;
  its **attendance** is the people checked in at the desk plus the « +1 visiteur » counter.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..auth.models import User
from ..dwellings.models import Dwelling
from ..exchanges.models import Exchange, ExchangeStatus
from ..extensions import db
from ..listings.models import Listing, ListingKind, ListingStatus, Participation, Theme
from ..sheets.models import SheetLaunch
from ..timeutil import add_months, utcnow
from .period import Period, day_start_utc, month_finder


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


# --- members and reach -----------------------------------------------------------------------


def member_at(moment: datetime):
    """SQL condition: a member at this moment (registered before, not left yet)."""
    return and_(User.created_at < moment, or_(User.left_at.is_(None), User.left_at >= moment))


def ratio(part: int, whole: int) -> float | None:
    """part ÷ whole rounded to 3 decimals, None when there is nothing to divide by."""
    return round(part / whole, 3) if whole else None


def percent(part: int, whole: int) -> float | None:
    """part ÷ whole as a percentage with one decimal, None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def dwellings_and_members(period: Period) -> tuple[list, Counter]:
    """The register's occupied dwellings, and how many members live in each at the period's end."""
    end = min(period.end_utc, utcnow())
    dwellings = db.session.execute(
        select(Dwelling.id, Dwelling.number, Dwelling.rep, Dwelling.street).where(
            Dwelling.vacant.is_(False)
        )
    ).all()
    members = Counter(
        db.session.scalars(
            select(User.dwelling_id).where(member_at(end), User.dwelling_id.is_not(None))
        ).all()
    )
    return dwellings, members


def reach_rows(
    period: Period, by: str = "street", register: tuple[list, Counter] | None = None
) -> list[dict]:
    """Dwellings, reached dwellings and members per street, or per building (an address with several
    dwellings: a house is counted in its street's row only), in street then number order.
    `register` is what dwellings_and_members(period) gave, when the caller has it already."""
    dwellings, members = register or dwellings_and_members(period)
    rows: dict[tuple, dict] = {}
    for d in dwellings:
        if by == "street":
            key, place = (d.street.casefold(),), d.street
        else:
            key = (d.street.casefold(), d.number if d.number is not None else -1, d.rep)
            place = " ".join(
                p for p in (str(d.number) if d.number is not None else "", d.rep, d.street) if p
            )
        row = rows.setdefault(key, {"place": place, "dwellings": 0, "reached": 0, "members": 0})
        row["dwellings"] += 1
        row["reached"] += 1 if members.get(d.id) else 0
        row["members"] += members.get(d.id, 0)
    for row in rows.values():
        row["reach"] = ratio(row["members"], row["dwellings"])
        row["reached_share"] = percent(row["reached"], row["dwellings"])
    return [rows[key] for key in sorted(rows) if by == "street" or rows[key]["dwellings"] > 1]


def members_by_month(period: Period) -> list[dict]:
    """For each month of the period: new members, and members, offline members at its end."""
    people = db.session.execute(select(User.created_at, User.left_at, User.has_internet)).all()
    rows = []
    for month in period.months():
        year, number = int(month[:4]), int(month[5:])
        first = date(year, number, 1)
        after = day_start_utc(add_months(first, 1))
        end = min(after, period.end_utc, utcnow())
        start = max(day_start_utc(first), period.start_utc)
        alive = [
            p for p in people if p.created_at < end and (p.left_at is None or p.left_at >= end)
        ]
        rows.append(
            {
                "month": month,
                "new": sum(1 for p in people if start <= p.created_at < end),
                "members": len(alive),
                "offline": sum(1 for p in alive if not p.has_internet),
            }
        )
    return rows


# --- listings, exchanges, projects -----------------------------------------------------------


def theme_rows(period: Period) -> list[dict]:
    """Per theme: offers and needs open today, published in the period, and those fulfilled."""
    themes = db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)).all()
    open_now = {
        (theme_id, kind): count
        for theme_id, kind, count in db.session.execute(
            select(Listing.theme_id, Listing.kind, func.count())
            .where(Listing.status == ListingStatus.OPEN.value)
            .group_by(Listing.theme_id, Listing.kind)
        )
    }
    in_period, fulfilled = Counter(), Counter()
    for theme_id, kind, status, count in db.session.execute(
        select(Listing.theme_id, Listing.kind, Listing.status, func.count())
        .where(
            period.covers(Listing.published_at),
            Listing.kind != ListingKind.PROJECT.value,
        )
        .group_by(Listing.theme_id, Listing.kind, Listing.status)
    ):
        in_period[(theme_id, kind)] += count
        fulfilled[theme_id] += count if status == ListingStatus.FULFILLED.value else 0
    rows = []
    for theme in themes:
        row = {
            "theme": theme.label(_language()),
            "offers_open": open_now.get((theme.id, ListingKind.OFFER.value), 0),
            "needs_open": open_now.get((theme.id, ListingKind.NEED.value), 0),
            "offers_published": in_period.get((theme.id, ListingKind.OFFER.value), 0),
            "needs_published": in_period.get((theme.id, ListingKind.NEED.value), 0),
            "fulfilled": fulfilled.get(theme.id, 0),
        }
        if theme.retired and not any(v for k, v in row.items() if k != "theme"):
            continue  # a retired theme with nothing to show
        rows.append(row)
    return rows


STATUS_LABELS = {
    ListingStatus.DRAFT: _l("Pas encore publiées"),
    ListingStatus.OPEN: _l("Ouvertes"),
    ListingStatus.PAUSED: _l("En pause"),
    ListingStatus.FULFILLED: _l("Réalisées"),
    ListingStatus.CLOSED: _l("Fermées"),
    ListingStatus.EXPIRED: _l("Expirées"),
    ListingStatus.HIDDEN: _l("Masquées par le groupe d'animation"),
}


def status_rows(_period: Period) -> list[dict]:
    """Every listing by its state today, offers, needs and projects apart (the listings' life)."""
    counts = {
        (status, kind): count
        for status, kind, count in db.session.execute(
            select(Listing.status, Listing.kind, func.count()).group_by(
                Listing.status, Listing.kind
            )
        )
    }
    return [
        {
            "status": str(label),
            **{kind.value: counts.get((status.value, kind.value), 0) for kind in ListingKind},
        }
        for status, label in STATUS_LABELS.items()
    ]


def exchange_rows(period: Period) -> list[dict]:
    """Per month: exchanges accepted (decided) and done."""
    month_of = month_finder(period)
    rows = {month: {"month": month, "accepted": 0, "done": 0} for month in period.months()}
    accepted = db.session.scalars(
        select(Exchange.decided_at).where(
            period.covers(Exchange.decided_at),
            Exchange.status.in_([ExchangeStatus.ACCEPTED.value, ExchangeStatus.DONE.value]),
        )
    )
    for moment in accepted:
        rows[month_of(moment)]["accepted"] += 1
    for moment in db.session.scalars(
        select(Exchange.done_at).where(period.covers(Exchange.done_at))
    ):
        rows[month_of(moment)]["done"] += 1
    return [rows[month] for month in sorted(rows)]


def projects_in(period: Period) -> tuple:
    """SQL conditions: the collective projects the reports count in `period`, those published or
    dated within it (drafts and hidden ones left out)."""
    return (
        Listing.kind == ListingKind.PROJECT.value,
        Listing.status.not_in([ListingStatus.DRAFT.value, ListingStatus.HIDDEN.value]),
        or_(
            period.covers(Listing.published_at),
            and_(Listing.project_date >= period.start, Listing.project_date <= period.end),
        ),
    )


def project_rows(period: Period) -> list[dict]:
    """Collective projects published (or dated) within the period, with their participants and
    the sheet each was launched from (« Lancer ce projet »), if any."""
    participants = func.count(Participation.user_id)
    shown = (
        Listing.id,
        Listing.title,
        Listing.status,
        Listing.project_date,
        Listing.max_participants,
        Theme.label_fr,
        Theme.label_en,
        SheetLaunch.sheet_title,
    )
    query = (
        select(*shown, participants)
        .join(Theme, Theme.id == Listing.theme_id)
        .outerjoin(SheetLaunch, SheetLaunch.listing_id == Listing.id)
        .outerjoin(Participation, Participation.listing_id == Listing.id)
        .where(*projects_in(period))
        .group_by(*shown)
        .order_by(Listing.id)
    )
    english = _language() == "en"
    return [
        {
            "title": row.title,
            "theme": row.label_en if english and row.label_en else row.label_fr,
            "date": row.project_date.isoformat() if row.project_date else "",
            "participants": row[8],
            "maximum": row.max_participants,
            "sheet": row.sheet_title or "",
        }
        for row in db.session.execute(query)
    ]


def shared_rows(shared: dict, key: str, compute, period: Period):
    """Rows several tables or the summary use (cafés, projects, register), computed once a page."""
    if key not in shared:
        shared[key] = compute(period)
    return shared[key]
