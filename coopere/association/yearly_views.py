"""The network's yearly report in the console: « Préparer le rapport annuel » (a background run,
coopere/association/yearly_runs.py), its status page (en préparation, prêt, échec), the state
as JSON for static/js/progress.js, and the download, written in the audit log. An accompagnateur
prepares and opens the reports of their own perimeters only."""

from __future__ import annotations

import json

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, SelectField

from ..actions import made_file
from ..inputs import BaseForm
from ..timeutil import paris_today
from . import perimeters, yearly_runs
from .audit import record
from .blueprint import bp
from .figures import Selection
from .figures_views import filter_choices
from .models import Role, YearlyReportRun
from .store import db_session


class YearlyForm(BaseForm):
    """The yearly report's button: the year and the figures page's filters (hidden fields)."""

    annee = IntegerField(description=_l("L'année civile du rapport, de janvier à décembre."))
    departement = SelectField(default="")
    accompagnateur = SelectField(default="")
    phase = SelectField(default="")


def _run(run_id: int) -> YearlyReportRun:
    """The run, if this account may see it (the coordination: every one; a coach: their own
    perimeters'), else 404."""
    run = db_session().get(YearlyReportRun, run_id)
    if run is None:
        abort(404)
    if current_user.role != Role.COORDINATION and run.scope_id != current_user.id:
        abort(404)
    return run


@bp.post("/chiffres/rapport-annuel", endpoint="yearly_prepare")
def yearly_prepare():
    rows = perimeters.followed(current_user, brief=True)
    form = filter_choices(YearlyForm(), rows)
    this_year = paris_today().year
    if not form.validate_on_submit() or not 2000 <= (form.annee.data or 0) <= this_year:
        flash(
            _(
                "Ce rapport ne peut pas être préparé : choisissez l'année et les filtres sur la "
                "page des chiffres du réseau."
            ),
            "error",
        )
        return redirect(url_for("association.figures", _anchor="rapport-annuel"))
    year = form.annee.data
    coach = form.accompagnateur.data
    selection = Selection(
        f"{year}-01",
        f"{year}-12",
        departement=form.departement.data or None,
        coach_id=int(coach) if coach else None,
        phase=form.phase.data or None,
    )
    run, new = yearly_runs.ask(year, perimeters.scope_of(current_user), selection, current_user)
    if not new:
        flash(_("Ce rapport est déjà en préparation : en voici l'état."), "info")
    return redirect(url_for("association.yearly_run", run_id=run.id))


@bp.get("/chiffres/rapport-annuel/<int:run_id>", endpoint="yearly_run")
def yearly_run(run_id: int):
    run = _run(run_id)
    shown = yearly_runs.state(run)
    filters = json.loads(run.filters or "{}")
    retry = {"annee": run.year}
    for key, name in (("departement", "departement"), ("coach_id", "accompagnateur"),
                      ("phase", "phase")):  # fmt: skip
        if filters.get(key):
            retry[name] = filters[key]
    return render_template(
        "association/yearly_run.html",
        run=run,
        shown=shown,
        error=yearly_runs.error_text(run) if shown == "failed" else "",
        has_file=yearly_runs.pdf_path(run) is not None,
        perimeters_words=yearly_runs.describe(run),
        retry=retry,
    )


@bp.get("/chiffres/rapport-annuel/<int:run_id>/etat.json", endpoint="yearly_run_status")
def yearly_run_status(run_id: int):
    run = _run(run_id)
    shown = yearly_runs.state(run)
    done = shown == "ready"
    return jsonify(
        status={"ready": "done", "failed": "failed"}.get(shown, run.status),
        percent=100 if done else 0,
        done=int(done),
        total=1,
        stalled=yearly_runs.is_stalled(run),
    )


@bp.get("/chiffres/rapport-annuel/<int:run_id>/rapport.pdf", endpoint="yearly_download")
def yearly_download(run_id: int):
    run = _run(run_id)
    path = yearly_runs.pdf_path(run)
    if path is None:
        abort(404)
    record(
        "figures.yearly_downloaded",
        account=current_user,
        target=str(run.year),
        detail=", ".join(yearly_runs.describe(run)),
    )
    db_session().commit()
    # Read whole (a few hundred KB): the file may be replaced by a newer report meanwhile.
    return made_file(path.read_bytes(), yearly_runs.download_name(run), attachment=False)
