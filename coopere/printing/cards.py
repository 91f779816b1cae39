"""Welcome cards (credit-card size, 85.6 × 54 mm): first name, activation QR code, short code.

Two layouts:

- "single": one card per page, the page being exactly the card (ISO/IEC 7810 ID-1), as
  card printers' drivers expect;
- "sheet": ten cards per A4 sheet (2 columns × 5 rows, edge to edge so that one cut
  separates two cards), crop marks in the margins, as many sheets as needed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal
from urllib.parse import urlsplit

from .engine import filled, html_to_pdf, render_template, require, text_width_mm
from .models import WelcomeCard
from .qr import qr_png

_STYLESHEETS = ("base.css", "cards.css")
LAYOUTS = ("single", "sheet")
#: Cards on an A4 sheet, and their grid.
PER_SHEET = 10
COLUMNS, ROWS = 2, 5
CARD_WIDTH_MM, CARD_HEIGHT_MM = 85.6, 54.0
#: The grid is centred on the A4 sheet.
SHEET_LEFT_MM = round((210 - COLUMNS * CARD_WIDTH_MM) / 2, 2)  # 19.4
SHEET_TOP_MM = round((297 - ROWS * CARD_HEIGHT_MM) / 2, 2)  # 13.5

#: Widths (mm) of the card's one-line boxes, as in cards.css: texts are measured against
#: them so that nothing is clipped silently.
_FULL_WIDTH_MM = 77.6  # band, greeting and café lines: 4 mm from each edge
_COLUMN_WIDTH_MM = 54.6  # the code's column, right of the QR code
_CODE_PADDING_MM = 3.0  # the code's box: padding and border
#: Greeting sizes (pt, CSS class), largest first: a long first name gets a smaller one.
_GREETING_SIZES = ((13.0, ""), (11.0, "medium"), (9.5, "long"))
_CODE_SIZES = ((16.0, ""), (13.0, "small"))
_CODE_TRACKING_EM = 0.07
_MAX_URL_LENGTH = 150  # a longer URL makes modules too small for an old phone's camera
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.]+")


def render_welcome_cards(
    cards: Sequence[WelcomeCard], layout: Literal["single", "sheet"] = "single"
) -> bytes:
    """PDF of welcome cards, in the given order: one card-size page each ("single"), or
    ten per A4 sheet with crop marks ("sheet"). Raises ValueError (in French) for an
    unknown layout, no card, or a text too long for the card."""
    if layout not in LAYOUTS:
        raise ValueError(f"Mise en page de carte inconnue : {layout!r} (single ou sheet).")
    if not cards:
        raise ValueError("Aucune carte à imprimer.")
    memory: dict[str, bytes] = {}
    keys: dict[str, str] = {}
    prepared = []
    for card in cards:
        context = _card_context(card, "")  # checks the texts before making a QR code
        if card.activation_url not in keys:
            keys[card.activation_url] = key = f"qr/{len(keys)}"
            memory[key] = qr_png(card.activation_url)
        context["qr"] = "coopere-mem:" + keys[card.activation_url]
        prepared.append(context)
    if layout == "single":
        pages = len(prepared)
        sheets: list[list[dict[str, object]]] = []
    else:
        sheets = [prepared[i : i + PER_SHEET] for i in range(0, len(prepared), PER_SHEET)]
        pages = len(sheets)
    first = cards[0]
    if len(cards) == 1:
        title = f"Carte de bienvenue — {first.first_name} — {first.perimeter_name}"
    else:
        title = f"Cartes de bienvenue ({len(cards)}) — {first.perimeter_name}"
    html = render_template(
        "cards.html",
        title=title,
        layout=layout,
        cards=prepared,
        sheets=sheets,
        columns=COLUMNS,
        vertical_cuts=[round(SHEET_LEFT_MM + i * CARD_WIDTH_MM, 2) for i in range(COLUMNS + 1)],
        horizontal_cuts=[round(SHEET_TOP_MM + i * CARD_HEIGHT_MM, 2) for i in range(ROWS + 1)],
        card_width=CARD_WIDTH_MM,
        card_height=CARD_HEIGHT_MM,
        left=SHEET_LEFT_MM,
        top=SHEET_TOP_MM,
    )
    return html_to_pdf(html, _STYLESHEETS, memory, expected_pages=pages)


def format_short_code(code: str) -> str:
    """The short code as printed: capitals, groups joined by « - ».

    A code with separators keeps its groups (« 7kq4 m2xd » → « 7KQ4-M2XD »); a code
    without is cut into even groups of at most 4 (« 7KQ4M2XD » → « 7KQ4-M2XD »,
    « ABC123 » → « ABC-123 »).
    """
    groups = [group.upper() for group in _SEPARATORS.split(code.strip()) if group]
    if len(groups) == 1 and len(groups[0]) > 5:
        plain = groups[0]
        count = math.ceil(len(plain) / 4)
        size, extra = divmod(len(plain), count)
        groups, start = [], 0
        for index in range(count):
            end = start + size + (1 if index < extra else 0)
            groups.append(plain[start:end])
            start = end
    return "-".join(groups)


def site_address(card: WelcomeCard) -> str:
    """Where to type the short code: the card's ``site_address``, else the URL's host."""
    if card.site_address.strip():
        return card.site_address.strip()
    return urlsplit(card.activation_url).hostname or ""


def _fits(
    text: str, size_pt: float, width_mm: float, bold: bool = False, tracking_em: float = 0.0
) -> bool:
    return text_width_mm(text, size_pt, bold, tracking_em) <= width_mm


def _contact_line(contact: str) -> str:
    return " · ".join(filled(contact.splitlines()))


def _cafe_lines(card: WelcomeCard) -> tuple[str, str]:
    cafe = card.next_cafe
    if cafe is None:
        return "", ""
    when = ", ".join(filled((cafe.date_text, cafe.time_text)))
    return when, cafe.place.strip()


def _card_context(card: WelcomeCard, qr: str) -> dict[str, object]:
    """What the template shows on one card; ValueError if something is missing or too long."""
    require(
        f"Carte de bienvenue de {card.first_name.strip() or '(sans prénom)'} incomplète",
        (
            ("le prénom", card.first_name.strip() or card.number.strip()),
            ("le nom du réseau", card.perimeter_name.strip()),
            ("l’adresse d’activation", card.activation_url.strip()),
            ("le code", ("-" if card.already_active else card.short_code).strip()),
        ),
    )
    problems: list[str] = []

    def one_line(label: str, text: str, size: float, width: float, bold: bool = False) -> str:
        if text and not _fits(text, size, width, bold):
            problems.append(f"{label} (« {text} »)")
        return text

    name = card.first_name.strip()
    number = card.number.strip()
    greeting = f"Bienvenue ! Carte n° {number}" if number else f"Bienvenue, {name} !"
    name_size = next(
        (css for size, css in _GREETING_SIZES if _fits(greeting, size, _FULL_WIDTH_MM, bold=True)),
        None,
    )
    if name_size is None:
        problems.append(f"le prénom (« {name} »)")
    code = "" if card.already_active else format_short_code(card.short_code)
    code_size = next(
        (
            css
            for size, css in _CODE_SIZES
            if _fits(code, size, _COLUMN_WIDTH_MM - _CODE_PADDING_MM, True, _CODE_TRACKING_EM)
        ),
        None,
    )
    if code_size is None:
        problems.append(f"le code (« {code} »)")
    if len(card.activation_url) > _MAX_URL_LENGTH:
        problems.append(
            f"l’adresse d’activation ({len(card.activation_url)} caractères, "
            f"{_MAX_URL_LENGTH} au plus)"
        )
    contact = _contact_line(card.contact)
    when, where = _cafe_lines(card)
    context = {
        "first_name": name,
        "greeting": greeting,
        "name_size": name_size or "",
        "perimeter_name": one_line(
            "le nom du réseau", card.perimeter_name.strip(), 10, _FULL_WIDTH_MM, bold=True
        ),
        "code": code,
        "code_size": code_size or "",
        "site": one_line("l’adresse du site", site_address(card), 8, _COLUMN_WIDTH_MM, bold=True),
        "contact": one_line("le contact", contact, 8, _FULL_WIDTH_MM - 14),
        # « Le samedi 12 mars 2026, 10 h »: the caller's date, untouched, starts the line.
        "cafe_when": one_line(
            "la date du café-rencontre",
            f"Le {when}" if when[:1].islower() else when,
            8,
            _FULL_WIDTH_MM,
            bold=True,
        ),
        "cafe_where": one_line("le lieu du café-rencontre", where, 8, _FULL_WIDTH_MM),
        "already_active": card.already_active,
        "qr": qr,
    }
    if problems:
        raise ValueError(
            f"Texte trop long pour la carte de bienvenue de {name} : "
            + " ; ".join(problems)
            + ". Raccourcissez-le."
        )
    return context
