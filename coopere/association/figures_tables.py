"""The network figures as figure Tables (coopere/printing/models.Table) and their SVG charts: what
the figures page shows, what its CSV exports write and what the yearly report prints — the same
Table, chart and CSV functions as the perimeter's own reports (coopere/reports)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..printing.models import Column, Table
from ..reports.charts import bar_chart, line_chart
from ..reports.services import KEY_FIGURES, NOT_IN_REPORT
from .figures import NetworkFigures, month_start
from .phases import PHASE_LABELS

LABELS = dict(KEY_FIGURES) | {
    "dwellings": _l("Logements"),
    "members_new": _l("Nouveaux membres"),
}
# The month by month table: the stocks at each month's end, then what happened in the month.
MONTH_KEYS = (
    "members",
    "dwellings_reached",
    "reach",
    "members_new",
    "exchanges_done",
    "cafes_held",
    "cafe_attendance",
    "letters_sent",
)
PERIMETER_KEYS = (
    "dwellings",
    "members",
    "reach",
    "group_size",
    "exchanges_done",
    "cafes_held",
    "cafe_attendance",
)
WEB_BARS = 15  # perimeters drawn in the per-perimeter chart on the page
# Perimeters listed in the per-perimeter table on the page (its CSV and the yearly report list
# them all): 1,000 rows are no table to read on a tablet, and most of the page's weight.
WEB_ROWS = 50
PRINTED_BARS = 8  # on paper (coopere/reports/services.PRINTED_BARS)


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


@lru_cache(maxsize=4096)
def _number_text(value: int | float, language: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=language)


def shown(table: Table) -> Table:
    """The table with its numbers already written in the page's language (« 1 234 », « 0,13 »):
    reports/_table.html prints text as it is, and a page of 1,000 perimeters then formats each
    distinct number once instead of 11,000 times."""
    language = _language()
    numeric = [column.numeric for column in table.columns]

    def written(row):
        return tuple(
            _number_text(value, language)
            if is_number and isinstance(value, (int, float)) and not isinstance(value, bool)
            else value
            for is_number, value in zip(numeric, row)
        )

    return replace(
        table,
        rows=tuple(written(row) for row in table.rows),
        total=written(table.total) if table.total is not None else None,
    )


def month_label(key: str, language: str | None = None) -> str:
    """« mars 2026 » (or « March 2026 »)."""
    return format_date(month_start(key), "LLLL y", locale=language or _language())


def _column(key: str) -> Column:
    return Column(key, str(LABELS[key]), True)


def months_table(figures: NetworkFigures, language: str | None = None) -> Table:
    """One row per month of the period; the total row is the whole period (stocks at its end,
    flows summed)."""
    rows = tuple(
        (month_label(month, language), *(merged[key] for key in MONTH_KEYS))
        for month, merged in figures.by_month
    )
    return Table(
        name="reseau-mois",
        title=_("Le réseau mois par mois"),
        caption=_(
            "Membres et logements touchés à la fin de chaque mois ; échanges, cafés et lettres "
            "pendant le mois. Dernière ligne : toute la période."
        ),
        columns=(Column("month", _("Mois")), *(_column(key) for key in MONTH_KEYS)),
        rows=rows,
        total=(_("Sur la période"), *(figures.total[key] for key in MONTH_KEYS)) if rows else None,
        meta={"public": True},
    )


def perimeters_table(figures: NetworkFigures, *, phase: str | None = None) -> Table:
    """One row per chosen perimeter (only those of ``phase`` when given), their total last. No
    person is named: the perimeter, its place and its phase."""
    from ..reports.summary import merge

    chosen = [item for item in figures.perimeters if phase is None or item.phase == phase]
    total = figures.total if phase is None else merge([item.figures for item in chosen])
    # translated once per phase, not once per row (1,000 gettext calls on a large network)
    labels = {key: str(PHASE_LABELS.get(key, key)) for key in {item.phase for item in chosen}}
    rows = tuple(
        (
            item.name,
            item.city,
            item.departement,
            labels[item.phase],
            *(item.figures[key] for key in PERIMETER_KEYS),
        )
        for item in chosen
    )
    return Table(
        name="reseau-perimetres" if phase is None else f"reseau-phase-{phase}",
        title=_("Périmètre par périmètre")
        if phase is None
        else _("Les périmètres en phase « %(phase)s »", phase=PHASE_LABELS[phase]),
        caption=_(
            "Membres, logements et groupe à la fin de la période ; le reste, sur la période."
        ),
        columns=(
            Column("perimeter", _("Périmètre")),
            Column("city", _("Ville")),
            Column("departement", _("Département")),
            Column("phase", _("Phase")),
            *(_column(key) for key in PERIMETER_KEYS),
        ),
        rows=rows,
        total=(_("Total"), "", "", "", *(total[key] for key in PERIMETER_KEYS)) if rows else None,
        meta={"public": True},
    )


def first_rows(table: Table, count: int | None = None) -> tuple[Table, int]:
    """The table with its first ``count`` rows only (WEB_ROWS by default), its total row still
    that of every row; and how many rows the whole table has."""
    count = WEB_ROWS if count is None else count
    return replace(table, rows=table.rows[:count]), len(table.rows)


def key_figures(figures: NetworkFigures, *, printed: bool = False) -> list[tuple[str, object]]:
    """The large numbers at the top: how many perimeters, then the perimeter reports' key figures
    (on paper, without those the perimeter's report leaves out)."""
    total = figures.total
    shown = [
        (str(_("Périmètres")), total["perimeters"]),
        (str(LABELS["dwellings"]), total["dwellings"]),
    ]
    shown += [
        (str(label), total[key])
        for key, label in KEY_FIGURES
        if not (printed and key in NOT_IN_REPORT)
    ]
    return shown


def members_chart(table: Table) -> Markup | None:
    if table.is_empty:
        return None
    return line_chart(
        table,
        ("members", "dwellings_reached"),
        "month",
        title=_("Membres et logements touchés, fin de mois"),
        chart_id="chart-reseau-membres",
    )


def activity_chart(table: Table) -> Markup | None:
    if table.is_empty:
        return None
    return line_chart(
        table,
        ("exchanges_done", "cafe_attendance"),
        "month",
        title=_("Échanges faits et présences aux cafés, chaque mois"),
        chart_id="chart-reseau-activite",
    )


def perimeters_chart(table: Table, *, max_rows: int = WEB_BARS) -> Markup | None:
    if table.is_empty:
        return None
    return bar_chart(
        table,
        ("members",),
        "perimeter",
        title=_("Membres par périmètre"),
        chart_id=f"chart-{table.name}",
        max_rows=max_rows,
    )
