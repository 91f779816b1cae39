"""Welcome cards: ID-1 size, QR codes that scan, the short code as text, ten per A4 sheet."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from coopere.printing import NextCafe, WelcomeCard, format_short_code, render_welcome_cards

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

MM = 72 / 25.4  # points per millimetre
CARD = (85.6, 54.0)  # mm, ISO/IEC 7810 ID-1
A4 = (210.0, 297.0)
URL = "https://bottiere.example.org/activer/7KQ4M2XD?t=Zk3qX9_rT2vB8wLmN4pQ"
FRENCH_NAME = "Œdipe-Ÿvette"


@pytest.fixture(scope="module")
def card() -> WelcomeCard:
    return WelcomeCard(
        first_name="Marie-Thérèse",
        perimeter_name="Bottière – Pin Sec",
        activation_url=URL,
        short_code="7KQ4-M2XD",
        contact="06 12 34 56 78\nbonjour@bottiere-entraide.fr",
        next_cafe=NextCafe(
            "samedi 12 mars 2026", "de 10 h à 12 h", "Place de la Bottière, sous le parasol"
        ),
        site_address="bottiere.example.org/activer",
    )


@pytest.fixture(scope="module")
def single_pdf(card: WelcomeCard) -> bytes:
    return render_welcome_cards([card])


def many(card: WelcomeCard, count: int) -> list[WelcomeCard]:
    """``count`` cards, each with its own first name, code and activation URL."""
    return [
        dataclasses.replace(
            card,
            first_name=f"Voisin{i:02d}",
            short_code=f"AB{i:02d}-XY{i:02d}",
            activation_url=f"{URL}&n={i}",
        )
        for i in range(count)
    ]


def size_mm(page: object) -> tuple[float, float]:
    box = page.mediabox  # type: ignore[attr-defined]
    return float(box.width) / MM, float(box.height) / MM


def test_single_card_is_one_card_size_page_with_every_text(
    single_pdf: bytes, card: WelcomeCard, pdf_reader: Callable, page_texts: Callable
) -> None:
    reader = pdf_reader(single_pdf)
    assert len(reader.pages) == 1
    assert size_mm(reader.pages[0]) == pytest.approx(CARD, abs=0.05)
    text = page_texts(single_pdf)[0]
    for expected in (
        "Bottière – Pin Sec",
        "Bienvenue, Marie-Thérèse !",
        "7KQ4-M2XD",
        "bottiere.example.org/activer",
        "Contact : 06 12 34 56 78 · bonjour@bottiere-entraide.fr",
        "Prochain café-rencontre",
        "Le samedi 12 mars 2026, de 10 h à 12 h",
        "Place de la Bottière, sous le parasol",
    ):
        assert expected in text
    assert reader.metadata.title == "Carte de bienvenue — Marie-Thérèse — Bottière – Pin Sec"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_single_card_qr_code_decodes_at_300_dpi(
    single_pdf: bytes, decode_qr_codes: Callable
) -> None:
    assert decode_qr_codes(single_pdf, dpi=300) == [[URL]]


def test_card_texts_are_readable_and_inside_the_card(
    single_pdf: bytes, word_boxes: Callable
) -> None:
    words = word_boxes(single_pdf)[0]
    heights = {text: y1 - y0 for text, x0, y0, x1, y1 in words}
    # A line box is about 1.2 em high: 8 pt text gives at least 3.3 mm.
    assert min(heights.values()) >= 8 * 1.15 / MM
    assert heights["7KQ4-M2XD"] >= 1.8 * heights["Votre"]  # the code is the largest text
    assert heights["Marie-Thérèse"] >= 1.5 * heights["Votre"]
    for text, x0, y0, x1, y1 in words:  # nothing clipped by the card's edge
        assert x0 >= 2.5 and x1 <= CARD[0] - 2.5 and y0 >= 1 and y1 <= CARD[1] - 2.5, text


def test_card_without_cafe_nor_contact_nor_site(
    card: WelcomeCard, page_texts: Callable, decode_qr_codes: Callable
) -> None:
    plain = dataclasses.replace(
        card,
        first_name=FRENCH_NAME,
        contact="",
        next_cafe=None,
        site_address="",
        short_code="7kq4m2xd",
    )
    pdf = render_welcome_cards([plain])
    text = page_texts(pdf)[0]
    assert f"Bienvenue, {FRENCH_NAME} !" in text
    assert "7KQ4-M2XD" in text
    assert "bottiere.example.org\n" in text  # the activation URL's host
    assert "café" not in text and "Contact" not in text
    assert "Gratuité · Réciprocité · Neutralité · Tranquillité" in text
    assert decode_qr_codes(pdf, dpi=300) == [[URL]]


def test_card_of_an_account_activated_already_has_no_code_and_leads_to_the_login_page(
    card: WelcomeCard, page_texts: Callable, decode_qr_codes: Callable, word_boxes: Callable
) -> None:
    login = "https://bottiere.example.org/connexion"
    active = dataclasses.replace(
        card,
        activation_url=login,
        short_code="",
        already_active=True,
        site_address="bottiere.example.org/connexion",
    )
    pdf = render_welcome_cards([active])
    text = page_texts(pdf)[0]
    assert "Bienvenue, Marie-Thérèse !" in text
    assert "Votre compte est déjà activé." in text and "Votre code personnel" not in text
    assert "bottiere.example.org/connexion" in text
    assert decode_qr_codes(pdf, dpi=300) == [[login]]
    for word, x0, y0, x1, y1 in word_boxes(pdf)[0]:  # nothing clipped, nothing over the café line
        assert x0 >= 2.5 and x1 <= CARD[0] - 2.5 and y0 >= 1 and y1 <= CARD[1] - 2.5, word
    with pytest.raises(ValueError, match="il manque le code"):
        render_welcome_cards([dataclasses.replace(card, short_code="")])


def test_sheet_puts_ten_cards_on_an_a4_page(
    card: WelcomeCard, pdf_reader: Callable, page_texts: Callable, decode_qr_codes: Callable
) -> None:
    cards = many(card, 10)
    pdf = render_welcome_cards(cards, layout="sheet")
    reader = pdf_reader(pdf)
    assert len(reader.pages) == 1
    assert size_mm(reader.pages[0]) == pytest.approx(A4, abs=0.05)
    text = page_texts(pdf)[0]
    assert text.count("Bienvenue, ") == 10
    for one in cards:
        assert f"Bienvenue, {one.first_name} !" in text and one.short_code in text
    assert reader.metadata.title == "Cartes de bienvenue (10) — Bottière – Pin Sec"
    assert decode_qr_codes(pdf, dpi=300) == [sorted(one.activation_url for one in cards)]


def test_eleven_cards_take_two_sheets_in_order(
    card: WelcomeCard, pdf_reader: Callable, page_texts: Callable
) -> None:
    cards = many(card, 11)
    pdf = render_welcome_cards(cards, layout="sheet")
    assert len(pdf_reader(pdf).pages) == 2
    first, second = page_texts(pdf)
    assert first.count("Bienvenue, ") == 10 and second.count("Bienvenue, ") == 1
    assert "Voisin10" in second and "AB10-XY10" in second and "Voisin10" not in first


def test_sheet_has_crop_marks_in_the_margins(card: WelcomeCard, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "sheet.pdf").write_bytes(render_welcome_cards(many(card, 3), layout="sheet"))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-gray",
            "-png",
            "-singlefile",
            str(tmp_path / "sheet.pdf"),
            str(tmp_path / "sheet"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "sheet.png").convert("L")
    dpmm = image.width / A4[0]

    def darkest(x_mm: float, y_mm: float) -> int:
        x, y = round(x_mm * dpmm), round(y_mm * dpmm)
        return min(image.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1))

    left, top = (A4[0] - 2 * CARD[0]) / 2, (A4[1] - 5 * CARD[1]) / 2
    for x in (left, left + CARD[0], left + 2 * CARD[0]):  # vertical cuts: top and bottom margins
        assert darkest(x, top - 5) < 160 and darkest(x, top + 5 * CARD[1] + 5) < 160
    for row in range(6):  # horizontal cuts: left and right margins, even below empty slots
        y = top + row * CARD[1]
        assert darkest(left - 7, y) < 160 and darkest(left + 2 * CARD[0] + 7, y) < 160
    # Between marks, the margins stay blank.
    assert darkest(left - 7, top + CARD[1] / 2) > 240
    assert darkest(left + CARD[0] / 2, top - 5) > 240


@pytest.mark.parametrize(
    "code, printed",
    [
        ("7KQ4-M2XD", "7KQ4-M2XD"),
        ("7kq4 m2xd", "7KQ4-M2XD"),
        ("7KQ4M2XD", "7KQ4-M2XD"),
        ("ABC123", "ABC-123"),
        ("ABCDEFGHJ", "ABC-DEF-GHJ"),
        ("AB12", "AB12"),
        (" 7kq4–m2xd ", "7KQ4-M2XD"),
    ],
)
def test_short_code_is_grouped(code: str, printed: str) -> None:
    assert format_short_code(code) == printed


@pytest.mark.parametrize(
    "change, message",
    [
        ({"first_name": "Marie-Bénédicte-Alexandrine-Eulalie"}, "le prénom"),
        (
            {"perimeter_name": "Réseau d’entraide des habitants du quartier Bottière"},
            "le nom du réseau",
        ),
        ({"short_code": "ABCD-EFGH-JKLM-NPQR"}, "le code"),
        (
            {
                "next_cafe": NextCafe(
                    "samedi 12 mars 2026",
                    "de 10 h à 12 h",
                    "Square Maurice Ravel, devant la médiathèque Floresca Guépin",
                )
            },
            "le lieu du café-rencontre",
        ),
        ({"activation_url": URL + "&x=" + "a" * 120}, "l’adresse d’activation"),
        ({"first_name": "  "}, "il manque le prénom"),
    ],
)
def test_text_too_long_for_the_card_is_refused(
    card: WelcomeCard, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        render_welcome_cards([dataclasses.replace(card, **change)])


def test_bad_calls_are_refused(card: WelcomeCard) -> None:
    with pytest.raises(ValueError, match="Aucune carte"):
        render_welcome_cards([])
    with pytest.raises(ValueError, match="Mise en page de carte inconnue"):
        render_welcome_cards([card], layout="A6")  # type: ignore[arg-type]


def test_long_first_name_gets_a_smaller_size_but_stays_whole(
    card: WelcomeCard, page_texts: Callable
) -> None:
    pdf = render_welcome_cards([dataclasses.replace(card, first_name="Marie-Bénédicte-Anne")])
    assert "Bienvenue, Marie-Bénédicte-Anne !" in page_texts(pdf)[0]
