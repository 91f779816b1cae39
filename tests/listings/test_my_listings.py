"""« Mes annonces »: a member confirms the drafts of the registration questionnaire, publishes,
corrects, closes and removes their offers and needs, and never reaches anyone else's."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpers import PASSWORD, login, post_form, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.auth.passwords import hash_password
from coopere.extensions import db
from coopere.listings.models import Listing, Theme
from coopere.listings.validation import mentions_money
from coopere.members.registration import Answer, Registration, register_resident
from coopere.perimeter.models import get_perimeter
from coopere.timeutil import utcnow

MONEY_REMINDER = "Rappel : les échanges du réseau sont gratuits."
DRAFTS_SENTENCE = "Voici ce que vous avez dit au café. Confirmez, corrigez ou retirez."


def listing_row(app, listing_id: int) -> dict | None:
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        if listing is None:
            return None
        return {
            name: getattr(listing, name)
            for name in (
                "owner_id",
                "theme_id",
                "kind",
                "title",
                "description",
                "status",
                "created_by_id",
                "published_at",
            )
        }


def section(page: str, heading_id: str) -> str:
    """The HTML of the page's section labelled by this heading ('' when the page has none)."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page, re.S)
    return match.group(0) if match else ""


def audits(app, action: str) -> list[dict]:
    with app.app_context():
        return [
            {
                "actor_id": event.actor_id,
                "target_user_id": event.target_user_id,
                "details": json.loads(event.details) if event.details else {},
            }
            for event in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ]


@pytest.fixture
def member(client_as):
    return client_as("member")


# --- the page -------------------------------------------------------------------------------------


def test_drafts_of_the_registration_desk_wait_on_my_listings(app, client, users, themes):
    """A resident registered at the café, then activated, finds their answers to confirm."""
    with app.app_context():
        animator = db.session.get(User, users["animator"].id)
        resident = register_resident(
            Registration(
                first_name="Jeanne",
                last_name="Morel",
                dwelling_id=None,
                address_note="Nouvelle résidence",
                email="jeanne.morel@example.org",
                contact_preference="email",
                answers=[
                    Answer(themes["coups-de-main"], can_offer=True, details="Je répare les vélos"),
                    Answer(themes["aide-numerique"], would_like=True),
                ],
            ),
            actor=animator,
            perimeter=get_perimeter(),
        )
        resident.password_hash = hash_password(PASSWORD)
        db.session.commit()
    assert login(client, "jeanne.morel@example.org").status_code == 302
    page = text(client.get("/mes-annonces"))
    drafts = section(page, "a-confirmer")
    assert "À confirmer" in drafts and DRAFTS_SENTENCE in drafts
    assert "Je propose" in drafts and "Coups de main" in drafts and "Je répare les vélos" in drafts
    assert "Je cherche" in drafts and "Aide numérique" in drafts
    assert "Tout publier" in drafts
    assert "Aucune annonce publiée pour l'instant." in section(page, "publiees")
    assert 'href="/mes-annonces"' in page  # the « Mes annonces » link of the menu
    # Themes in the reader's language.
    post_form(client, "/compte/langue", {"locale": "en"}, token_from="/compte")
    english = text(client.get("/mes-annonces"))
    assert "Odd jobs" in english and "Digital help" in english and "Coups de main" not in english


def test_listings_are_grouped_to_confirm_published_and_ended(app, member, users, create_listing):
    create_listing(users["member"], "Conseils de jardinage", status="draft")
    create_listing(users["member"], "Je garde votre chat", status="open", theme="garde-animaux")
    create_listing(
        users["member"],
        "Promenade du dimanche",
        status="paused",
        kind="need",
        theme="loisirs-sorties",
    )
    create_listing(users["member"], "Perceuse prêtée", status="closed", theme="dons-prets")
    create_listing(
        users["member"], "Covoiturage au marché", status="fulfilled", theme="covoiturage"
    )
    page = text(member.get("/mes-annonces"))
    assert "Conseils de jardinage" in section(page, "a-confirmer")
    published = section(page, "publiees")
    assert (
        "Je garde votre chat" in published
        and "Promenade du dimanche" in published
        and "En pause." in published
    )
    ended = section(page, "terminees")
    assert "Perceuse prêtée" in ended and "Fermée." in ended and "Covoiturage au marché" in ended
    assert "Conseils de jardinage" not in published + ended


def test_someone_without_listings_is_invited_to_post(member, themes):
    page = text(member.get("/mes-annonces"))
    assert "À confirmer" not in page and "Aucune annonce publiée pour l'instant." in page
    assert "Proposer quelque chose" in page and "Chercher de l'aide" in page


# --- publishing, editing, closing, removing -------------------------------------------------------


def test_publishing_a_draft_opens_it_and_records_who(app, member, users, create_listing):
    listing_id = create_listing(
        users["member"], "Conseils de jardinage", created_by_id=users["animator"].id, status="draft"
    )
    response = post_form(
        member,
        f"/mes-annonces/{listing_id}/publier",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "L'annonce « Conseils de jardinage » est publiée" in text(response)
    assert "Conseils de jardinage" in section(text(response), "publiees")
    row = listing_row(app, listing_id)
    assert row["status"] == "open" and row["published_at"] is not None
    assert row["created_by_id"] == users["animator"].id  # who typed it stays the same
    [entry] = audits(app, "listing.confirmed")
    assert entry["actor_id"] == entry["target_user_id"] == users["member"].id
    assert entry["details"]["listing"] == listing_id and "on_behalf_of" not in entry["details"]


def test_publishing_every_draft_at_once(app, member, users, create_listing):
    ids = [
        create_listing(users["member"], title, status="draft")
        for title in ("Conseils", "Coup de main", "Aide numérique")
    ]
    open_id = create_listing(users["member"], "Déjà publiée", status="open")
    published_at = listing_row(app, open_id)["published_at"]
    response = post_form(
        member, "/mes-annonces/publier-tout", token_from="/mes-annonces", follow_redirects=True
    )
    assert "Annonces publiées : 3." in text(response)
    assert "À confirmer" not in text(response)
    assert all(listing_row(app, i)["status"] == "open" for i in ids)
    assert listing_row(app, open_id)["published_at"] == published_at
    assert len(audits(app, "listing.confirmed")) == 3


def test_editing_a_listing_changes_it(app, member, users, themes, create_listing):
    listing_id = create_listing(users["member"], "Conseils", status="draft")
    form = text(member.get(f"/mes-annonces/{listing_id}/modifier"))
    assert (
        'value="Conseils"' in form
        and "Covoiturage" in form
        and "prix" not in form.lower().replace("pas de prix", "")
    )
    response = post_form(
        member,
        f"/mes-annonces/{listing_id}/modifier",
        {
            "kind": "need",
            "theme_id": str(themes["covoiturage"]),
            "title": "  Aller au marché le samedi  ",
            "description": "Vers 10 h, retour avant midi.",
        },
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    page = text(response)
    assert "L'annonce « Aller au marché le samedi » est enregistrée." in page
    assert MONEY_REMINDER not in page
    drafts = section(page, "a-confirmer")
    assert (
        "Aller au marché le samedi" in drafts and "Je cherche" in drafts and "Covoiturage" in drafts
    )
    row = listing_row(app, listing_id)
    assert row == {
        **row,
        "kind": "need",
        "theme_id": themes["covoiturage"],
        "title": "Aller au marché le samedi",
        "description": "Vers 10 h, retour avant midi.",
        "status": "draft",
    }
    [entry] = audits(app, "listing.updated")
    assert set(entry["details"]["fields"]) == {"kind", "theme_id", "title", "description"}


def test_a_new_listing_is_published_at_once(app, member, users, themes):
    response = post_form(
        member,
        "/mes-annonces/nouvelle",
        {
            "kind": "offer",
            "theme_id": str(themes["dons-prets"]),
            "title": "Je prête ma perceuse",
            "description": "",
        },
        token_from="/mes-annonces/nouvelle",
        follow_redirects=True,
    )
    assert "Je prête ma perceuse" in section(text(response), "publiees")
    with app.app_context():
        listing = db.session.scalar(select(Listing))
        assert (listing.owner_id, listing.created_by_id, listing.status) == (
            users["member"].id,
            users["member"].id,
            "open",
        )
        assert listing.published_at is not None and listing.theme.slug == "dons-prets"
    [entry] = audits(app, "listing.created")
    assert entry["actor_id"] == entry["target_user_id"] == users["member"].id


def test_the_new_listing_form_offers_only_current_themes(app, member, themes):
    with app.app_context():
        db.session.get(Theme, themes["covoiturage"]).retired = True
        db.session.commit()
    page = text(member.get("/mes-annonces/nouvelle?type=need"))
    assert "Garde d'animaux" in page and "Covoiturage" not in page
    assert re.search(r'value="need"[^>]*checked|checked[^>]*value="need"', page)
    refused = post_form(
        member,
        "/mes-annonces/nouvelle",
        {"kind": "offer", "theme_id": str(themes["covoiturage"]), "title": "Trajets vers la gare"},
        token_from="/mes-annonces/nouvelle",
    )
    assert refused.status_code == 422 and "Choisissez un thème dans la liste." in text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_closing_a_published_listing(app, member, users, create_listing):
    listing_id = create_listing(users["member"], "Je garde votre chat", status="open")
    response = post_form(
        member,
        f"/mes-annonces/{listing_id}/fermer",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "L'annonce « Je garde votre chat » est fermée." in text(response)
    assert "Je garde votre chat" in section(text(response), "terminees")
    assert listing_row(app, listing_id)["status"] == "closed"
    assert len(audits(app, "listing.closed")) == 1
    # Closed is closed: no second closing, no editing.
    again = post_form(
        member,
        f"/mes-annonces/{listing_id}/fermer",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "Seule une annonce publiée peut être fermée." in text(again)
    edit = member.get(f"/mes-annonces/{listing_id}/modifier", follow_redirects=True)
    assert "elle ne se modifie plus" in text(edit)


def test_removing_a_draft_or_an_unanswered_published_listing_deletes_it(
    app, member, users, create_listing
):
    draft_id = create_listing(users["member"], "Pas vraiment", status="draft")
    open_id = create_listing(users["member"], "Je garde votre chat", status="open")
    response = post_form(
        member,
        f"/mes-annonces/{draft_id}/supprimer",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "L'annonce « Pas vraiment » est retirée." in text(response)
    assert "Pas vraiment</h3>" not in text(response)
    assert listing_row(app, draft_id) is None
    [entry] = audits(app, "listing.deleted")
    assert entry["details"]["title"] == "Pas vraiment"
    # Nobody answered the published one: it goes too (one answered is closed: test_expiry.py).
    deleted = post_form(
        member,
        f"/mes-annonces/{open_id}/supprimer",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "L'annonce « Je garde votre chat » est supprimée." in text(deleted)
    assert listing_row(app, open_id) is None


# --- refused input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, message",
    [
        ("", "Donnez un titre à l'annonce."),
        ("ab", "Le titre doit faire entre 3 et 120 caractères."),
        ("x" * 121, "Le titre doit faire entre 3 et 120 caractères."),
    ],
)
def test_an_invalid_title_is_refused_in_french_and_changes_nothing(
    app, member, users, themes, create_listing, title, message
):
    listing_id = create_listing(users["member"], "Conseils", status="draft")
    before = listing_row(app, listing_id)
    edited = post_form(
        member,
        f"/mes-annonces/{listing_id}/modifier",
        {"kind": "offer", "theme_id": str(themes["conseils"]), "title": title},
        token_from="/mes-annonces",
    )
    assert edited.status_code == 422
    assert message in text(edited) and "Rien n'a été enregistré" in text(edited)
    assert listing_row(app, listing_id) == before
    created = post_form(
        member,
        "/mes-annonces/nouvelle",
        {"kind": "offer", "theme_id": str(themes["conseils"]), "title": title},
        token_from="/mes-annonces",
    )
    assert created.status_code == 422 and message in text(created)
    with app.app_context():
        assert db.session.scalar(select(func.count(Listing.id))) == 1
    assert audits(app, "listing.updated") == audits(app, "listing.created") == []


def test_a_missing_kind_or_a_long_description_is_refused(app, member, themes):
    no_kind = post_form(
        member,
        "/mes-annonces/nouvelle",
        {"theme_id": str(themes["conseils"]), "title": "Conseils"},
        token_from="/mes-annonces",
    )
    assert no_kind.status_code == 422 and "Choisissez : je propose ou je cherche." in text(no_kind)
    too_long = post_form(
        member,
        "/mes-annonces/nouvelle",
        {
            "kind": "offer",
            "theme_id": str(themes["conseils"]),
            "title": "Conseils",
            "description": "x" * 2001,
        },
        token_from="/mes-annonces",
    )
    assert too_long.status_code == 422 and "trop long" in text(too_long)
    with app.app_context():
        assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_a_money_word_brings_a_gentle_reminder_and_is_saved(app, member, themes):
    response = post_form(
        member,
        "/mes-annonces/nouvelle",
        {
            "kind": "offer",
            "theme_id": str(themes["loisirs-sorties"]),
            "title": "Cours de guitare",
            "description": "Le PRÎX : on en parle.",
        },
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    page = text(response)
    assert MONEY_REMINDER in page and 'class="notice notice-info"' in page
    assert "Cours de guitare" in section(page, "publiees")


@pytest.mark.parametrize(
    "words, expected",
    [
        ("10 €", True),
        ("Cinq euros", True),
        ("un EURO", True),
        ("Quel prix ?", True),
        ("Prîx", True),
        ("à payer", True),
        ("PAYANT", True),
        ("payantes", True),
        ("Tarif réduit", True),
        ("tarifs", True),
        ("Voyage en Europe", False),
        ("Je répare", False),
        ("Apprendre", False),
        ("", False),
    ],
)
def test_money_words(words, expected):
    assert mentions_money(words) is expected


# --- other people's listings ----------------------------------------------------------------------


def test_another_members_listing_is_never_reached(
    app, member, users, create_user, themes, create_listing
):
    neighbour = create_user(first_name="Paul", last_name="Voisin")
    draft_id = create_listing(neighbour, "Brouillon du voisin", status="draft")
    open_id = create_listing(neighbour, "Annonce du voisin", status="open")
    before = {i: listing_row(app, i) for i in (draft_id, open_id)}
    assert "du voisin" not in text(member.get("/mes-annonces"))
    for listing_id in (draft_id, open_id):
        assert member.get(f"/mes-annonces/{listing_id}/modifier").status_code == 404
        assert (
            post_form(
                member,
                f"/mes-annonces/{listing_id}/modifier",
                {"kind": "need", "theme_id": str(themes["covoiturage"]), "title": "Pris !"},
                token_from="/mes-annonces",
            ).status_code
            == 404
        )
        for action in ("publier", "fermer", "supprimer"):
            response = post_form(
                member, f"/mes-annonces/{listing_id}/{action}", token_from="/mes-annonces"
            )
            assert response.status_code == 404, action
            assert "Page introuvable" in text(response) and "du voisin" not in text(response)
    post_form(member, "/mes-annonces/publier-tout", token_from="/mes-annonces")
    assert {i: listing_row(app, i) for i in (draft_id, open_id)} == before
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action.like("listing.%"))
            )
            == 0
        )


def test_a_hidden_listing_cannot_be_edited_or_published(app, member, users, themes, create_listing):
    listing_id = create_listing(users["member"], "Annonce masquée", status="hidden")
    before = listing_row(app, listing_id)
    page = text(member.get("/mes-annonces"))
    assert "Masquée par le groupe d'animation." in section(page, "terminees")
    assert f"/mes-annonces/{listing_id}/modifier" not in page
    published = post_form(
        member,
        f"/mes-annonces/{listing_id}/publier",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "masquée par le groupe d'animation" in text(published)
    edit = member.get(f"/mes-annonces/{listing_id}/modifier", follow_redirects=True)
    assert "masquée par le groupe d'animation" in text(edit)
    post_form(
        member,
        f"/mes-annonces/{listing_id}/modifier",
        {"kind": "offer", "theme_id": str(themes["conseils"]), "title": "Nouveau titre"},
        token_from="/mes-annonces",
    )
    assert listing_row(app, listing_id) == before


def test_a_draft_of_a_retired_theme_must_be_corrected_before_publishing(
    app, member, users, themes, create_listing
):
    listing_id = create_listing(users["member"], "Trajets", theme="covoiturage", status="draft")
    with app.app_context():
        db.session.get(Theme, themes["covoiturage"]).retired = True
        db.session.commit()
    response = post_form(
        member,
        f"/mes-annonces/{listing_id}/publier",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "n'est plus proposé" in text(response)
    assert listing_row(app, listing_id)["status"] == "draft"


def test_publishing_twice_changes_nothing(app, member, users, create_listing):
    listing_id = create_listing(users["member"], "Conseils", status="draft")
    post_form(member, f"/mes-annonces/{listing_id}/publier", token_from="/mes-annonces")
    first = listing_row(app, listing_id)
    second = post_form(
        member,
        f"/mes-annonces/{listing_id}/publier",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "déjà publiée" in text(second)
    assert listing_row(app, listing_id) == first
    assert first["published_at"] > utcnow() - timedelta(minutes=5)
