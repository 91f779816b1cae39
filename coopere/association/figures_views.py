"""The network figures in the console: the page (filters, key figures, charts, the month by month
and per-perimeter tables), its two CSV exports and the yearly report PDF for funders. An
accompagnateur gets the figures of their own perimeters only (perimeters.followed)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField

from ..actions import made_file
from ..inputs import BaseForm
from ..reports.csv_export import csv_filename, table_to_csv
from ..timeutil import paris_today
from . import perimeters
from .blueprint import bp
from .figures import (
    FiguresError,
    Selection,
    check_period,
    default_period,
    departement,
    month_start,
    network_figures,
)
from .figures_tables import (
    activity_chart,
    first_rows,
    key_figures,
    members_chart,
    month_label,
    months_table,
    perimeters_chart,
    perimeters_table,
    shown,
)
from .models import Role
from .phases import PHASE_LABELS, PHASES
from .yearly_runs import latest_runs, state


class FiguresForm(BaseForm):
    """The figures page's filters, read from the address (a view can be bookmarked)."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    du = StringField(
        _l("Du mois"), render_kw={"type": "month", "placeholder": "2026-01", "maxlength": 7}
    )
    au = StringField(
        _l("Au mois (inclus)"),
        render_kw={"type": "month", "placeholder": "2026-12", "maxlength": 7},
    )
    departement = SelectField(_l("Département"), default="")
    accompagnateur = SelectField(_l("Accompagnement"), default="")
    phase = SelectField(_l("Phase"), default="")


def _form(rows) -> FiguresForm:
    return filter_choices(FiguresForm(request.args), rows)


def filter_choices(form, rows):
    """The choices of a form's département, accompagnement and phase filters: those of the
    followed perimeters (a coach cannot ask for another coach's)."""
    everyone = [("", _("Tous"))]
    form.departement.choices = everyone + [
        (code, code) for code in sorted({departement(row.entry.postcode) for row in rows}) if code
    ]
    coaches = {row.coach.id: row.coach.name for row in rows if row.coach is not None}
    form.accompagnateur.choices = everyone + [
        (str(number), name) for number, name in sorted(coaches.items(), key=lambda item: item[1])
    ]
    form.phase.choices = everyone + [(phase, str(PHASE_LABELS[phase])) for phase in PHASES]
    return form


def _selection(rows) -> tuple[Selection, FiguresForm, str | None]:
    """The filters asked for, or the default (the last 12 months of every followed perimeter)
    with a French message saying why not."""
    form = _form(rows)
    today = paris_today()
    first, last = default_period(today)
    if not form.validate():
        return (
            Selection(first, last),
            form,
            _("Ce filtre n'est pas valide : choisissez-le dans la liste."),
        )
    try:
        chosen_last = (form.au.data or "").strip() or last
        chosen_first = (form.du.data or "").strip() or default_period(month_start(chosen_last))[0]
        chosen = check_period(chosen_first, chosen_last, today)
    except FiguresError as refused:
        return Selection(first, last), form, str(refused)
    coach = form.accompagnateur.data
    return (
        Selection(
            *chosen,
            departement=form.departement.data or None,
            coach_id=int(coach) if coach else None,
            phase=form.phase.data or None,
        ),
        form,
        None,
    )


def prepare_args(selection: Selection) -> dict:
    """The filters other than the period, as the yearly report's form posts them."""
    return {key: value for key, value in _filter_args(selection).items() if key not in ("du", "au")}


def _filter_args(selection: Selection) -> dict:
    args = {"du": selection.first, "au": selection.last}
    if selection.departement:
        args["departement"] = selection.departement
    if selection.coach_id is not None:
        args["accompagnateur"] = selection.coach_id
    if selection.phase:
        args["phase"] = selection.phase
    return args


@bp.get("/chiffres", endpoint="figures")
def figures_page():
    rows = perimeters.followed(current_user)
    selection, form, error = _selection(rows)
    figures = network_figures(rows, selection)
    months = months_table(figures)
    per_perimeter = perimeters_table(figures)
    listed, count = first_rows(per_perimeter)  # the CSV has every row
    this_year = paris_today().year
    years = list(range(this_year, this_year - 3, -1))
    return render_template(
        "association/figures.html",
        form=form,
        error=error,
        figures=figures,
        selection=selection,
        period=(month_label(selection.first), month_label(selection.last)),
        key_figures=key_figures(figures),
        sections=[
            {"table": shown(months), "charts": [members_chart(months), activity_chart(months)]},
            {
                "table": shown(listed),
                "charts": [perimeters_chart(per_perimeter)],
                "rows": count,
            },
        ],
        filter_args=_filter_args(selection),
        coordination=current_user.role == Role.COORDINATION,
        years=years,
        runs=latest_runs(perimeters.scope_of(current_user), selection, years),
        run_state=state,
        prepare_args=prepare_args(selection),
    ), 400 if error else 200


def _csv(table, selection: Selection):
    response = made_file(
        table_to_csv(table),
        csv_filename(table, f"{selection.first}_{selection.last}"),
        mimetype="text/csv",
    )
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


@bp.get("/chiffres/mois.csv", endpoint="figures_months_csv")
def figures_months_csv():
    rows = perimeters.followed(current_user)
    selection, _form_, error = _selection(rows)
    if error:
        abort(400, error)
    return _csv(months_table(network_figures(rows, selection)), selection)


@bp.get("/chiffres/perimetres.csv", endpoint="figures_perimeters_csv")
def figures_perimeters_csv():
    rows = perimeters.followed(current_user)
    selection, _form_, error = _selection(rows)
    if error:
        abort(400, error)
    return _csv(perimeters_table(network_figures(rows, selection)), selection)


@bp.get("/chiffres/rapport-<int:year>.pdf", endpoint="yearly_pdf")
def yearly_pdf(year: int):
    """The former address of the yearly report (rendered in the request): the figures page's
    « rapport annuel » part, where it is prepared in the background (yearly_views.py)."""
    if not 2000 <= year <= paris_today().year:
        abort(404)
    args = {key: request.args[key] for key in ("departement", "accompagnateur", "phase")
            if request.args.get(key)}  # fmt: skip
    return redirect(url_for("association.figures", _anchor="rapport-annuel", **args))
