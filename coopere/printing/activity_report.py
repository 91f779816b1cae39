"""The yearly activity report for funders and partners (A4): a cover block with the perimeter
and the period, the animation group's own words, the key figures, then each figure table with
its chart; « page X / Y » on every page.

Only aggregate figures reach it: the caller passes tables of counts (no names, no addresses)
and this module prints what it is given, nothing else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from markupsafe import Markup

from .engine import filled, html_to_pdf, render_template, require
from .models import Table

STYLESHEETS = ("base.css", "activity-report.css")


def french_number(value: object) -> str:
    """« 1 234 », « 0,42 », « — » for nothing; text stays as it is. Always French: the report is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, Decimal):
        value = float(value)  # PostgreSQL's sums and averages
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "—"
        if value.is_integer() and abs(value) < 1e15:
            value = int(value)
    return format_decimal(value, format="#,##0.##", locale="fr_FR")


def paragraphs(text: str) -> list[list[str]]:
    """The group's text as paragraphs (split on blank lines), each a list of its lines."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    result = []
    for block in blocks:
        lines = filled(block.split("\n"))
        if lines:
            result.append(lines)
    return result


def _section(item: Any) -> dict[str, Any]:
    """A table to print, given as a Table, a (Table, chart) pair or {"table": …, "chart": …}."""
    chart: Markup | str | None = None
    if isinstance(item, Table):
        table = item
    elif isinstance(item, Mapping):
        table, chart = item.get("table"), item.get("chart")
    elif isinstance(item, Sequence) and len(item) == 2:
        table, chart = item
    else:
        table = None
    if not isinstance(table, Table):
        raise ValueError(f"Rapport d’activité : tableau attendu, reçu {type(item).__name__}.")
    if chart is not None and not isinstance(chart, Markup):
        # Only the charts module's output is trusted as SVG; anything else would be escaped
        # into visible tags.
        raise ValueError(
            f"Rapport d’activité : le graphique de « {table.title} » n’est pas un SVG préparé."
        )
    columns = [{"label": column.label, "numeric": column.numeric} for column in table.columns]

    def cells(row: Sequence[Any]) -> list[dict[str, Any]]:
        return [
            {
                "text": french_number(value)
                if column.numeric
                else ("—" if value in (None, "") else str(value)),
                "numeric": column.numeric,
            }
            for column, value in zip(table.columns, row)
        ]

    return {
        "title": table.title,
        "caption": table.caption,
        "columns": columns,
        "rows": [cells(row) for row in table.rows],
        "total": cells(table.total) if table.total is not None else None,
        "chart": chart or None,
    }


def render_activity_report(data: Mapping[str, Any]) -> bytes:
    """PDF of the yearly activity report from plain data:

    - ``perimeter`` (str, required): the perimeter's name, « Bottière – Pin Sec »;
    - ``period`` (str, required): « 2026 » or « du 1er janvier au 27 novembre 2026 »;
    - ``text`` (str): the group's own words, plain text, paragraphs separated by blank lines;
    - ``key_figures``: (label, value) pairs, « Membres » / 128;
    - ``tables``: figure Tables, each alone or with its chart as a (Table, Markup) pair or a
      {"table": Table, "chart": Markup | None} dict: the chart is printed, then the table;
    - optional ``city``, ``date_text`` (« Édité le 27 novembre 2026 ») and ``title``.

    Raises ValueError (in French) without a perimeter or a period, or for a malformed table.
    """
    perimeter = str(data.get("perimeter") or "").strip()
    period = str(data.get("period") or "").strip()
    require(
        "Rapport d’activité incomplet",
        (("le nom du périmètre", perimeter), ("la période", period)),
        joiner=" et ",
    )
    figures = [
        (str(label).strip(), french_number(value)) for label, value in data.get("key_figures") or ()
    ]
    html = render_template(
        "activity_report.html",
        title=str(data.get("title") or f"Rapport d’activité {period} — {perimeter}"),
        perimeter=perimeter,
        period=period,
        city=str(data.get("city") or "").strip(),
        date_text=str(data.get("date_text") or "").strip(),
        paragraphs=paragraphs(str(data.get("text") or "")),
        key_figures=figures,
        sections=[_section(item) for item in data.get("tables") or ()],
    )
    return html_to_pdf(html, STYLESHEETS)
