"""A listing's life: which states count as published, renewable or editable, how long a listing
stays online (its lifetime by kind), and when its expiry reminder is due. The daily run that
expires listings and sends the reminders: expiry.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from ..timeutil import utcnow
from .models import Listing, ListingKind, ListingStatus

PUBLISHED = (ListingStatus.OPEN.value, ListingStatus.PAUSED.value)
RENEWABLE = (*PUBLISHED, ListingStatus.EXPIRED.value)
EDITABLE = (ListingStatus.DRAFT.value, *PUBLISHED)


def lifetime(kind: str) -> timedelta:
    """How long a listing of this kind stays published: 8 weeks for a need, 6 months for an
    offer or a project (LISTING_NEED_DAYS, LISTING_OFFER_DAYS)."""
    key = "LISTING_NEED_DAYS" if kind == ListingKind.NEED.value else "LISTING_OFFER_DAYS"
    return timedelta(days=int(current_app.config[key]))


def reminder_window() -> timedelta:
    return timedelta(days=int(current_app.config["LISTING_REMINDER_DAYS"]))


def start_clock(listing: Listing, now: datetime) -> None:
    """Publishing or renewing: the listing stays online its lifetime from `now`."""
    listing.expires_at = now + lifetime(listing.kind)
    listing.expiry_reminded_at = None


def expires_soon(listing: Listing, now: datetime | None = None) -> bool:
    """Whether a published listing expires within the reminder window."""
    now = now or utcnow()
    return (
        listing.status in PUBLISHED
        and listing.expires_at is not None
        and listing.expires_at <= now + reminder_window()
    )
