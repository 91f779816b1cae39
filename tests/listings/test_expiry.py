"""Expiry of listings: set on publication (8 weeks for a need, 6 months for an offer or a project,
configurable), renewed in one click, a reminder once before it (to the sponsor for an offline owner,
and in the printed digest), then expired by `flask listings expire`. Pause, resume, « C'est fait »,
and deleting: only when no neighbour answered. Time is fixed by passing `now=`."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers import act_for, post_form, text
from factories import get_listing, make_listing
from coopere.auth.models import User
from coopere.extensions import db
from coopere.listings import expiry, services
from coopere.listings.models import Listing
from coopere.listings.validation import ListingError, ListingValues
from coopere.notifications.models import Notification
from coopere.timeutil import utcnow

NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def member(client_as):
    return client_as("member")


def notices(app, user_id: int) -> list[Notification]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def test_publication_sets_the_expiry_by_kind_and_config(app, users, themes):
    with app.app_context():
        owner = db.session.get(User, users["member"].id)
        need = services.create_listing(
            owner,
            ListingValues(themes["conseils"], "need", "Un conseil de jardin"),
            actor=owner,
            now=NOW,
        )
        offer = services.create_listing(
            owner,
            ListingValues(themes["conseils"], "offer", "Je taille les haies"),
            actor=owner,
            now=NOW,
        )
        project = services.create_listing(
            owner,
            ListingValues(themes["eco-projets"], "project", "Un potager"),
            actor=owner,
            now=NOW,
        )
        assert need.expires_at == NOW + timedelta(days=56)
        assert offer.expires_at == NOW + timedelta(days=183)
        assert project.expires_at == NOW + timedelta(days=183)
        app.config["LISTING_NEED_DAYS"] = 14
        draft = Listing(
            owner_id=owner.id,
            theme_id=themes["conseils"],
            kind="need",
            title="Brouillon du café",
            status="draft",
            created_by_id=owner.id,
        )
        db.session.add(draft)
        db.session.flush()
        services.publish(draft, actor=owner, owner=owner, now=NOW)
        assert draft.expires_at == NOW + timedelta(days=14)
        db.session.rollback()


def test_the_reminder_comes_once_then_the_listing_expires(app, runner, users, themes):
    member_id = users["member"].id
    soon = make_listing(
        app,
        member_id,
        themes["conseils"],
        "Je répare les vélos",
        expires_at=NOW + timedelta(days=5),
    )
    later = make_listing(
        app,
        member_id,
        themes["conseils"],
        "Je prête des livres",
        expires_at=NOW + timedelta(days=30),
    )
    past = make_listing(
        app,
        member_id,
        themes["conseils"],
        "Cours de tricot",
        status="paused",
        expires_at=NOW - timedelta(hours=1),
    )
    closed = make_listing(
        app,
        member_id,
        themes["conseils"],
        "Fermée depuis longtemps",
        status="closed",
        expires_at=NOW - timedelta(days=30),
    )
    with app.app_context():
        assert expiry.run_expiry(now=NOW) == (1, 1)
        db.session.commit()
    [notice] = notices(app, member_id)
    assert notice.kind == "listing.expiring" and notice.link == "/mes-annonces"
    assert "L'annonce « Je répare les vélos » expire le 7 mars 2026." in notice.text
    assert get_listing(app, soon).expiry_reminded_at == NOW
    assert get_listing(app, later).expiry_reminded_at is None
    assert (
        get_listing(app, past).status == "expired" and get_listing(app, closed).status == "closed"
    )
    # Again: nothing more (idempotent).
    with app.app_context():
        assert expiry.run_expiry(now=NOW + timedelta(hours=1)) == (0, 0)
        db.session.commit()
    assert len(notices(app, member_id)) == 1
    # Days later, past its date: expired, without a second reminder.
    with app.app_context():
        assert expiry.run_expiry(now=NOW + timedelta(days=6)) == (0, 1)
        db.session.commit()
    assert get_listing(app, soon).status == "expired" and len(notices(app, member_id)) == 1
    # The command line does the same with the real clock.
    result = runner.invoke(args=["listings", "expire"])
    assert result.exit_code == 0 and "rappel(s) envoyé(s)" in result.output
    assert get_listing(app, later).status == "expired"  # 30 days after NOW is in the past today


def test_an_offline_owners_reminder_goes_to_the_sponsor_and_into_the_printed_digest(
    app, users, themes, sponsee, client_as
):
    now = utcnow()
    listing_id = make_listing(
        app,
        sponsee.id,
        themes["coups-de-main"],
        "Aller au marché le samedi",
        kind="need",
        expires_at=now + timedelta(days=3),
    )
    make_listing(
        app,
        sponsee.id,
        themes["conseils"],
        "Recettes de confitures",
        expires_at=now + timedelta(days=60),
    )
    with app.app_context():
        assert expiry.run_expiry(now=now) == (1, 0)
        db.session.commit()
    assert notices(app, sponsee.id) == []
    [notice] = notices(app, users["member"].id)
    assert "L'annonce « Aller au marché le samedi » d'Odette expire le" in notice.text
    assert "en agissant pour Odette" in notice.text
    sponsor = client_as("member")
    response = post_form(sponsor, f"/parrainage/{sponsee.id}/nouvelles", token_from="/accueil")
    content = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages
    )
    response.close()
    assert re.search(r"Aller au marché le samedi.*Expire bientôt, le", content)
    assert content.count("Expire bientôt") == 1  # not the one that has two months left
    # The sponsor renews it for her, in one click.
    assert act_for(sponsor, sponsee).status_code == 302
    renewed = post_form(
        sponsor,
        f"/mes-annonces/{listing_id}/renouveler",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert (
        "L'annonce « Aller au marché le samedi » est renouvelée : elle reste en ligne jusqu'au"
        in text(renewed)
    )
    listing = get_listing(app, listing_id)
    assert listing.expires_at > now + timedelta(days=55) and listing.expiry_reminded_at is None


def test_renewing_brings_an_expired_listing_back_and_is_refused_for_ended_ones(
    app, member, users, themes
):
    member_id = users["member"].id
    expired = make_listing(
        app, member_id, themes["conseils"], "Je garde les chats", status="expired", expires_at=NOW
    )
    fulfilled = make_listing(app, member_id, themes["conseils"], "Déjà fait", status="fulfilled")
    page = text(member.get("/mes-annonces"))
    assert "Expirée : renouvelez-la" in page and "Renouveler" in page
    response = post_form(
        member,
        f"/mes-annonces/{expired}/renouveler",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "est renouvelée" in text(response)
    listing = get_listing(app, expired)
    assert listing.status == "open" and listing.expires_at > utcnow() + timedelta(days=180)
    refused = post_form(
        member,
        f"/mes-annonces/{fulfilled}/renouveler",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "Seule une annonce publiée, en pause ou expirée peut être renouvelée." in text(refused)
    assert get_listing(app, fulfilled).status == "fulfilled"


def test_pause_resume_and_done(app, member, users, themes):
    listing_id = make_listing(
        app,
        users["member"].id,
        themes["conseils"],
        "Je prête ma tondeuse",
        expires_at=utcnow() + timedelta(days=100),
    )
    assert "En pause" in text(
        post_form(
            member,
            f"/mes-annonces/{listing_id}/pause",
            token_from="/mes-annonces",
            follow_redirects=True,
        )
    )
    assert get_listing(app, listing_id).status == "paused"
    again = post_form(
        member,
        f"/mes-annonces/{listing_id}/pause",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "Seule une annonce ouverte peut être mise en pause." in text(again)
    post_form(member, f"/mes-annonces/{listing_id}/reprendre", token_from="/mes-annonces")
    assert get_listing(app, listing_id).status == "open"
    done = post_form(
        member,
        f"/mes-annonces/{listing_id}/fait",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "est marquée comme faite" in text(done)
    assert get_listing(app, listing_id).status == "fulfilled"
    # Another member's listing: 404, unchanged.
    other_id = make_listing(app, users["animator"].id, themes["conseils"], "Celle d'un autre")
    assert (
        post_form(member, f"/mes-annonces/{other_id}/pause", token_from="/mes-annonces").status_code
        == 404
    )
    assert get_listing(app, other_id).status == "open"


def test_a_listing_a_neighbour_answered_is_closed_rather_than_deleted(app, member, users, themes):
    from coopere.exchanges.models import Exchange

    listing_id = make_listing(app, users["member"].id, themes["conseils"], "Je fais les ourlets")
    with app.app_context():
        db.session.add(
            Exchange(
                listing_id=listing_id,
                owner_id=users["member"].id,
                requester_id=users["animator"].id,
            )
        )
        db.session.commit()
    response = post_form(
        member,
        f"/mes-annonces/{listing_id}/supprimer",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "elle est fermée plutôt que supprimée" in text(response).replace("&#39;", "'")
    assert get_listing(app, listing_id).status == "closed"
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        owner = db.session.get(User, users["member"].id)
        with pytest.raises(ListingError, match="Des voisins ont répondu"):
            services.delete_listing(listing, actor=owner, owner=owner)
