"""Fixtures and helpers shared by the listing tests (details, photos, expiry, projects, catalogue):
import the fixtures by name into a test module."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers import post_form
from coopere.auth.models import Role, User
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.members.models import Sponsorship
from coopere.timeutil import utcnow


@pytest.fixture
def sponsee(app, users, create_user) -> User:
    """Odette, without internet, sponsored by the member."""
    odette = create_user(
        Role.MEMBER,
        password=None,
        first_name="Odette",
        last_name="Lambert",
        has_internet=False,
        contact_preference="sponsor",
    )
    with app.app_context():
        db.session.add(
            Sponsorship(
                sponsee_id=odette.id, sponsor_id=users["member"].id, consent_reference="P-1"
            )
        )
        db.session.commit()
    return odette


def act_for(client, sponsee: User) -> None:
    response = post_form(client, f"/parrainage/{sponsee.id}/agir", token_from="/mes-annonces")
    assert response.status_code == 302


def make_listing(
    app,
    owner_id: int,
    theme_id: int,
    title: str,
    *,
    status: str = "open",
    kind: str = "offer",
    **columns,
) -> int:
    if status in ("open", "paused"):
        columns.setdefault("published_at", utcnow())
    with app.app_context():
        listing = Listing(
            owner_id=owner_id,
            theme_id=theme_id,
            kind=kind,
            title=title,
            status=status,
            created_by_id=owner_id,
            **columns,
        )
        db.session.add(listing)
        db.session.commit()
        return listing.id


def get_listing(app, listing_id: int) -> Listing | None:
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        if listing is not None:
            db.session.expunge(listing)
        return listing


def listing_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Listing.id)).all())
