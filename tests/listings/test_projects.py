"""Collective projects: created in « Mes annonces » (maximum, date, link to an upcoming event),
joined and left by neighbours — or by a sponsor for their sponsee — with the organiser shown and
a participants list of first names; refused when full, twice, not open, or for the organiser."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from helpers import act_for, login, post_form, text
from factories import get_listing, listing_count, make_event, make_listing
from coopere.auth.models import Role, User
from coopere.extensions import db
from coopere.listings import projects
from coopere.listings.models import Listing, Participation
from coopere.listings.validation import ListingError


@pytest.fixture
def member(client_as):
    return client_as("member")


@pytest.fixture
def cafe_id(app, users) -> int:
    return make_event(app, days=10)


def project_form(themes, **values) -> dict:
    return {
        "kind": "project",
        "theme_id": str(themes["achats-groupes"]),
        "title": "Achat groupé de pommes",
        "description": "Une caisse du verger de Clisson.",
        **values,
    }


def participants(app, listing_id: int) -> list[tuple[int, int | None]]:
    with app.app_context():
        return [
            (row.user_id, row.added_by_id)
            for row in db.session.scalars(
                select(Participation)
                .where(Participation.listing_id == listing_id)
                .order_by(Participation.user_id)
            )
        ]


def neighbour_client(app, create_user, first_name: str):
    person = create_user(Role.MEMBER, first_name=first_name)
    client = app.test_client()
    assert login(client, person).status_code == 302
    return person, client


def test_a_member_creates_a_project_with_a_maximum_a_date_and_an_event(
    app, member, users, themes, cafe_id
):
    page = text(member.get("/mes-annonces/nouvelle?type=project"))
    assert re.search(
        r'<input checked id="kind-\d" name="kind" required type="radio" value="project">', page
    )
    assert f'<option value="{cafe_id}">' in page  # the upcoming café can be chosen
    response = post_form(
        member,
        "/mes-annonces/nouvelle",
        project_form(
            themes,
            max_participants="12",
            project_date=IN_TWO_WEEKS.isoformat(),
            event_id=str(cafe_id),
            details_achats_groupes_target_quantity="20",
        ),
        token_from="/mes-annonces",
    )
    assert response.status_code == 302
    with app.app_context():
        listing = db.session.scalars(select(Listing).order_by(Listing.id.desc())).first()
        assert (
            listing.kind,
            listing.status,
            listing.max_participants,
            listing.project_date,
            listing.event_id,
        ) == ("project", "open", 12, IN_TWO_WEEKS, cafe_id)
        assert listing.details == {"target_quantity": 20}
    mine = text(member.get("/mes-annonces"))
    assert "Projet collectif" in mine and "0 participant" in mine and "sur 12 au plus" in mine


IN_TWO_WEEKS = date.today() + timedelta(days=14)


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"max_participants": "0"},
            "Le nombre de participants doit être un nombre entier supérieur à zéro.",
        ),
        (
            {"max_participants": "beaucoup"},
            "Le nombre de participants doit être un nombre entier supérieur à zéro.",
        ),
        ({"event_id": "999"}, "Choisissez un rendez-vous à venir dans la liste."),
        ({"project_date": "le 12"}, "Indiquez une date, par exemple 24/12/2026."),
        (
            {"project_date": (date.today() - timedelta(days=3)).isoformat()},
            "La date du projet est passée",
        ),
    ],
)
def test_wrong_project_values_are_refused_and_nothing_is_saved(
    app, member, themes, values, message
):
    before = listing_count(app)
    response = post_form(
        member, "/mes-annonces/nouvelle", project_form(themes, **values), token_from="/mes-annonces"
    )
    assert response.status_code == 422 and message in text(response)
    assert listing_count(app) == before


def test_neighbours_join_and_leave_until_it_is_full(app, users, themes, create_user):
    project_id = make_listing(
        app,
        users["member"].id,
        themes["achats-groupes"],
        "Achat groupé de bois",
        kind="project",
        max_participants=2,
    )
    paul, paul_client = neighbour_client(app, create_user, "Paul")
    awa, awa_client = neighbour_client(app, create_user, "Awa")
    jean, jean_client = neighbour_client(app, create_user, "Jean")
    page = text(paul_client.get(f"/annonces/{project_id}"))
    assert (
        "Organisé par" in page
        and "Personne ne participe encore." in page
        and "Je participe" in page
    )
    joined = post_form(
        paul_client,
        f"/annonces/{project_id}/participer",
        token_from=f"/annonces/{project_id}",
        follow_redirects=True,
    )
    assert "Vous participez au projet « Achat groupé de bois »." in text(joined)
    assert "<li>Paul</li>" in text(joined) and "Je ne participe plus" in text(joined)
    twice = post_form(
        paul_client,
        f"/annonces/{project_id}/participer",
        token_from=f"/annonces/{project_id}",
        follow_redirects=True,
    )
    assert "Vous participez déjà à ce projet." in text(twice)
    post_form(
        awa_client, f"/annonces/{project_id}/participer", token_from=f"/annonces/{project_id}"
    )
    full = post_form(
        jean_client,
        f"/annonces/{project_id}/participer",
        token_from=f"/annonces/{project_id}",
        follow_redirects=True,
    )
    assert "Ce projet est complet." in text(full)
    assert participants(app, project_id) == sorted([(paul.id, None), (awa.id, None)])
    # Paul leaves: a place is free again.
    left = post_form(
        paul_client,
        f"/annonces/{project_id}/quitter",
        token_from=f"/annonces/{project_id}",
        follow_redirects=True,
    )
    assert "Vous ne participez plus au projet" in text(left)
    again = post_form(
        paul_client,
        f"/annonces/{project_id}/quitter",
        token_from=f"/annonces/{project_id}",
        follow_redirects=True,
    )
    assert "Vous ne participez pas à ce projet." in text(again)
    post_form(
        jean_client, f"/annonces/{project_id}/participer", token_from=f"/annonces/{project_id}"
    )
    assert participants(app, project_id) == sorted([(awa.id, None), (jean.id, None)])
    # Any member sees the list of first names; the maximum cannot drop below the participants.
    organiser = app.test_client()
    login(organiser, users["member"])
    listing_page = text(organiser.get(f"/annonces/{project_id}"))
    assert (
        "<li>Awa</li>" in listing_page
        and "<li>Jean</li>" in listing_page
        and "Ce projet est complet." in listing_page
    )
    lowered = post_form(
        organiser,
        f"/mes-annonces/{project_id}/modifier",
        {
            "kind": "project",
            "theme_id": str(themes["achats-groupes"]),
            "title": "Achat groupé de bois",
            "max_participants": "1",
        },
        token_from="/mes-annonces",
    )
    assert lowered.status_code == 422
    assert "Il y a déjà 2 participants : le maximum ne peut pas être plus petit." in text(lowered)
    assert get_listing(app, project_id).max_participants == 2


def test_the_organiser_cannot_join_and_a_closed_project_takes_nobody(
    app, member, client_as, users, themes
):
    project_id = make_listing(
        app, users["member"].id, themes["eco-projets"], "Potager partagé", kind="project"
    )
    response = post_form(
        member,
        f"/annonces/{project_id}/participer",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "Vous organisez ce projet : vous en faites déjà partie." in text(response)
    paused = make_listing(
        app, users["member"].id, themes["eco-projets"], "Nichoirs", kind="project", status="paused"
    )
    animator = client_as("animator")
    refused = post_form(
        animator,
        f"/annonces/{paused}/participer",
        token_from="/mes-annonces",
        follow_redirects=True,
    )
    assert "Ce projet n'accepte plus de participants." in text(refused).replace("&#39;", "'")
    offer = make_listing(app, users["member"].id, themes["conseils"], "Une offre")
    assert (
        post_form(animator, f"/annonces/{offer}/participer", token_from="/mes-annonces").status_code
        == 404
    )
    assert participants(app, project_id) == [] and participants(app, paused) == []
    with app.app_context():
        listing = db.session.get(Listing, project_id)
        owner = db.session.get(User, users["member"].id)
        with pytest.raises(ListingError):
            projects.join(listing, owner, actor=owner)


def test_a_sponsor_signs_their_sponsee_up(app, users, themes, sponsee, client_as):
    project_id = make_listing(
        app,
        users["animator"].id,
        themes["loisirs-sorties"],
        "Sortie au jardin des plantes",
        kind="project",
        max_participants=5,
    )
    sponsor = client_as("member")
    assert act_for(sponsor, sponsee).status_code == 302
    page = text(sponsor.get(f"/annonces/{project_id}"))
    assert "Inscrire Odette" in page
    response = post_form(
        sponsor,
        f"/annonces/{project_id}/participer",
        token_from=f"/annonces/{project_id}",
        follow_redirects=True,
    )
    assert "Odette participe au projet « Sortie au jardin des plantes »." in text(response)
    assert participants(app, project_id) == [(sponsee.id, users["member"].id)]
    assert "<li>Odette</li>" in text(response) and "Désinscrire Odette" in text(response)
    with app.app_context():
        listing = db.session.get(Listing, project_id)
        assert projects.places_left(listing) == 4
