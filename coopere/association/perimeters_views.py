"""The console's perimeters: the table of the perimeters one follows (filters, sorting, alerts)
and its CSV export. Creating one, its coach and the common texts: creation_views.py."""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask import render_template, request
from flask_babel import format_date, format_decimal, format_percent
from flask_login import current_user

from ..actions import made_file
from ..network.registry import now
from ..reports.csv_export import csv_filename, table_to_csv
from . import accounts, audit
from .alerts import MIN_GROUP
from .blueprint import bp
from .models import Role
from .perimeter_table import Filters, apply, csv_table, departements, rows_for
from .phases import PHASE_LABELS, PHASES
from .store import db_session


def _number(value) -> str:
    return "" if value is None else format_decimal(value)


def _percent(value) -> str:
    return "" if value is None else format_percent(value)


def _hours(minutes: int) -> str:
    return f"{format_decimal(round(minutes / 60, 1))} h" if minutes else "0 h"


def _day(value: date | datetime | None) -> str:
    """« 14/03/2026 »: a date, or a moment's day (in Paris)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return format_date(value, "short")


@bp.get("/perimetres", endpoint="perimeters")
def perimeters_page():
    filters = Filters.from_args(request.args)
    every = rows_for(current_user, now())
    rows = apply(every, filters)
    coordination = current_user.role == Role.COORDINATION
    return render_template(
        "association/perimeters.html",
        rows=rows,
        total=len(every),
        filters=filters,
        phases=[(key, PHASE_LABELS[key]) for key in PHASES],
        coaches=accounts.coaches() if coordination else [],
        departements=departements(every),
        min_group=MIN_GROUP,
        coordination=coordination,
        number=_number,
        percent=_percent,
        hours=_hours,
        day=_day,
    )


@bp.get("/perimetres.csv", endpoint="perimeters_csv")
def perimeters_csv():
    filters = Filters.from_args(request.args)
    moment = now()
    rows = apply(rows_for(current_user, moment), filters)
    audit.record("perimeters.exported", account=current_user, detail=str(len(rows)))
    db_session().commit()
    table = csv_table(rows)
    response = made_file(
        table_to_csv(table),
        csv_filename(table, moment.date().isoformat()),
        mimetype="text/csv",
        private=True,
    )
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response
