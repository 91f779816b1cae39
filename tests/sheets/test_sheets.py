"""Sheets (« fiches »): the seeded library, reading and printing them, « Lancer ce projet » and the
report's count, the group's edits and the sheet of the month; who may do what."""

from __future__ import annotations

import io
import math

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coopere.extensions import db
from coopere.listings.models import Listing, ListingStatus, Theme
from coopere.sheets.library import LANGUAGES, PROJECT_KEYS, seed_rows
from coopere.sheets.models import Sheet, SheetLaunch
from helpers import csrf_token, post_form, words


def font_sizes(pdf: bytes) -> list[float]:
    """The size in points of every piece of text drawn in the PDF (font size × text and
    transformation matrices), as pypdf reads the content streams."""
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text, cm, tm, _font, size):
            if text.strip():
                sizes.append(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]))

        page.extract_text(visitor_text=visit)
    return sizes


@pytest.mark.no_database
def test_the_package_brings_eight_eco_gestures_and_six_complete_project_sheets():
    rows = seed_rows()
    eco = [row for row in rows if row["family"] == "eco"]
    projects = [row for row in rows if row["family"] == "project"]
    assert len(eco) >= 8 and len(projects) >= 6
    assert len({row["slug"] for row in rows}) == len(rows)
    for row in rows:
        for language in LANGUAGES:
            content = row["content"][language]
            assert content["title"] and content["summary"] and content["intro"], row["slug"]
            assert len(content["steps"]) >= 5, row["slug"]
    for row in projects:
        for language in LANGUAGES:
            content = row["content"][language]
            assert all(content.get(key) for key in PROJECT_KEYS), (row["slug"], language)
            # the translation is complete: as many items in English as in French
            for key in ("steps", "needs", "pitfalls", "helpers"):
                assert len(content[key]) == len(row["content"]["fr"][key]), (row["slug"], key)


def test_members_read_every_sheet_and_get_its_large_print_pdf(client_as):
    member = client_as("member")
    index = member.get("/fiches/")
    assert index.status_code == 200
    page = words(index)
    assert "Éco-gestes" in page and "Lancer un projet" in page
    assert "Composter chez soi" in page and "Un jardin potager partagé" in page
    assert "Écrire une nouvelle fiche" not in page  # the group's tools are not shown to members

    sheet = words(member.get("/fiches/jardin-potager-partage"))
    for expected in (
        "Les étapes",
        "Ce qu'il faut",
        "Combien de personnes",
        "4 à 10 voisins",
        "Les pièges à éviter",
        "Qui peut aider",
        "Lancer ce projet",
    ):
        assert expected in sheet
    assert "Lancer ce projet" not in words(member.get("/fiches/composter-chez-soi"))
    assert member.get("/fiches/pas-une-fiche").status_code == 404


def test_every_sheet_prints_with_no_text_under_16_points(app, client_as):
    member = client_as("member")
    member.get("/fiches/")  # seeds the sheets
    with app.app_context():
        slugs = db.session.scalars(select(Sheet.slug)).all()
    assert len(slugs) >= 14
    for slug in slugs:
        response = member.get(f"/fiches/{slug}.pdf")
        assert response.mimetype == "application/pdf"
        sizes = font_sizes(response.data)
        assert sizes and min(sizes) >= 16 - 0.01, (slug, min(sizes))
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
        assert "Les étapes" in text or "Les gestes" in text


def test_launching_a_project_sheet_opens_a_prefilled_project_that_the_report_counts(
    app, client_as, users, themes
):
    member = client_as("member")
    member.get("/fiches/")
    response = post_form(member, "/fiches/achat-groupe/lancer", token_from="/fiches/achat-groupe")
    assert response.status_code == 302 and "/modifier" in response.location
    with app.app_context():
        listing = db.session.scalar(select(Listing).where(Listing.owner_id == users["member"].id))
        assert listing.kind == "project" and listing.status == ListingStatus.DRAFT.value
        assert listing.title == "Un achat groupé"
        assert "Choisissez un produit" in listing.description
        assert db.session.get(Theme, listing.theme_id).slug == "achats-groupes"
        launch = db.session.get(SheetLaunch, listing.id)
        assert launch.sheet_slug == "achat-groupe" and launch.launched_by_id == users["member"].id
        listing_id = listing.id
    # the edit page opens, prefilled
    assert "Un achat groupé" in words(member.get(response.location))
    # a draft is not yet a project of the report; published, it is counted as launched from a sheet
    animator = client_as("animator")
    assert "0 Projets lancés depuis une fiche" in words(animator.get("/bilan/"))
    post_form(member, f"/mes-annonces/{listing_id}/publier", token_from="/mes-annonces")
    with app.app_context():
        assert db.session.get(Listing, listing_id).status == ListingStatus.OPEN.value
        from coopere.reports.period import make_period
        from coopere.reports.summary import summary

        figures = summary(make_period("year"))
        assert figures["projects"] == 1 and figures["projects_from_sheets"] == 1
    dashboard = words(animator.get("/bilan/"))
    assert "1 Projets lancés depuis une fiche" in dashboard
    assert "Lancé depuis la fiche" in dashboard


def test_an_eco_gesture_sheet_launches_nothing(app, client_as, users, themes):
    member = client_as("member")
    member.get("/fiches/")
    response = post_form(
        member,
        "/fiches/composter-chez-soi/lancer",
        token_from="/fiches/composter-chez-soi",
        follow_redirects=True,
    )
    assert "Seule une fiche « Lancer un projet » ouvre un projet collectif." in words(response)
    with app.app_context():
        assert db.session.scalar(select(Listing.id)) is None


def _sheet_form(app, client, path: str, slug: str | None = None) -> dict:
    """What the edit form sends unchanged: the inputs read from the page, the text areas (which
    the page shows as typed) from the stored sheet."""
    from coopere.sheets.forms import TEXT_FIELDS
    from helpers import form_fields

    data = form_fields(client.get(path), action=path)
    if slug is not None:
        with app.app_context():
            content = db.session.scalar(select(Sheet).where(Sheet.slug == slug)).content
        for language in LANGUAGES:
            for key, *_rest in TEXT_FIELDS:
                value = content[language].get(key, "")
                data[f"{key}_{language}"] = "\n".join(value) if isinstance(value, list) else value
    return data


def test_members_cannot_edit_animators_edit_and_bad_input_changes_nothing(app, client_as):
    member, animator = client_as("member"), client_as("animator")
    member.get("/fiches/")
    assert member.get("/fiches/achat-groupe/modifier").status_code == 403
    assert member.get("/fiches/nouvelle").status_code == 403
    refused = member.post(
        "/fiches/achat-groupe/retirer", data={"csrf_token": csrf_token(member, "/fiches/")}
    )
    assert refused.status_code == 403

    page = animator.get("/fiches/achat-groupe/modifier")
    assert "Choisissez un produit et cherchez un producteur" in words(page)
    data = _sheet_form(app, animator, "/fiches/achat-groupe/modifier", "achat-groupe")
    assert data["title_fr"] == "Un achat groupé" and data["family"] == "project"
    bad = animator.post("/fiches/achat-groupe/modifier", data={**data, "title_fr": ""})
    assert bad.status_code == 422
    assert "Le titre en français doit faire entre 3 et 120 caractères." in words(bad)
    with app.app_context():
        sheet = db.session.scalar(select(Sheet).where(Sheet.slug == "achat-groupe"))
        assert sheet.content["fr"]["title"] == "Un achat groupé"

    changed = animator.post(
        "/fiches/achat-groupe/modifier",
        data={
            **data,
            "title_fr": "Un achat groupé de pommes",
            "steps_fr": "Trouver un verger\nCommander",
        },
    )
    assert changed.status_code == 302
    page = words(member.get("/fiches/achat-groupe"))
    assert "Un achat groupé de pommes" in page and "Trouver un verger" in page
    assert "Choisissez un produit" not in page


def test_the_group_writes_a_new_sheet_and_retires_one(app, client_as):
    member, animator = client_as("member"), client_as("animator")
    data = _sheet_form(app, animator, "/fiches/nouvelle")
    data.update(
        family="eco",
        title_fr="Sécher son linge à l'air libre",
        summary_fr="Le sèche-linge consomme beaucoup : le soleil est gratuit.",
        steps_fr="Étendez dehors quand il fait beau\nUn étendoir près d'une fenêtre en hiver",
        title_en="Drying laundry outdoors",
    )
    assert animator.post("/fiches/nouvelle", data=data).status_code == 302
    assert "Sécher son linge à l'air libre" in words(member.get("/fiches/"))
    assert "Drying laundry outdoors" not in words(member.get("/fiches/"))

    post_form(animator, "/fiches/troc-graines-plantes/retirer", token_from="/fiches/")
    assert "Un troc de graines" not in words(member.get("/fiches/"))
    assert member.get("/fiches/troc-graines-plantes").status_code == 404
    assert "Proposer de nouveau la fiche" in words(animator.get("/fiches/troc-graines-plantes"))


def test_the_sheet_of_the_month_reaches_the_programme_and_the_newsletter(app, client_as):
    from coopere.events.printouts import print_programme
    from coopere.perimeter.models import get_perimeter
    from coopere.sheets.services import month_key

    member, animator = client_as("member"), client_as("animator")
    member.get("/fiches/")
    assert (
        post_form(member, "/fiches/fiche-du-mois", {"sheet": "bien-se-chauffer"}).status_code == 403
    )
    with app.app_context():
        assert app.extensions["coopere.sheet_of_month"]() is None

    response = post_form(
        animator, "/fiches/fiche-du-mois", {"sheet": "bien-se-chauffer"}, follow_redirects=True
    )
    assert "« Bien se chauffer » est la fiche du mois." in words(response)
    assert "La fiche du mois Bien se chauffer" in words(member.get("/fiches/"))
    refused = post_form(
        animator, "/fiches/fiche-du-mois", {"sheet": "inconnue"}, follow_redirects=True
    )
    assert "Cette fiche n'existe pas ou n'est plus proposée." in words(refused)

    with app.test_request_context():
        info = app.extensions["coopere.sheet_of_month"]()
        assert info["title"] == "Bien se chauffer"
        assert info["summary"].startswith("Un degré de moins")
        assert info["url"].endswith("/fiches/bien-se-chauffer")
        year, month = (int(part) for part in month_key().split("-"))
        pdf = print_programme(year, month, get_perimeter())
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "La fiche du mois" in text and "Bien se chauffer" in text
