"""Activating an account with the welcome card: the code (typed or scanned) works once, expires,
is replaced by a new card, is rate limited per address and for the whole site; the resident
chooses a password and is logged in; an offline sponsee who activates leaves their sponsor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpers import csrf_token, login, post_form, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.auth.passwords import verify_password
from coopere.extensions import db
from coopere.members.models import ActivationCode, EndReason, Sponsorship
from coopere.timeutil import utcnow

NEW_PASSWORD = "trois pommes vertes"
USED = "Ce code a déjà servi."
REFUSED = "Ce code n'est pas valable."
REPLACED = "Ce code a été remplacé par un plus récent"
EXPIRED = "Ce code a expiré."


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def desk(app, users):
    """register(**fields) -> (user id, code): a resident registered at the desk by the
    animator, with a fresh welcome-card code (the perimeter is configured by `users`)."""
    from coopere.members.activation import issue_code
    from coopere.members.registration import Registration, register_resident
    from coopere.perimeter.models import get_perimeter

    def register(**fields):
        values = {
            "first_name": "Odette",
            "last_name": "Delacroix",
            "dwelling_id": None,
            "address_note": "Péniche amarrée quai des Lilas",
            "phone": "+33199000011",
            "email": None,
            "contact_preference": "phone",
            **fields,
        }
        with app.test_request_context():
            animator = db.session.get(User, users["animator"].id)
            user = register_resident(
                Registration(**values), actor=animator, perimeter=get_perimeter()
            )
            db.session.flush()
            code = issue_code(user, actor=animator)
            db.session.commit()
            return user.id, code

    return register


def new_code(app, user_id: int, animator_id: int) -> str:
    from coopere.members.activation import issue_code

    with app.test_request_context():
        code = issue_code(db.session.get(User, user_id), actor=db.session.get(User, animator_id))
        db.session.commit()
        return code


def choose_password(
    client, code: str, password: str = NEW_PASSWORD, confirm: str | None = None, **extra
):
    """Open the card's QR code (the code goes into the session), then post the password."""
    token = csrf_token(client)
    client.get(f"/activer/{code}")
    return client.post(
        "/activer",
        data={
            "csrf_token": token,
            "password": password,
            "confirm": password if confirm is None else confirm,
            **extra,
        },
    )


def person(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def password_is(app, user_id: int, password: str) -> bool:
    with app.app_context():
        return verify_password(db.session.get(User, user_id).password_hash, password)


def codes_of(app, user_id: int) -> list[ActivationCode]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(ActivationCode)
                .where(ActivationCode.user_id == user_id)
                .order_by(ActivationCode.id)
            )
        )
        db.session.expunge_all()
        return rows


# --- the welcome card's code --------------------------------------------------------------------


def test_the_card_code_activates_the_account_once_and_the_resident_can_log_in(app, client, desk):
    user_id, code = desk()
    page = text(client.get(f"/activer/{code}", follow_redirects=True))
    assert "Bonjour Odette !" in page
    assert "01 99 00 00 11" in page  # the login they will use, written the French way
    assert "Choisissez votre mot de passe" in page
    assert 'autocomplete="new-password"' in page

    response = choose_password(client, code)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accueil"
    home = text(client.get("/accueil"))
    assert "Bienvenue, Odette ! Votre compte est activé" in home
    assert "Bonjour Odette" in home  # logged in at once

    user = person(app, user_id)
    assert user.activated_at is not None and user.is_active
    assert password_is(app, user_id, NEW_PASSWORD)
    (row,) = codes_of(app, user_id)
    assert row.used_at is not None
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "member.activated", AuditEvent.target_user_id == user_id
            )
        )

    # The card cannot serve a second time, neither its QR code nor its typed code.
    other = app.test_client()
    assert USED in text(other.get(f"/activer/{code}", follow_redirects=True))
    second = choose_password(other, code, "un autre mot de passe")
    assert second.status_code == 422 and USED in text(second)
    typed = post_form(other, "/activer", {"code": code})
    assert typed.status_code == 422 and USED in text(typed)
    assert password_is(app, user_id, NEW_PASSWORD)

    # Later, the resident logs in like everyone, with their phone and the new password.
    fresh = app.test_client()
    assert login(fresh, "01 99 00 00 11", NEW_PASSWORD).status_code == 302
    assert "Bonjour Odette" in text(fresh.get("/accueil"))


def test_the_language_chosen_before_activating_is_kept(app, client, desk):
    _, code = desk()
    client.post("/langue", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client)})
    choose_password(client, code)
    with client.session_transaction() as session:
        assert session["lang"] == "en"


def test_activation_starts_a_fresh_session(app, client, desk):
    _, code = desk()
    client.get("/")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    choose_password(client, code)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize("typed", ["{lower}", "{spaced}", "  {dashed}  "])
def test_a_typed_code_in_lower_case_with_spaces_or_dashes_is_accepted(client, desk, typed):
    _, code = desk()
    lower = code.lower()
    variants = {
        "lower": lower,
        "spaced": " ".join([lower[:4], lower[4:7], lower[7:]]),
        "dashed": "-".join([lower[:4], lower[4:7], lower[7:]]),
    }
    page = text(client.get("/activer"))
    assert "Code de votre carte d'accueil" in page
    assert 'autocapitalize="characters"' in page and 'autocomplete="off"' in page
    response = post_form(client, "/activer", {"code": typed.format(**variants)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/activer"  # the code stays out of the address
    assert "Bonjour Odette" in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("typed", ["ABCDEFGHJK", "abcd-efg-hjkm", "12", "%%%%%%%%%%", "x" * 40])
def test_a_wrong_or_garbled_code_is_refused_with_the_way_to_get_a_new_card(
    app, client, desk, typed
):
    user_id, _ = desk()
    response = post_form(client, "/activer", {"code": typed})
    page = text(response)
    assert response.status_code == 422
    assert REFUSED in page
    assert "lilas@example.org" in page  # the group's contact, to ask for a new card
    assert "Code de votre carte d'accueil" in page  # and the form to try again
    assert person(app, user_id).password_hash is None


def test_a_wrong_code_in_the_link_shows_why_and_the_form(client, desk):
    desk()
    response = client.get("/activer/PQRSTUVWXY", follow_redirects=True)
    page = text(response)
    assert response.status_code == 200
    assert REFUSED in page and "Code de votre carte d'accueil" in page
    assert "Demandez une nouvelle carte au groupe d'animation" in page
    assert "Choisissez votre mot de passe" not in page


def test_an_empty_code_is_refused_in_french(client):
    response = post_form(client, "/activer", {"code": "   "})
    assert response.status_code == 422
    assert "Tapez le code écrit sur votre carte d'accueil." in text(response)


def test_a_new_card_replaces_the_old_one(app, client, desk, users):
    user_id, old = desk()
    new = new_code(app, user_id, users["animator"].id)
    assert new != old
    assert REPLACED in text(client.get(f"/activer/{old}", follow_redirects=True))
    refused = choose_password(client, old)
    assert refused.status_code == 422 and REPLACED in text(refused)
    assert person(app, user_id).password_hash is None
    assert choose_password(client, new).status_code == 302
    assert person(app, user_id).is_activated


def test_an_expired_code_is_refused_and_changes_nothing(app, client, desk):
    user_id, code = desk()
    with app.app_context():
        row = db.session.scalar(select(ActivationCode).where(ActivationCode.user_id == user_id))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert EXPIRED in text(client.get(f"/activer/{code}", follow_redirects=True))
    response = choose_password(client, code)
    assert response.status_code == 422 and EXPIRED in text(response)
    assert person(app, user_id).password_hash is None
    assert codes_of(app, user_id)[0].used_at is None


def test_the_code_of_someone_who_left_is_refused(app, client, desk, users):
    from coopere.members.services import mark_left

    user_id, code = desk()
    with app.test_request_context():
        mark_left(db.session.get(User, user_id), actor=db.session.get(User, users["animator"].id))
        db.session.commit()
    assert REFUSED in text(client.get(f"/activer/{code}", follow_redirects=True))


# --- the password ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("court", None, "au moins 8 caractères"),
        ("azertyuiop", None, "parmi les plus utilisés"),
        ("delacroix", None, "ne doit pas être votre nom"),
        ("x" * 129, None, "ne doit pas dépasser 128 caractères"),
        (NEW_PASSWORD, "trois pommes rouges", "Les deux mots de passe ne sont pas identiques."),
        ("", "", "Choisissez un mot de passe."),
    ],
)
def test_a_refused_password_changes_nothing_and_the_code_stays_usable(
    app, client, desk, password, confirm, message
):
    user_id, code = desk()
    response = choose_password(client, code, password, confirm)
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert "Rien n'a été enregistré" in page
    user = person(app, user_id)
    assert user.password_hash is None and user.activated_at is None
    assert codes_of(app, user_id)[0].used_at is None
    assert client.get("/accueil").status_code == 302  # not logged in
    # The same card then works.
    assert choose_password(client, code).status_code == 302
    assert person(app, user_id).is_activated


def test_a_record_without_phone_or_email_asks_for_a_login(app, client, desk, users):
    user_id, code = desk(phone=None, email=None, has_internet=False, contact_preference="sponsor")
    page = text(client.get(f"/activer/{code}", follow_redirects=True))
    assert "Votre téléphone ou votre e-mail" in page

    missing = choose_password(client, code)
    assert missing.status_code == 422
    assert "Indiquez le téléphone ou l'e-mail avec lequel vous vous connecterez." in text(missing)

    garbled = choose_password(client, code, login="06 12")
    assert garbled.status_code == 422
    assert "Écrivez un numéro de téléphone ou une adresse e-mail valable." in text(garbled)

    # Someone else's e-mail: refused, without telling whose it is.
    taken = choose_password(client, code, login=users["member"].email.upper())
    taken_page = text(taken)
    assert taken.status_code == 422
    assert "sert déjà à un autre compte" in taken_page
    assert users["member"].last_name not in taken_page
    user = person(app, user_id)
    assert user.email is None and user.password_hash is None

    assert choose_password(client, code, login=" Odette.D@Example.org ").status_code == 302
    user = person(app, user_id)
    assert user.email == "odette.d@example.org" and user.has_internet
    assert login(app.test_client(), "odette.d@example.org", NEW_PASSWORD).status_code == 302


def test_a_logged_in_person_is_told_so_and_offered_to_log_out(app, client_as, desk):
    user_id, code = desk()
    member = client_as("member")
    for path in ("/activer", f"/activer/{code}"):
        page = text(member.get(path, follow_redirects=True))
        assert "Vous êtes déjà connecté(e)" in page
        assert 'action="/deconnexion"' in page
        assert "Choisissez votre mot de passe" not in page
    response = choose_password(member, code)
    assert "Vous êtes déjà connecté(e)" in text(response)
    assert person(app, user_id).password_hash is None
    assert codes_of(app, user_id)[0].used_at is None


def test_activating_with_draft_offers_points_to_my_listings(app, client, desk):
    from coopere.listings.models import Theme
    from coopere.listings.themes import seed_themes
    from coopere.members.registration import Answer

    with app.app_context():
        seed_themes()
        db.session.commit()
        theme_id = db.session.scalar(select(Theme.id).order_by(Theme.id).limit(1))
    _, code = desk(
        answers=[Answer(theme_id=theme_id, can_offer=True, details="Je répare les vélos")]
    )
    response = choose_password(client, code)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "« Mes annonces »" in page


# --- sponsorship ends when the sponsee comes online ----------------------------------------------


def test_an_offline_sponsee_who_activates_ends_their_sponsorship(app, client, desk, users):
    sponsor = users["member"]
    user_id, code = desk(
        has_internet=False,
        contact_preference="sponsor",
        sponsor_id=sponsor.id,
        sponsor_agreed=True,
        method="paper",
        paper_reference="P-2026-0001",
    )
    with app.app_context():
        assert db.session.scalar(
            select(Sponsorship).where(Sponsorship.sponsee_id == user_id)
        ).is_active
    assert choose_password(client, code).status_code == 302
    with app.app_context():
        sponsorship = db.session.scalar(
            select(Sponsorship).where(Sponsorship.sponsee_id == user_id)
        )
        assert sponsorship.ended_at is not None
        assert sponsorship.end_reason == EndReason.ACTIVATED
        assert sponsorship.ended_by_id == user_id
        assert db.session.get(User, user_id).has_internet
        ended = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "sponsorship.ended", AuditEvent.target_user_id == user_id
            )
        )
        assert ended is not None


# --- rate limits ----------------------------------------------------------------------------------


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_eleventh_code_attempt_from_one_address_is_refused(make_app, create_perimeter):
    app = make_app(RATELIMIT_ACTIVATION="10 per hour", RATELIMIT_ACTIVATION_GLOBAL="1000 per hour")
    create_perimeter()
    client = app.test_client()
    token = csrf_token(client)
    codes = []
    for attempt in range(10):  # both routes count, a link opened as well as a code typed
        if attempt % 2:
            codes.append(client.get(f"/activer/PQRSTUVW{attempt:02d}").status_code)
        else:
            codes.append(
                client.post(
                    "/activer", data={"csrf_token": token, "code": "PQRSTUVWXY"}
                ).status_code
            )
    assert codes == [422, 303] * 5
    refused = client.post("/activer", data={"csrf_token": token, "code": "PQRSTUVWXY"})
    assert refused.status_code == 429
    assert "Trop d'essais" in text(refused)
    assert client.get("/activer/PQRSTUVWXY").status_code == 429
    # Another address is not blocked, nor is the login page for this one.
    other = client_from(app, "10.0.0.9")
    assert other.get("/activer/PQRSTUVWXY").status_code == 303
    assert client.get("/connexion").status_code == 200


def test_the_site_wide_limit_counts_attempts_from_every_address(make_app, create_perimeter):
    app = make_app(RATELIMIT_ACTIVATION="100 per hour", RATELIMIT_ACTIVATION_GLOBAL="6 per hour")
    create_perimeter()
    clients = [client_from(app, f"10.0.0.{n}") for n in (1, 2)]
    statuses = [clients[n % 2].get("/activer/PQRSTUVWXY").status_code for n in range(6)]
    assert statuses == [303] * 6
    for client in clients:
        assert client.get("/activer/PQRSTUVWXY").status_code == 429
    newcomer = client_from(app, "10.0.0.3")
    assert newcomer.get("/activer/PQRSTUVWXY").status_code == 429


def test_opening_the_empty_form_is_not_counted_as_an_attempt(make_app, create_perimeter):
    app = make_app(RATELIMIT_ACTIVATION="2 per hour")
    create_perimeter()
    client = app.test_client()
    token = csrf_token(client)
    assert [client.get("/activer").status_code for _ in range(5)] == [200] * 5
    attempts = [
        client.post("/activer", data={"csrf_token": token, "code": "PQRSTUVWXY"}).status_code
        for _ in range(3)
    ]
    assert attempts == [422, 422, 429]
