"""The sponsor's side: the people I represent, acting for one of them (a banner on every page,
both names recorded), the end of a sponsorship ending that mode, and their printed news."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from factories import make_listing
from helpers import QueryCounter, act_for, login, post_form, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.dwellings.services import save_dwelling
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.members.models import DigestPrint
from coopere.members.registration import Answer, Registration, register_resident
from coopere.members.sponsorship import ACTING_KEY, end_sponsorship, sponsorship_of
from coopere.perimeter.models import get_perimeter
from coopere.timeutil import utcnow

BANNER = "Vous agissez pour Odette Lambert"


def register_offline(
    app, users, themes, *, first_name: str, last_name: str, sponsor: User, phone: str, number: int
) -> int:
    """An offline resident registered at the desk, with two answers and `sponsor` as sponsor."""
    with app.app_context():
        animator = db.session.get(User, users["animator"].id)
        dwelling = save_dwelling(
            None,
            {
                "number": number,
                "rep": "",
                "street": "Rue des Lilas",
                "complement": "",
                "postcode": "44300",
                "city": "Nantes",
            },
        )
        db.session.flush()
        resident = register_resident(
            Registration(
                first_name=first_name,
                last_name=last_name,
                dwelling_id=dwelling.id,
                phone=phone,
                has_internet=False,
                contact_preference="sponsor",
                answers=[
                    Answer(themes["conseils"], can_offer=True, details="Recettes de confitures"),
                    Answer(themes["visites-aines"], would_like=True, details="Une visite le jeudi"),
                ],
                sponsor_id=sponsor.id,
                sponsor_agreed=True,
            ),
            actor=animator,
            perimeter=get_perimeter(),
        )
        db.session.commit()
        return resident.id


@pytest.fixture
def sponsee_id(app, users, themes) -> int:
    """Odette Lambert, offline, sponsored by the member of the `users` fixture."""
    return register_offline(
        app,
        users,
        themes,
        first_name="Odette",
        last_name="Lambert",
        sponsor=users["member"],
        phone="+33240123456",
        number=8,
    )


@pytest.fixture
def own_draft(app, users, themes) -> int:
    """A draft of the sponsor's own."""
    return make_listing(
        app, users["member"], themes["conseils"], "Brouillon du parrain", status="draft"
    )


@pytest.fixture
def sponsor(client_as):
    return client_as("member")


def acting_in_session(client):
    with client.session_transaction() as session:
        return session.get(ACTING_KEY)


def listings_of(app, owner_id: int) -> dict[str, Listing]:
    with app.app_context():
        rows = db.session.scalars(select(Listing).where(Listing.owner_id == owner_id))
        result = {listing.title: listing for listing in rows.unique()}
        db.session.expunge_all()
        return result


# --- the people I represent -----------------------------------------------------------------------


def test_a_sponsor_sees_the_people_they_represent(app, sponsor, sponsee_id):
    page = text(sponsor.get("/parrainage"))
    assert "Odette Lambert" in page and "8 Rue des Lilas" in page and "44300 Nantes" in page
    assert "02 40 12 34 56" in page  # the sponsor sees their sponsee's contact
    assert re.search(r"Annonces à confirmer</dt>\s*<dd>2</dd>", page)
    assert re.search(r"Dernières nouvelles imprimées</dt>\s*<dd>Jamais</dd>", page)
    assert "Agir pour Odette" in page and "Imprimer ses nouvelles" in page
    assert 'href="/parrainage"' in page  # « Mes filleuls » in the menu


def test_someone_who_represents_nobody_reads_what_sponsorship_is(client_as, sponsee_id):
    animator = client_as("animator")
    page = text(animator.get("/parrainage"))
    assert "Vous ne représentez personne pour l'instant." in page
    assert "groupe d'animation qui met en place un parrainage" in page and "café-rencontre" in page
    assert "Odette" not in page
    assert 'href="/parrainage"' not in text(animator.get("/accueil"))  # no « Mes filleuls » link


def test_the_menu_link_costs_one_query_per_page(app, sponsor, sponsee_id):
    with QueryCounter(app) as queries:
        page = text(sponsor.get("/compte"))
    assert "Mes filleuls" in page and queries.naming("sponsorships") == 1


# --- acting for a sponsee -------------------------------------------------------------------------


def test_acting_for_a_sponsee_shows_their_listings_and_a_banner_everywhere(
    app, sponsor, users, sponsee_id, own_draft
):
    assert BANNER not in text(sponsor.get("/mes-annonces"))
    response = act_for(sponsor, sponsee_id)
    assert response.status_code == 302 and response.headers["Location"].endswith("/mes-annonces")
    assert acting_in_session(sponsor) == sponsee_id
    page = text(sponsor.get("/mes-annonces"))
    assert BANNER in page and "Revenir à mon compte" in page
    assert 'aria-labelledby="agir-pour"' in page
    assert "Les annonces d'Odette Lambert" in page
    assert "Recettes de confitures" in page and "Une visite le jeudi" in page
    assert "Brouillon du parrain" not in page
    assert BANNER in text(sponsor.get("/compte")) and BANNER in text(sponsor.get("/parrainage"))
    # The sponsor's own draft is out of reach while acting for Odette.
    assert sponsor.get(f"/mes-annonces/{own_draft}/modifier").status_code == 404
    with app.app_context():
        [acting] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sponsorship.acting")
        )
        assert (acting.actor_id, acting.target_user_id) == (users["member"].id, sponsee_id)
    # Back to one's own account.
    back = post_form(
        sponsor, "/parrainage/arreter", token_from="/mes-annonces", follow_redirects=True
    )
    assert "Vous n'agissez plus pour Odette Lambert" in text(back)
    assert acting_in_session(sponsor) is None
    page = text(sponsor.get("/mes-annonces"))
    assert (
        BANNER not in page
        and "Brouillon du parrain" in page
        and "Recettes de confitures" not in page
    )


def test_what_the_sponsor_does_is_recorded_in_both_names(app, sponsor, users, sponsee_id, themes):
    act_for(sponsor, sponsee_id)
    drafts = listings_of(app, sponsee_id)
    draft = drafts["Recettes de confitures"]
    response = post_form(
        sponsor,
        f"/mes-annonces/{draft.id}/publier",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "Recettes de confitures" in text(response).split('id="publiees"')[1]
    after = listings_of(app, sponsee_id)["Recettes de confitures"]
    assert after.status == "open" and after.owner_id == sponsee_id
    assert after.created_by_id == draft.created_by_id == users["animator"].id  # unchanged
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "listing.confirmed")
        )
        assert (entry.actor_id, entry.target_user_id) == (users["member"].id, sponsee_id)
        assert json.loads(entry.details)["on_behalf_of"] == "Odette Lambert"
    # A new listing typed by the sponsor belongs to Odette and says who typed it.
    post_form(
        sponsor,
        "/mes-annonces/nouvelle",
        {"kind": "need", "theme_id": str(themes["covoiturage"]), "title": "Aller à la pharmacie"},
        token_from="/mes-annonces",
    )
    created = listings_of(app, sponsee_id)["Aller à la pharmacie"]
    assert (created.created_by_id, created.status) == (users["member"].id, "open")
    assert listings_of(app, users["member"].id) == {}
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "listing.created")
        )
        assert (entry.actor_id, entry.target_user_id) == (users["member"].id, sponsee_id)
        assert json.loads(entry.details)["on_behalf_of"] == "Odette Lambert"


def test_a_sponsor_cannot_act_for_someone_elses_sponsee(
    app, client_as, create_user, users, themes, sponsee_id
):
    other_sponsor = create_user(first_name="Paul", last_name="Autre")
    other_sponsee = register_offline(
        app,
        users,
        themes,
        first_name="Lucien",
        last_name="Roux",
        sponsor=other_sponsor,
        phone="+33240999999",
        number=10,
    )
    sponsor = client_as("member")
    refused = act_for(sponsor, other_sponsee)
    assert refused.status_code == 403 and "Accès refusé" in text(refused)
    assert acting_in_session(sponsor) is None
    page = text(sponsor.get("/mes-annonces"))
    assert "Vous agissez pour" not in page and "Lucien" not in page
    # Nor for themself, nor can an animator act for anyone's sponsee.
    assert act_for(sponsor, users["member"].id).status_code == 403
    animator = client_as("animator")
    assert act_for(animator, sponsee_id).status_code == 403 and acting_in_session(animator) is None
    # Odette's listings stay out of reach without acting for her.
    odette_draft = listings_of(app, sponsee_id)["Recettes de confitures"]
    assert sponsor.get(f"/mes-annonces/{odette_draft.id}/modifier").status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "sponsorship.acting")
            )
            == 0
        )


def test_an_ended_sponsorship_ends_acting_at_the_next_request(
    app, sponsor, users, sponsee_id, own_draft
):
    act_for(sponsor, sponsee_id)
    assert BANNER in text(sponsor.get("/mes-annonces"))
    with app.app_context():
        sponsee = db.session.get(User, sponsee_id)
        end_sponsorship(sponsorship_of(sponsee), actor=db.session.get(User, users["animator"].id))
        db.session.commit()
    page = text(sponsor.get("/mes-annonces"))
    assert (
        "Vous agissez pour" not in page
        and "Brouillon du parrain" in page
        and "Recettes" not in page
    )
    assert acting_in_session(sponsor) is None
    # And no way back in.
    assert act_for(sponsor, sponsee_id).status_code == 403
    assert "Odette" not in text(sponsor.get("/parrainage"))


# --- the printed news -----------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def print_news(client, person_id: int):
    response = post_form(client, f"/parrainage/{person_id}/nouvelles", token_from="/accueil")
    data = response.data
    response.close()
    return response, data


@pytest.fixture
def neighbours_news(app, create_user, themes, sponsee_id):
    """A digest printed two days ago; a neighbour's listing published since, one before."""
    neighbour = create_user(first_name="Awa", last_name="Diallo")
    now = utcnow()
    with app.app_context():
        db.session.add(DigestPrint(sponsee_id=sponsee_id, printed_at=now - timedelta(days=2)))
        for title, age in (("Cours de tricot au square", 1), ("Vieux vélo à donner", 3)):
            db.session.add(
                Listing(
                    owner_id=neighbour.id,
                    theme_id=themes["loisirs-sorties"],
                    kind="offer",
                    title=title,
                    status="open",
                    created_at=now - timedelta(days=age),
                    published_at=now - timedelta(days=age),
                    created_by_id=neighbour.id,
                )
            )
        db.session.commit()


def digests(app, sponsee_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(DigestPrint.id)).where(DigestPrint.sponsee_id == sponsee_id)
        )


def test_the_sponsor_prints_the_news_since_the_last_digest(
    app, sponsor, users, sponsee_id, neighbours_news
):
    response, data = print_news(sponsor, sponsee_id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "filename=nouvelles-odette.pdf" in response.headers["Content-Disposition"]
    content = pdf_text(data)
    assert "Odette Lambert" in content
    assert "Cours de tricot au square" in content and "Vieux vélo à donner" not in content
    assert "Recettes de confitures" in content  # her own listings
    assert digests(app, sponsee_id) == 2
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sponsorship.digest_printed")
        )
        assert (entry.actor_id, entry.target_user_id) == (users["member"].id, sponsee_id)
    # The next digest starts from this one: nothing older comes back.
    _, again = print_news(sponsor, sponsee_id)
    assert "Odette Lambert" in pdf_text(again) and "Cours de tricot au square" not in pdf_text(
        again
    )
    assert digests(app, sponsee_id) == 3
    page = text(sponsor.get("/parrainage"))
    assert not re.search(r"Dernières nouvelles imprimées</dt>\s*<dd>Jamais</dd>", page)


def test_an_animator_prints_the_news_too_but_not_a_plain_member(
    app, client_as, create_user, sponsee_id, neighbours_news
):
    response, data = print_news(client_as("animator"), sponsee_id)
    assert response.status_code == 200
    assert "Odette Lambert" in pdf_text(data) and "Cours de tricot au square" in pdf_text(data)
    assert digests(app, sponsee_id) == 2
    stranger = create_user(first_name="Rémi", last_name="Passant")
    client = app.test_client()
    login(client, stranger)
    refused, _ = print_news(client, sponsee_id)
    assert refused.status_code == 404  # as for an id that matches nobody: the id reveals no one
    assert digests(app, sponsee_id) == 2


def test_digest_prints_the_newest_listings_and_counts_the_rest(app, monkeypatch):
    """A busy month must not make a 20-page digest: the newest are printed, the rest counted."""
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.listings.themes import seed_themes
    from coopere.members import printouts
    from coopere.perimeter.services import DEFAULT_CHARTER, save_settings
    from coopere.timeutil import utcnow

    monkeypatch.setattr(printouts, "DIGEST_MAX_NEW", 3)
    with app.test_request_context():
        save_settings(
            {
                "name": "Réseau",
                "short_name": "Réseau",
                "city": "Nantes",
                "postcode": "44300",
                "estimated_dwellings": 100,
                "meeting_place": "",
                "contact": "",
                "charter_text": DEFAULT_CHARTER,
            }
        )
        seed_themes()
        sponsee = User(
            first_name="Odile", last_name="Papier", has_internet=False, contact_preference="sponsor"
        )
        neighbour = User(first_name="Paul", last_name="Voisin", email="paul@example.org")
        db.session.add_all([sponsee, neighbour])
        db.session.flush()
        for n in range(5):
            db.session.add(
                Listing(
                    owner_id=neighbour.id,
                    theme_id=1,
                    kind="offer",
                    title=f"Offre {n}",
                    status="open",
                    published_at=utcnow(),
                )
            )
        db.session.flush()
        from coopere.perimeter.models import get_perimeter

        data = printouts.sponsor_digest(sponsee, get_perimeter(), since=None)
        assert [listing.title for listing in data.new_listings] == ["Offre 4", "Offre 3", "Offre 2"]
        assert data.more_listings == 2
