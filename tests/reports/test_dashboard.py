"""The dashboard, its CSV exports and the yearly activity report, as animators use them."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import date

import pytest
from helpers import flat, page_queries, post_form, text
from known_perimeter import seed_known_perimeter
from sqlalchemy import select

from coopere.audit.models import AuditEvent
from coopere.extensions import db
from coopere.reports.models import ActivityReport

FIRST_HALF = "/bilan/?periode=custom&du=2026-01-01&au=2026-06-30"


@pytest.fixture
def known(app, themes, users):
    with app.app_context():
        return seed_known_perimeter(themes)


def test_only_the_animation_group_sees_the_dashboard(client_as, known):
    for role, status in ((None, 302), ("member", 403)):
        response = client_as(role).get("/bilan/")
        assert response.status_code == status
        assert "Bilan du périmètre" not in response.get_data(as_text=True)
    assert client_as("member").get("/bilan/reach-streets.csv").status_code == 403
    assert client_as("member").get("/bilan/rapport-annuel/2026.pdf").status_code == 403
    menu = text(client_as("animator").get("/accueil"))
    assert "Bilan" in menu and "Bilan" not in text(client_as("member").get("/accueil"))


def test_the_dashboard_shows_figures_charts_and_tables(client_as, known):
    response = client_as("animator").get(FIRST_HALF)
    assert response.status_code == 200
    page = flat(text(response))
    assert "En bref, du 1 janvier 2026 au 30 juin 2026" in page
    figures = {
        flat(re.sub(r"<[^>]+>", " ", card))
        for card in re.findall(r'<li class="card">(.*?)</li>', page)
    }
    for words in (
        "4 Membres",
        "1,33 Membres par logement",
        "2 Logements touchés",
        "2 Cafés-rencontres tenus",
        "6 Présences aux cafés",
        "1 Échanges faits",
        "2 Lettres distribuées",
    ):
        assert words in figures, words
    html = response.get_data(as_text=True)
    # each chart is an inline SVG with a title, and is followed by its data table
    assert len(re.findall(r'<svg [^>]*role="img"[^>]*>\s*<title', html)) >= 6
    assert '<table class="figures" id="table-reach-streets">' in html
    assert '<th scope="row">Rue des Lilas</th>' in html and "Tout le périmètre" in html
    assert "<script" not in html.split("<main", 1)[1]  # no JavaScript chart library
    # the volunteers' task sharing names the group (the page is for animators only)
    assert "Marie E." in page


def test_the_dashboard_starts_with_a_summary_then_sections_to_jump_to_or_fold(client_as, known):
    html = client_as("animator").get(FIRST_HALF).get_data(as_text=True)
    main = html.split("<main", 1)[1]
    # the key figures come first, before the period form, the contents and the sections
    summary = main.index('id="chiffres-cles"')
    assert "En bref, du 1 janvier 2026 au 30 juin 2026" in flat(text_of(main))
    assert summary < main.index('<details class="more report-period"')
    assert summary < main.index('id="sommaire"') < main.index('<details class="report-section"')
    # a period was asked for in the address: its form stays open; without one it is folded
    assert '<details class="more report-period" open>' in main
    plain = client_as("animator").get("/bilan/").get_data(as_text=True)
    assert '<details class="more report-period">' in plain
    # every section is a <details> with its title in the summary, listed in the contents
    sections = re.findall(r'<details class="report-section" id="([\w-]+)"( open)?>', main)
    assert len(sections) >= 8
    contents = main[main.index('id="sommaire"') : main.index('<details class="report-section"')]
    assert re.findall(r'<a href="#([\w-]+)">', contents) == [name for name, _ in sections]
    # the first two (who the network reaches) are open, the others folded: no JavaScript needed
    assert [bool(opened) for _, opened in sections] == [True, True] + [False] * (len(sections) - 2)
    assert sections[0][0] == "reach-streets"
    # folded, a section keeps its chart, its table and its CSV link
    cafes = main[main.index('id="cafes"') :].split("</details>", 1)[0]
    assert "<summary><h2>Cafés-rencontres</h2></summary>" in cafes
    assert '<table class="figures" id="table-cafes">' in cafes and "cafes.csv" in cafes
    assert "<script" not in main


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_periods_month_year_and_custom(client_as, known):
    client = client_as("animator")
    assert "Cette année" in text(client.get("/bilan/"))
    this_month = flat(text(client.get("/bilan/?periode=month")))
    assert f"Du 1 {date.today():%m}" not in this_month  # the heading is in words
    assert (
        "Cafés-rencontres : pas encore de données pour cette période." in this_month
    )  # no café this month


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "periode=custom&du=2026-05-01&au=2026-01-01",
            "La fin de la période doit venir après son début.",
        ),
        ("periode=custom&du=pas-une-date", "Ces dates ne sont pas valides"),
        ("periode=decennie", "Ces dates ne sont pas valides"),
        ("periode=custom&du=1890-01-01&au=2026-01-01", "Choisissez des dates entre l'an 2000"),
    ],
)
def test_a_wrong_period_says_why_in_french_and_shows_this_year(client_as, known, query, message):
    response = client_as("animator").get(f"/bilan/?{query}")
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Membres par logement" in page


def test_csv_export_of_a_table(app, client_as, known):
    response = client_as("animator").get(
        "/bilan/reach-streets.csv?periode=custom&du=2026-01-01&au=2026-06-30"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        "coopere-reach-streets-2026-01-01_2026-06-30.csv" in response.headers["Content-Disposition"]
    )
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Rue",
        "Logements",
        "Membres",
        "Logements touchés",
        "Logements touchés (%)",
        "Membres par logement",
    ]
    assert ["Rue des Lilas", "2", "2", "1", "50", "1"] in rows
    assert rows[-1] == ["Tout le périmètre", "3", "3", "2", "66,7", "1"]
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.action == "report.exported")
        )
    assert client_as("animator").get("/bilan/personne.csv").status_code == 404


def test_csv_export_escapes_formulas_typed_by_residents(app, client_as, known):
    from coopere.listings.models import Listing

    with app.app_context():
        project = db.session.scalar(select(Listing).where(Listing.kind == "project"))
        project.title = '=HYPERLINK("http://exemple.invalid";"clic")'
        db.session.commit()
    body = client_as("animator").get(
        "/bilan/projects.csv?periode=custom&du=2026-01-01&au=2026-06-30"
    )
    rows = list(csv.reader(io.StringIO(body.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == '\'=HYPERLINK("http://exemple.invalid";"clic")'


def test_the_group_writes_the_yearly_text_and_prints_the_report(app, client_as, known, tmp_path):
    client = client_as("animator")
    year = date.today().year
    page = client.get(f"/bilan/rapport-annuel?annee={year}")
    assert page.status_code == 200 and "Le mot du groupe d'animation" in text(page)
    words = "Une année de cafés sous le parasol vert.\n\nMerci aux voisins de la rue des Lilas !"
    response = post_form(
        client,
        f"/bilan/rapport-annuel?annee={year}",
        {"text": words},
        token_from=f"/bilan/rapport-annuel?annee={year}",
    )
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(ActivityReport.text).where(ActivityReport.year == year))
            == words
        )
    pdf = client.get(f"/bilan/rapport-annuel/{year}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    content = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    assert "Une année de cafés sous le parasol vert." in content
    assert "Coop-ère de la rue des Lilas" in content and "Portée par rue" in content
    # no personal data: nobody's name, not the group's volunteers, not a project's free-text title
    for name in ("Rose", "Odette", "Paul", "Marie", "Exemple", "Lucien", "Partage des tâches"):
        assert name not in content, name


def test_the_yearly_text_has_a_limit_and_changes_nothing_when_refused(app, client_as, known):
    client = client_as("animator")
    year = date.today().year
    response = post_form(
        client,
        f"/bilan/rapport-annuel?annee={year}",
        {"text": "x" * 20_001},
        token_from=f"/bilan/rapport-annuel?annee={year}",
    )
    assert response.status_code == 422 and "Le texte est trop long" in text(response)
    with app.app_context():
        assert db.session.scalar(select(ActivityReport.id)) is None
    assert client.get("/bilan/rapport-annuel/1999.pdf").status_code == 404
    assert client.get(f"/bilan/rapport-annuel/{year + 1}.pdf").status_code == 404
    assert client.get("/bilan/rapport-annuel?annee=1850").status_code == 302


def test_the_dashboard_costs_the_same_queries_with_more_data(app, client_as, known, themes):
    client = client_as("animator")
    before = page_queries(app, client, FIRST_HALF)
    with app.app_context():
        seed_known_perimeter_again(themes)
    assert page_queries(app, client, FIRST_HALF) == before


def seed_known_perimeter_again(themes) -> None:
    """More people, dwellings, cafés and letters: the same shape of data, twice as much."""
    seed_known_perimeter(themes, copy="-2")
