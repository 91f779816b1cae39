"""Themes of cooperation: seeded in French and English, edited, added and retired by the admin."""

from __future__ import annotations

from sqlalchemy import func, select

from helpers import post_form, text
from coopere.extensions import db
from coopere.listings.models import Theme
from coopere.listings.themes import DEFAULT_THEMES, seed_themes


def test_seeding_adds_every_theme_of_the_method_once(app):
    with app.app_context():
        assert seed_themes() == len(DEFAULT_THEMES) == 14
        assert seed_themes() == 0
        labels = set(db.session.scalars(select(Theme.label_fr)))
        for expected in (
            "Conseils",
            "Coups de main",
            "Covoiturage",
            "Garde d'animaux",
            "Premiers secours",
            "Achats groupés",
            "Visites et accompagnement des aînés",
            "Aide numérique",
        ):
            assert expected in labels
        assert all(db.session.scalars(select(Theme.label_en)))


def test_admin_sees_edits_adds_and_retires_themes(app, client_as):
    with app.app_context():
        seed_themes()
        db.session.commit()
        first = db.session.scalar(select(Theme).where(Theme.slug == "conseils"))
    admin = client_as("admin")
    assert "Coups de main" in text(admin.get("/admin/themes"))
    post_form(
        admin,
        f"/admin/themes/{first.id}/modifier",
        {"label_fr": "Conseils et astuces", "label_en": "Advice and tips"},
        token_from="/admin/themes",
    )
    added = post_form(
        admin,
        "/admin/themes/nouveau",
        {
            "label_fr": "Cuisine partagée",
            "label_en": "Shared cooking",
            "hint_fr": "repas, recettes",
        },
        token_from="/admin/themes",
    )
    assert added.status_code == 302
    post_form(admin, f"/admin/themes/{first.id}/retrait", token_from="/admin/themes")
    page = text(admin.get("/admin/themes"))
    assert "Conseils et astuces" in page and "Cuisine partagée" in page and "Retiré" in page
    with app.app_context():
        assert db.session.get(Theme, first.id).retired
        assert (
            db.session.scalar(select(Theme.slug).where(Theme.label_fr == "Cuisine partagée"))
            == "cuisine-partagee"
        )
    english = client_as("admin")
    post_form(english, "/compte/langue", {"locale": "en"}, token_from="/compte")
    assert "Shared cooking" in text(english.get("/admin/themes"))


def test_duplicate_or_empty_theme_changes_nothing(app, client_as):
    with app.app_context():
        seed_themes()
        db.session.commit()
        before = db.session.scalar(select(func.count(Theme.id)))
    admin = client_as("admin")
    same = post_form(
        admin,
        "/admin/themes/nouveau",
        {"label_fr": "covoiturage", "label_en": "x"},
        token_from="/admin/themes",
    )
    assert same.status_code == 422 and "Un thème porte déjà ce nom" in text(same)
    empty = post_form(
        admin, "/admin/themes/nouveau", {"label_fr": "", "label_en": ""}, token_from="/admin/themes"
    )
    assert "Indiquez le nom du thème." in text(empty)
    with app.app_context():
        assert db.session.scalar(select(func.count(Theme.id))) == before


def test_only_the_admin_manages_themes(client_as):
    assert client_as("animator").get("/admin/themes").status_code == 403
    assert client_as("member").get("/admin/themes").status_code == 403
