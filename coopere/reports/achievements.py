"""« Nos réalisations »: the year's panels for the Fête de la Coopération, from the year's data.

What they show, and nothing else: the year's figures in words, exchanges done by theme (counts),
the collective projects' titles, and the group's text for the year (the yearly report's text,
written without photos), and a few stories: exchanges of the year that ended with a thank-you,
told only when both people agreed to be quoted (QUOTE_STORY, read by exchanges/stories.py as for
the newsletter), with their first names. No other name and no contact reach the panels."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask_babel import force_locale
from sqlalchemy import func, select

from ..exchanges.models import Exchange
from ..exchanges.stories import consented_stories
from ..extensions import db
from ..listings.models import Listing, Theme
from ..perimeter.models import Perimeter
from ..perimeter.services import perimeter_data
from ..printing.sheets import AchievementPanels, Story, render_achievements
from .figures import project_rows
from .period import Period
from .services import report_text, year_period
from .summary import summary

MAX_STORIES = 4  # what one panel holds in large print

# (key of the summary, words after the number); a figure at 0 is left out.
FIGURE_WORDS = (
    ("members", "voisins membres du réseau", "voisin membre du réseau"),
    ("dwellings_reached", "logements touchés", "logement touché"),
    ("exchanges_done", "coups de main rendus entre voisins", "coup de main rendu entre voisins"),
    ("listings_published", "offres et demandes publiées", "offre ou demande publiée"),
    ("projects", "projets collectifs", "projet collectif"),
    ("projects_from_sheets", "projets lancés depuis une fiche", "projet lancé depuis une fiche"),
    ("project_participants", "participations aux projets", "participation à un projet"),
    ("cafes_held", "cafés-rencontres dans la rue", "café-rencontre dans la rue"),
    ("cafe_attendance", "présences aux cafés", "présence aux cafés"),
    ("members_sponsored", "voisins sans internet parrainés", "voisin sans internet parrainé"),
    ("letters_sent", "lettres distribuées dans les boîtes", "lettre distribuée dans les boîtes"),
)


def figure_lines(figures: dict) -> list[tuple[str, str]]:
    """(number, words) for each figure above zero, with French thousands (« 1 204 »)."""
    figures = dict(figures)
    figures["listings_published"] = figures.get("offers_published", 0) + figures.get(
        "needs_published", 0
    )
    lines = []
    for key, plural, singular in FIGURE_WORDS:
        value = int(figures.get(key) or 0)
        if value:
            lines.append((f"{value:,}".replace(",", "\u202f"), singular if value == 1 else plural))
    return lines


def exchanges_by_theme(period: Period) -> list[tuple[str, int]]:
    """Exchanges done within the period, per theme of their listing, most first."""
    rows = db.session.execute(
        select(Theme.label_fr, func.count(Exchange.id))
        .join(Listing, Listing.id == Exchange.listing_id)
        .join(Theme, Theme.id == Listing.theme_id)
        .where(period.covers(Exchange.done_at))
        .group_by(Theme.label_fr)
    ).all()
    return sorted(((label, count) for label, count in rows), key=lambda row: (-row[1], row[0]))


def year_stories(period: Period) -> list[Story]:
    """The year's told stories, as the panel quotes them: the note, then who and what for."""
    return [
        Story(text=story.thanks, names=f"{story.thanker} et {story.other}, pour « {story.title} »")
        for story in consented_stories(period, MAX_STORIES)
    ]


def achievements(year: int, perimeter: Perimeter, size: str = "A4") -> AchievementPanels:
    """The panels' data for a year (ReportError for a year out of range)."""
    with force_locale("fr"):
        period = year_period(year)
        shared = {"projects": project_rows(period)}
        figures = summary(period, shared)
        year_text = (
            str(year)
            if period.end == date(year, 12, 31)
            else f"du 1er janvier au {format_date(period.end, 'd MMMM y', locale='fr')}"
        )
        return AchievementPanels(
            perimeter=perimeter_data(perimeter),
            year_text=year_text,
            figures=figure_lines(figures),
            themes=exchanges_by_theme(period),
            projects=[row["title"] for row in shared["projects"]],
            stories=year_stories(period),
            text=report_text(year),
            size=size,
        )


def achievements_pdf(year: int, perimeter: Perimeter, size: str = "A4") -> bytes:
    return render_achievements(achievements(year, perimeter, size))
