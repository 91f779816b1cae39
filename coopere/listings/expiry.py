"""The daily expiry run (`flask listings expire`, from cron): remind once, then mark expired.

A listing published (or renewed) on day D expires on D + LISTING_NEED_DAYS for a need,
D + LISTING_OFFER_DAYS for an offer or a project; the run reminds the owner (or their sponsor)
LISTING_REMINDER_DAYS before, once, then marks it expired."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..i18n import elide
from ..timeutil import utcnow
from .models import Listing, ListingStatus
from .lifetime import PUBLISHED, reminder_window


def reminder_recipient(owner: User) -> User:
    """Who is reminded: the owner, or the sponsor of an offline owner."""
    from ..members.sponsorship import sponsorship_of

    if owner.is_offline:
        sponsorship = sponsorship_of(owner)
        if sponsorship is not None:
            return sponsorship.sponsor
    return owner


def run_expiry(now: datetime | None = None) -> tuple[int, int]:
    """Remind, once, the owners (or sponsors) of the listings that expire within the reminder
    window, and mark expired the published listings whose date has passed. Safe to run again
    (nothing is done twice). Returns (reminders sent, listings expired)."""
    from flask import url_for

    from ..notifications.services import notify
    from .models import ListingKind as Kind

    now = now or utcnow()
    expired = list(
        db.session.scalars(
            select(Listing).where(
                Listing.status.in_(PUBLISHED),
                Listing.expires_at.is_not(None),
                Listing.expires_at <= now,
            )
        )
    )
    for listing in expired:
        listing.status = ListingStatus.EXPIRED.value
        record("listing.expired", target=listing.owner, listing=listing.id, title=listing.title)
    due = list(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.status == ListingStatus.OPEN.value,
                Listing.expiry_reminded_at.is_(None),
                Listing.expires_at.is_not(None),
                Listing.expires_at <= now + reminder_window(),
            )
            .order_by(Listing.id)
        )
    )
    with current_app.test_request_context():
        link = url_for("listings.mine")
    for listing in due:
        owner = listing.owner
        recipient = reminder_recipient(owner)

        def text(listing=listing, owner=owner, recipient=recipient):
            from flask_babel import format_date

            when = format_date(listing.expires_at, "d MMMM yyyy")
            if listing.kind == Kind.PROJECT:
                what = _l("Le projet « %(title)s »", title=listing.title)
            else:
                what = _l("L'annonce « %(title)s »", title=listing.title)
            if recipient.id != owner.id:
                return elide(
                    str(
                        _l(
                            "%(what)s de %(name)s expire le %(date)s. Pour la garder, "
                            "renouvelez-la depuis « Mes annonces » en agissant pour %(name)s.",
                            what=what,
                            name=owner.first_name,
                            date=when,
                        )
                    ),
                    owner.first_name,
                )
            return _l(
                "%(what)s expire le %(date)s. Pour la garder en ligne, renouvelez-la depuis "
                "« Mes annonces ».",
                what=what,
                date=when,
            )

        notify([recipient], "listing.expiring", text, link)
        listing.expiry_reminded_at = now
    return len(due), len(expired)
