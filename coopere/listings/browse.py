"""Finding listings: the open offers, needs and projects a member may see, nearest first, filtered,
searched; one listing with its matches; the counts for the public page and the member's home.

Every function here costs a fixed number of SQL queries, whatever the number of listings: rows are
read newest first along the indexes ix_listings_browse / ix_listings_status_published with LIMIT,
owners and themes come in the same query, and the proximity of each owner's home to the viewer's
(same building, same street) is computed by the database in that query too.

Who sees what:
- only OPEN listings are listed (never drafts, paused, hidden, closed…);
- never those of a member the viewer blocked, or who blocked the viewer;
- a listing that is not open is shown only to its owner, their sponsor and animators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, literal, not_, or_, select, union_all, update
from sqlalchemy.orm import aliased, contains_eager

from ..auth.models import User
from ..dwellings.models import Dwelling
from ..exchanges.models import Block
from ..extensions import db
from ..timeutil import utcnow
from .models import Listing, ListingKind, ListingStatus, Theme
from .search import search_filter

PER_PAGE = 20
NEARBY = 3  # listings shown « Dans votre immeuble », then « Dans votre rue »
MATCHES = 5
MATCH_WINDOW = 30  # matches: the nearest among this many newest
NEW_CAP = 99  # "new since your last visit" counts up to this, then says "more than"
KINDS = ("offer", "need", "project")

# Proximity of a listing's owner to the viewer.
ELSEWHERE, SAME_STREET, SAME_BUILDING = 0, 1, 2


@dataclass(frozen=True)
class Filters:
    kind: str = ""  # "", or one of KINDS
    theme_id: int | None = None
    q: str = ""
    new_only: bool = False

    @property
    def is_default(self) -> bool:
        return not (self.kind or self.theme_id or self.q or self.new_only)

    def args(self) -> dict:
        """The filters as URL arguments (for the pagination links)."""
        args = {
            "type": self.kind or None,
            "theme": self.theme_id,
            "q": self.q or None,
            "nouvelles": 1 if self.new_only else None,
        }
        return {key: value for key, value in args.items() if value is not None}


@dataclass
class Found:
    """A listing as the viewer sees it: how near its owner lives, whether it is new to them."""

    listing: Listing
    proximity: int = ELSEWHERE
    new: bool = False


@dataclass
class BrowsePage:
    building: list[Found] = field(default_factory=list)
    street: list[Found] = field(default_factory=list)
    listings: list[Found] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    since: datetime | None = None


def last_visit(viewer: User) -> datetime | None:
    """Since when listings are "new" to the viewer: their last visit to the listings, else their
    activation (a brand new member is not told that every listing is new)."""
    return viewer.listings_seen_at or viewer.activated_at or viewer.created_at


def _not_blocked(viewer_id: int) -> list:
    """Conditions on Listing: its owner and the viewer have not blocked each other."""
    return [
        Listing.owner_id.not_in(select(Block.blocked_id).where(Block.blocker_id == viewer_id)),
        Listing.owner_id.not_in(select(Block.blocker_id).where(Block.blocked_id == viewer_id)),
    ]


def _conditions(
    viewer: User, filters: Filters, since: datetime | None, *, few: bool = False
) -> list:
    """The filters as conditions on Listing. `few`: for a query that starts from a handful of owners
    (one building) rather than walking the index of open listings newest first: the status test is
    written so that the database does not pick that index (`status || ''`), and search words are
    checked listing by listing."""
    status = Listing.status.concat("") if few else Listing.status
    conditions = [status == ListingStatus.OPEN.value, *_not_blocked(viewer.id)]
    if filters.kind in KINDS:
        conditions.append(Listing.kind == filters.kind)
    if filters.theme_id:
        conditions.append(Listing.theme_id == filters.theme_id)
    if filters.q:
        conditions += search_filter(filters.q, per_listing=few)
    if filters.new_only and since is not None:
        conditions.append(Listing.published_at > since)
    return conditions


# The owner of a listing, their home, and the viewer's home (joined on the viewer's dwelling id: one
# row at most). Built once: constructing SQL expressions costs more than running these queries.
_OWNER = aliased(User, name="owner")
_THEIRS = aliased(Dwelling, name="theirs")
_OURS = aliased(Dwelling, name="ours")
_SAME_STREET = and_(_THEIRS.street == _OURS.street, _THEIRS.postcode == _OURS.postcode)
_SAME_BUILDING = and_(
    _SAME_STREET, _THEIRS.number.is_not_distinct_from(_OURS.number), _THEIRS.rep == _OURS.rep
)
_PROXIMITY = case((_SAME_BUILDING, SAME_BUILDING), (_SAME_STREET, SAME_STREET), else_=ELSEWHERE)
_LOAD_OWNER = contains_eager(Listing.owner.of_type(_OWNER))


def _with_proximity(query, viewer: User, *, load_owner: bool = True):
    """Join the owner (loaded into listing.owner) and both homes; returns (query, proximity)."""
    query = query.join(_OWNER, _OWNER.id == Listing.owner_id)
    if load_owner:
        query = query.options(_LOAD_OWNER)
    if viewer.dwelling_id is None:
        return query, literal(ELSEWHERE)
    query = query.outerjoin(_THEIRS, _THEIRS.id == _OWNER.dwelling_id).outerjoin(
        _OURS, _OURS.id == viewer.dwelling_id
    )
    return query, _PROXIMITY


def _newest_first(query):
    return query.order_by(Listing.published_at.desc(), Listing.id.desc())


def _found(rows, since: datetime | None) -> list[Found]:
    return [
        Found(
            listing,
            proximity,
            new=bool(since and listing.published_at and listing.published_at > since),
        )
        for listing, proximity in rows
    ]


def _nearby(
    viewer: User, filters: Filters, since: datetime | None
) -> tuple[list[Found], list[Found]]:
    """Up to NEARBY listings in the viewer's building, and up to NEARBY more in their street,
    newest first (one query). The building's part starts from its few residents' listings; the
    street's part walks the open listings newest first until it has found NEARBY of them."""
    if viewer.dwelling_id is None:
        return [], []
    neighbours = (
        select(_OWNER.id)
        .join(_THEIRS, _THEIRS.id == _OWNER.dwelling_id)
        .join(_OURS, _OURS.id == viewer.dwelling_id)
        .where(_SAME_BUILDING)
    )
    building = select(Listing.id, Listing.published_at, literal(SAME_BUILDING).label("near")).where(
        *_conditions(viewer, filters, since, few=True),
        Listing.owner_id.in_(neighbours),
        Listing.owner_id != viewer.id,
    )
    street = (
        select(Listing.id, Listing.published_at, literal(SAME_STREET).label("near"))
        .join(_OWNER, _OWNER.id == Listing.owner_id)
        .join(_THEIRS, _THEIRS.id == _OWNER.dwelling_id)
        .join(_OURS, _OURS.id == viewer.dwelling_id)
        .where(
            *_conditions(viewer, filters, since),
            Listing.owner_id != viewer.id,
            _SAME_STREET,
            not_(_SAME_BUILDING),
        )
    )
    picked = union_all(
        *(select(_newest_first(part).limit(NEARBY).subquery()) for part in (building, street))
    ).subquery()
    query = (
        select(Listing, picked.c.near)
        .join(picked, picked.c.id == Listing.id)
        .join(_OWNER, _OWNER.id == Listing.owner_id)
        .options(_LOAD_OWNER)
        .order_by(picked.c.near.desc(), Listing.published_at.desc(), Listing.id.desc())
    )
    found = _found(db.session.execute(query).unique().all(), since)
    return (
        [f for f in found if f.proximity == SAME_BUILDING],
        [f for f in found if f.proximity == SAME_STREET],
    )


def browse(viewer: User, filters: Filters, page: int = 1) -> BrowsePage:
    """The listings the viewer may see with these filters: on top (page 1), those of their building
    and street; then every other one, newest first, PER_PAGE a page. Two queries."""
    since = last_visit(viewer)
    conditions = _conditions(viewer, filters, since)
    building, street = _nearby(viewer, filters, since)
    shown = [f.listing.id for f in building + street]
    query, proximity = _with_proximity(select(Listing), viewer)
    query = query.add_columns(proximity).where(*conditions)
    if shown:
        query = query.where(Listing.id.not_in(shown))
    page = max(page, 1)
    rows = (
        db.session.execute(_newest_first(query).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1))
        .unique()
        .all()
    )
    return BrowsePage(
        building=building if page == 1 else [],
        street=street if page == 1 else [],
        listings=_found(rows[:PER_PAGE], since),
        page=page,
        has_next=len(rows) > PER_PAGE,
        since=since,
    )


def mark_seen(viewer: User, now: datetime | None = None) -> None:
    """Remember the viewer's visit to the listings, in its own short transaction (the page itself
    only reads). Skipped when they came less than a minute ago."""
    now = now or utcnow()
    if viewer.listings_seen_at is not None and (now - viewer.listings_seen_at).total_seconds() < 60:
        return
    with db.engine.begin() as connection:
        connection.execute(update(User).where(User.id == viewer.id).values(listings_seen_at=now))


def new_count(viewer: User) -> int:
    """How many open listings of others appeared since the viewer's last visit (≤ NEW_CAP + 1)."""
    since = last_visit(viewer)
    conditions = [
        Listing.status == ListingStatus.OPEN.value,
        Listing.owner_id != viewer.id,
        *_not_blocked(viewer.id),
    ]
    if since is not None:
        conditions.append(Listing.published_at > since)
    capped = select(Listing.id).where(*conditions).limit(NEW_CAP + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(capped))


# --- one listing ----------------------------------------------------------------------------


def listing_for(viewer: User, listing_id: int, *, privileged) -> Found | None:
    """The listing as the viewer may see it, or None (the page answers 404, revealing nothing).

    An open listing is seen by every member, except across a block; any other state only by the
    owner and those `privileged(listing)` says may see it (their sponsor, animators)."""
    query, proximity = _with_proximity(select(Listing), viewer)
    blocked = exists().where(
        or_(
            and_(Block.blocker_id == viewer.id, Block.blocked_id == Listing.owner_id),
            and_(Block.blocker_id == Listing.owner_id, Block.blocked_id == viewer.id),
        )
    )
    row = (
        db.session.execute(query.add_columns(proximity, blocked).where(Listing.id == listing_id))
        .unique()
        .first()
    )
    if row is None:
        return None
    listing, near, across_a_block = row
    if (
        listing.owner_id != viewer.id
        and (listing.status != ListingStatus.OPEN or across_a_block)
        and not privileged(listing)
    ):
        return None
    return Found(listing, near)


def opposite(kind: str) -> str | None:
    return {
        ListingKind.OFFER.value: ListingKind.NEED.value,
        ListingKind.NEED.value: ListingKind.OFFER.value,
    }.get(kind)


def matches_for(
    viewer: User,
    theme_id: int,
    kind: str,
    *,
    exclude_owner_id: int | None = None,
    limit: int = MATCHES,
) -> list[Found]:
    """The open listings answering a listing of this theme and kind: offers for a need, needs for an
    offer (a project has none), nearest then newest first, `limit` at most; one query."""
    wanted = opposite(kind)
    if wanted is None:
        return []
    conditions = [
        Listing.status == ListingStatus.OPEN.value,
        Listing.kind == wanted,
        Listing.theme_id == theme_id,
        *_not_blocked(viewer.id),
    ]
    if exclude_owner_id is not None:
        conditions.append(Listing.owner_id != exclude_owner_id)
    # the MATCH_WINDOW newest along ix_listings_browse, then the nearest of them first: bounded cost
    recent = _newest_first(select(Listing.id).where(*conditions)).limit(MATCH_WINDOW).subquery()
    query, proximity = _with_proximity(
        select(Listing).join(recent, recent.c.id == Listing.id), viewer
    )
    query = (
        query.add_columns(proximity)
        .order_by(proximity.desc(), Listing.published_at.desc(), Listing.id.desc())
        .limit(limit)
    )
    return _found(db.session.execute(query).unique().all(), None)


# --- counts for the public page -------------------------------------------------------------


def counts_by_theme() -> list[tuple[Theme, int, int]]:
    """(theme, open offers, open needs) for every theme having some: numbers only, no names."""
    offers = func.count().filter(Listing.kind == ListingKind.OFFER.value)
    needs = func.count().filter(Listing.kind == ListingKind.NEED.value)
    rows = db.session.execute(
        select(Theme, offers, needs)
        .join(Listing, Listing.theme_id == Theme.id)
        .where(Listing.status == ListingStatus.OPEN.value)
        .group_by(Theme.id)
        .order_by(Theme.position, Theme.id)
    ).all()
    return [(theme, n_offers, n_needs) for theme, n_offers, n_needs in rows if n_offers or n_needs]
