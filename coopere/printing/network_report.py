"""The network's yearly report for funders (A4): a cover with the network and the year, the
totals, the network month by month with its charts, a page for each phase of the method (its
perimeters, each printed once, and their totals), then the per-perimeter chart and the phases
added up; « page X / Y » on every page. The phases' tables are compact (fixed layout, stripes):
at 1,000 perimeters WeasyPrint's time is that of their cells.

Pure function of plain data, like the perimeter's activity report (activity_report.py, whose
pieces it reuses): only aggregate figures reach it — the caller passes counts per perimeter and
per month, never a person's name — and it prints what it is given, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from .activity_report import _section, french_number
from .engine import html_to_pdf, render_template, require

STYLESHEETS = ("base.css", "activity-report.css", "network-report.css")


def _figures(pairs) -> list[tuple[str, str]]:
    return [(str(label).strip(), french_number(value)) for label, value in pairs or ()]


def _charts(charts) -> list[Markup]:
    kept = [chart for chart in charts or () if chart is not None]
    for chart in kept:
        if not isinstance(chart, Markup):
            raise ValueError("Rapport du réseau : un graphique n’est pas un SVG préparé.")
    return kept


def render_network_report(data: Mapping[str, Any]) -> bytes:
    """PDF of the network's yearly report from plain data:

    - ``period`` (str, required): « 2026 » or « de janvier à novembre 2026 »;
    - ``network`` (str): who reports, « Réseau d’entraide entre voisins » by default;
    - ``key_figures``: (label, value) pairs of the whole network;
    - ``charts``: SVG charts (the charts module's Markup) printed after the totals;
    - ``months``: the month by month table, a Table or (Table, chart) or {"table", "chart"};
    - ``phases``: one page each, {"name": str, "text": str, "key_figures": pairs,
      "table": a table item as above};
    - ``perimeters``: the closing table item (the phases added up) with its chart;
    - optional ``date_text`` (« Édité le 7 décembre 2026 ») and ``title``.

    Raises ValueError (in French) without a period, or for a malformed table or chart.
    """
    period = str(data.get("period") or "").strip()
    require("Rapport du réseau incomplet", (("la période", period),))
    network = str(data.get("network") or "Réseau d’entraide entre voisins").strip()
    phases = [
        {
            "name": str(phase.get("name") or "").strip(),
            "text": str(phase.get("text") or "").strip(),
            "key_figures": _figures(phase.get("key_figures")),
            "section": _section(phase["table"]),
        }
        for phase in data.get("phases") or ()
    ]
    html = render_template(
        "network_report.html",
        title=str(data.get("title") or f"Rapport annuel du réseau — {period}"),
        network=network,
        period=period,
        date_text=str(data.get("date_text") or "").strip(),
        key_figures=_figures(data.get("key_figures")),
        charts=_charts(data.get("charts")),
        months=_section(data["months"]) if data.get("months") is not None else None,
        phases=phases,
        perimeters=_section(data["perimeters"]) if data.get("perimeters") is not None else None,
    )
    return html_to_pdf(html, STYLESHEETS)
