"""Logging in by email or phone, lockout, sessions that end server-side, password rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers import PASSWORD, csrf_token, login, post_form, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import Role, User
from coopere.extensions import db

REFUSED = "Identifiant ou mot de passe incorrect."


def test_login_by_email_lands_on_member_home(client, create_user, create_perimeter):
    create_perimeter()
    user = create_user(first_name="Odette", email="odette@example.org")
    response = login(client, "  Odette@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accueil"
    page = text(client.get("/accueil"))
    assert "Bonjour Odette" in page
    assert user.email == "odette@example.org"


@pytest.mark.parametrize(
    "typed", ["01 99 00 00 42", "0199000042", "+33 1 99 00 00 42", "01.99.00.00.42"]
)
def test_login_by_french_phone_in_any_usual_form(client, create_user, typed):
    create_user(first_name="Marcel", phone="+33199000042")
    assert login(client, typed).status_code == 302
    assert "Bonjour Marcel" in text(client.get("/accueil"))


@pytest.mark.parametrize(
    "login_text, password",
    [
        ("inconnu@example.org", PASSWORD),  # unknown account
        ("member1@example.org", "wrong-password"),  # wrong password
        ("06 12", PASSWORD),  # malformed phone
        ("pas un identifiant", PASSWORD),  # neither email nor phone
    ],
)
def test_failed_login_gives_one_french_message(client, create_user, login_text, password):
    create_user(email="member1@example.org")
    response = post_form(client, "/connexion", {"login": login_text, "password": password})
    page = text(response)
    assert response.status_code == 422
    assert REFUSED in page
    assert client.get("/accueil").status_code == 302  # still anonymous


def test_offline_resident_without_password_cannot_log_in(client, create_user):
    create_user(password=None, phone="+33199000077")
    response = post_form(
        client, "/connexion", {"login": "01 99 00 00 77", "password": "anything-at-all"}
    )
    assert REFUSED in text(response)


def test_disabled_account_cannot_log_in(app, client, create_user):
    user = create_user()
    with app.app_context():
        db.session.get(User, user.id).is_enabled = False
        db.session.commit()
    assert REFUSED in text(login(client, user))


def test_overlong_fields_are_refused_in_french(client):
    response = post_form(client, "/connexion", {"login": "a" * 300, "password": "x" * 500})
    page = text(response)
    assert response.status_code == 422
    assert "Ce champ est trop long." in page


# --- lockout: guessing is stopped, the holder is never locked out by a stranger -------------------

STRANGER, HOME, NEW_PLACE = "203.0.113.66", "198.51.100.7", "192.0.2.44"


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def guess(client, user, times: int = 1) -> None:
    for _ in range(times):
        post_form(client, "/connexion", {"login": user.email, "password": "not-the-password"})


def logs_in(client, user) -> bool:
    return login(client, user).status_code == 302


def test_lockout_after_ten_failures_even_with_right_password(app, client, create_user):
    user = create_user()
    guess(client, user, 10)
    response = login(client, user)  # right password, but this place is locked out
    assert REFUSED in text(response)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "login.place_lockout" in actions and "login.locked" in actions


def test_lockout_counts_failures_across_server_processes(make_app, create_user):
    """Two app instances (two engines, as two gunicorn workers) share the failure counter."""
    first = make_app()
    user = create_user()
    second = make_app()
    clients = [first.test_client(), second.test_client()]
    for attempt in range(10):
        guess(clients[attempt % 2], user)
    assert REFUSED in text(login(clients[0], user))
    assert REFUSED in text(login(clients[1], user))


def test_a_stranger_cannot_lock_the_holder_out(app, create_user):
    user = create_user()
    assert logs_in(client_at(app, HOME), user)  # the holder's usual place
    stranger = client_at(app, STRANGER)
    guess(stranger, user, 12)
    assert REFUSED in text(
        login(stranger, user)
    )  # guessing from there is stopped, right password or not
    assert logs_in(client_at(app, HOME), user)
    assert logs_in(client_at(app, NEW_PLACE), user)  # one place's guesses do not close the account


def test_distributed_guessing_is_bounded(app, create_user):
    """LOGIN_ACCOUNT_MAX_FAILURES (20) failures from many places close the account to new places,
    even with the right password; the holder's usual place still gets in."""
    user = create_user()
    assert logs_in(client_at(app, HOME), user)
    for n in range(10):
        guess(client_at(app, f"203.0.113.{n}"), user, 2)  # never 10 from one place
    assert REFUSED in text(login(client_at(app, NEW_PLACE), user))
    assert REFUSED in text(login(client_at(app, "203.0.113.1"), user))
    with app.app_context():
        failed = db.session.scalar(select(User.failed_logins).where(User.id == user.id))
        assert "login.lockout" in db.session.scalars(select(AuditEvent.action)).all()
    guess(client_at(app, "203.0.113.99"), user, 5)  # refused without a count: the bound holds
    with app.app_context():
        assert (
            db.session.scalar(select(User.failed_logins).where(User.id == user.id)) == failed == 20
        )
    assert logs_in(client_at(app, HOME), user)


def test_an_ipv6_network_is_one_place(app, create_user):
    """A subscriber has a whole /64: changing address inside it does not give new tries."""
    user = create_user()
    for n in range(10):
        guess(client_at(app, f"2001:db8:1:2::{n + 1:x}"), user)
    assert REFUSED in text(login(client_at(app, "2001:db8:1:2::ffff"), user))
    assert logs_in(client_at(app, "2001:db8:1:3::1"), user)  # another /64


def test_lock_expires_after_fifteen_minutes(app, client, create_user):
    from datetime import timedelta

    from coopere.auth.models import LoginPlace
    from coopere.timeutil import utcnow

    user = create_user()
    guess(client, user, 10)
    assert not logs_in(client, user)
    with app.app_context():
        place = db.session.scalar(select(LoginPlace).where(LoginPlace.user_id == user.id))
        place.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert logs_in(client, user)


def test_failures_outside_window_do_not_accumulate(app, client, create_user):
    from datetime import timedelta

    from coopere.auth.models import LoginPlace
    from coopere.timeutil import utcnow

    user = create_user()
    guess(client, user, 9)
    with app.app_context():
        place = db.session.scalar(select(LoginPlace).where(LoginPlace.user_id == user.id))
        place.failed_login_window_start = utcnow() - timedelta(minutes=16)
        db.session.commit()
    guess(client, user)
    assert logs_in(client, user)


def test_login_places_are_kept_as_a_digest_only(app, create_user):
    from coopere.auth.models import LoginPlace

    user = create_user()
    guess(client_at(app, STRANGER), user)
    assert logs_in(client_at(app, HOME), user)
    with app.app_context():
        places = db.session.scalars(select(LoginPlace.place)).all()
    assert len(places) == 2 and all(
        len(p) == 64 and "203.0" not in p and "198.51" not in p for p in places
    )


def test_login_rate_limit_per_ip(make_app, create_user):
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    token = csrf_token(client)
    codes = [
        client.post(
            "/connexion",
            data={"csrf_token": token, "login": "x@example.org", "password": "whatever-pass"},
        ).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [422, 422, 422]
    assert codes[3] == 429
    assert "Trop d'essais" in text(client.post("/connexion", data={"csrf_token": token}))


def test_login_creates_a_fresh_session(client, create_user):
    user = create_user()
    client.get("/")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/compte", "/compte"),
        ("https://evil.example/", "/accueil"),
        ("//evil.example/", "/accueil"),
        ("/\\evil.example/", "/accueil"),
    ],
)
def test_next_parameter_stays_on_this_site(client, create_user, target, expected):
    user = create_user()
    token = csrf_token(client)
    response = client.post(
        "/connexion",
        query_string={"next": target},
        data={"csrf_token": token, "login": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == expected


def test_logout_is_post_only(client_as):
    client = client_as("member")
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/accueil").status_code == 200
    post_form(client, "/deconnexion")
    assert client.get("/accueil").status_code == 302


def test_logout_everywhere_ends_other_sessions(app, client_as, users):
    laptop, phone = client_as("member"), client_as("member")
    response = post_form(laptop, "/compte/deconnexion-partout", token_from="/compte")
    assert response.headers["Location"] == "/connexion"
    assert phone.get("/compte").status_code == 302
    assert laptop.get("/compte").status_code == 302
    # Logging in again works.
    assert login(phone, users["member"]).status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app, client_as, users):
    here, elsewhere = client_as("member"), client_as("member")
    response = post_form(
        here,
        "/compte/mot-de-passe",
        {"current": PASSWORD, "new": "trois mots au hasard", "confirm": "trois mots au hasard"},
        token_from="/compte",
    )
    assert response.status_code == 302
    assert here.get("/compte").status_code == 200
    assert elsewhere.get("/compte").status_code == 302
    fresh = app.test_client()
    assert login(fresh, users["member"], "trois mots au hasard").status_code == 302
    assert REFUSED in text(login(app.test_client(), users["member"]))


@pytest.mark.parametrize(
    "new, message",
    [
        ("court", "au moins 8 caractères"),
        ("azertyuiop", "parmi les plus utilisés"),
        ("motdepasse", "parmi les plus utilisés"),
        ("password123", "parmi les plus utilisés"),
        ("x" * 129, "ne doit pas dépasser 128 caractères"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_changes(app, client_as, users, new, message):
    client = client_as("member")
    response = post_form(
        client,
        "/compte/mot-de-passe",
        {"current": PASSWORD, "new": new, "confirm": new},
        token_from="/compte",
    )
    assert response.status_code == 422
    assert message in text(response)
    assert login(app.test_client(), users["member"]).status_code == 302  # old password still works


def test_long_pasted_passwords_without_composition_rules_are_accepted(app, client_as, users):
    long_password = "un voisin qui arrose mes tomates en août, quelle chance !!" + "x" * 6
    assert len(long_password) == 64
    client = client_as("member")
    response = post_form(
        client,
        "/compte/mot-de-passe",
        {"current": PASSWORD, "new": long_password, "confirm": long_password},
        token_from="/compte",
    )
    assert response.status_code == 302
    assert login(app.test_client(), users["member"], long_password).status_code == 302


def test_wrong_current_password_changes_nothing(app, client_as, users):
    client = client_as("member")
    response = post_form(
        client,
        "/compte/mot-de-passe",
        {"current": "not-my-password", "new": "une phrase solide", "confirm": "une phrase solide"},
        token_from="/compte",
    )
    assert "Ce n'est pas votre mot de passe actuel." in text(response)
    assert login(app.test_client(), users["member"]).status_code == 302


def test_password_hash_is_argon2id(app, create_user):
    from coopere.auth.passwords import hash_password, verify_password

    with app.app_context():
        hashed = hash_password("une phrase solide")
        assert hashed.startswith("$argon2id$")
        assert verify_password(hashed, "une phrase solide")
        assert not verify_password(hashed, "une phrase solidE")


def test_production_argon2_parameters(make_app):
    from coopere.auth.passwords import hash_password

    app = make_app(ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=65536, ARGON2_PARALLELISM=4)
    with app.app_context():
        assert hash_password("une phrase solide").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_changing_language_is_remembered_on_the_account(app, client_as, users):
    client = client_as("member")
    response = post_form(client, "/compte/langue", {"locale": "en"}, token_from="/compte")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, users["member"].id).locale == "en"


def test_role_is_checked_on_every_request(app, client_as, users):
    """Demoting an admin takes effect at once on their open session."""
    client = client_as("admin")
    assert client.get("/admin/perimetre").status_code == 200
    with app.app_context():
        from coopere.auth.services import set_role

        admin = db.session.get(User, users["admin"].id)
        other = User(
            first_name="A",
            last_name="B",
            email="other-admin@example.org",
            role="admin",
            password_hash="x",
        )
        db.session.add(other)
        db.session.flush()
        set_role(admin, Role.MEMBER, actor=other)
        db.session.commit()
    assert client.get("/admin/perimetre").status_code == 302  # session ended, back to login
