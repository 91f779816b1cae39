"""`flask --app coopere init | demo | set-password`: a pilote's first steps."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpers import login, post_form, text
from coopere.auth.models import Role, User
from coopere.extensions import db
from coopere.perimeter.models import Perimeter


@pytest.fixture
def app(empty_app):
    return empty_app


INIT_ANSWERS = (
    "\n".join(
        [
            "Coop-ère de la Butte",
            "Coop-ère Butte",
            "Nantes",
            "44000",
            "180",
            "Square de la Butte",
            "06 00 00 00 00",
            "Lucienne",
            "Morel",
            "lucienne@example.org",
            "un jardin partagé au soleil",
            "un jardin partagé au soleil",
        ]
    )
    + "\n"
)


def test_fresh_database_has_no_account(app, runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_init_asks_everything_and_creates_the_first_admin(app, runner):
    result = runner.invoke(args=["init"], input=INIT_ANSWERS)
    assert result.exit_code == 0, result.output
    assert "est installé" in result.output
    assert "un jardin partagé au soleil" not in result.output  # the password is not echoed
    with app.app_context():
        perimeter = db.session.get(Perimeter, 1)
        assert (perimeter.name, perimeter.postcode, perimeter.estimated_dwellings) == (
            "Coop-ère de la Butte",
            "44000",
            180,
        )
        assert "Gratuité" in perimeter.charter_text
        admin = db.session.scalar(select(User))
        assert admin.role == Role.ADMIN.value and admin.group_role == "pilote"
        assert admin.password_hash.startswith("$argon2id$")
    client = app.test_client()
    assert login(client, "lucienne@example.org", "un jardin partagé au soleil").status_code == 302
    assert "Coop-ère de la Butte" in text(client.get("/"))


def test_init_reprompts_bad_postcode_and_weak_password(app, runner):
    answers = INIT_ANSWERS.replace("44000", "4400\n44000").replace(
        "lucienne@example.org\n", "lucienne@example.org\nazertyuiop\nazertyuiop\n", 1
    )
    result = runner.invoke(args=["init"], input=answers)
    assert "un code postal compte 5 chiffres" in result.output
    assert "parmi les plus utilisés" in result.output
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(Perimeter, 1).postcode == "44000"


def test_init_with_a_taken_login_saves_nothing(app, runner, create_user):
    runner.invoke(args=["db", "upgrade"])
    create_user(email="lucienne@example.org")
    result = runner.invoke(args=["init"], input=INIT_ANSWERS)
    assert result.exit_code != 0 and "un compte utilise déjà" in result.output.lower()
    with app.app_context():
        # Nothing half-saved: no perimeter without its admin.
        assert db.session.scalar(select(func.count(Perimeter.id))) == 0


def test_init_twice_is_refused(app, runner):
    assert runner.invoke(args=["init"], input=INIT_ANSWERS).exit_code == 0
    again = runner.invoke(args=["init"], input=INIT_ANSWERS.replace("lucienne@", "autre@"))
    assert again.exit_code != 0
    assert "déjà installé" in again.output


def test_demo_fills_a_perimeter_and_prints_working_logins(app, runner):
    result = runner.invoke(args=["demo", "--password", "des voisins en or"])
    assert result.exit_code == 0, result.output
    logins = [
        line.split()[-1] if "@" in line else " ".join(line.split()[-5:])
        for line in result.output.splitlines()
        if line.startswith("  ")
    ]
    assert "des voisins en or" in result.output.splitlines()[-6]
    assert len(logins) == 5
    for login_text in logins:
        client = app.test_client()
        assert login(client, login_text, "des voisins en or").status_code == 302, login_text
    with app.app_context():
        people = db.session.scalars(select(User)).all()
        offline = [p for p in people if p.password_hash is None]
        animators = [p for p in people if p.is_animator]
        assert len(people) >= 30 and len(offline) >= 5 and 4 <= len(animators) <= 12
        assert {p.group_role for p in people} >= {"pilote", "copilote"}
    assert (
        runner.invoke(args=["demo", "--password", "x" * 12]).exit_code != 0
    )  # never over real data
    again = runner.invoke(args=["demo", "--if-empty", "--password", "x" * 12])
    assert (
        again.exit_code == 0
        and "rien n'a été ajouté" in again.output
        and "pilote@example.org" in again.output
    )


def test_set_password_unlocks_an_admin(app, runner, create_user):
    runner.invoke(args=["db", "upgrade"])
    user = create_user(Role.ADMIN, email="pilote@example.org")
    client = app.test_client()
    for _ in range(10):  # this place is locked out of the account
        post_form(client, "/connexion", {"login": user.email, "password": "not-the-password"})
    assert login(client, user).status_code == 422
    result = runner.invoke(
        args=["set-password", "pilote@example.org"],
        input="une nouvelle phrase\nune nouvelle phrase\n",
    )
    assert result.exit_code == 0, result.output
    assert login(client, user, "une nouvelle phrase").status_code == 302
    assert runner.invoke(args=["set-password", "nobody@example.org"], input="x\nx\n").exit_code != 0


def test_every_command_has_help(runner):
    for command in ("init", "demo", "set-password"):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
