"""The route × role policy table: every route declared, and every declared route obeyed."""

from __future__ import annotations

import pytest

from helpers import BACKEND, csrf_token
from coopere import create_app
from coopere.policy import POLICY, Access
from routes import EXAMPLE_ARGS, OBJECT_REFUSALS, seed_examples

ROLES = [None, "member", "animator", "admin"]
RANK = {None: 0, "member": 1, "animator": 2, "admin": 3}
LEVEL = {Access.PUBLIC: 0, Access.MEMBER: 1, Access.ANIMATOR: 2, Access.ADMIN: 3}


def undeclared_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()} - set(POLICY)


def _rules():
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path="/tmp/coopere-policy-test-instance",
    )
    return list(app.url_map.iter_rules())


RULES = _rules()


def test_every_route_is_declared_in_the_policy_table():
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path="/tmp/coopere-policy-test-instance",
    )
    assert undeclared_endpoints(app) == set(), "declare these endpoints in coopere/policy.py"
    stale = set(POLICY) - {rule.endpoint for rule in app.url_map.iter_rules()}
    assert stale == set(), "these policy entries match no route any more"


def test_an_undeclared_route_is_detected_and_denied(make_app, client_as):
    app = make_app()
    app.add_url_rule("/oubliee", "forgotten", lambda: "secret")
    assert undeclared_endpoints(app) == {"forgotten"}
    assert app.test_client().get("/oubliee").status_code == 403


def test_every_route_with_arguments_has_an_example():
    missing = {r.endpoint for r in RULES if r.arguments and r.endpoint not in EXAMPLE_ARGS}
    assert missing == set(), "add example URL arguments in tests/routes.py"


#: Which role reaches which route does not depend on the database: on PostgreSQL every route is
#: still opened once, by the admin (who may reach them all), to run each view on that database.
LEG_ROLES = ROLES if BACKEND == "sqlite" else ["admin"]


def _cases():
    for rule in RULES:
        for role in LEG_ROLES:
            yield pytest.param(
                rule.endpoint,
                rule.rule,
                sorted(rule.methods - {"HEAD", "OPTIONS"}),
                role,
                id=f"{rule.endpoint}-{role or 'anonymous'}",
            )


@pytest.mark.parametrize("endpoint, rule, methods, role", list(_cases()))
def test_route_obeys_policy_for_role(app, client_as, endpoint, rule, methods, role):
    seed_examples(app)
    client = client_as(role)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **EXAMPLE_ARGS.get(endpoint, {}))
    allowed = RANK[role] >= LEVEL[POLICY[endpoint]]
    method = "GET" if "GET" in methods else "POST"
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client)})
    response.close()
    object_refusal = OBJECT_REFUSALS.get(endpoint, {}).get(role) if allowed else None
    if object_refusal:
        # The policy table lets this role in; the object (another person's) is refused.
        assert response.status_code == object_refusal, (
            f"{role}: the object check of {url} should refuse"
        )
    elif allowed:
        # 422: the route was reached and refused the empty form, in French.
        expected = (200, 302, 303) if method == "GET" else (200, 302, 422)
        assert response.status_code in expected, f"{role} should reach {url}"
        if method == "GET" and response.status_code in (302, 303):
            # Allowed GET redirects: a logged-in person opening the login page; a letter's QR code;
            # a welcome card's QR code (its code goes into the session, the address is cleaned);
            # a coach's support entry without a valid token (to the login page, in French).
            assert (
                (endpoint == "auth.login" and role is not None)
                or endpoint == "public.letter_scan"
                or endpoint == "resident.activate_code"
                or endpoint == "support.enter"
            )
    elif role is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/connexion?next=")
    else:
        assert response.status_code == 403
        assert "Accès refusé" in response.get_data(as_text=True)


def test_posting_to_a_denied_route_is_refused_before_anything_happens(client_as):
    client = client_as("member")
    response = client.post(
        "/admin/groupe/1/role", data={"csrf_token": csrf_token(client), "role": "admin"}
    )
    assert response.status_code == 403


def test_no_self_service_sign_up_route():
    """Registration is in person only: a route about signing up is an animator's (the desk)."""
    for rule in RULES:
        if any(
            word in rule.rule.lower()
            for word in ("inscription", "signup", "sign-up", "register", "creer-un-compte")
        ):
            assert POLICY[rule.endpoint] in (Access.ANIMATOR, Access.ADMIN), rule.rule
