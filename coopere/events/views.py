"""Events: animators schedule them (one date or a recurring series), members say they will come,
everyone can add them to a calendar (.ics, and the perimeter's feed /calendrier.ics)."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..actions import attempt_and_say, form_page, made_file
from ..auth.forms import ConfirmForm
from ..extensions import db
from ..i18n import long_date
from ..members.sponsorship import subject
from ..perimeter.models import get_perimeter
from ..urls import public_url_for
from . import recurrence, services
from . import signups as signup_rules
from .forms import EventForm, SeriesForm
from .ics import calendar_bytes
from .printouts import print_programme
from .models import KIND_LABELS, Event, EventKind, EventSeries
from .services import EventError, past_events, save_event
from ..timeutil import add_months, paris_today, to_paris

bp = Blueprint("events", __name__)

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@bp.app_context_processor
def events_context():
    """« Vos prochains rendez-vous » on the member's home page (queried only where shown)."""

    def my_next_events(limit: int = 5):
        if not current_user.is_authenticated:
            return []
        return signup_rules.my_next_events(subject(), limit=limit)

    return {"my_next_events": my_next_events}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS[EventKind(kind)])


# --- animators: the programme ------------------------------------------------------------------


@bp.route("/evenements/")
def index():
    upcoming = services.next_months_events(kinds=tuple(EventKind))
    series = recurrence.all_series()
    today = paris_today()
    return render_template(
        "events/index.html",
        upcoming=upcoming,
        past=past_events(),
        counts=signup_rules.signup_counts([e.id for e in upcoming]),
        series=series,
        next_dates=recurrence.next_dates([s.id for s in series]),
        today=today,
        this_month=f"{today:%Y-%m}",
        next_month=f"{add_months(today.replace(day=1), 1):%Y-%m}",
        describe_rule=recurrence.describe_rule,
        kind_label=kind_label,
    )


@bp.route("/evenements/nouveau", methods=["GET", "POST"])
def create():
    return _edit(None)


@bp.route("/evenements/<int:event_id>")
def show(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    signups = signup_rules.signups_of(event)
    return render_template(
        "events/show.html",
        event=event,
        signups=signups,
        places_left=signup_rules.places_left(event, len(signups)),
        past=event.has_started(),
        started=event.has_started(),
        rule=recurrence.describe_rule(event.series) if event.series else "",
    )


@bp.route("/evenements/<int:event_id>/modifier", methods=["GET", "POST"])
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
        saved = attempt_and_say(
            lambda: save_event(event, form.data, actor=current_user),
            EventError,
            lambda saved: _(
                "Le rendez-vous du %(date)s est enregistré.", date=long_date(saved.starts_at)
            ),
            field=lambda error: getattr(form, error.field or "day"),
        )
        if saved.ok:
            return redirect(url_for("events.show", event_id=saved.value.id))
    return form_page("events/edit.html", form, event=event)


@bp.route("/evenements/<int:event_id>/annuler", methods=["GET", "POST"])
def cancel(event_id: int):
    """Cancel one date (after a confirmation page): those signed up are told."""
    event = db.session.get(Event, event_id) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        attempt_and_say(
            lambda: services.cancel_event(event, actor=current_user),
            EventError,
            lambda told: _(
                "Le rendez-vous du %(date)s est annulé. Personnes prévenues : %(count)s.",
                date=long_date(event.starts_at),
                count=told,
            ),
        )
        return redirect(url_for("events.show", event_id=event.id))
    return render_template(
        "events/cancel.html",
        event=event,
        form=form,
        past=event.has_started(),
        signed_up=signup_rules.signup_counts([event.id]).get(event.id, 0),
    )


# --- animators: recurring series ------------------------------------------------------------------


@bp.route("/evenements/series/nouvelle", methods=["GET", "POST"])
def series_create():
    return _series(None)


@bp.route("/evenements/series/<int:series_id>/modifier", methods=["GET", "POST"])
def series_edit(series_id: int):
    series = db.session.get(EventSeries, series_id) or abort(404)
    return _series(series)


def _series_saved(result) -> str:
    message = _(
        "La série est enregistrée. Dates ajoutées : %(created)s. Dates modifiées : %(updated)s. "
        "Dates annulées : %(cancelled)s.",
        created=len(result.created),
        updated=len(result.updated) + len(result.restored),
        cancelled=len(result.cancelled),
    )
    if result.told:
        message += " " + _("Personnes prévenues : %(count)s.", count=result.told)
    return message


def _series(series: EventSeries | None):
    data = None
    if series is not None:
        data = {
            name: getattr(series, name) for name in recurrence.SERIES_FIELDS if name != "months_off"
        }
        data["months_off"] = series.months_off_list
    form = SeriesForm(data=data)
    if form.validate_on_submit():

        def save():
            result = recurrence.save_series(series, form.values(), actor=current_user)
            recurrence.extend_all()
            return result

        saved = attempt_and_say(
            save,
            EventError,
            _series_saved,
            field=lambda error: getattr(form, error.field or "first_date"),
        )
        if saved.ok:
            return redirect(url_for("events.index", _anchor=f"serie-{saved.value.series.id}"))
    occurrences = []
    if series is not None:
        occurrences = recurrence.coming_events_of_series(series)
    return form_page(
        "events/series.html",
        form,
        series=series,
        occurrences=occurrences,
        rule=recurrence.describe_rule(series) if series else "",
    )


# --- animators: the month's programme, printed ---------------------------------------------------


@bp.route("/evenements/programme.pdf")
def programme():
    """The month's programme (A4, large print) to pin up: ?mois=2026-12 (default: this month)."""
    wanted = (request.args.get("mois") or "").strip()
    today = paris_today()
    year, month = today.year, today.month
    if wanted:
        match = MONTH_RE.match(wanted)
        if (
            not match
            or not 1 <= int(match.group(2)) <= 12
            or not 2000 <= int(match.group(1)) <= 2100
        ):
            flash(
                _("Mois inconnu : écrivez-le comme 2026-12 (l'année, un tiret, le mois)."), "error"
            )
            return redirect(url_for("events.index", _anchor="programme"))
        year, month = int(match.group(1)), int(match.group(2))
    perimeter = get_perimeter() or abort(404)
    pdf = print_programme(year, month, perimeter, public_url=public_url_for("public.home"))
    return made_file(pdf, f"programme-{year:04d}-{month:02d}.pdf")


# --- members: the next events, « Je viendrai » --------------------------------------------------


@bp.route("/rendez-vous")
def upcoming():
    person = subject()
    events = services.next_months_events(kinds=services.kinds_for(person))
    ids = [event.id for event in events]
    return render_template(
        "events/upcoming.html",
        events=events,
        counts=signup_rules.signup_counts(ids),
        mine=signup_rules.signed_up_ids(person, ids),
        person=person,
        form=ConfirmForm(),
        places_left=signup_rules.places_left,
    )


def _visible_event(event_id: int) -> Event:
    """The event, or 404 when it does not exist or is not for this person (a group meeting)."""
    event = db.session.get(Event, event_id)
    if event is None or not services.visible_to(event, subject()):
        abort(404)
    return event


def _attendance(event_id: int, change, someone, yourself):
    """Sign `subject()` up for an event or withdraw them; say so when it changed something."""
    event = _visible_event(event_id)
    person = subject()
    if ConfirmForm().validate_on_submit():
        date = long_date(event.starts_at)
        attempt_and_say(
            lambda: change(event, person, actor=current_user),
            EventError,
            lambda changed: (
                (
                    someone % {"name": person.first_name, "date": date}
                    if person.id != current_user.id
                    else yourself % {"date": date}
                )
                if changed
                else None
            ),
        )
    return redirect(url_for("events.upcoming", _anchor=f"rdv-{event.id}"))


@bp.route("/rendez-vous/<int:event_id>/je-viens", methods=["POST"])
def sign_up(event_id: int):
    return _attendance(
        event_id,
        signup_rules.sign_up,
        _l("C'est noté : %(name)s viendra le %(date)s."),
        _l("C'est noté : vous viendrez le %(date)s."),
    )


@bp.route("/rendez-vous/<int:event_id>/annuler-venue", methods=["POST"])
def withdraw(event_id: int):
    return _attendance(
        event_id,
        signup_rules.withdraw,
        _l("C'est noté : %(name)s ne viendra pas le %(date)s."),
        _l("C'est noté : vous ne viendrez pas le %(date)s."),
    )


# --- calendars: one event, and the perimeter's public feed ----------------------------------------


def _calendar_name() -> str:
    perimeter = get_perimeter()
    return perimeter.name if perimeter else "coopere"


@bp.route("/rendez-vous/<int:event_id>.ics")
def event_ics(event_id: int):
    """One event for a calendar. Group meetings only for animators (404 for anyone else)."""
    event = db.session.get(Event, event_id)
    if event is None or not services.visible_to(event, current_user):
        abort(404)
    body = calendar_bytes([event], name=_calendar_name())
    day = to_paris(event.starts_at).date()
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_slug(event)}-{day.isoformat()}.ics"'
    )
    return response


@bp.route("/calendrier.ics")
def feed():
    """The perimeter's public calendar: its public events from a month back to a year ahead."""
    body = calendar_bytes(services.feed_events(), name=_calendar_name())
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="calendrier.ics"'
    response.headers["Cache-Control"] = "no-cache"
    return response


SLUGS = {
    EventKind.CAFE: "cafe-rencontre",
    EventKind.APERO_INFO: "apero-info",
    EventKind.FETE: "fete",
    EventKind.GROUP_MEETING: "reunion-groupe",
    EventKind.COLLECTIVE_ACTION: "action-collective",
}


def _slug(event: Event) -> str:
    return SLUGS[EventKind(event.kind)]
