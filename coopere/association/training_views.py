"""The console's training days: plan one, see who answered from each perimeter, note who came,
and each perimeter's training history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..timeutil import UTC, to_utc
from . import perimeters, training
from .blueprint import bp
from .forms import TrainingDayForm
from .models import TrainingDay
from .store import db_session


@bp.route("/formations", methods=["GET", "POST"], endpoint="training")
def training_page():
    if request.method == "POST" and not current_user.is_coordination:
        abort(403)  # the coordination plans the network's training days
    form = TrainingDayForm()
    db = db_session()
    if form.validate_on_submit():
        try:
            day = training.create_day(
                db,
                title=form.title.data,
                topic=form.topic.data,
                place=form.place.data,
                starts_at=to_utc(form.day.data, form.start.data).replace(tzinfo=UTC),
                ends_at=to_utc(form.day.data, form.end.data).replace(tzinfo=UTC),
                details=form.details.data,
                account=current_user,
            )
        except training.TrainingError as error:
            form.day.errors.append(str(error))
        else:
            db.commit()
            flash(
                _(
                    "La journée « %(title)s » est prévue : les pilotes et copilotes la voient "
                    "sur la page de leur groupe.",
                    title=day.title,
                ),
                "success",
            )
            return redirect(url_for("association.training_day", day_id=day.id))
    upcoming, past = training.all_days(db)
    answers = training.answers_of(db, [day.id for day in upcoming + past])
    status = 422 if form.errors else 200
    return render_template(
        "association/training.html", form=form, upcoming=upcoming, past=past, answers=answers
    ), status


def _day(day_id: int) -> TrainingDay:
    return db_session().get(TrainingDay, day_id) or abort(404)


@bp.get("/formations/<int:day_id>", endpoint="training_day")
def training_day(day_id: int):
    day = _day(day_id)
    answers = training.answers_of(db_session(), [day.id])[day.id]
    followed = {row.slug for row in perimeters.followed(current_user)}
    if not current_user.is_coordination:  # a coach sees the answers of their perimeters only
        answers = [answer for answer in answers if answer.slug in followed]
    past = training.aware(day.starts_at) < training.now()
    return render_template("association/training_day.html", day=day, answers=answers, past=past)


@bp.post("/formations/<int:day_id>/presences", endpoint="training_attendance")
def training_attendance(day_id: int):
    day = _day(day_id)
    came = {int(value) for value in request.form.getlist("came") if value.isdigit()}
    try:
        count = training.record_attendance(db_session(), day, came, current_user)
    except training.TrainingError as error:
        flash(str(error), "error")
    else:
        db_session().commit()
        flash(
            ngettext(
                "Présences notées : %(num)d personne est venue.",
                "Présences notées : %(num)d personnes sont venues.",
                count,
            ),
            "success",
        )
    return redirect(url_for("association.training_day", day_id=day.id))


@bp.post("/formations/<int:day_id>/annuler", endpoint="training_cancel")
def training_cancel(day_id: int):
    day = _day(day_id)
    training.cancel_day(db_session(), day, current_user)
    db_session().commit()
    flash(_("La journée « %(title)s » est annulée.", title=day.title), "success")
    return redirect(url_for("association.training"))


@bp.get("/perimetres/<slug>/formations", endpoint="training_history")
def training_history(slug: str):
    row = perimeters.one(current_user, slug) or abort(404)
    return render_template(
        "association/training_history.html",
        row=row,
        history=training.history(db_session(), slug),
    )
