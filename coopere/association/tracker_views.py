"""A perimeter's page in the console: its phase and the phase tracker (milestones read from its data
or ticked by the coach), the change of phase, the history of phases, its coaching log, and
« Actualiser les chiffres ». An accompagnateur reaches only the perimeters confided to them (404
for the others); the coordination reaches all."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..timeutil import paris_today
from . import audit, coaching, perimeters, refresh, tracker
from .blueprint import bp
from .phases import MILESTONES
from .models import Account
from .phases import PHASE_LABELS, PHASES
from .store import db_session, network
from .topics import FORMS, topic_labels
from .tracker_forms import PhaseForm, TickForm


def followed_or_404(slug: str) -> perimeters.Followed:
    row = perimeters.one(current_user, slug)
    if row is None:
        abort(404)
    return row


def account_names() -> dict[int, str]:
    return dict(db_session().execute(select(Account.id, Account.name)).all())


def back_to(slug: str, anchor: str = ""):
    url = url_for("association.perimeter", slug=slug)
    return redirect(f"{url}#{anchor}" if anchor else url)


@bp.get("/perimetres/<slug>", endpoint="perimeter")
def perimeter_page(slug: str):
    row = followed_or_404(slug)
    states = tracker.states(slug, row.figures)
    logged = coaching.sessions(slug)
    today = paris_today()
    return render_template(
        "association/perimeter.html",
        row=row,
        figures=row.figures,
        groups=tracker.by_phase(states),
        done=sum(1 for state in states if state.done),
        total=len(states),
        history=tracker.history(slug),
        sessions=logged,
        months=coaching.per_month(logged, today),
        reference=coaching.REFERENCE_MINUTES,
        duration=coaching.duration_label,
        month_label=coaching.month_label,
        may_delete=lambda session: coaching.may_delete(current_user, session),
        names=account_names(),
        phase_labels=PHASE_LABELS,
        form_labels=FORMS,
        topic_labels=topic_labels,
        can_refresh=refresh.available(),
    )


@bp.route("/perimetres/<slug>/etapes/<key>", methods=["GET", "POST"], endpoint="milestone")
def milestone_page(slug: str, key: str):
    row = followed_or_404(slug)
    if key not in MILESTONES:
        abort(404)
    state = next(state for state in tracker.states(slug, row.figures) if state.key == key)
    form = TickForm()
    if not form.is_submitted():
        form.done_on.data = state.tick.done_on if state.tick else paris_today()
        form.note.data = state.tick.note if state.tick else ""
    if form.validate_on_submit():
        try:
            tracker.tick(current_user, slug, key, form.done_on.data, form.note.data or "")
        except tracker.TrackerError as error:
            form.done_on.errors.append(str(error))
        else:
            db_session().commit()
            flash(_("L'étape « %(label)s » est cochée.", label=state.label), "success")
            return back_to(slug, "suivi")
    return render_template(
        "association/milestone.html",
        row=row,
        state=state,
        form=form,
        phase_labels=PHASE_LABELS,
    )


@bp.post("/perimetres/<slug>/etapes/<key>/decocher", endpoint="milestone_untick")
def milestone_untick(slug: str, key: str):
    followed_or_404(slug)
    if key not in MILESTONES:
        abort(404)
    label = str(MILESTONES[key].label)
    if tracker.untick(current_user, slug, key):
        db_session().commit()
        flash(_("L'étape « %(label)s » n'est plus cochée.", label=label), "success")
    else:
        flash(_("L'étape « %(label)s » n'était pas cochée à la main.", label=label), "info")
    return back_to(slug, "suivi")


@bp.route("/perimetres/<slug>/phase", methods=["GET", "POST"], endpoint="phase_change")
def phase_change(slug: str):
    row = followed_or_404(slug)
    profile = row.profile
    states = tracker.states(slug, row.figures)
    form = PhaseForm()
    if not form.is_submitted():
        form.phase.data = tracker.next_phase(profile.phase)
    if form.validate_on_submit():
        try:
            tracker.change_phase(
                current_user,
                profile,
                form.phase.data,
                form.note.data or "",
                states,
                bool(form.confirm.data),
            )
        except tracker.TrackerError as error:
            db_session().rollback()
            form.phase.errors.append(str(error))
        else:
            db_session().commit()
            flash(
                _(
                    "%(name)s passe en phase « %(phase)s ».",
                    name=row.entry.name,
                    phase=PHASE_LABELS[profile.phase],
                ),
                "success",
            )
            return back_to(slug, "phases")
    target = form.phase.data if form.phase.data in PHASES else tracker.next_phase(profile.phase)
    return render_template(
        "association/phase.html",
        row=row,
        form=form,
        groups=tracker.by_phase(states),
        pending=tracker.pending_before(profile.phase, target, states),
        phase_labels=PHASE_LABELS,
    )


@bp.post("/perimetres/<slug>/actualiser", endpoint="snapshot_refresh")
def snapshot_refresh(slug: str):
    row = followed_or_404(slug)
    if not refresh.available():
        flash(_("Les chiffres sont actualisés chaque nuit."), "info")
        return back_to(slug)
    try:
        refresh.refresh_snapshot(network(), slug)
    except Exception:  # noqa: BLE001 - an unreadable perimeter: said in French, logged
        refresh.log.exception("refresh of %s failed", slug)
        flash(
            _(
                "Les chiffres de %(name)s n'ont pas pu être lus ; ceux de la nuit restent.",
                name=row.entry.name,
            ),
            "error",
        )
        return back_to(slug)
    audit.record("perimeter.snapshot_refreshed", account=current_user, target=slug)
    db_session().commit()
    flash(_("Les chiffres de %(name)s sont actualisés.", name=row.entry.name), "success")
    return back_to(slug)
