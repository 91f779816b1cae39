"""A person's id reveals nothing to a member who never had anything to do with them: every route a
member can reach with a person's id in its address answers a stranger's id exactly as an id that
matches nobody, and names no one (issue 13, item 9).

Member routes take no person's id in a form field (the sponsor acts for a sponsee through the
session, a check-in or a task assignment are animators' routes): the address is where ids go."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpers import login, post_form, text
from coopere.exchanges.models import Block
from coopere.extensions import db
from coopere.members.models import DigestPrint, Sponsorship
from coopere.policy import POLICY, Access

PERSON_ARGUMENTS = {"member_id", "user_id", "sponsee_id", "person_id"}
NOBODY = 987_654
# Each route a member reaches with a person's id in its address (checked against the URL map below).
ROUTES = {
    "exchanges.block": "/membres-bloques/{id}",
    "exchanges.unblock": "/membres-bloques/{id}/debloquer",
    "sponsorship.act_for": "/parrainage/{id}/agir",
    "sponsorship.digest": "/parrainage/{id}/nouvelles",
}


def test_every_member_route_with_a_persons_id_is_checked(app):
    found = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if POLICY.get(rule.endpoint) in (Access.PUBLIC, Access.MEMBER)
        and rule.arguments & PERSON_ARGUMENTS
    }
    assert found == set(ROUTES), (
        "add the route to ROUTES: a stranger's id must reveal nothing there"
    )


@pytest.fixture
def philomene(app, create_user, create_perimeter):
    """Philomène, offline, sponsored by Paul, who answered one of her listings (she has relations,
    just not with the stranger)."""
    create_perimeter()
    paul = create_user(first_name="Paul", last_name="Bernard")
    person = create_user(
        first_name="Philomène",
        last_name="Quintard",
        password=None,
        has_internet=False,
        contact_preference="sponsor",
    )
    with app.app_context():
        db.session.add(
            Sponsorship(sponsee_id=person.id, sponsor_id=paul.id, consent_reference="P-1")
        )
        db.session.commit()
    return person


def answer(response) -> dict:
    """What a browser shows for a response, followed to the end: each hop's status and address,
    then the notices on the final page."""
    hops = [(hop.status_code, hop.headers.get("Location")) for hop in response.history]
    notices = re.findall(r'class="notice notice-(\w+)"[^>]*>(.*?)</div>', text(response), re.S)
    return {"hops": hops, "status": response.status_code, "notices": notices}


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_a_strangers_id_gets_the_answer_of_an_id_that_matches_nobody(
    app, create_user, philomene, endpoint
):
    stranger = create_user(first_name="Lucie", last_name="Garnier")
    client = app.test_client()
    assert login(client, stranger).status_code == 302
    responses = {}
    for who, ident in (("stranger", philomene.id), ("nobody", NOBODY)):
        response = post_form(
            client, ROUTES[endpoint].format(id=ident), token_from="/accueil", follow_redirects=True
        )
        body = response.get_data()
        response.close()
        assert b"Philom" not in body and b"Quintard" not in body, f"{endpoint} names the person"
        responses[who] = answer(response)
        assert responses[who]["status"] < 500
    assert responses["stranger"] == responses["nobody"], (
        f"{endpoint} tells a stranger's id from nobody's"
    )
    with app.app_context():  # and nothing happened
        assert db.session.scalar(select(func.count()).select_from(Block)) == 0
        assert db.session.scalar(select(func.count()).select_from(DigestPrint)) == 0
    with client.session_transaction() as session:
        assert "acting_for" not in session
