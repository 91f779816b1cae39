"""Exchanges: answering a listing, the thread between its two parties, « Mes échanges », and
blocking a member. Only the two parties see a thread (and the sponsor of one of them, acting for
them): anyone else gets 404, animators included (they see reported messages through moderation)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..inputs import parse_id
from ..auth.forms import ConfirmForm
from ..auth.models import User
from ..actions import attempt_and_say, save_and_say
from ..extensions import db
from ..i18n import elide
from ..listings.models import Listing, ListingKind, ListingStatus
from ..members.sponsorship import can_act_for, subject
from . import reading, relations, services
from .forms import MessageForm, ThanksForm
from .models import Exchange, ExchangeStatus
from .services import ExchangeError

bp = Blueprint("exchanges", __name__)


def answer_label(listing: Listing) -> str:
    """« Je peux aider » under a need, « Ça m'intéresse » under an offer."""
    return _("Je peux aider") if listing.kind == ListingKind.NEED else _("Ça m'intéresse")


@bp.app_template_global()
def exchange_answer(listing: Listing) -> dict:
    """What the listing page shows about answering it: the button's label, whether it is the
    reader's own listing, and their earlier answer if any (one query)."""
    person = subject()
    own = person is not None and listing.owner_id == person.id
    existing = None if own or person is None else reading.existing_answer(listing, person)
    return {
        "label": answer_label(listing),
        "own": own,
        "existing": existing,
        "open": listing.status == ListingStatus.OPEN and listing.kind != ListingKind.PROJECT,
        "acting": person is not None and person.id != current_user.id,
        "person": person,
    }


def _visible_listing(listing_id: int) -> Listing:
    """A listing the subject may answer or see: drafts and hidden listings are never revealed."""
    listing = db.session.get(Listing, listing_id) or abort(404)
    if (
        listing.status in (ListingStatus.DRAFT, ListingStatus.HIDDEN)
        and listing.owner_id != subject().id
    ):
        abort(404)
    return listing


@bp.route("/annonces/<int:listing_id>/repondre", methods=["POST"])
def start(listing_id: int):
    listing = _visible_listing(listing_id)
    person = subject()
    form = MessageForm()
    existing = None
    if form.validate_on_submit():
        started = attempt_and_say(
            lambda: services.start_exchange(
                listing, person, form.body.data or "", actor=current_user
            ),
            ExchangeError,
            _("Votre message est envoyé. Vous serez prévenu(e) de la réponse."),
            field=form.body,
        )
        if started.ok:
            return redirect(url_for("exchanges.show", exchange_id=started.value.id))
        existing = services.existing_answer(listing, person)
    return render_template(
        "exchanges/start.html",
        listing=listing,
        form=form,
        label=answer_label(listing),
        existing=existing,
        person=person,
        acting=person.id != current_user.id,
    ), 422


# --- the thread -----------------------------------------------------------------------------


def _party_exchange(exchange_id: int) -> tuple[Exchange, User]:
    """The exchange and the party the logged-in person acts as (themself, or the sponsee they
    represent); 404 for anyone else."""
    exchange = reading.exchange_by_id(exchange_id) or abort(404)
    me = subject()
    if reading.party(exchange, me) is not None:
        return exchange, me
    for person in (exchange.owner, exchange.requester):
        if can_act_for(current_user, person):
            return exchange, person
    abort(404)


def _thread_page(
    exchange: Exchange,
    person: User,
    *,
    form: MessageForm | None = None,
    thanks_form: ThanksForm | None = None,
    status: int = 200,
):
    other = reading.other_party(exchange, person)
    who = reading.party(exchange, person)
    own_thanks = exchange.owner_thanks if who == reading.OWNER else exchange.requester_thanks
    # A neighbour without internet: their sponsor reads and answers in their place (named here,
    # within the exchange), or nobody does now.
    relay = next(iter(services.recipients(other)), None) if other.is_offline else None
    form = form or MessageForm(formdata=None)
    if exchange.status != ExchangeStatus.PENDING:  # contact details are shown above once accepted
        form.body.description = (
            _(
                "Seuls %(name)s, %(sponsor)s qui répond à sa place, et vous lisez ces messages.",
                name=other.first_name,
                sponsor=relay.first_name,
            )
            if relay
            else _("Seuls %(name)s et vous lisez ces messages.", name=other.first_name)
        )
    return render_template(
        "exchanges/show.html",
        exchange=exchange,
        person=person,
        other=other,
        who=who,
        relay=relay,
        acting=person.id != current_user.id,
        messages=reading.thread(exchange),
        contact=reading.contact_of(exchange, other),
        blocked=relations.has_blocked(person, other),
        form=form,
        thanks_form=thanks_form or ThanksForm(formdata=None),
        own_thanks=own_thanks,
        confirm=ConfirmForm(),
        Status=ExchangeStatus,
        actions=[
            (action, *services.ACTION_BUTTONS[action])
            for action in services.available_actions(exchange, person)
        ],
    ), status


@bp.route("/echanges/<int:exchange_id>")
def show(exchange_id: int):
    exchange, person = _party_exchange(exchange_id)
    return _thread_page(exchange, person)


def _send(exchange_id: int, form, text: str, send, success: str, *, shown_as: str, **anchor):
    """Send the text typed in the field `text` of one of the thread's forms; when refused, the
    thread again with that form showing why (422)."""
    exchange, person = _party_exchange(exchange_id)
    field = getattr(form, text)
    if (
        form.validate_on_submit()
        and attempt_and_say(
            lambda: send(exchange, person, field.data or "", actor=current_user),
            ExchangeError,
            success,
            field=field,
        ).ok
    ):
        return redirect(url_for("exchanges.show", exchange_id=exchange.id, **anchor))
    exchange, person = _party_exchange(exchange_id)
    return _thread_page(exchange, person, status=422, **{shown_as: form})


@bp.route("/echanges/<int:exchange_id>/repondre", methods=["POST"])
def reply(exchange_id: int):
    return _send(
        exchange_id,
        MessageForm(),
        "body",
        services.post_message,
        _("Votre message est envoyé."),
        shown_as="form",
        _anchor="dernier",
    )


def _change(exchange_id: int, action: str, success: str):
    exchange, person = _party_exchange(exchange_id)
    if ConfirmForm().validate_on_submit():
        attempt_and_say(
            lambda: services.change_status(exchange, action, person, actor=current_user),
            ExchangeError,
            success,
        )
    return redirect(url_for("exchanges.show", exchange_id=exchange_id))


@bp.route("/echanges/<int:exchange_id>/accepter", methods=["POST"])
def accept(exchange_id: int):
    return _change(
        exchange_id,
        "accept",
        _("L'échange est accepté : vous voyez maintenant comment vous joindre."),
    )


@bp.route("/echanges/<int:exchange_id>/decliner", methods=["POST"])
def decline(exchange_id: int):
    return _change(
        exchange_id, "decline", _("Vous avez décliné cette réponse. Merci de l'avoir fait savoir.")
    )


@bp.route("/echanges/<int:exchange_id>/retirer", methods=["POST"])
def withdraw(exchange_id: int):
    return _change(exchange_id, "withdraw", _("Votre réponse est retirée."))


@bp.route("/echanges/<int:exchange_id>/fait", methods=["POST"])
def done(exchange_id: int):
    return _change(exchange_id, "done", _("Merci ! L'échange est noté comme fait."))


@bp.route("/echanges/<int:exchange_id>/merci", methods=["POST"])
def thanks(exchange_id: int):
    form = ThanksForm()
    return _send(
        exchange_id,
        form,
        "text",
        lambda exchange, person, text, actor: services.leave_thanks(
            exchange, person, text, actor=actor, quote=bool(form.quote.data)
        ),
        _("Votre mot de remerciement est envoyé."),
        shown_as="thanks_form",
    )


# --- « Mes échanges » -------------------------------------------------------------------------


@bp.route("/echanges")
def index():
    person = subject()
    return render_template(
        "exchanges/index.html",
        person=person,
        acting=person.id != current_user.id,
        groups=reading.exchanges_of(person),
        blocked=relations.blocked_people(person),
        confirm=ConfirmForm(),
    )


# --- blocking -----------------------------------------------------------------------------


def _back():
    """Back to the thread the button was on (when the person is a party of it), else the list."""
    exchange_id = parse_id(request.form.get("exchange_id"))  # bounded: a 20-digit id was a 500
    if exchange_id:
        exchange = reading.exchange_by_id(exchange_id)
        if exchange is not None and reading.party(exchange, subject()) is not None:
            return redirect(url_for("exchanges.show", exchange_id=exchange_id))
    return redirect(url_for("exchanges.index"))


@bp.route("/membres-bloques/<int:member_id>", methods=["POST"])
def block(member_id: int):
    """Only someone the person has already had to do with; a stranger's id and an id that matches
    nobody get the same answer, which names no one."""
    if ConfirmForm().validate_on_submit():
        member = db.session.get(User, member_id)
        attempt_and_say(
            lambda: services.block(subject(), member, actor=current_user),
            ExchangeError,
            lambda _done: elide(
                _(
                    "Vous ne recevrez plus de messages de %(name)s. Les échanges passés restent "
                    "lisibles.",
                    name=member.first_name,
                ),
                member.first_name,
            ),
        )
    return _back()


@bp.route("/membres-bloques/<int:member_id>/debloquer", methods=["POST"])
def unblock(member_id: int):
    """Names the person only if they were blocked (so already known): any other id, existing or
    not, gets the same answer."""
    if ConfirmForm().validate_on_submit():
        member = db.session.get(User, member_id)
        if services.unblock(subject(), member, actor=current_user):
            save_and_say(_("%(name)s peut de nouveau vous écrire.", name=member.first_name))
        else:
            flash(
                _("Cette personne ne fait pas partie des personnes que vous avez bloquées."), "info"
            )
    return _back()
