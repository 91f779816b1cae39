"""Posters and flyers: A4 sheets, right number of cards, QR codes that scan, texts that fit."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from coopere.printing import Event, render_flyers, render_poster
from coopere.printing.posters import date_lines

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

A4 = (595.28, 841.89)  # points


def test_poster_is_one_a4_page_with_the_event(
    event: Event, page_texts: Callable, pdf_reader: Callable, decode_qr_codes: Callable
) -> None:
    pdf = render_poster(event)
    reader = pdf_reader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.1)
    text = page_texts(pdf)[0]
    for expected in (
        "Bottière – Pin Sec",
        "Apéro-info",
        "Samedi\n12 mars 2026",
        "18 h 30",
        "Place de la Bottière",
        "En cas de pluie : Salle polyvalente du Pin Sec",
        event.description,
        event.public_url,
        "Gratuité · Réciprocité · Neutralité · Tranquillité",
    ):
        assert expected in text
    assert decode_qr_codes(pdf) == [[event.public_url]]
    assert reader.metadata.title == (
        "Affiche — apéro-info du samedi 12 mars 2026 — Bottière – Pin Sec"
    )
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


@pytest.mark.parametrize("size, cards, landscape", [("A5", 2, True), ("A6", 4, False)])
def test_flyers_fill_a4_sheets(
    event: Event,
    size: str,
    cards: int,
    landscape: bool,
    page_texts: Callable,
    pdf_reader: Callable,
    decode_qr_codes: Callable,
) -> None:
    pdf = render_flyers(event, size, sheets=2)
    reader = pdf_reader(pdf)
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        expected = (A4[1], A4[0]) if landscape else A4
        assert (width, height) == pytest.approx(expected, abs=0.1)
    for text in page_texts(pdf):
        assert text.count("12 mars 2026") == cards
    # Every card's QR code scans, at a resolution a phone easily beats.
    assert decode_qr_codes(pdf, dpi=200, last=1) == [[event.public_url] * cards]


def test_cut_lines_are_drawn_between_cards(event: Event, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "a6.pdf"
    pdf.write_bytes(render_flyers(event, "A6"))
    subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "a6")],
        check=True,
    )
    image = Image.open(tmp_path / "a6.png").convert("L")
    dpmm = image.width / 210
    # Along the vertical cut line (x = 105 mm), in the white area below the first card's
    # header: dark dashes alternate with white gaps.
    x = round(105 * dpmm)
    column = [
        min(image.getpixel((x + dx, y)) for dx in (-1, 0, 1))
        for y in range(round(60 * dpmm), round(100 * dpmm))
    ]
    dark = [value < 200 for value in column]
    assert 0.2 < sum(dark) / len(dark) < 0.9  # dashed: neither solid nor absent
    # Along the horizontal cut line (y = 148.5 mm), over the second row's header band.
    y = round(148.5 * dpmm)
    row = [
        min(image.getpixel((x, y + dy)) for dy in (-1, 0, 1))
        for x in range(round(10 * dpmm), round(100 * dpmm))
    ]
    dark = [value < 180 for value in row]
    assert 0.2 < sum(dark) / len(dark) < 0.9


def test_event_without_public_url_has_no_qr_code(event: Event, page_texts: Callable) -> None:
    pdf = render_poster(dataclasses.replace(event, public_url="", rain_place=""))
    text = page_texts(pdf)[0]
    assert "scannez" not in text and "En cas de pluie" not in text


def test_the_longest_accepted_texts_stay_clear_of_the_qr_block(
    event: Event, word_boxes: Callable
) -> None:
    longest = dataclasses.replace(
        event,
        kind="Café-rencontre de la rentrée !",
        date_text="mercredi 30 septembre 2026",
        time_text="de 10 h 30 à 12 h 30",
        place="Square du Professeur-Jean-Bernard, devant la fontaine Wallace, près de l’école",
        rain_place="Maison de quartier de la Bottière, 147 route de Sainte-Luce, salle B",
        description=(
            "Venez découvrir le réseau d’entraide entre voisins : échanges de "
            "services, prêts d’objets, cafés-rencontres, bricolage. "
            "Ouvert à toutes et à tous, gratuit."
        ),
    )
    assert len(longest.place) <= 80 and len(longest.rain_place) <= 80
    assert len(longest.description) <= 160
    words = word_boxes(render_poster(longest))[0]
    scan_top = min(w[2] for w in words if w[0] == "Pour")  # first word of the QR block
    last_word = next(w for w in words if w[0] == "gratuit.")
    assert last_word[4] < scan_top - 5  # mm


def test_too_long_texts_are_refused_in_french(event: Event) -> None:
    with pytest.raises(ValueError, match="la description dépasse 160 caractères"):
        render_poster(dataclasses.replace(event, description="x" * 161))
    with pytest.raises(ValueError, match="A5 ou A6"):
        render_flyers(event, "A3")  # type: ignore[arg-type]


def test_date_lines_put_the_weekday_alone() -> None:
    assert date_lines("samedi 12 mars 2026") == ["Samedi", "12 mars 2026"]
    assert date_lines("12 mars 2026") == ["12 mars 2026"]
    assert date_lines("printemps 2026") == ["Printemps 2026"]
