"""The printed roster of an event: the event, each task with its volunteer or a line to write a
name, the group's contact, on one A4 page in large print; escaping, long names, refusals."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import pytest

from coopere.printing import Perimeter, RosterSheet, RosterTask, render_roster

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

MM = 72 / 25.4
A4 = (210.0, 297.0)
TASKS = (
    RosterTask("Installer la table et le parasol", "Paul Bernard"),
    RosterTask("Apporter le café"),
    RosterTask("Accueillir", "Awa Diallo"),
    RosterTask("Tenir le bureau des inscriptions"),
    RosterTask("Affiches et tracts", "Marie Dupont"),
    RosterTask("Ranger"),
)


@pytest.fixture(scope="module")
def sheet(perimeter: Perimeter) -> RosterSheet:
    return RosterSheet(
        perimeter=perimeter,
        event_title="Café-rencontre",
        date_text="samedi 7 mars 2026",
        time_text="de 10 h à 12 h",
        place="Place des Lilas",
        rain_place="Salle de la Maison de quartier",
        tasks=TASKS,
        coordinators=("Pilote : Paul Bernard", "Copilote : Marie Dupont"),
        printed_text="imprimé le 3 mars 2026",
    )


@pytest.fixture(scope="module")
def roster_pdf(sheet: RosterSheet) -> bytes:
    return render_roster(sheet)


def test_the_roster_reads_in_order_on_one_a4_page(
    roster_pdf: bytes, flat_pages: Callable, pdf_reader: Callable
) -> None:
    pages = flat_pages(roster_pdf)
    assert len(pages) == 1
    width, height = (float(v) / MM for v in pdf_reader(roster_pdf).pages[0].mediabox[2:])
    assert (round(width), round(height)) == A4
    text = pages[0]
    expected = [
        "Bottière – Pin Sec · Groupe d’animation",
        "Tableau des tâches",
        "Café-rencontre",
        "samedi 7 mars 2026, de 10 h à 12 h",
        "Lieu : Place des Lilas",
        "En cas de pluie : Salle de la Maison de quartier",
        "Une ligne vide ? Écrivez-y votre nom.",
        "Tâche Qui s’en charge",
        "Installer la table et le parasol Paul Bernard",
        "Apporter le café à prendre :",
        "Accueillir Awa Diallo",
        "Tenir le bureau des inscriptions à prendre :",
        "Affiches et tracts Marie Dupont",
        "Ranger à prendre :",
        "Un empêchement ? Prévenez le groupe",
        "Pilote : Paul Bernard · Copilote : Marie Dupont",
        "06 12 34 56 78 · bonjour@bottiere-entraide.fr",
        "Le Groupe d’Animation de la Bottière · tableau imprimé le 3 mars 2026",
        "Bottière – Pin Sec · Café-rencontre du samedi 7 mars 2026",
        "page 1/1",
    ]
    position = 0
    for part in expected:
        found = text.find(part, position)
        assert found >= 0, f"« {part} » missing or out of order in: {text}"
        position = found + len(part)


def test_a_full_roster_says_thanks_and_leaves_no_line(
    sheet: RosterSheet, flat_pages: Callable
) -> None:
    full = dataclasses.replace(
        sheet, tasks=[RosterTask(task.label, "Paul Bernard") for task in TASKS]
    )
    text = flat_pages(render_roster(full))[0]
    assert "Toutes les tâches sont prises. Merci à chacun !" in text
    assert "à prendre" not in text and text.count("Paul Bernard") >= 6


def test_optional_parts_are_left_out(sheet: RosterSheet, flat_pages: Callable) -> None:
    bare = dataclasses.replace(
        sheet,
        rain_place="",
        coordinators=(),
        printed_text="",
        time_text="",
        perimeter=dataclasses.replace(sheet.perimeter, contact=""),
    )
    text = flat_pages(render_roster(bare))[0]
    assert "En cas de pluie" not in text and "Pilote" not in text and "imprimé" not in text
    assert "samedi 7 mars 2026 Lieu : Place des Lilas" in text
    assert "Un empêchement ? Prévenez le groupe Le Groupe d’Animation de la Bottière" in text


def test_texts_are_escaped_and_long_names_stay_inside_the_page(
    sheet: RosterSheet, flat_pages: Callable, word_boxes: Callable
) -> None:
    markup = "<b>Gras</b> & <script>x</script>"
    long_name = "Claire-Marguerite Moreau-Desjardins de La Haye-Saint-Hilaire-du-Harcouët"
    pdf = render_roster(
        dataclasses.replace(
            sheet,
            place=f"Square {markup}",
            tasks=[RosterTask(f"Tâche {markup}", long_name), *TASKS[1:]],
        )
    )
    pages = flat_pages(pdf)
    assert len(pages) == 1
    assert f"Square {markup}" in pages[0] and f"Tâche {markup}" in pages[0]
    assert "".join(long_name.split()) in "".join(pages[0].split())
    for _word, x0, _y0, x1, _y1 in word_boxes(pdf)[0]:
        assert x0 >= 17 - 0.5 and x1 <= A4[0] - 17 + 0.5, _word


def test_print_is_large(roster_pdf: bytes, pdf_reader: Callable) -> None:
    """Tasks and names at 19 pt, the body at 17 pt; nothing under 14 pt (labels, footer)."""
    sizes: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            a, b, c, d = tm[:4]
            ca, cb, cc, cd = cm[:4]
            scale = math.sqrt(
                abs((a * ca + b * cc) * (c * cb + d * cd) - (a * cb + b * cd) * (c * ca + d * cc))
            )
            sizes[text.strip()] = min(sizes.get(text.strip(), 99.0), size * scale)

    pdf_reader(roster_pdf).pages[0].extract_text(visitor_text=visit)
    assert min(sizes.values()) >= 14 - 0.01, min(sizes.items(), key=lambda item: item[1])
    for text in ("Apporter le café", "Paul Bernard", "Ranger", "Awa Diallo"):
        assert sizes[text] >= 19 - 0.01, (text, sizes[text])
    assert sizes["Tableau des tâches"] >= 28 - 0.01


def test_the_pdf_is_tagged_with_a_title(roster_pdf: bytes, pdf_reader: Callable) -> None:
    reader = pdf_reader(roster_pdf)
    assert reader.metadata.title == "Tableau des tâches — Café-rencontre — samedi 7 mars 2026"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_refusals(sheet: RosterSheet) -> None:
    with pytest.raises(ValueError, match="il manque le titre du rendez-vous, la date, le lieu"):
        render_roster(dataclasses.replace(sheet, event_title=" ", date_text="", place=""))
    with pytest.raises(ValueError, match="Tableau des tâches vide"):
        render_roster(dataclasses.replace(sheet, tasks=[RosterTask("  ")]))
