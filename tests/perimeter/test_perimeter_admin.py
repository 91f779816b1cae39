"""The admin manages the perimeter's settings and the animation group; visitors see the public
page."""

from __future__ import annotations

from sqlalchemy import select

from helpers import post_form, search_people, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import Role, User
from coopere.extensions import db
from coopere.perimeter.models import Perimeter

SETTINGS = {
    "name": "Coop-ère des Tilleuls",
    "short_name": "Tilleuls",
    "city": "Rezé",
    "postcode": "44400",
    "estimated_dwellings": "420",
    "meeting_place": "Parvis de l'école",
    "contact": "tilleuls@example.org",
    "charter_text": "Gratuité, réciprocité, neutralité, tranquillité.",
}


def test_public_home_shows_the_method_and_no_personal_data(client, users):
    page = text(client.get("/"))
    for word in (
        "Gratuité",
        "Réciprocité",
        "Neutralité",
        "Tranquillité",
        "Comment nous rejoindre",
        "café-rencontre",
        "Place des Lilas, devant la boulangerie",
        "lilas@example.org",
    ):
        assert word in page
    for person in users.values():
        assert person.last_name not in page and person.email not in page


def test_home_before_init_explains_what_to_do(client):
    page = text(client.get("/"))
    assert "flask --app coopere init" in page


def test_admin_saves_settings_and_a_new_charter_version(app, client_as):
    client = client_as("admin")
    response = post_form(client, "/admin/perimetre", SETTINGS, token_from="/admin/perimetre")
    assert response.status_code == 302
    with app.app_context():
        perimeter = db.session.get(Perimeter, 1)
        assert (perimeter.name, perimeter.city, perimeter.estimated_dwellings) == (
            "Coop-ère des Tilleuls",
            "Rezé",
            420,
        )
        assert perimeter.charter_version == 2
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "perimeter.settings_changed")
        )
    assert "Tilleuls" in text(client.get("/"))


def test_bad_settings_give_french_messages_and_change_nothing(app, client_as):
    client = client_as("admin")
    bad = {**SETTINGS, "postcode": "ABCDE", "estimated_dwellings": "-3", "name": "x" * 500}
    response = post_form(client, "/admin/perimetre", bad, token_from="/admin/perimetre")
    page = text(response)
    assert response.status_code == 422
    assert "Un code postal compte 5 chiffres" in page
    assert "Indiquez un nombre entre 1 et 100 000." in page
    assert "Ce texte est trop long" in page
    with app.app_context():
        assert db.session.get(Perimeter, 1).name == "Coop-ère de la rue des Lilas"


def test_admin_gives_and_removes_the_animator_role(app, client_as, users):
    client = client_as("admin")
    member = users["member"]
    response = post_form(
        client, f"/admin/groupe/{member.id}/role", {"role": "animator"}, token_from="/admin/groupe"
    )
    assert response.status_code == 302
    page = text(client.get("/admin/groupe"))
    assert "Membres du groupe (3)" in page
    with app.app_context():
        assert db.session.get(User, member.id).role == "animator"
    post_form(
        client, f"/admin/groupe/{member.id}/role", {"role": "member"}, token_from="/admin/groupe"
    )
    with app.app_context():
        assert db.session.get(User, member.id).role == "member"
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("account.role_changed") == 2


def test_pilote_and_copilote_are_unique(app, client_as, users, create_user):
    client = client_as("admin")
    other = create_user(Role.ANIMATOR)
    for person in (users["animator"], other):
        post_form(
            client,
            f"/admin/groupe/{person.id}/pilotage",
            {"group_role": "pilote"},
            token_from="/admin/groupe",
        )
    with app.app_context():
        pilotes = db.session.scalars(select(User).where(User.group_role == "pilote")).all()
        assert [p.id for p in pilotes] == [other.id]
    assert "Pilote" in text(client.get("/admin/groupe"))


def test_a_plain_member_cannot_be_pilote(app, client_as, users):
    client = client_as("admin")
    response = post_form(
        client,
        f"/admin/groupe/{users['member'].id}/pilotage",
        {"group_role": "pilote"},
        token_from="/admin/groupe",
        follow_redirects=True,
    )
    assert "Seul un membre du groupe d'animation peut être pilote" in text(response)
    with app.app_context():
        assert db.session.get(User, users["member"].id).group_role is None


def test_the_last_admin_keeps_the_role(app, client_as, users):
    client = client_as("admin")
    response = post_form(
        client,
        f"/admin/groupe/{users['admin'].id}/role",
        {"role": "member"},
        token_from="/admin/groupe",
        follow_redirects=True,
    )
    assert "au moins un administrateur" in text(response)
    with app.app_context():
        assert db.session.get(User, users["admin"].id).role == "admin"


def test_unknown_role_or_person_changes_nothing(app, client_as, users):
    client = client_as("admin")
    response = post_form(
        client,
        f"/admin/groupe/{users['member'].id}/role",
        {"role": "superuser"},
        token_from="/admin/groupe",
        follow_redirects=True,
    )
    assert "Ce rôle n'existe pas." in text(response)
    assert post_form(client, "/admin/groupe/9999/role", {"role": "animator"}).status_code == 404
    with app.app_context():
        assert db.session.get(User, users["member"].id).role == "member"


def test_audit_log_lists_sensitive_actions(client_as, users):
    client = client_as("admin")
    page = text(client.get("/admin/journal"))
    assert "Connexion" in page


def test_admin_finds_a_member_by_name_to_bring_into_the_group(client_as, users, create_user):
    create_user(first_name="Germaine", last_name="Le Bihan")
    create_user(first_name="Germain", last_name="Offline", password=None, phone="+33199000099")
    client = client_as("admin")
    page = text(search_people(client, "/admin/groupe", "germ"))
    assert "Germaine Le Bihan" in page
    assert "Germain Offline" not in page  # no activated account: cannot join the group
    assert users["animator"].full_name in page  # the group itself is listed
    assert "Aucun membre au compte activé ne correspond à « zzz »" in text(
        search_people(client, "/admin/groupe", "zzz")
    )


def test_the_group_page_counts_the_group_as_the_roster_does(app, client_as, users, create_user):
    """One definition of the animation group: someone who left is neither on the admin's group page
    nor on the roster page, and the size advice is the method's (4 / 6 to 12), on both pages."""
    from datetime import datetime

    gone = create_user(
        Role.ANIMATOR, first_name="Parti", last_name="Ailleurs", left_at=datetime(2026, 1, 1)
    )
    admin = client_as("admin")
    page = text(admin.get("/admin/groupe"))
    assert "Membres du groupe (2)" in page and gone.last_name not in page
    assert "de 6 à 12 voisins" in page and "moins de 4 personnes" in page
    roster = text(client_as("animator").get("/groupe"))
    assert gone.last_name not in roster and "moins de 4 personnes" in roster
