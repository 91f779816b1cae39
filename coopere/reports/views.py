"""The animation group's dashboard, its CSV exports and the yearly activity report."""

from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record
from ..timeutil import paris_today
from ..actions import made_file, save_and_say
from ..extensions import db
from ..perimeter.models import get_perimeter
from ..printing.activity_report import render_activity_report
from .csv_export import csv_filename, table_to_csv
from .dashboard import tables
from .forms import PeriodForm, ReportTextForm
from .period import PeriodError, make_period
from .services import (
    ReportError,
    dashboard,
    report_text,
    save_report_text,
    year_period,
    yearly_report_data,
)

bp = Blueprint("reports", __name__, url_prefix="/bilan")


def _period():
    """The period asked for in the address, or this year with a French message why not."""
    form = PeriodForm(request.args)
    error = None
    if not form.validate():
        error = _("Ces dates ne sont pas valides : écrivez-les comme 31/01/2026.")
    else:
        try:
            return form, make_period(form.periode.data, form.du.data, form.au.data), None
        except PeriodError as refused:
            error = str(refused)
    return form, make_period("year"), error


def _period_args(period) -> dict:
    return {"periode": "custom", "du": period.start.isoformat(), "au": period.end.isoformat()}


@bp.route("/")
def index():
    form, period, error = _period()
    return render_template(
        "reports/dashboard.html",
        form=form,
        period=period,
        error=error,
        period_args=_period_args(period),
        **dashboard(period),
    ), 400 if error else 200


@bp.route("/<name>.csv")
def export_csv(name: str):
    _form, period, error = _period()
    if error:
        flash(error, "error")
        return redirect(url_for("reports.index"))
    table = tables(period, names={name}).get(name) or abort(404)
    record("report.exported", actor=current_user, table=name, period=period.slug)
    db.session.commit()
    response = made_file(
        table_to_csv(table), csv_filename(table, period.slug), mimetype="text/csv", private=True
    )
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


@bp.route("/rapport-annuel", methods=["GET", "POST"])
def yearly():
    year = request.args.get("annee", type=int) or paris_today().year
    try:
        year_period(year)
    except ReportError as refused:
        flash(str(refused), "error")
        return redirect(url_for("reports.yearly"))
    form = ReportTextForm(data={"text": report_text(year)})
    if form.validate_on_submit():
        save_report_text(year, form.text.data, actor=current_user)
        save_and_say(_("Le texte du rapport %(year)s est enregistré.", year=year))
        return redirect(url_for("reports.yearly", annee=year))
    years = list(range(paris_today().year, 1999, -1))[:6]
    return render_template(
        "reports/yearly.html", form=form, year=year, years=years
    ), 422 if form.errors else 200


@bp.route("/rapport-annuel/<int:year>.pdf")
def yearly_pdf(year: int):
    perimeter = get_perimeter() or abort(404)
    try:
        data = yearly_report_data(year, perimeter.name)
    except ReportError:
        abort(404)
    pdf = render_activity_report(data)
    record("report.printed", actor=current_user, year=year)
    db.session.commit()
    return made_file(pdf, f"rapport-activite-{year}.pdf", attachment=False)
