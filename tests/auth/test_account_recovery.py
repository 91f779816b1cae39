"""Account recovery has one rule (issue 13, docs/securite.md « Récupération d'un compte »): an
activation code is only for an account that was never activated; an activated account gets a new
credential only through « Réinitialiser l'accès », by an admin, never on oneself, with a second
step for an animator's or an admin's account; the holder is told and the audit log records it."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coopere.audit.models import AuditEvent
from coopere.auth.models import Role, User
from coopere.auth.passwords import verify_password
from coopere.extensions import db
from coopere.members.models import ActivationCode, Sponsorship
from coopere.notifications.models import Notification
from helpers import PASSWORD, csrf_token, flat, login, post_form, text

NEW_PASSWORD = "trois pommes vertes"
CODE_RE = re.compile(r"Votre code personnel ([0-9A-Z]{3,4}(?:-[0-9A-Z]{3,4})+)")


# --- helpers ------------------------------------------------------------------------------------


def pdf_text(response) -> str:
    assert response.mimetype == "application/pdf", response.get_data(as_text=True)[:500]
    content = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    response.close()
    return flat(content)


def codes_in(response) -> list[str]:
    """The codes printed on the cards of a response (none when it is not a PDF)."""
    if response.mimetype != "application/pdf":
        response.close()
        return []
    return [code.replace("-", "") for code in CODE_RE.findall(pdf_text(response))]


def redeem(app, code: str, password: str = NEW_PASSWORD):
    """A stranger's browser uses the code: the password page, then the new password. Returns the
    client (logged in when the code worked) and the last response."""
    client = app.test_client()
    token = csrf_token(client)
    client.get(f"/activer/{code}")
    response = client.post(
        "/activer", data={"csrf_token": token, "password": password, "confirm": password}
    )
    return client, response


def logged_in_as(client) -> str | None:
    page = client.get("/accueil")
    if page.status_code != 200:
        return None
    match = re.search(r"Bonjour ([^<!]+) !", text(page))
    return match.group(1).strip() if match else None


def password_is(app, user_id: int, password: str) -> bool:
    with app.app_context():
        return verify_password(db.session.get(User, user_id).password_hash, password)


def account(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def reset(client, member_id: int, first_name: str | None = None, **fields):
    """POST the reset form as the page does: the ticked box, and the typed first name when given."""
    path = f"/membres/{member_id}/acces"
    data = {"csrf_token": csrf_token(client, "/accueil"), "confirm": "y", **fields}
    if first_name is not None:
        data.update(step="2", first_name=first_name)
    return client.post(path, data=data)


@pytest.fixture
def people(users, create_user):
    """Besides the member, the animator and the admin of `users`: a second admin, and Jeanne, an
    activated member sponsored by the member."""
    second = create_user(Role.ADMIN, first_name="Adèle", last_name="Seconde")
    jeanne = create_user(first_name="Jeanne", last_name="Voisine", phone="+33611111111")
    return {**users, "admin2": second, "jeanne": jeanne}


# --- who obtains a credential, for every pair of roles --------------------------------------------

RANK = {"member": 0, "animator": 1, "admin": 2}
TARGETS = [
    ("member", "active"),
    ("animator", "active"),
    ("admin", "active"),
    ("self", "active"),
    ("member", "never"),
    ("animator", "never"),
    ("admin", "never"),
]
ROUTES = ("card", "cards", "reset")


def allowed(actor: str, role: str, state: str, route: str) -> bool:
    """The rule, as docs/securite.md states it."""
    if route == "reset":  # an admin, for an activated account, never their own
        return actor == "admin" and state == "active" and role != "self"
    # a welcome card's code: an account never activated, from a higher role
    return actor != "member" and state == "never" and RANK[role] < RANK[actor]


def mint(client, route: str, person: User):
    token = csrf_token(client, "/accueil")
    if route == "card":
        return client.post(f"/membres/{person.id}/carte", data={"csrf_token": token})
    if route == "cards":
        return client.post(
            "/membres/cartes", data={"csrf_token": token, "membre": [str(person.id)]}
        )
    return client.post(
        f"/membres/{person.id}/acces",
        data={"csrf_token": token, "confirm": "y", "step": "2", "first_name": person.first_name},
    )


@pytest.mark.parametrize("role, state", TARGETS, ids=[f"{role}-{state}" for role, state in TARGETS])
@pytest.mark.parametrize("actor", ["member", "animator", "admin"])
def test_who_obtains_a_credential_by_every_route_that_mints_one(
    app, users, create_user, client_as, actor, role, state
):
    if role == "self":
        target = users[actor]
    elif state == "active":
        target = create_user(Role(role), first_name="Cible", last_name="Active")
    else:
        target = create_user(
            Role(role),
            password=None,
            first_name="Cible",
            last_name="Nouvelle",
            phone="+33199000012",
        )
    client = client_as(actor)
    obtained = []
    for route in ROUTES:
        codes = codes_in(mint(client, route, target))
        assert bool(codes) == allowed(actor, role, state, route), (
            f"{actor} → {role} ({state}) by {route}"
        )
        obtained += codes
    with app.app_context():
        minted = db.session.scalar(
            select(func.count())
            .select_from(ActivationCode)
            .where(ActivationCode.user_id == target.id)
        )
    assert minted == len(obtained)
    if obtained:  # the last code printed is the one that works, and it makes its bearer the target
        bearer, _ = redeem(app, obtained[-1])
        assert logged_in_as(bearer) == target.first_name
    else:  # nothing to use: the target's account is as it was
        assert account(app, target.id).password_hash == target.password_hash
        if state == "active":
            assert login(app.test_client(), target).status_code == 302


# --- « Réinitialiser l'accès » --------------------------------------------------------------------


def test_an_admin_resets_a_members_access_the_old_password_and_sessions_stop(
    app, people, client_as
):
    jeanne = people["jeanne"]
    her_phone = client_as(None)
    assert login(her_phone, jeanne).status_code == 302  # a session open somewhere (or stolen)
    admin = client_as("admin")

    page = text(admin.get(f"/membres/{jeanne.id}"))
    assert "Réinitialiser l'accès" in page
    page = text(admin.get(f"/membres/{jeanne.id}/acces"))
    assert "Son mot de passe actuel ne marchera plus" in page and "Je confirme" in page
    unticked = post_form(admin, f"/membres/{jeanne.id}/acces", {"step": "1"}, token_from="/accueil")
    assert unticked.status_code == 422 and "Cochez la case pour confirmer" in text(unticked)
    assert password_is(app, jeanne.id, PASSWORD)

    (code,) = codes_in(reset(admin, jeanne.id))
    assert her_phone.get("/accueil").status_code == 302  # every session ended at once
    assert login(app.test_client(), jeanne).status_code == 422  # the old password no longer works
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.access_reset")
        )
        assert (entry.actor_id, entry.target_user_id) == (people["admin"].id, jeanne.id)
    assert "Accès réinitialisé" in text(admin.get(f"/membres/{jeanne.id}"))  # her history

    # The card's code sets a new password, logs her in, and tells her what happened.
    client, response = redeem(app, code)
    assert response.status_code == 302
    home = text(client.get(response.headers["Location"]))
    assert "Votre nouveau mot de passe est enregistré" in home
    assert f"{people['admin'].full_name} a réinitialisé l'accès à votre compte" in home
    assert logged_in_as(client) == "Jeanne"
    assert login(app.test_client(), jeanne, NEW_PASSWORD).status_code == 302
    # The card serves once.
    assert redeem(app, code)[1].status_code == 422


def test_the_holder_is_told_at_next_login_by_email_with_consent_and_through_their_sponsor(
    make_app, create_perimeter, create_user
):
    from smtp_inbox import SENDER, Inbox, free_port
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        app = make_app(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=inbox.port,
            MAIL_DEFAULT_SENDER=SENDER,
            PUBLIC_URL="https://lilas.example.org",
        )
        create_perimeter()
        admin = create_user(Role.ADMIN, first_name="Aline", last_name="Admin")
        sponsor = create_user(first_name="Marie", last_name="Marraine")
        consenting = create_user(first_name="Rose", last_name="Courriel", email="rose@example.org")
        silent = create_user(first_name="Paul", last_name="Silence", email="paul@example.org")
        with app.app_context():
            db.session.add(Sponsorship(sponsee_id=silent.id, sponsor_id=sponsor.id))
            from coopere.members.models import Consent

            db.session.add(
                Consent(
                    user_id=consenting.id,
                    kind="email_notices",
                    given=True,
                    version="1",
                    method="online",
                )
            )
            db.session.commit()
        client = app.test_client()
        login(client, admin)
        for person in (consenting, silent):
            assert codes_in(reset(client, person.id))
    finally:
        controller.stop()

    (message,) = inbox.to("rose@example.org")
    body = message.get_content()
    assert "Aline Admin a réinitialisé l'accès à votre compte" in body
    assert inbox.to("paul@example.org") == []  # no consent: no email
    with app.app_context():
        notices = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert notices == {
        (consenting.id, "account.reset"),
        (silent.id, "account.reset"),
        (sponsor.id, "account.reset_sponsee"),
    }
    sponsor_client = app.test_client()
    login(sponsor_client, sponsor)
    assert "a réinitialisé l'accès au compte de Paul, que vous parrainez" in text(
        sponsor_client.get("/notifications")
    )


@pytest.mark.parametrize("target", ["animator", "admin2"])
def test_an_animators_or_admins_access_needs_a_second_step_with_the_first_name(
    app, people, client_as, target
):
    person = people[target]
    admin = client_as("admin")
    first = reset(admin, person.id)
    page = text(first)
    assert first.status_code == 200 and first.mimetype == "text/html"
    assert "Tapez son prénom pour confirmer" in page
    wrong = reset(admin, person.id, first_name="Quelqu'un")
    assert wrong.status_code == 422 and "Tapez le prénom de la personne pour confirmer" in text(
        wrong
    )
    missing = reset(admin, person.id, first_name="")
    assert missing.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
    assert password_is(app, person.id, PASSWORD)

    (code,) = codes_in(reset(admin, person.id, first_name=person.first_name.upper()))
    assert account(app, person.id).password_hash is None
    client, response = redeem(app, code)
    assert logged_in_as(client) == person.first_name


def test_nobody_resets_their_own_access_nor_an_account_never_activated(
    app, people, client_as, create_user
):
    admin = client_as("admin")
    me = people["admin"]
    refused = reset(admin, me.id, first_name=me.first_name)
    assert (
        refused.status_code == 422
        and "Vous ne pouvez pas réinitialiser votre propre accès" in text(refused)
    )
    assert "Réinitialiser l'accès" not in text(admin.get(f"/membres/{me.id}"))
    newcomer = create_user(password=None, first_name="Odette", phone="+33199000011")
    refused = reset(admin, newcomer.id)
    assert refused.status_code == 422 and "n'a jamais été activé" in text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
    assert login(app.test_client(), me).status_code == 302


def test_after_a_reset_no_welcome_card_gives_a_code_again(app, people, client_as):
    """The reset account has no password until its card is used: it keeps its activation date,
    so an animator's welcome card still prints without a code."""
    jeanne = people["jeanne"]
    (code,) = codes_in(reset(client_as("admin"), jeanne.id))
    animator = client_as("animator")
    response = animator.post(
        f"/membres/{jeanne.id}/carte", data={"csrf_token": csrf_token(animator, "/accueil")}
    )
    assert codes_in(response) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 1
    client, _ = redeem(app, code)  # the admin's card still works
    assert logged_in_as(client) == "Jeanne"


def test_a_code_of_an_account_activated_meanwhile_is_refused(app, people, create_user):
    from coopere.auth.services import set_password
    from coopere.members.activation import issue_code

    newcomer = create_user(password=None, first_name="Odette", phone="+33199000011")
    with app.test_request_context():
        code = issue_code(
            db.session.get(User, newcomer.id), actor=db.session.get(User, people["animator"].id)
        )
        set_password(db.session.get(User, newcomer.id), "un mot de passe choisi")  # by the CLI, say
        db.session.commit()
    client, response = redeem(app, code)
    assert response.status_code == 422 and "Ce compte est déjà activé" in text(response)
    assert logged_in_as(client) is None
    assert password_is(app, newcomer.id, "un mot de passe choisi")


# --- the code leaves the address (item 11) --------------------------------------------------------


def test_the_cards_link_is_exchanged_at_once_for_a_clean_address(app, people, create_user):
    newcomer = create_user(password=None, first_name="Odette", phone="+33199000011")
    from coopere.members.activation import issue_code

    with app.test_request_context():
        code = issue_code(
            db.session.get(User, newcomer.id), actor=db.session.get(User, people["animator"].id)
        )
        db.session.commit()
    client = app.test_client()
    opened = client.get(f"/activer/{code}")
    assert opened.status_code == 303 and opened.headers["Location"] == "/activer"
    with client.session_transaction() as session:
        assert code not in str(dict(session))  # the session keeps the code's row, not the code
    page = client.get("/activer")
    html = page.get_data(as_text=True)
    assert "Bonjour Odette !" in text(page) and "Choisissez votre mot de passe" in text(page)
    assert code not in html and 'action="/activer"' in html
    # Another card can still be typed on the same browser (a shared tablet).
    assert "Code de votre carte d'accueil" in text(client.get("/activer?autre=1"))
    # A wrong or used link is also sent to the clean address, which says why.
    wrong = client.get("/activer/PQRSTUVWXY")
    assert wrong.status_code == 303 and wrong.headers["Location"] == "/activer"
    assert "Ce code n'est pas valable" in text(client.get("/activer"))
    # The code typed by hand is posted, never put in an address either.
    typed = post_form(client, "/activer", {"code": code.lower()})
    assert typed.status_code == 303 and typed.headers["Location"] == "/activer"
    response = client.post(
        "/activer",
        data={
            "csrf_token": csrf_token(client, "/connexion"),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and code not in response.headers["Location"]
    assert logged_in_as(client) == "Odette"
