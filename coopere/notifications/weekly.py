"""The weekly email of new offers and needs (`flask listings weekly-digest`, from cron), sent only
to members who hold the WEEKLY_DIGEST consent and have an email address."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..extensions import db
from ..listings.models import Listing, ListingStatus
from ..members.models import ConsentKind
from ..timeutil import utcnow
from ..urls import absolute_url, public_url_for
from .email import build_email, consenting, send_now
from .transport import enabled

WINDOW = timedelta(days=7)  # the first digest covers the last week
MIN_GAP = timedelta(days=6)  # run twice in a week: the second run sends nothing
MAX_ITEMS = 40  # a readable email; the link leads to the rest


def _link(endpoint: str, **values) -> str:
    if endpoint not in current_app.view_functions:
        return ""
    return public_url_for(endpoint, **values)


def send_weekly_digest(now: datetime | None = None) -> tuple[int, int]:
    """Email each consenting member the open listings published since their last digest (or the
    last 7 days), by theme; nobody gets two digests within 6 days; nothing is sent when there is
    nothing new. Returns (sent, skipped). Commits after each email, so an interrupted run
    resumes."""
    from ..exchanges.models import Block

    if not enabled():
        return 0, 0
    now = now or utcnow()
    people = list(
        db.session.scalars(
            select(User)
            .where(User.email.is_not(None), User.left_at.is_(None), User.is_enabled.is_(True))
            .order_by(User.id)
        )
    )
    people = [
        person
        for person in consenting(people, ConsentKind.WEEKLY_DIGEST)
        if person.weekly_digest_sent_at is None or now - person.weekly_digest_sent_at >= MIN_GAP
    ]
    if not people:
        return 0, 0
    earliest = min(person.weekly_digest_sent_at or now - WINDOW for person in people)
    published = func.coalesce(Listing.published_at, Listing.created_at)
    listings = list(
        db.session.scalars(
            select(Listing)
            .join(User, User.id == Listing.owner_id)
            .where(
                Listing.status == ListingStatus.OPEN.value,
                User.left_at.is_(None),
                published > earliest,
            )
            .options(joinedload(Listing.theme))
            .order_by(published.desc(), Listing.id.desc())
        )
    )
    blocks: dict[int, set[int]] = {}
    for blocker_id, blocked_id in db.session.execute(
        select(Block.blocker_id, Block.blocked_id).where(
            Block.blocker_id.in_([person.id for person in people])
        )
    ):
        blocks.setdefault(blocker_id, set()).add(blocked_id)
    all_url = _link("browse.index") or absolute_url("/")
    sent = skipped = 0
    for person in people:
        since = person.weekly_digest_sent_at or now - WINDOW
        mine = [
            listing
            for listing in listings
            if (listing.published_at or listing.created_at) > since
            and listing.owner_id != person.id
            and listing.owner_id not in blocks.get(person.id, ())
        ][:MAX_ITEMS]
        if not mine:
            skipped += 1
            continue
        language = person.locale or "fr"
        groups: dict[tuple, tuple[str, list[dict]]] = {}
        for listing in sorted(
            mine, key=lambda item: (item.theme.position, item.theme_id, item.kind, -item.id)
        ):
            key = (listing.theme.position, listing.theme_id)
            groups.setdefault(key, (listing.theme.label(language), []))[1].append(
                {
                    "kind": listing.kind,
                    "title": listing.title,
                    "url": _link("browse.show", listing_id=listing.id),
                }
            )
        count = len(mine)
        with force_locale(language):
            email = build_email(
                person,
                ConsentKind.WEEKLY_DIGEST,
                lambda count=count: _l(
                    "Les nouvelles annonces de vos voisins (%(count)s)", count=count
                ),
                "email/weekly_digest.txt",
                groups=list(groups.values()),
                all_url=all_url,
            )
        if send_now(email):
            person.weekly_digest_sent_at = now
            db.session.commit()
            sent += 1
    return sent, skipped
