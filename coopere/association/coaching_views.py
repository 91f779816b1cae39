"""The coaching log's pages: a session noted for a perimeter, a session deleted (by its author or
the coordination), and « Charge des accompagnateurs » (hours per coach per month)."""

from __future__ import annotations

from flask import abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..i18n import long_date
from ..timeutil import paris_today
from . import coaching
from .blueprint import bp
from .models import CoachingSession, Role
from .phases import PHASE_LABELS
from .store import db_session
from .tracker_forms import SessionForm
from .tracker_views import back_to, followed_or_404


@bp.route("/perimetres/<slug>/seances/nouvelle", methods=["GET", "POST"], endpoint="session_new")
def session_new(slug: str):
    row = followed_or_404(slug)
    form = SessionForm()
    if not form.is_submitted():
        form.held_on.data = paris_today()
        form.form.data = "reunion"
    if form.validate_on_submit():
        try:
            minutes = coaching.total_minutes(form.hours.data, form.minutes.data)
        except coaching.CoachingError as error:
            form.minutes.errors.append(str(error))
        else:
            try:
                coaching.log_session(
                    current_user,
                    slug,
                    held_on=form.held_on.data,
                    minutes=minutes,
                    form=form.form.data,
                    topics=list(form.topics.data or []),
                    attendees=form.attendees.data or "",
                    notes=form.notes.data or "",
                    today=paris_today(),
                )
            except coaching.CoachingError as error:
                db_session().rollback()
                form.held_on.errors.append(str(error))
            else:
                db_session().commit()
                flash(
                    _(
                        "La séance du %(day)s est notée (%(duration)s).",
                        day=long_date(form.held_on.data),
                        duration=coaching.duration_label(minutes),
                    ),
                    "success",
                )
                return back_to(slug, "accompagnement")
    return render_template("association/session.html", row=row, form=form)


@bp.post("/perimetres/<slug>/seances/<int:session_id>/supprimer", endpoint="session_delete")
def session_delete(slug: str, session_id: int):
    followed_or_404(slug)
    row = db_session().get(CoachingSession, session_id)
    if row is None or row.slug != slug:
        abort(404)
    if not coaching.may_delete(current_user, row):
        abort(403)
    day = long_date(row.held_on)
    coaching.delete_session(current_user, row)
    db_session().commit()
    flash(_("La séance du %(day)s est supprimée.", day=day), "success")
    return back_to(slug, "accompagnement")


@bp.get("/charge", endpoint="workload")
def workload_page():
    today = paris_today()
    return render_template(
        "association/workload.html",
        rows=coaching.workload(current_user, today),
        months=coaching.month_starts(today),
        reference=coaching.REFERENCE_MINUTES,
        duration=coaching.duration_label,
        month_label=coaching.month_label,
        phase_labels=PHASE_LABELS,
        everyone=current_user.role == Role.COORDINATION,
    )
