"""Support access: the pilote, the copilote or an admin gives the association's coach a
time-limited, read-only access to the animators' pages; the coach enters with the console's
one-minute token; every page read is in the audit log; nothing else is reachable."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpers import csrf_token, post_form, text, words
from coopere.audit.models import AuditEvent
from coopere.auth.models import GroupRole, Role, User
from coopere.extensions import db
from coopere.perimeter.models import SupportGrant
from coopere.perimeter.support import make_support_token
from coopere.timeutil import utcnow

COACH_ID, COACH = 7, "Claire Accompagnatrice"


class FakeLink:
    """What the network puts in app.extensions["coopere.network_link"] (coopere/association/
    link.py): here, its coaches, and no training day planned."""

    def __init__(self, coaches):
        self._coaches = coaches

    def coaches(self):
        return list(self._coaches)

    def training_days(self):
        return []


@pytest.fixture
def network(app):
    app.extensions["coopere.network_link"] = FakeLink([(COACH_ID, COACH), (8, "Marc Autre")])
    return app


@pytest.fixture
def leaders(users, create_user):
    """The pilote and the copilote (animators), beside the member, animator and admin."""
    return {
        "pilote": create_user(Role.ANIMATOR, group_role=GroupRole.PILOTE.value),
        "copilote": create_user(Role.ANIMATOR, group_role=GroupRole.COPILOTE.value),
    }


def logged_in(app, person):
    from helpers import login

    client = app.test_client()
    assert login(client, person).status_code == 302
    return client


def give(client, coach=COACH_ID, days=14):
    return post_form(
        client,
        "/groupe/accompagnement",
        {"coach": str(coach), "days": str(days)},
        token_from="/groupe/accompagnement",
    )


def add_grant(app, coach_id=COACH_ID, name=COACH, days=14, **columns) -> int:
    with app.app_context():
        grant = SupportGrant(
            coach_account_id=coach_id,
            coach_name=name,
            ends_at=columns.pop("ends_at", utcnow() + timedelta(days=days)),
            **columns,
        )
        db.session.add(grant)
        db.session.commit()
        return grant.id


def enter(app, client=None, coach_id=COACH_ID, name=COACH, secret=None):
    client = client or app.test_client()
    token = make_support_token(secret or app.config["SECRET_KEY"], coach_id, name)
    return client, client.get(f"/accompagnement/entree?jeton={token}")


def audit(app, action):
    with app.app_context():
        return [
            json.loads(e.details or "{}")
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ]


# --- giving and ending a grant ------------------------------------------------------------------


def test_outside_a_network_the_page_says_so_and_nothing_can_be_granted(app, leaders):
    client = logged_in(app, leaders["pilote"])
    page = words(client.get("/groupe/accompagnement"))
    assert "n'existe que pour les périmètres suivis par le réseau d'une association" in page
    assert "Donner l'accès" not in page
    response = give(client)
    assert response.status_code == 422
    assert "réseau d'une association" in words(response)
    with app.app_context():
        assert db.session.scalars(select(SupportGrant)).all() == []


def test_the_pilote_gives_a_grant_and_the_group_page_shows_it(network, leaders, users):
    app = network
    client = logged_in(app, leaders["pilote"])
    page = words(client.get("/groupe/accompagnement"))
    assert COACH in page and "Marc Autre" in page and "Donner l'accès" in page
    response = give(client, days=10)
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.scalars(select(SupportGrant)).one()
        assert (grant.coach_account_id, grant.coach_name) == (COACH_ID, COACH)
        assert grant.granted_by == leaders["pilote"].id
        assert timedelta(days=9, hours=23) < grant.ends_at - grant.granted_at <= timedelta(days=10)
    assert audit(app, "support.granted")[0]["coach"] == COACH
    # Every animator of the group sees who has access and until when.
    group_page = words(logged_in(app, users["animator"]).get("/groupe"))
    assert f"Accès d'accompagnement donné à {COACH}, jusqu'au" in group_page
    # The settings page leads to the grants too.
    settings = text(logged_in(app, users["admin"]).get("/admin/perimetre"))
    assert "/groupe/accompagnement" in settings


def test_the_copilote_revokes_and_an_admin_gives(network, leaders, users):
    app = network
    grant_id = add_grant(app)
    copilote = logged_in(app, leaders["copilote"])
    response = post_form(
        copilote, f"/groupe/accompagnement/{grant_id}/retirer", token_from="/groupe/accompagnement"
    )
    assert response.status_code == 302
    with app.app_context():
        grant = db.session.get(SupportGrant, grant_id)
        assert grant.revoked_at is not None and grant.revoked_by == leaders["copilote"].id
    assert audit(app, "support.revoked")[0]["coach"] == COACH
    assert "Aucun accès d'accompagnement en cours" in words(copilote.get("/groupe"))
    assert give(logged_in(app, users["admin"]), coach=8, days=1).status_code == 302
    with app.app_context():
        assert db.session.scalars(
            select(SupportGrant.coach_name).where(SupportGrant.revoked_at.is_(None))
        ).all() == ["Marc Autre"]


def test_a_plain_animator_and_a_member_cannot_grant_or_revoke(network, leaders, users):
    app = network
    grant_id = add_grant(app)
    animator = logged_in(app, users["animator"])
    page = words(animator.get("/groupe/accompagnement"))
    assert COACH in page and "Seuls le pilote, le copilote ou un administrateur" in page
    assert "Retirer cet accès" not in page
    assert give(animator).status_code == 403
    token = csrf_token(animator, "/groupe/accompagnement")
    revoke = f"/groupe/accompagnement/{grant_id}/retirer"
    assert animator.post(revoke, data={"csrf_token": token}).status_code == 403
    member = logged_in(app, users["member"])
    assert member.get("/groupe/accompagnement").status_code == 403
    token = csrf_token(member, "/")
    assert member.post(revoke, data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(SupportGrant)).one().revoked_at is None
    assert audit(app, "support.granted") == [] and audit(app, "support.revoked") == []


@pytest.mark.parametrize(
    "coach, days, message",
    [
        (COACH_ID, 0, "de 1 à 30 jours"),
        (COACH_ID, 31, "de 1 à 30 jours"),
        (COACH_ID, "deux", "nombre de jours"),
        (99, 14, "dans la liste"),
        ("x", 14, "dans la liste"),
    ],
)
def test_a_bad_grant_is_refused_in_french_and_nothing_changes(
    network, leaders, coach, days, message
):
    app = network
    response = give(logged_in(app, leaders["pilote"]), coach=coach, days=days)
    assert response.status_code == 422
    assert message in words(response)
    with app.app_context():
        assert db.session.scalars(select(SupportGrant)).all() == []


def test_giving_again_replaces_the_running_grant(network, leaders):
    app = network
    client = logged_in(app, leaders["pilote"])
    give(client, days=3)
    give(client, days=20)
    with app.app_context():
        rows = db.session.scalars(select(SupportGrant).order_by(SupportGrant.id)).all()
        assert [row.revoked_at is None for row in rows] == [False, True]


# --- the coach's entry and visit ----------------------------------------------------------------


def test_a_valid_token_and_grant_open_a_read_only_visit_with_its_banner(network, users):
    app = network
    add_grant(app)
    client, response = enter(app)
    assert response.status_code == 302 and response.headers["Location"].endswith("/groupe")
    page = words(client.get("/groupe"))
    assert f"Accès d'accompagnement de {COACH} — lecture seule, jusqu'au" in page
    assert "Terminer la visite" in page and "Me déconnecter" not in page
    # The animators' menu only, never a member's own pages or the admins'.
    html = text(client.get("/groupe"))
    assert 'href="/membres/"' in html and 'href="/accueil"' not in html
    assert 'href="/admin/perimetre"' not in html
    viewed = audit(app, "support.page_viewed")
    assert {"coach": COACH, "coach_id": COACH_ID, "path": "/groupe"} in viewed
    # Not a member login: a member's pages and writes are refused.
    assert client.get("/accueil").status_code == 403
    assert client.get("/compte").status_code == 403
    refused = client.post("/groupe/familles/registrations", data={"members": "1"})
    assert refused.status_code == 403
    assert "lecture seule" in words(refused)


def test_the_exit_ends_the_visit(network, users):
    app = network
    add_grant(app)
    client, _ = enter(app)
    token = csrf_token(client, "/groupe")
    response = client.post("/accompagnement/sortie", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/groupe").status_code == 302  # to the login page: nobody any more


def _no_access(app, client):
    response = client.get("/groupe")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert audit(app, "support.page_viewed") == []


def test_without_a_grant_there_is_no_access(network, users):
    app = network
    client, response = enter(app)
    assert "/connexion" in response.headers["Location"]
    assert "pas donné d'accès d'accompagnement" in words(client.get("/connexion"))
    _no_access(app, client)


def test_an_expired_or_revoked_grant_or_another_coach_gives_no_access(network, users):
    app = network
    add_grant(app, ends_at=utcnow() - timedelta(minutes=1))
    add_grant(app, revoked_at=utcnow())
    add_grant(app, coach_id=8, name="Marc Autre")
    for coach_id in (COACH_ID, 9):
        client, response = enter(app, coach_id=coach_id)
        assert "/connexion" in response.headers["Location"]
        _no_access(app, client)


def test_a_damaged_foreign_or_old_token_gives_no_access(network, users, monkeypatch):
    app = network
    add_grant(app)
    client = app.test_client()
    response = client.get("/accompagnement/entree?jeton=pas-un-jeton")
    assert "/connexion" in response.headers["Location"]
    assert "plus valable" in words(client.get("/connexion"))
    _no_access(app, client)
    client, _ = enter(app, secret="la-cle-d-un-autre-perimetre")
    _no_access(app, client)
    from itsdangerous import TimestampSigner

    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 61)
    token = make_support_token(app.config["SECRET_KEY"], COACH_ID, COACH)
    monkeypatch.undo()
    client = app.test_client()
    assert "/connexion" in client.get(f"/accompagnement/entree?jeton={token}").headers["Location"]
    _no_access(app, client)


def test_a_revoked_or_ended_grant_ends_the_visit_at_the_next_request(network, users):
    app = network
    grant_id = add_grant(app)
    client, _ = enter(app)
    assert client.get("/membres/").status_code == 200
    with app.app_context():
        db.session.get(SupportGrant, grant_id).revoked_at = utcnow()
        db.session.commit()
    response = client.get("/membres/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert "L'accès d'accompagnement est terminé" in words(client.get("/connexion"))
    assert client.get("/membres/").status_code == 302
    # An ended grant too.
    grant_id = add_grant(app)
    client, _ = enter(app)
    assert client.get("/bilan/").status_code == 200
    with app.app_context():
        db.session.get(SupportGrant, grant_id).ends_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert "/connexion" in client.get("/bilan/").headers["Location"]


def test_a_visit_left_idle_ends_like_a_session(network, users, monkeypatch):
    app = network
    add_grant(app)
    client, _ = enter(app)
    from coopere.auth import session_timeouts

    later = session_timeouts._now() + 3 * 3600
    monkeypatch.setattr(session_timeouts, "_now", lambda: later)
    response = client.get("/groupe")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# --- the consent « être connu·e de l'association » ---------------------------------------------


def test_a_group_member_gives_and_withdraws_the_consent_known_to_the_association(
    app, leaders, users
):
    from coopere.members.models import Consent

    pilote = logged_in(app, leaders["pilote"])
    page = words(pilote.get("/compte"))
    assert "Être connu·e de l'association" in page
    with app.app_context():
        assert db.session.get(User, leaders["pilote"].id).known_to_association is False
    response = post_form(pilote, "/compte/association", {"given": "1"}, token_from="/compte")
    assert response.status_code == 302
    with app.app_context():
        person = db.session.get(User, leaders["pilote"].id)
        assert person.known_to_association is True and person.known_to_association_at
        rows = db.session.scalars(select(Consent).where(Consent.user_id == person.id)).all()
        assert [(row.kind, row.given, row.method) for row in rows] == [
            ("known_to_association", True, "online")
        ]
    assert "Oui, accepté le" in words(pilote.get("/compte"))
    post_form(pilote, "/compte/association", {"given": "0"}, token_from="/compte")
    with app.app_context():
        assert db.session.get(User, leaders["pilote"].id).known_to_association is False
    assert [e["kind"] for e in audit(app, "consent.withdrawn")] == ["known_to_association"]
    # The consents page's history names it in words.
    assert "être connu·e de l'association" in words(pilote.get("/compte/accords"))
    member = logged_in(app, users["member"])
    assert "Être connu·e de l'association" not in words(member.get("/compte"))
    response = member.post(
        "/compte/association", data={"csrf_token": csrf_token(member, "/compte"), "given": "1"}
    )
    assert response.status_code == 403


def test_a_members_session_survives_a_stale_support_link(app, client_as):
    """A member who follows an old or foreign support link stays logged in."""
    client = client_as("member")
    response = client.get("/accompagnement/entree?jeton=pas-un-jeton")
    assert "/connexion" in response.headers["Location"]
    assert client.get("/compte").status_code == 200
