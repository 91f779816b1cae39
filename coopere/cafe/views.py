"""The café-rencontre's pages, for animators: the call list before, the desk on the day
(check-ins, visitors, newcomers), the paper attendance sheet, and the report after."""

from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..inputs import page_number, paging, parse_id, remembered_search
from .. import printing
from ..auth.forms import ConfirmForm
from ..auth.models import User
from ..events.models import Event
from ..actions import attempt, attempt_and_say, made_file
from ..extensions import db
from ..i18n import long_date
from ..perimeter.models import get_perimeter
from . import models  # noqa: F401  (tables known to the app and to migrations)
from . import calls as call_rules
from . import desk as desk_rules
from . import printouts
from . import report as report_rules
from . import services
from .forms import CallForm, PersonForm, ReportForm, VisitorsForm
from .services import CafeError

bp = Blueprint("cafe", __name__, url_prefix="/cafe")


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


def _person(value) -> User | None:
    text = str(value or "").strip()
    ident = parse_id(text)  # « ² » passed isdigit() and failed int(): a 500
    return db.session.get(User, ident) if ident is not None else None


def _form_error(form) -> str:
    return next(
        (error for errors in form.errors.values() for error in errors),
        _("Le formulaire a expiré : rechargez la page et recommencez."),
    )


# --- the call list --------------------------------------------------------------------------


@bp.route("/<int:event_id>/appels")
def calls(event_id: int):
    event = _event(event_id)
    return render_template(
        "cafe/calls.html",
        event=event,
        calls=call_rules.call_list(event),
        outcomes=services.OUTCOME_LABELS,
        ended=event.has_ended(),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:event_id>/appels/<int:person_id>", methods=["POST"])
def record_call(event_id: int, person_id: int):
    event = _event(event_id)
    person = db.session.get(User, person_id) or abort(404)
    form = CallForm()
    target = url_for("cafe.calls", event_id=event.id, _anchor=f"personne-{person.id}")
    if not form.validate_on_submit():
        flash(_form_error(form), "error")
        return redirect(target)
    attempt_and_say(
        lambda: call_rules.record_call(
            event, person, form.outcome.data, form.note.data or "", actor=current_user
        ),
        CafeError,
        lambda _done: _(
            "Appel à %(name)s noté : %(outcome)s.",
            name=person.full_name,
            outcome=services.OUTCOME_LABELS[form.outcome.data],
        ),
    )
    return redirect(target)


# --- the café desk --------------------------------------------------------------------------


@bp.route("/<int:event_id>/accueil", methods=["GET", "POST"])
def desk(event_id: int):
    event = _event(event_id)
    q = remembered_search("desk_q")  # a name: by POST, never in the URL
    if request.method == "POST":
        return redirect(url_for("cafe.desk", event_id=event.id))
    present = desk_rules.present_people(event)
    present_ids = {check_in.user_id for check_in, _person in present}
    newcomer = _person(request.args.get("nouveau"))
    return render_template(
        "cafe/desk.html",
        event=event,
        q=q,
        results=desk_rules.search_people(q),
        present=present,
        present_ids=present_ids,
        sponsored=desk_rules.sponsored_residents(),
        counts=desk_rules.desk_counts(event),
        closed=desk_rules.desk_closed_reason(event),
        confirm=ConfirmForm(),
        newcomer=newcomer if newcomer is not None and newcomer.id in present_ids else None,
    )


def _back_to_desk(event: Event):
    """Back to the desk: the search stays in the session (remembered_search), not in the URL."""
    return redirect(url_for("cafe.desk", event_id=event.id))


def _at_desk(event_id: int, change, success):
    """Check a person in at the café desk, or undo it; back to the desk."""
    event = _event(event_id)
    form = PersonForm()
    if not form.validate_on_submit():
        flash(_form_error(form), "error")
        return _back_to_desk(event)
    person = _person(form.person_id.data)
    if person is None:
        flash(_("Cette personne n'existe pas : rien n'a changé."), "error")
        return _back_to_desk(event)
    attempt_and_say(lambda: change(event, person), CafeError, success % {"name": person.full_name})
    return _back_to_desk(event)


@bp.route("/<int:event_id>/accueil/present", methods=["POST"])
def check_in(event_id: int):
    return _at_desk(
        event_id,
        lambda event, person: desk_rules.check_in(event, person, actor=current_user),
        _l("%(name)s est noté(e) présent(e)."),
    )


@bp.route("/<int:event_id>/accueil/retirer", methods=["POST"])
def undo_check_in(event_id: int):
    return _at_desk(
        event_id, desk_rules.undo_check_in, _l("%(name)s n'est plus noté(e) présent(e).")
    )


@bp.route("/<int:event_id>/accueil/visiteurs", methods=["POST"])
def visitors(event_id: int):
    event = _event(event_id)
    form = VisitorsForm()
    if not form.validate_on_submit():
        flash(_form_error(form), "error")
        return _back_to_desk(event)
    attempt_and_say(
        lambda: desk_rules.change_visitors(event, int(form.change.data)),
        CafeError,
        lambda count: _("Visiteurs : %(n)d", n=count),
    )
    return _back_to_desk(event)


def newcomer_registered(event: Event, person: User):
    """The registration desk's way back: `person` was just registered from the café desk of
    `event` (/inscription?cafe=<id>); check them in as a newcomer and return to that desk."""
    checked = attempt(
        lambda: desk_rules.check_in(event, person, actor=current_user, newcomer=True), CafeError
    )
    if not checked.ok:
        flash(
            _(
                "%(name)s est inscrit(e), mais pas noté(e) présent(e) : %(why)s",
                name=person.full_name,
                why=checked.error,
            ),
            "error",
        )
        return redirect(url_for("cafe.desk", event_id=event.id))
    flash(
        _(
            "%(name)s est inscrit(e) et noté(e) présent(e) comme nouvelle personne.",
            name=person.full_name,
        ),
        "success",
    )
    return redirect(url_for("cafe.desk", event_id=event.id, nouveau=person.id))


# --- the paper attendance sheet -------------------------------------------------------------


@bp.route("/<int:event_id>/feuille.pdf")
def sheet(event_id: int):
    event = _event(event_id)
    perimeter = get_perimeter() or abort(404)
    try:
        pdf = printing.render_attendance_sheet(printouts.attendance_sheet(event, perimeter))
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("cafe.desk", event_id=event.id))
    return made_file(  # names of neighbours: kept in no cache
        pdf,
        f"feuille-de-presence-{desk_rules.event_day(event):%Y-%m-%d}.pdf",
        attachment=False,
        private=True,
    )


# --- the event report -----------------------------------------------------------------------


@bp.route("/<int:event_id>/bilan", methods=["GET", "POST"])
def report(event_id: int):
    event = _event(event_id)
    figures = report_rules.report_figures(event)
    saved = report_rules.report_of(event)
    if saved is not None:
        form = ReportForm(
            data={
                "offers_collected": saved.offers_collected,
                "needs_collected": saved.needs_collected,
                "notes": saved.notes,
            }
        )
    else:
        form = ReportForm(
            data={"offers_collected": figures.offers, "needs_collected": figures.needs, "notes": ""}
        )
    refused = None
    if form.validate_on_submit():
        values = {
            name: form[name].data for name in ("offers_collected", "needs_collected", "notes")
        }
        saved_now = attempt(
            lambda: report_rules.save_report(event, values, actor=current_user), CafeError
        )
        if saved_now.ok:
            flash(
                _("Le bilan du %(date)s est enregistré.", date=long_date(event.starts_at)),
                "success",
            )
            return redirect(url_for("cafe.reports"))
        refused = saved_now.error
    writer = (
        db.session.get(User, saved.written_by_id)
        if saved is not None and saved.written_by_id
        else None
    )
    return render_template(
        "cafe/report.html",
        event=event,
        form=form,
        figures=figures,
        saved=saved,
        writer=writer,
        refused=refused,
        started=event.has_started(),
    ), 422 if form.errors or refused else 200


@bp.route("/bilans")
def reports():
    page = page_number(request.args.get("page"))
    rows, count = report_rules.past_reports(page)
    return render_template(
        "cafe/reports.html",
        rows=rows,
        **paging(count, page, services.REPORTS_PAGE_SIZE),
        totals=report_rules.totals_of_past_events(),
    )
