"""Sheets (« fiches ») in large print, and the fête's « Nos réalisations » panels.

- ``render_sheet(sheet) -> bytes``: one éco-geste or « Lancer un projet » sheet, A4, body text
  16 pt or more: the summary, why it helps, the steps, and for a project what is needed, how
  many people, how long, the pitfalls and who can help; a QR code to its page when given.
- ``render_achievements(panels) -> bytes``: the year's « Nos réalisations » panels to pin up
  at the Fête de la Coopération, A3 or A4, one panel a page: the year's figures in words,
  exchanges by theme, collective projects (titles), stories (quoted first names only, with
  consent) and the group's own text. No other personal data reaches it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .engine import filled, html_to_pdf, render_template, require
from .models import Perimeter
from .qr import qr_png

SHEET_STYLESHEETS = ("base.css", "large-print.css", "sheets.css")
PANEL_STYLESHEETS = {
    "A4": ("base.css", "achievements.css"),
    "A3": ("base.css", "achievements.css", "achievements-a3.css"),
}


@dataclass(frozen=True)
class SheetPrint:
    """One sheet's texts, already in the language printed (lists one item each)."""

    perimeter: Perimeter
    family: str  # « Éco-gestes » or « Lancer un projet »
    title: str
    summary: str
    intro: str = ""
    steps: Sequence[str] = ()
    tip: str = ""
    needs: Sequence[str] = ()
    people: str = ""
    duration: str = ""
    pitfalls: Sequence[str] = ()
    helpers: Sequence[str] = ()
    public_url: str = ""  # the sheet's page; QR code when given


def render_sheet(sheet: SheetPrint) -> bytes:
    """PDF of one sheet. ValueError (French) when the title, summary or steps are missing."""
    require(
        "Fiche incomplète",
        (
            ("le titre", sheet.title.strip()),
            ("le résumé", sheet.summary.strip()),
            ("les étapes", filled(sheet.steps)),
        ),
    )
    url = sheet.public_url.strip()
    memory = {"qr": qr_png(url)} if url else {}
    html = render_template(
        "sheet.html",
        title=f"{sheet.family} — {sheet.title.strip()} — {sheet.perimeter.name}",
        sheet=sheet,
        steps=filled(sheet.steps),
        needs=filled(sheet.needs),
        pitfalls=filled(sheet.pitfalls),
        helpers=filled(sheet.helpers),
        public_url=url,
        qr="coopere-mem:qr" if memory else "",
    )
    return html_to_pdf(html, SHEET_STYLESHEETS, memory)


@dataclass(frozen=True)
class Story:
    """An exchange that ended with a thank-you, told with the first names of those who agreed."""

    text: str
    names: str = ""  # « Odile et Marc »


@dataclass(frozen=True)
class AchievementPanels:
    """What the year's panels show. `figures` are (number, words) pairs; `themes` are (theme,
    exchanges) pairs; `projects` are titles."""

    perimeter: Perimeter
    year_text: str  # « 2026 », or « du 1er janvier au 7 décembre 2026 »
    figures: Sequence[tuple[str, str]] = ()
    themes: Sequence[tuple[str, int]] = ()
    projects: Sequence[str] = ()
    stories: Sequence[Story] = ()
    text: str = ""  # the group's own words
    size: str = "A4"


def render_achievements(panels: AchievementPanels) -> bytes:
    """PDF of the panels, one a page, in A4 or A3."""
    if panels.size not in PANEL_STYLESHEETS:
        raise ValueError(f"Format de panneau inconnu : {panels.size!r} (A4 ou A3).")
    require("Panneaux incomplets", (("l'année", panels.year_text.strip()),))
    top = max((count for _, count in panels.themes), default=0)
    html = render_template(
        "achievements.html",
        title=f"Nos réalisations — {panels.year_text} — {panels.perimeter.name}",
        panels=panels,
        themes=[
            (name, count, round(100 * count / top) if top else 0) for name, count in panels.themes
        ],
        paragraphs=[
            p.strip() for p in panels.text.replace("\r\n", "\n").split("\n\n") if p.strip()
        ],
    )
    return html_to_pdf(html, PANEL_STYLESHEETS[panels.size])
