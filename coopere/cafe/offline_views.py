"""The offline café desk's pages (thin: the rules are in cafe.offline): the desk itself, whose
page holds no resident's data and is kept by the tablet's service worker; the small JSON copy the
tablet keeps for the check-in search; the JSON sending of the queue; the service worker's script;
the sheet of ten pre-printed numbered welcome cards."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from wtforms.fields.choices import SelectChoice

from .. import printing
from ..actions import attempt_and_say, made_file
from ..auth.forms import ConfirmForm
from ..config import ROOT
from ..events.models import Event
from ..extensions import db
from ..inputs import parse_id
from ..listings.themes import all_themes
from ..members import consents as texts
from ..members.checks import MemberError
from ..members.dwelling_labels import dwelling_choices
from ..members.forms import registration_form_class
from ..members.prepared_cards import PER_SHEET, card_label, mint_cards
from ..members import printouts as member_printouts
from ..perimeter.models import get_perimeter
from ..urls import public_base
from . import desk as desk_rules
from . import offline
from .services import CafeError

bp = Blueprint("cafe_offline", __name__, url_prefix="/cafe")
_WORKER = ROOT / "static" / "js" / "desk-sw.js"


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


def _json(payload, status: int = 200):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/<int:event_id>/accueil/hors-ligne")
def desk(event_id: int):
    """The desk that keeps working without a network. No resident's data in the page itself:
    names come from `data` and stay in the tablet's IndexedDB for this café only."""
    event = _event(event_id)
    perimeter = get_perimeter() or abort(404)
    session.pop("_flashes", None)  # another page's messages (names) are kept in no tablet's copy
    themes = all_themes()
    form = registration_form_class(themes)(formdata=None)
    form.sponsor_id.choices = [SelectChoice("", "")]
    return render_template(
        "cafe/offline_desk.html",
        event=event,
        form=form,
        themes=themes,
        perimeter=perimeter,
        privacy_notice=texts.PRIVACY_NOTICE,
        dwellings=dwelling_choices(),
        closed=desk_rules.desk_closed_reason(event),
        confirm=ConfirmForm(),
        erase_after=offline.erase_after(event),
        worker_scope=url_for("cafe_offline.worker").rsplit("/", 1)[0] + "/",
    )


@bp.route("/<int:event_id>/accueil/donnees.json")
def data(event_id: int):
    """What the tablet keeps for this café: first name, last name and street of each person (for
    the check-in search), who is present, the counts, and a fresh CSRF token for the sending."""
    event = _event(event_id)
    return _json(
        {
            "event": event.id,
            "csrf": generate_csrf(),
            "erase_after": offline.erase_after(event).isoformat() + "Z",
            "people": offline.desk_people(),
            **offline.desk_state(event),
        }
    )


@bp.route("/<int:event_id>/accueil/envoi", methods=["POST"])
def sync(event_id: int):
    """The queue sent by the tablet (JSON, CSRF token in X-CSRFToken): one answer per action."""
    event = _event(event_id)
    perimeter = get_perimeter() or abort(404)
    payload = request.get_json(silent=True)
    actions = payload.get("actions") if isinstance(payload, dict) else None
    if not isinstance(actions, list):
        return _json({"error": _("Envoi illisible : rien n'a changé.")}, 422)
    try:
        outcomes = offline.sync(
            event,
            actions,
            actor=current_user,
            perimeter=perimeter,
            path=request.path,
            member_url=lambda ident: url_for("members.show", member_id=ident),
        )
    except CafeError as error:
        db.session.rollback()
        return _json({"error": str(error)}, 422)
    db.session.commit()
    return _json(
        {"results": [outcome.as_dict() for outcome in outcomes], **offline.desk_state(event)}
    )


@bp.route("/hors-ligne.js")
def worker():
    """The service worker, served under /cafe/ so that it may keep the desk pages."""
    response = make_response(_WORKER.read_bytes())
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/cartes-numerotees", methods=["POST"])
def cards():
    """A sheet of ten pre-printed numbered welcome cards, tied to nobody yet."""
    perimeter = get_perimeter() or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    public_url = public_base()
    printed = attempt_and_say(
        lambda: printing.render_welcome_cards(
            [
                member_printouts.prepared_card(card_label(card.number), code, perimeter, public_url)
                for card, code in mint_cards(PER_SHEET, actor=current_user)
            ],
            layout="sheet",
        ),
        (MemberError, ValueError),
    )
    if not printed.ok:
        event_id = parse_id(request.form.get("cafe"))
        if event_id is not None:
            return redirect(url_for("cafe_offline.desk", event_id=event_id))
        return redirect(url_for("members.index"))
    return made_file(printed.value, "cartes-accueil-numerotees.pdf", private=True)
