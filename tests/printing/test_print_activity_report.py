"""The yearly activity report for funders: the cover block (perimeter, period), the group's own
words paragraph by paragraph, the key figures, each chart then its table (total row included),
« page X / Y », escaped text, and nothing but what it was given (no names)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from coopere.printing.activity_report import paragraphs, render_activity_report
from coopere.reports.charts import bar_chart, line_chart
from coopere.printing.models import Column, Table

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

STREETS = Table(
    name="reach-streets",
    title="Portée par rue",
    columns=(
        Column("street", "Rue"),
        Column("dwellings", "Logements", numeric=True),
        Column("members", "Membres", numeric=True),
        Column("rate", "Part des logements", numeric=True),
    ),
    rows=(
        ("rue des Lilas", 120, 14, 0.12),
        ("allée des Érables", 45, 0, 0.0),
        ("impasse <script>", 12, 3, 0.25),
    ),
    caption="Logements et membres par rue, au 27 novembre 2026",
    total=("Tout le périmètre", 177, 17, 0.0961),
)

MONTHS = Table(
    name="members-months",
    title="Membres mois par mois",
    columns=(
        Column("month", "Mois"),
        Column("members", "Membres", numeric=True),
        Column("active", "Actifs", numeric=True),
    ),
    rows=tuple(
        (f"{month} 2026", 10 * i, i)
        for i, month in enumerate(
            [
                "janv.",
                "févr.",
                "mars",
                "avr.",
                "mai",
                "juin",
                "juil.",
                "août",
                "sept.",
                "oct.",
                "nov.",
            ],
            1,
        )
    ),
)

EMPTY = Table(
    "exchanges-themes",
    "Échanges par thème",
    (Column("theme", "Thème"), Column("n", "Échanges", numeric=True)),
    (),
)

GROUP_TEXT = """Cette année, le réseau a grandi rue par rue.
Merci aux 17 voisins qui l’ont rejoint !

Les cafés-rencontres ont réuni en moyenne 18 personnes & <quelques> curieux.



Nous remercions la Ville de Nantes."""


def chart_table(table: Table, **labels: str) -> Table:
    """The same figures under other series names: words that only the chart can print."""
    columns = tuple(Column(c.key, labels.get(c.key, c.label), c.numeric) for c in table.columns)
    return Table(table.name, table.title, columns, table.rows)


@pytest.fixture(scope="module")
def data() -> dict:
    bars = bar_chart(
        chart_table(
            STREETS, dwellings="Série Logements du graphique", members="Série Membres du graphique"
        ),
        ["dwellings", "members"],
        "street",
        title="Logements et membres par rue",
    )
    line = line_chart(
        chart_table(MONTHS, members="Courbe des membres"),
        ["members", "active"],
        "month",
        title="Membres mois par mois",
    )
    return {
        "perimeter": "Bottière – Pin Sec",
        "period": "du 1er janvier au 27 novembre 2026",
        "city": "Nantes",
        "date_text": "Édité le 27 novembre 2026",
        "text": GROUP_TEXT,
        "key_figures": [
            ("Membres inscrits", 128),
            ("Échanges réalisés", 1234),
            ("Part des logements touchés", Decimal("0.42")),
            ("Cafés-rencontres", "11 sur 11"),
        ],
        "tables": [(STREETS, bars), {"table": MONTHS, "chart": line}, EMPTY],
    }


@pytest.fixture(scope="module")
def report_pdf(data: dict) -> bytes:
    return render_activity_report(data)


def in_order(text: str, pieces: list[str]) -> None:
    position = 0
    for piece in pieces:
        found = text.find(piece, position)
        assert found >= 0, f"{piece!r} missing or out of order in {text!r}"
        position = found + len(piece)


def test_what_is_passed_is_printed_in_order(report_pdf: bytes, flat_pages: Callable) -> None:
    pages = flat_pages(report_pdf)
    text = " ".join(pages)
    # Drawing order (pdftotext -raw): the HTML flow; the charts' text comes with each page's
    # drawings, checked by position below.
    in_order(
        text,
        [
            "Réseau d’entraide entre voisins · Nantes",
            "Bottière – Pin Sec",
            "Rapport d’activité",
            "du 1er janvier au 27 novembre 2026",
            "Édité le 27 novembre 2026",
            "Le mot du groupe d’animation",
            "Cette année, le réseau a grandi rue par rue. Merci aux 17 voisins qui l’ont rejoint !",
            "Les cafés-rencontres ont réuni en moyenne 18 personnes & <quelques> curieux.",
            "Nous remercions la Ville de Nantes.",
            "Les chiffres clés",
            "Portée par rue",
            "Logements et membres par rue, au 27 novembre 2026",
            "Rue Logements Membres Part des logements",
            "rue des Lilas 120 14 0,12",
            "allée des Érables 45 0 0",
            "impasse <script> 12 3 0,25",
            "Tout le périmètre 177 17 0,1",
            "Membres mois par mois",
            "Mois Membres Actifs",
            "janv. 2026 10 1",
            "nov. 2026 110 11",
            "Échanges par thème",
            "Pas encore de données pour cette période.",
        ],
    )
    for label, value in (
        ("Membres inscrits", "128"),
        ("Échanges réalisés", "1 234"),
        ("Part des logements touchés", "0,42"),
        ("Cafés-rencontres", "11 sur 11"),
    ):
        assert label in text and value in text


def test_each_chart_is_printed_above_its_table(report_pdf: bytes, word_boxes: Callable) -> None:
    pages = word_boxes(report_pdf)

    def first(word: str, after: str | None = None) -> tuple[int, float]:
        """(page, top) of the first ``word``, or of the first one on the page of ``after``."""
        for number, page in enumerate(pages):
            if after is not None and not any(text == after for text, *_ in page):
                continue
            for text, x0, y0, x1, y1 in page:
                if text == word:
                    return number, y0
        raise AssertionError(f"{word!r} not printed")

    # Words only the charts print (their series are named differently from the tables' columns).
    assert first("Série") < first("Rue", after="Série")
    assert first("Courbe") < first("Mois", after="Courbe")


def test_charts_are_drawn_in_colour(report_pdf: bytes, data: dict, tmp_path: Path) -> None:
    """The bars and lines are there: the charts' green shows on the rendered pages."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")

    def green_pixels(pdf: bytes) -> int:
        source = tmp_path / "in.pdf"
        source.write_bytes(pdf)
        for old in tmp_path.glob("page-*.ppm"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "30", str(source), str(tmp_path / "page")], check=True)
        count = 0
        for image in tmp_path.glob("page-*.ppm"):  # binary PPM (P6): a header, then RGB bytes
            magic, width, height, depth, pixels = image.read_bytes().split(maxsplit=4)
            size = int(width) * int(height) * 3
            count += sum(
                1
                for i in range(0, size, 3)
                if abs(pixels[i] - 0x1C) < 8
                and abs(pixels[i + 1] - 0x54) < 8
                and abs(pixels[i + 2] - 0x33) < 8
            )
        return count

    without = render_activity_report({**data, "tables": [STREETS, MONTHS, EMPTY]})
    assert green_pixels(without) == 0  # the report's own green is another one (#0b4f4a)
    assert green_pixels(report_pdf) > 100


def test_the_group_text_keeps_its_paragraphs() -> None:
    assert paragraphs(GROUP_TEXT) == [
        [
            "Cette année, le réseau a grandi rue par rue.",
            "Merci aux 17 voisins qui l’ont rejoint !",
        ],
        ["Les cafés-rencontres ont réuni en moyenne 18 personnes & <quelques> curieux."],
        ["Nous remercions la Ville de Nantes."],
    ]
    assert paragraphs("  \r\n \r\n") == []
    assert paragraphs("Un\r\n\r\nDeux") == [["Un"], ["Deux"]]


def test_page_numbers_and_a4(report_pdf: bytes, flat_pages: Callable, pdf_reader: Callable) -> None:
    pages = flat_pages(report_pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert f"page {number} / {len(pages)}" in page
        assert "Bottière – Pin Sec · Rapport d’activité du 1er janvier au 27 novembre 2026" in page
    reader = pdf_reader(report_pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    assert (
        reader.metadata.title
        == "Rapport d’activité du 1er janvier au 27 novembre 2026 — Bottière – Pin Sec"
    )


def test_body_text_is_at_least_11_points(report_pdf: bytes, word_boxes: Callable) -> None:
    words = [word for page in word_boxes(report_pdf) for word in page]
    # A word's box is about 1.2 times its size: 11 pt ≈ 4.6 mm; the chart text, scaled to the
    # page width, is about 14 pt.
    heights: dict[str, list[float]] = {}
    for text, x0, y0, x1, y1 in words:
        heights.setdefault(text, []).append((y1 - y0) * 72 / 25.4 / 1.2)
    assert min(heights["remercions"]) >= 11.5  # the group's words, 12 pt
    assert min(heights["Lilas"]) >= 10.5  # tables, 11 pt (and the chart's row labels, larger)
    assert (
        min(heights["Janvier"] if "Janvier" in heights else heights["janv."]) >= 10.5
    )  # chart axis
    assert max(heights["Bottière"]) >= 20  # the cover


def test_only_what_was_passed_appears(report_pdf: bytes, flat_pages: Callable) -> None:
    text = " ".join(flat_pages(report_pdf))
    assert "Odette" not in text and "Martin" not in text  # nobody's name was passed
    assert "<quelques>" in text  # escaped, printed as written (not read as a tag)


def test_missing_perimeter_or_period_is_refused_in_french(data: dict) -> None:
    with pytest.raises(ValueError, match="il manque le nom du périmètre et la période"):
        render_activity_report({**data, "perimeter": " ", "period": ""})
    with pytest.raises(ValueError, match="n’est pas un SVG préparé"):
        render_activity_report({**data, "tables": [(STREETS, "<svg onload='x'></svg>")]})
    with pytest.raises(ValueError, match="tableau attendu"):
        render_activity_report({**data, "tables": ["rue des Lilas"]})


def test_a_minimal_report_prints(flat_pages: Callable) -> None:
    pages = flat_pages(render_activity_report({"perimeter": "Les Dervallières", "period": "2026"}))
    assert len(pages) == 1 and "Les Dervallières" in pages[0] and "page 1 / 1" in pages[0]
    assert "Le mot du groupe" not in pages[0] and "Les chiffres clés" not in pages[0]


def test_looks_right_as_an_image(report_pdf: bytes, tmp_path: Path) -> None:
    """Rendered at 50 dpi (as reviewed by eye): every page has ink, none is blank."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "report.pdf"
    source.write_bytes(report_pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-png", str(source), str(tmp_path / "page")], check=True
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert images and all(image.stat().st_size > 2000 for image in images)
