"""A count of things that have their own page leads to that page: « 2 participants » in « Mes
annonces » opens the project's page where they are named, « Personnes inscrites : 1 » on the
events list opens the event's page with who said they would come, the new listings counted on the
home page open the list of those listings, and a sponsor's record names the people they represent
with a link to each."""

from __future__ import annotations

import pytest

import html
import re
from datetime import timedelta

from sqlalchemy import select

from helpers import login, post_form
from factories import make_event, make_listing
from coopere.auth.models import Role, User
from coopere.extensions import db
from coopere.members.models import Sponsorship
from coopere.timeutil import utcnow

#: Rendering and wording, not the database: the PostgreSQL leg skips them (see setup.cfg).
pytestmark = pytest.mark.one_database

LINK_RE = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def links(page: str) -> dict[str, str]:
    """{text as a screen reader reads it: href} of the page's links."""
    return {
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split()): html.unescape(href)
        for href, inner in LINK_RE.findall(page)
    }


def test_the_participant_count_of_my_project_opens_its_page(
    app, client_as, users, themes, create_user
):
    project_id = make_listing(
        app,
        users["member"].id,
        themes["achats-groupes"],
        "Achat groupé de pommes",
        kind="project",
        max_participants=10,
    )
    neighbour = create_user(Role.MEMBER, first_name="Awa")
    other = app.test_client()
    login(other, neighbour)
    post_form(other, f"/annonces/{project_id}/participer", token_from=f"/annonces/{project_id}")
    member = client_as("member")
    found = links(member.get("/mes-annonces").get_data(as_text=True))
    assert (
        found["1 participant – « Achat groupé de pommes »"]
        == f"/annonces/{project_id}#participants"
    )
    project_page = member.get(f"/annonces/{project_id}").get_data(as_text=True)
    assert 'id="participants"' in project_page and "<li>Awa</li>" in project_page


def test_the_signup_count_of_an_event_opens_the_event_page(app, client_as, users):
    from coopere.events.models import EventSignup

    event_id = make_event(app, days=10)
    with app.app_context():
        db.session.add(
            EventSignup(
                event_id=event_id, user_id=users["member"].id, created_by_id=users["member"].id
            )
        )
        db.session.commit()
    animator = client_as("animator")
    found = links(animator.get("/evenements/").get_data(as_text=True))
    counts = {
        words: href for words, href in found.items() if words.startswith("Personnes inscrites : 1")
    }
    assert list(counts.values()) == [f"/evenements/{event_id}#inscrits"]
    event_page = animator.get(f"/evenements/{event_id}").get_data(as_text=True)
    assert 'id="inscrits"' in event_page and users["member"].full_name in event_page


def test_the_new_listings_count_on_the_home_page_opens_those_listings(
    app, client_as, users, themes
):
    with app.app_context():
        db.session.get(User, users["member"].id).listings_seen_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    make_listing(app, users["animator"].id, themes["dons-prets"], "Je prête ma tondeuse")
    found = links(client_as("member").get("/accueil").get_data(as_text=True))
    assert found["Nouvelles annonces depuis votre dernière visite : 1"] == "/annonces?nouvelles=1"


def test_nothing_new_is_no_link(client_as, users):
    found = links(client_as("member").get("/accueil").get_data(as_text=True))
    assert not [words for words in found if words.startswith("Nouvelles annonces depuis")]


def test_a_sponsors_record_links_to_each_person_they_represent(app, client_as, users, create_user):
    odette = create_user(
        Role.MEMBER, password=None, first_name="Odette", last_name="Lambert", has_internet=False
    )
    lucien = create_user(
        Role.MEMBER, password=None, first_name="Lucien", last_name="Morel", has_internet=False
    )
    with app.app_context():
        db.session.add_all(
            Sponsorship(
                sponsee_id=person.id, sponsor_id=users["member"].id, consent_reference="P-1"
            )
            for person in (odette, lucien)
        )
        db.session.commit()
        assert len(db.session.scalars(select(Sponsorship)).all()) == 2
    page = client_as("animator").get(f"/membres/{users['member'].id}").get_data(as_text=True)
    assert f"Personnes que {users['member'].first_name} représente : 2" in html.unescape(page)
    found = links(page)
    assert (
        found["Odette Lambert"] == f"/membres/{odette.id}"
        and found["Lucien Morel"] == f"/membres/{lucien.id}"
    )
