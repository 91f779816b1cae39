"""Animators schedule events; the list shows what is coming and what is past."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..i18n import long_date
from .forms import EventForm
from .models import Event
from .services import EventError, past_events, save_event, to_paris, upcoming_events

bp = Blueprint("events", __name__, url_prefix="/evenements")


@bp.route("/")
def index():
    return render_template("events/index.html", upcoming=upcoming_events(limit=50), past=past_events())


@bp.route("/nouveau", methods=["GET", "POST"])
def create():
    return _edit(None)


@bp.route("/<int:event_id>/modifier", methods=["GET", "POST"])
def edit(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    return _edit(event)


def _edit(event: Event | None):
    initial = {}
    if event is not None:
        start, end = to_paris(event.starts_at), to_paris(event.ends_at)
        initial = {"day": start.date(), "start": start.time(), "end": end.time()}
    form = EventForm(obj=event, **initial)
    if form.validate_on_submit():
        try:
            saved = save_event(event, form.data, actor=current_user)
        except EventError as error:
            db.session.rollback()
            form.day.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Le rendez-vous du %(date)s est enregistré.", date=long_date(saved.starts_at)), "success")
            return redirect(url_for("events.index"))
    return render_template("events/edit.html", form=form, event=event), 422 if form.errors else 200
