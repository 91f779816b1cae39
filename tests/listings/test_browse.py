"""« Annonces »: members find the open offers, needs and projects of the perimeter, nearest first;
one listing's page with its matches; matches suggested before publishing; counts for visitors."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from factories import listing_count
from helpers import login, post_form, text
from coopere.auth.models import User
from coopere.dwellings.services import save_dwelling
from coopere.exchanges.models import Block
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.members.models import Sponsorship
from coopere.timeutil import utcnow


def home(app, number: int, street: str, complement: str = "") -> int:
    with app.app_context():
        dwelling = save_dwelling(
            None,
            {
                "number": number,
                "street": street,
                "complement": complement,
                "postcode": "44300",
                "city": "Nantes",
            },
        )
        db.session.commit()
        return dwelling.id


def set_columns(app, user_id: int, **columns) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        for name, value in columns.items():
            setattr(user, name, value)
        db.session.commit()


def position(page: str, title: str) -> int:
    assert title in page, title
    return page.index(title)


# --- who sees what ---------------------------------------------------------------------------


def test_visitors_see_counts_per_theme_and_no_names_nor_titles(
    app, client_as, users, create_listing, create_user
):
    neighbour = create_user(first_name="Bernadette", last_name="Quéré")
    create_listing(neighbour, "Je prête ma perceuse", theme="dons-prets")
    create_listing(neighbour, "Une échelle à prêter", theme="dons-prets")
    create_listing(users["animator"], "Cherche une perceuse", kind="need", theme="dons-prets")
    create_listing(users["animator"], "Un brouillon", theme="conseils", status="draft")
    create_listing(users["animator"], "Une annonce masquée", theme="covoiturage", status="hidden")
    visitor = client_as(None)
    page = text(visitor.get("/"))
    section = page[page.index("Ce que les voisins proposent et cherchent") :]
    assert "Donner et prêter des objets</strong> : 2 offres, 1 demande" in section
    assert (
        "Conseils</strong>" not in section and "Covoiturage</strong>" not in section
    )  # draft, hidden: not counted
    for secret in ("perceuse", "Bernadette", "échelle", "Quéré"):
        assert secret not in page
    assert visitor.get("/annonces").status_code in (302, 401, 403)
    assert visitor.get("/annonces/1").status_code in (302, 401, 403)


def test_only_open_listings_are_listed(client_as, users, create_listing):
    owner = users["animator"]
    create_listing(owner, "Annonce ouverte")
    for status in ("draft", "paused", "hidden", "closed", "fulfilled", "expired"):
        create_listing(owner, f"Annonce {status}", status=status)
    page = text(client_as("member").get("/annonces"))
    assert "Annonce ouverte" in page
    for status in ("draft", "paused", "hidden", "closed", "fulfilled", "expired"):
        assert f"Annonce {status}" not in page


def test_listings_across_a_block_are_not_shown(app, client_as, users, create_user, create_listing):
    annoying, blocker, friend = (
        create_user(first_name="Gaston"),
        create_user(first_name="Hortense"),
        create_user(first_name="Irène"),
    )
    create_listing(annoying, "Annonce de Gaston")
    create_listing(blocker, "Annonce d'Hortense")
    friend_listing = create_listing(friend, "Annonce d'Irène")
    with app.app_context():
        member_id = users["member"].id
        db.session.add(
            Block(blocker_id=member_id, blocked_id=annoying.id)
        )  # the member blocked Gaston
        db.session.add(
            Block(blocker_id=blocker.id, blocked_id=member_id)
        )  # Hortense blocked the member
        db.session.commit()
        gaston_listing = db.session.scalar(
            select(Listing.id).where(Listing.owner_id == annoying.id)
        )
    client = client_as("member")
    page = text(client.get("/annonces"))
    assert "Annonce d'Irène" in page
    assert "Annonce de Gaston" not in page and "Annonce d'Hortense" not in page
    assert "Gaston" not in text(client.get("/annonces?q=annonce"))
    assert client.get(f"/annonces/{gaston_listing}").status_code == 404
    assert client.get(f"/annonces/{friend_listing}").status_code == 200
    # the animator blocked nobody: they see all three
    assert "Annonce de Gaston" in text(client_as("animator").get("/annonces"))


def test_a_listing_that_is_not_open_is_seen_only_by_its_owner_sponsor_and_animators(
    app, client, users, create_user, create_listing
):
    offline = create_user(
        first_name="Odette", password=None, has_internet=False, contact_preference="sponsor"
    )
    sponsor = create_user(first_name="Simone")
    with app.app_context():
        db.session.add(
            Sponsorship(sponsee_id=offline.id, sponsor_id=sponsor.id, consent_reference="P-1")
        )
        db.session.commit()
    paused = create_listing(offline, "Tricot pour débutants", status="paused")
    draft = create_listing(users["member"], "Mon brouillon", status="draft")
    for person, listing_id, status in (
        (users["member"], paused, 404),
        (users["admin"], paused, 200),
        (users["animator"], paused, 200),
        (sponsor, paused, 200),
        (users["member"], draft, 200),
        (sponsor, draft, 404),
        (users["animator"], draft, 200),
    ):
        login(client, person)
        response = client.get(f"/annonces/{listing_id}")
        assert response.status_code == status, (person.first_name, listing_id)
        if status == 404:
            assert "Tricot" not in text(response) and "brouillon" not in text(response)
    assert client.get("/annonces/999999").status_code == 404


# --- filters, search, order ------------------------------------------------------------------


def test_filters_by_kind_and_theme(client_as, users, create_listing, themes):
    owner = users["animator"]
    create_listing(owner, "Offre de conseils")
    create_listing(owner, "Demande de covoiturage", kind="need", theme="covoiturage")
    create_listing(owner, "Projet de jardin partagé", kind="project", theme="eco-projets")
    client = client_as("member")
    offers = text(client.get("/annonces?type=offer"))
    assert (
        "Offre de conseils" in offers
        and "Demande de covoiturage" not in offers
        and "Projet de jardin" not in offers
    )
    needs = text(client.get("/annonces?type=need"))
    assert "Demande de covoiturage" in needs and "Offre de conseils" not in needs
    projects = text(client.get("/annonces?type=project"))
    assert "Projet de jardin partagé" in projects and "Offre de conseils" not in projects
    theme = text(client.get(f"/annonces?theme={themes['covoiturage']}"))
    assert "Demande de covoiturage" in theme and "Offre de conseils" not in theme
    nothing = text(client.get(f"/annonces?type=offer&theme={themes['covoiturage']}"))
    assert "Aucune annonce ne correspond à votre recherche." in nothing
    everything = text(client.get("/annonces?type=n%27importe&theme=abc&page=-3"))
    assert all(
        title in everything
        for title in ("Offre de conseils", "Demande de covoiturage", "Projet de jardin")
    )


def test_nearest_first_building_then_street_then_newest(
    app, client_as, users, create_user, create_listing
):
    mine = home(app, 3, "Rue des Lilas", "apt 1")
    set_columns(app, users["member"].id, dwelling_id=mine)
    same_building = create_user(
        first_name="Béatrice", dwelling_id=home(app, 3, "Rue des Lilas", "apt 7")
    )
    same_street = create_user(first_name="Cyril", dwelling_id=home(app, 11, "Rue des Lilas"))
    elsewhere = create_user(first_name="Denise", dwelling_id=home(app, 3, "Rue des Roses"))
    nowhere = create_user(first_name="Émile")  # no dwelling in the register
    create_listing(same_building, "Annonce de l'immeuble", age=600)
    create_listing(same_street, "Annonce de la rue", age=300)
    create_listing(elsewhere, "Annonce des Roses", age=20)
    create_listing(nowhere, "Annonce sans adresse", age=10)
    create_listing(users["member"], "Ma propre annonce", age=5)
    page = text(client_as("member").get("/annonces"))
    assert (
        position(page, "Dans votre immeuble")
        < position(page, "Annonce de l'immeuble")
        < position(page, "Dans votre rue")
        < position(page, "Annonce de la rue")
        < position(page, "Dans le périmètre, les plus récentes d'abord")
        < position(page, "Ma propre annonce")
        < position(page, "Annonce sans adresse")
        < position(page, "Annonce des Roses")
    )
    assert page.count("Annonce de l'immeuble") == 1  # not repeated in the list below
    assert "Béatrice, dans votre immeuble" in page and "Cyril, dans votre rue" in page
    assert "Votre annonce" in page
    # someone without a dwelling sees every listing, newest first
    assert "Dans votre immeuble" not in text(client_as("animator").get("/annonces"))


def test_pagination(client_as, users, create_listing):
    for n in range(25):
        create_listing(users["animator"], f"Annonce numéro {n:02d}", age=n)
    client = client_as("member")
    first = text(client.get("/annonces"))
    assert (
        "Annonce numéro 00" in first
        and "Annonce numéro 19" in first
        and "Annonce numéro 20" not in first
    )
    assert "Page suivante" in first and "Page précédente" not in first
    second = text(client.get("/annonces?page=2"))
    assert (
        "Annonce numéro 20" in second
        and "Annonce numéro 24" in second
        and "Annonce numéro 19" not in second
    )
    assert "Page précédente" in second and "Page suivante" not in second
    filtered = client.get("/annonces?type=offer&q=annonce")
    assert "type=offer" in text(filtered) and "page=2" in text(filtered)


def test_new_since_last_visit(app, client_as, users, create_listing):
    set_columns(app, users["member"].id, listings_seen_at=utcnow() - timedelta(hours=1))
    create_listing(users["animator"], "Annonce d'avant", age=120)
    create_listing(users["animator"], "Annonce toute neuve", age=10)
    client = client_as("member")
    assert re.search(
        r"Nouvelles annonces depuis votre dernière visite :\s*<strong>1</strong>",
        text(client.get("/accueil")),
    )
    filtered = text(client.get("/annonces?nouvelles=1"))
    assert "Annonce toute neuve" in filtered and "Annonce d'avant" not in filtered
    with app.app_context():  # a filtered page does not count as a visit
        assert db.session.get(User, users["member"].id).listings_seen_at < utcnow() - timedelta(
            minutes=50
        )
    page = text(client.get("/annonces"))
    card = page[page.index("Annonce toute neuve") - 400 : page.index("Annonce toute neuve")]
    assert "Nouvelle" in card
    older = page[page.index("Annonce toute neuve") : page.index("Annonce d'avant")]
    assert older.count(">Nouvelle<") == 0
    with app.app_context():  # the whole list, page 1: now seen
        assert db.session.get(User, users["member"].id).listings_seen_at > utcnow() - timedelta(
            minutes=1
        )
    assert ">Nouvelle<" not in text(client.get("/annonces"))
    assert re.search(r"dernière visite :\s*<strong>0</strong>", text(client.get("/accueil")))


def test_a_new_member_is_not_told_that_everything_is_new(app, client_as, users, create_listing):
    create_listing(
        users["animator"], "Annonce ancienne", age=60 * 24 * 400
    )  # before the member's account
    page = text(client_as("member").get("/annonces"))
    assert "Annonce ancienne" in page and ">Nouvelle<" not in page


# --- one listing ------------------------------------------------------------------------------


def test_listing_page_shows_first_name_and_proximity_never_contact_details(
    app, client_as, users, create_user, create_listing
):
    set_columns(app, users["member"].id, dwelling_id=home(app, 3, "Rue des Lilas", "apt 1"))
    owner = create_user(
        first_name="Paulette",
        last_name="Dufresne",
        phone="+33612345678",
        dwelling_id=home(app, 9, "Rue des Lilas"),
    )
    listing_id = create_listing(
        owner,
        "Je garde vos chats",
        theme="garde-animaux",
        kind="offer",
        description="Pendant les vacances.",
        availability="le week-end",
        days="5,6",
        details={"date_from": "2026-07-01", "date_to": "2026-07-31"},
    )
    page = text(client_as("member").get(f"/annonces/{listing_id}"))
    assert "Je garde vos chats" in page and "Pendant les vacances." in page
    assert "Proposée par Paulette, dans votre rue." in page
    assert "le week-end" in page and "samedi, dimanche" in page
    assert "01/07/2026" in page and "31/07/2026" in page
    for secret in ("Dufresne", "06 12 34 56 78", "+33612345678", "paulette", "9 Rue des Lilas"):
        assert secret not in page
    own = text(
        client_as("animator").get(f"/annonces/{create_listing(users['animator'], 'Mon offre')}")
    )
    assert "C'est votre annonce." in own and "/mes-annonces" in own


def test_a_need_shows_the_open_offers_of_its_theme_and_vice_versa(
    client_as, users, create_user, create_listing, themes
):
    asker, helper = create_user(first_name="Annie"), create_user(first_name="Bruno")
    need = create_listing(
        asker, "Besoin d'aide pour mon ordinateur", kind="need", theme="aide-numerique"
    )
    create_listing(helper, "Je dépanne les ordinateurs", theme="aide-numerique")
    create_listing(helper, "Je fais vos papiers", theme="conseils")  # another theme
    create_listing(
        helper, "Je montre les tablettes", theme="aide-numerique", status="paused"
    )  # not open
    create_listing(
        asker, "Besoin d'une imprimante", kind="need", theme="aide-numerique"
    )  # a need, not an offer
    client = client_as("member")
    page = text(client.get(f"/annonces/{need}"))
    matches = page[page.index("Les offres qui pourraient correspondre") :]
    assert "Je dépanne les ordinateurs" in matches
    for other in ("Je fais vos papiers", "Je montre les tablettes", "Besoin d'une imprimante"):
        assert other not in matches
    assert f"type=offer&amp;theme={themes['aide-numerique']}" in client.get(
        f"/annonces/{need}"
    ).get_data(as_text=True)
    offer = create_listing(helper, "J'installe vos logiciels", theme="aide-numerique")
    page = text(client.get(f"/annonces/{offer}"))
    matches = page[page.index("Les demandes qui pourraient correspondre") :]
    assert "Besoin d'aide pour mon ordinateur" in matches and "Besoin d'une imprimante" in matches
    assert "Je dépanne" not in matches


# --- matching before publishing -----------------------------------------------------------------


def test_posting_a_need_first_suggests_the_existing_offers(
    app, client_as, users, create_user, create_listing, themes
):
    helper = create_user(first_name="Roger")
    create_listing(helper, "Je prête ma tondeuse", theme="dons-prets")
    client = client_as("member")
    before = listing_count(app)
    form = {
        "kind": "need",
        "theme_id": str(themes["dons-prets"]),
        "title": "Cherche une tondeuse",
        "description": "Pour un petit jardin.",
    }
    response = post_form(client, "/mes-annonces/nouvelle", form)
    page = text(response)
    assert response.status_code == 200
    assert "Avant de publier" in page and "Je prête ma tondeuse" in page and "Roger" in page
    assert "Publier quand même" in page and "Voir les annonces" in page
    assert listing_count(app) == before  # nothing published yet
    assert 'name="confirmed" value="1"' in page and 'value="Cherche une tondeuse"' in page
    response = post_form(client, "/mes-annonces/nouvelle", {**form, "confirmed": "1"})
    assert response.status_code == 302
    assert listing_count(app) == before + 1
    assert "Cherche une tondeuse" in text(client_as("animator").get("/annonces?q=tondeuse"))


def test_posting_without_a_match_publishes_at_once(app, client_as, themes, users, create_listing):
    create_listing(
        users["animator"], "Je prête ma tondeuse", kind="need", theme="dons-prets"
    )  # a need: no match
    before = listing_count(app)
    response = post_form(
        client_as("member"),
        "/mes-annonces/nouvelle",
        {"kind": "need", "theme_id": str(themes["dons-prets"]), "title": "Cherche une tondeuse"},
    )
    assert response.status_code == 302
    assert listing_count(app) == before + 1


def test_a_wrong_listing_is_refused_before_any_suggestion(
    app, client_as, users, create_listing, themes
):
    create_listing(users["animator"], "Je prête ma tondeuse", theme="dons-prets")
    before = listing_count(app)
    response = post_form(
        client_as("member"),
        "/mes-annonces/nouvelle",
        {"kind": "need", "theme_id": str(themes["dons-prets"]), "title": "a"},
    )
    assert response.status_code == 422
    assert "Avant de publier" not in text(response) and "Le titre doit faire entre" in text(
        response
    )
    assert listing_count(app) == before


def test_a_sponsor_browses_as_the_neighbour_they_act_for(
    app, client, users, create_user, create_listing
):
    offline = create_user(
        first_name="Odette",
        password=None,
        has_internet=False,
        contact_preference="sponsor",
        dwelling_id=home(app, 3, "Rue des Lilas", "apt 2"),
    )
    with app.app_context():
        db.session.add(
            Sponsorship(
                sponsee_id=offline.id, sponsor_id=users["member"].id, consent_reference="P-1"
            )
        )
        db.session.commit()
    neighbour = create_user(first_name="Yvette", dwelling_id=home(app, 3, "Rue des Lilas", "apt 5"))
    create_listing(neighbour, "Annonce de l'immeuble d'Odette")
    login(client, users["member"])
    assert post_form(client, f"/parrainage/{offline.id}/agir").status_code == 302
    page = text(client.get("/annonces"))
    assert position(page, "Dans votre immeuble") < position(page, "Annonce de l'immeuble d'Odette")
    with app.app_context():
        assert db.session.get(User, offline.id).listings_seen_at is not None
        assert db.session.get(User, users["member"].id).listings_seen_at is None
