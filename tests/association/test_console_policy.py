"""The console's route × role table: every route is declared, and each account reaches exactly
what its role allows (anonymous: the login page; a coach: not the coordination's pages)."""

from __future__ import annotations

import pytest

from coopere.association.policy import COORDINATION, CONSOLE_POLICY, PUBLIC
from console_support import BASE, COACH, CONSOLE, COORD, example_path


def console_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_of_the_networks_app_is_declared(console):
    missing = [
        rule.endpoint for rule in console_rules(console.app) if rule.endpoint not in CONSOLE_POLICY
    ]
    assert missing == []


def test_every_declared_endpoint_exists(console):
    endpoints = {rule.endpoint for rule in console.app.url_map.iter_rules()}
    assert set(CONSOLE_POLICY) - endpoints == set()


def urls(app):
    for rule in console_rules(app):
        if "GET" in rule.methods:
            yield rule.endpoint, BASE + example_path(app, rule)


@pytest.mark.parametrize("who", ["anonymous", COACH, COORD])
def test_each_role_reaches_what_its_role_allows(console, who):
    client = console.client() if who == "anonymous" else console.login(who)
    for endpoint, url in urls(console.app):
        level = CONSOLE_POLICY[endpoint]
        response = client.get(url)
        if level == PUBLIC:
            assert response.status_code < 500, url
        elif who == "anonymous":
            assert response.status_code == 302, url
            assert "/association/connexion" in response.headers["Location"], url
        elif level == COORDINATION and who == COACH:
            assert response.status_code == 403, url
        else:
            assert response.status_code in (200, 302, 404), (url, response.status_code)


def test_a_post_without_its_csrf_token_is_refused(console):
    client = console.login(COORD)
    response = client.post(f"{CONSOLE}/comptes", data={"name": "X", "email": "x@example.org"})
    assert response.status_code == 400
    page = console.login(COORD).get(f"{CONSOLE}/comptes").get_data(as_text=True)
    assert "x@example.org" not in page


def test_pages_carry_the_strict_security_headers(console):
    response = console.client().get(f"{CONSOLE}/connexion")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
