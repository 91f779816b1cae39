"""The console's perimeters: the table of the perimeters one follows (filters, sorting, alerts)
and its CSV export. Creating one, its coach and the common texts: creation_views.py."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from ..actions import made_file
from ..network.registry import now
from ..reports.csv_export import csv_filename, table_to_csv
from . import accounts, audit
from .alerts import MIN_GROUP
from .blueprint import bp
from .models import Role
from .perimeter_display import cells
from .perimeter_table import Filters, apply, csv_table, departements, rows_for
from .phases import PHASE_LABELS, PHASES
from .store import db_session


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
        cells=cells(rows, coordination),
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
