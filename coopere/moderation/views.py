"""Moderation pages: a member reports a listing or a message; the animators' queue and their
decisions (hide, restore, keep, warn). Every POST is checked by CSRFProtect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.models import User
from ..exchanges.models import Message
from ..actions import attempt, attempt_and_say
from ..extensions import db
from ..listings.models import Listing, ListingStatus
from ..members.sponsorship import can_act_for, subject
from . import models  # noqa: F401  (tables known to the app and to migrations)
from . import decisions, services
from .forms import DecisionForm, ReportForm
from .models import Report
from .services import ModerationError

bp = Blueprint("moderation", __name__)

HISTORY_TAB = "historique"


def open_reports_count() -> int:
    """Reports waiting for the animators (one query, only for animators and only where shown)."""
    if "open_reports_count" not in g:
        g.open_reports_count = (
            services.open_report_count()
            if current_user.is_authenticated and current_user.is_animator
            else 0
        )
    return g.open_reports_count


@bp.app_context_processor
def moderation_context():
    return {
        "open_reports_count": open_reports_count,
        "member_warnings": decisions.warnings_of,
        "report_reason": services.reason_label,
    }


def _url_if(endpoint: str, **values) -> str | None:
    """A link to another part of the site, when that part exists."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


# --- reporting (members) --------------------------------------------------------------------


@bp.route("/annonces/<int:listing_id>/signaler", methods=["GET", "POST"])
def report_listing(listing_id: int):
    listing = services.reportable_listing(listing_id) or abort(404)
    return _report(listing=listing, back=_url_if("browse.show", listing_id=listing.id))


@bp.route("/messages/<int:message_id>/signaler", methods=["GET", "POST"])
def report_message(message_id: int):
    message = db.session.get(Message, message_id) or abort(404)
    party = _party_of(message) or abort(404)  # a thread is its two parties' business only
    return _report(
        message=message,
        person=party,
        back=_url_if("exchanges.show", exchange_id=message.exchange_id),
    )


def _party_of(message: Message) -> User | None:
    """The party of the message's exchange the logged-in person is (or acts for, as sponsor)."""
    exchange, me = message.exchange, subject()
    if me.id in (exchange.owner_id, exchange.requester_id):
        return me
    for party in (exchange.owner, exchange.requester):
        if can_act_for(current_user, party):
            return party
    return None


def _report(
    *,
    listing: Listing | None = None,
    message: Message | None = None,
    person: User | None = None,
    back: str | None,
):
    person = person or subject()
    author_id = listing.owner_id if listing is not None else message.author_id
    own = author_id in {current_user.id, person.id}
    already = (
        None if own else services.open_report_by(current_user, listing=listing, message=message)
    )
    form = ReportForm()
    error, status = None, 200
    if request.method == "POST":
        status = 422
        if own or already or form.validate_on_submit():
            report = services.report_listing if listing is not None else services.report_message
            sent = attempt(
                lambda: report(
                    listing or message,
                    reporter=current_user,
                    reason=form.reason.data or "",
                    text=form.text.data or "",
                    acting_for=person,
                ),
                ModerationError,
            )
            if sent.ok:
                flash(_("Merci, votre signalement est transmis au groupe d'animation."), "success")
                return redirect(request.script_root + request.path)
            if sent.refusal.field:
                getattr(form, sent.refusal.field).errors.append(sent.error)
            else:
                error = sent.error
    return render_template(
        "moderation/report.html",
        form=form,
        listing=listing,
        message=message,
        own=own,
        already=already,
        error=error,
        back=back,
    ), status


# --- the animators' queue -------------------------------------------------------------------


def _key(obj: Listing | Message | Report) -> str:
    """The prefix of the decision form of a listing or a message (a report's: of what it is on)."""
    if isinstance(obj, Report):
        obj = obj.listing if obj.listing is not None else obj.message
    return f"annonce-{obj.id}" if isinstance(obj, Listing) else f"message-{obj.id}"


def _page(*, failed: str | None = None, error: str | None = None, status: int = 200):
    """The queue (or its history tab); after a refused decision, with that object's form showing
    the error (status 422)."""
    tab = request.values.get("onglet", "")

    def form_for(key: str) -> DecisionForm:
        return DecisionForm(prefix=key, formdata=request.form if key == failed else None)

    context = {
        "tab": tab,
        "form_for": form_for,
        "error": error,
        "failed": failed,
        "status_label": lambda status: str(services.STATUS_LABELS.get(status, status)),
    }
    if tab == HISTORY_TAB:
        page = request.args.get("page", 1, type=int)
        reports, pages = services.history(page)
        restorable, seen = {}, set()
        for report in reports:  # one « Rétablir » form per object still hidden, on its latest line
            key = _key(report)
            hidden = (
                report.listing.status == ListingStatus.HIDDEN
                if report.listing is not None
                else report.message.hidden
            )
            if hidden and key not in seen:
                restorable[report.id] = key
            seen.add(key)
        context.update(
            reports=reports, page=min(max(page, 1), pages), pages=pages, restorable=restorable
        )
    else:
        context.update(groups=services.queue())
    return render_template("moderation/queue.html", **context), status


@bp.route("/moderation")
def queue():
    return _page()


def _decide(action, obj, success: str, **extra):
    """Run one decision with the reason typed in the object's form; back to the page it came
    from."""
    key = _key(obj)
    form = DecisionForm(prefix=key)
    if form.validate():
        if attempt_and_say(
            lambda: action(obj, actor=current_user, note=form.note.data or "", **extra),
            ModerationError,
            success,
            field=form.note,
        ).ok:
            tab = request.form.get("onglet", "")
            return redirect(
                url_for("moderation.queue", onglet=tab)
                if tab == HISTORY_TAB
                else url_for("moderation.queue")
            )
    return _page(failed=key, error=" ".join(str(e) for e in form.note.errors), status=422)


@bp.route("/moderation/annonces/<int:listing_id>/masquer", methods=["POST"])
def hide_listing(listing_id: int):
    listing = db.session.get(Listing, listing_id) or abort(404)
    return _decide(
        decisions.hide_listing,
        listing,
        _("L'annonce « %(title)s » est masquée ; son auteur est prévenu.", title=listing.title),
    )


@bp.route("/moderation/annonces/<int:listing_id>/retablir", methods=["POST"])
def restore_listing(listing_id: int):
    listing = db.session.get(Listing, listing_id) or abort(404)
    return _decide(
        decisions.restore_listing,
        listing,
        _("L'annonce « %(title)s » est rétablie ; son auteur est prévenu.", title=listing.title),
    )


@bp.route("/moderation/messages/<int:message_id>/masquer", methods=["POST"])
def hide_message(message_id: int):
    message = db.session.get(Message, message_id) or abort(404)
    return _decide(
        decisions.hide_message, message, _("Le message est masqué ; son auteur est prévenu.")
    )


@bp.route("/moderation/messages/<int:message_id>/retablir", methods=["POST"])
def restore_message(message_id: int):
    message = db.session.get(Message, message_id) or abort(404)
    return _decide(decisions.restore_message, message, _("Le message est rétabli."))


def _report_or_404(report_id: int) -> Report:
    return db.session.get(Report, report_id) or abort(404)


@bp.route("/moderation/signalements/<int:report_id>/garder", methods=["POST"])
def keep(report_id: int):
    report = _report_or_404(report_id)
    return _decide(
        decisions.keep,
        report,
        _("C'est noté : le contenu reste visible, le signalement est classé."),
    )


@bp.route("/moderation/signalements/<int:report_id>/avertir", methods=["POST"])
def warn(report_id: int):
    report = _report_or_404(report_id)
    person = report.listing.owner if report.listing is not None else report.message.author
    return _decide(
        decisions.warn,
        report,
        _("L'avertissement est envoyé à %(name)s.", name=person.full_name),
    )
