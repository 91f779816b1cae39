"""What the dashboard and the yearly report show: each table with its chart, the key figures,
and the group's own text for a year."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..timeutil import paris_today
from .charts import bar_chart, line_chart
from .dashboard import report
from .models import ActivityReport
from .period import Period
from ..printing.models import Table

REPORT_TEXT_MAX = 20_000
PRINTED_BARS = 8  # rows drawn in a printed chart

# name -> (kind, series, label column): which chart goes with which table (None: the table alone).
CHARTS: dict[str, tuple[str, tuple[str, ...], str] | None] = {
    "reach-streets": ("bar", ("dwellings", "reached"), "place"),
    "reach-buildings": None,  # one row per building: too many bars; the table says it all
    "members": ("line", ("members", "offline"), "month"),
    "themes": ("bar", ("offers_open", "needs_open"), "theme"),
    "statuses": ("bar", ("offer", "need", "project"), "status"),
    "exchanges": ("line", ("accepted", "done"), "month"),
    "projects": None,
    "cafes": ("bar", ("attendance", "first_visits"), "date"),
    "group": ("bar", ("tasks",), "volunteer"),
    "letters": ("bar", ("letters", "scans", "registrations"), "run"),
}

# The figures shown first, as large numbers: (key, label).
KEY_FIGURES = (
    ("members", _l("Membres")),
    ("reach", _l("Membres par logement")),
    ("dwellings_reached", _l("Logements touchés")),
    ("members_offline", _l("Membres sans internet")),
    ("members_sponsored", _l("Membres parrainés")),
    ("activations_pending", _l("Comptes pas encore activés")),
    ("offers_open", _l("Offres ouvertes aujourd'hui")),
    ("needs_open", _l("Besoins ouverts aujourd'hui")),
    ("exchanges_accepted", _l("Échanges acceptés")),
    ("exchanges_done", _l("Échanges faits")),
    ("projects", _l("Projets collectifs")),
    ("projects_from_sheets", _l("Projets lancés depuis une fiche")),
    ("project_participants", _l("Participations aux projets")),
    ("cafes_held", _l("Cafés-rencontres tenus")),
    ("cafe_attendance", _l("Présences aux cafés")),
    ("cafe_newcomers", _l("Premières venues aux cafés")),
    ("letters_sent", _l("Lettres distribuées")),
    ("group_size", _l("Membres du groupe d'animation")),
)
# Figures about people of the group (first names) stay on the dashboard, never in the report.
NOT_IN_REPORT = frozenset({"activations_pending"})


class ReportError(ValueError):
    """A refused change to the yearly report; the message is French and safe to show."""


def chart_for(table: Table, *, max_rows: int | None = None) -> Markup | None:
    """The table's chart; `max_rows` keeps the largest bars only (a printed page has no room for
    thirty streets: the table below the chart still lists them all)."""
    spec = CHARTS.get(table.name)
    if spec is None or table.is_empty:  # the table says « pas encore de données » once
        return None
    kind, series, label = spec
    if kind == "line":
        return line_chart(table, series, label, title=table.title, chart_id=f"chart-{table.name}")
    return bar_chart(
        table, series, label, title=table.title, chart_id=f"chart-{table.name}", max_rows=max_rows
    )


def dashboard(period: Period) -> dict:
    """Everything the dashboard page shows for a period."""
    figures, all_tables = report(period)
    return {
        "figures": figures,
        "key_figures": [(label, figures[key]) for key, label in KEY_FIGURES],
        "sections": [{"table": table, "chart": chart_for(table)} for table in all_tables.values()],
    }


def year_period(year: int) -> Period:
    """The calendar year, up to today for the current one."""
    today = paris_today()
    if not 2000 <= year <= today.year:
        raise ReportError(_("Choisissez une année entre 2000 et %(year)s.", year=today.year))
    return Period(date(year, 1, 1), min(date(year, 12, 31), today), "year")


def report_text(year: int) -> str:
    return db.session.scalar(select(ActivityReport.text).where(ActivityReport.year == year)) or ""


def save_report_text(year: int, text: str, *, actor) -> ActivityReport:
    """Store the group's words for a year's report (one text per year, replaced on each save)."""
    year_period(year)
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > REPORT_TEXT_MAX:
        raise ReportError(
            _("Le texte est trop long : %(max)s caractères au plus.", max=REPORT_TEXT_MAX)
        )
    report = db.session.scalar(select(ActivityReport).where(ActivityReport.year == year))
    if report is None:
        report = ActivityReport(year=year)
        db.session.add(report)
    report.text, report.updated_by_id = text, getattr(actor, "id", None)
    record("report.text_saved", actor=actor, year=year)
    return report


def yearly_report_data(year: int, perimeter_name: str) -> dict:
    """Plain data for the yearly report PDF (in French, whatever the animator's language):
    figures and tables that hold no personal data."""
    with force_locale("fr"):
        return _yearly_report_data(year, perimeter_name)


def _yearly_report_data(year: int, perimeter_name: str) -> dict:
    period = year_period(year)
    figures, all_tables = report(period)
    public = [table for table in all_tables.values() if table.meta.get("public")]
    period_text = (
        str(year)
        if period.end == date(year, 12, 31)
        else _("du 1er janvier au %(day)s", day=period.end.strftime("%d/%m/%Y"))
    )
    return {
        "perimeter": perimeter_name,
        "period": period_text,
        "text": report_text(year),
        "key_figures": [
            (str(label), figures[key]) for key, label in KEY_FIGURES if key not in NOT_IN_REPORT
        ],
        "tables": [
            {"table": table, "chart": chart_for(table, max_rows=PRINTED_BARS)} for table in public
        ],
        "date_text": _("Édité le %(day)s", day=paris_today().strftime("%d/%m/%Y")),
    }
