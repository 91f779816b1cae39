"""The newsletter's paper versions as plain data for coopere/printing (pure translation)."""

from __future__ import annotations

from flask_babel import force_locale, format_date

import dataclasses

from .. import printing
from ..perimeter.models import Perimeter
from ..perimeter.services import perimeter_data
from .models import NewsletterIssue


def month_text(issue: NewsletterIssue) -> str:
    with force_locale("fr"):
        return format_date(issue.month, "MMMM y")


def paper_params(issue: NewsletterIssue, perimeter: Perimeter, blocks: list[dict]) -> dict:
    """What a print run keeps to render the issue later (JSON: no database object)."""
    return {
        "perimeter": dataclasses.asdict(perimeter_data(perimeter)),
        "name": issue.name,
        "month_text": month_text(issue),
        "blocks": [[item["title"], item["text"]] for item in blocks],
    }


def paper(params: dict, qr_url: str, recipients=()) -> printing.NewsletterPaper:
    return printing.NewsletterPaper(
        perimeter=printing.Perimeter(**params["perimeter"]),
        name=params["name"],
        month_text=params["month_text"],
        blocks=[tuple(pair) for pair in params["blocks"]],
        qr_url=qr_url,
        recipients=tuple(recipients),
    )
