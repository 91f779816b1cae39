"""Changes to exchanges: answering a listing, posting in its thread, the owner's decision, marking
done, thank-you notes, and blocking a member. Reading them: exchanges/reading.py; who is related
to whom and who blocked whom: exchanges/relations.py.

`person` is always the party (the owner or the neighbour who answered, i.e. `subject()`), `actor`
who is logged in (the party, or their sponsor acting for them). Status changes happen in one place,
`change_status`, with the exchange's row locked. Functions work in the current transaction; the
caller commits, or rolls back on ExchangeError (nothing half-saved)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..i18n import elide
from ..listings.models import Listing, ListingKind, ListingStatus
from ..members.sponsorship import on_behalf, sponsorship_of
from ..notifications.services import notify
from ..timeutil import utcnow
from .models import Block, Exchange, ExchangeStatus, Message
from .reading import OWNER, REQUESTER, other_party, existing_answer, party
from .relations import has_blocked, is_blocked_between, related

MESSAGE_MAX, THANKS_MAX = 2000, 500

EMPTY = _l("Écrivez votre message.")
TOO_LONG = _l("Votre message est trop long (%(max)d caractères au plus).", max=MESSAGE_MAX)
THANKS_EMPTY = _l("Écrivez votre mot de remerciement.")
THANKS_TOO_LONG = _l(
    "Votre mot de remerciement est trop long (%(max)d caractères au plus).", max=THANKS_MAX
)
OWN_LISTING = _l("C'est votre propre annonce : vous ne pouvez pas y répondre.")
NOT_OPEN = _l("Cette annonce n'est plus ouverte : on ne peut plus y répondre.")
PROJECT = _l("Un projet collectif ne se répond pas ici : rejoignez-le depuis sa page.")
ALREADY_ANSWERED = _l(
    "Vous avez déjà répondu à cette annonce : retrouvez l'échange dans « Mes échanges »."
)
BLOCKED = _l("Vous ne pouvez pas écrire à cette personne.")
CLOSED = _l("Cet échange est clos : on ne peut plus y écrire.")
# Said alike for a stranger and for an id that matches nobody: an id reveals neither a name nor
# whether someone has it.
NOT_RELATED = _l(
    "Vous ne pouvez bloquer qu'une personne avec qui vous avez déjà eu affaire ici : "
    "un échange, un projet collectif ou un parrainage."
)


class ExchangeError(ValueError):
    """A refused action on an exchange; the message is French (lazy) and safe to show."""


# --- notifying ------------------------------------------------------------------------------


def recipients(person: User) -> list[User]:
    """Who reads notices for this person: themself, or their sponsor when they have no internet."""
    if person.is_offline:
        sponsorship = sponsorship_of(person)
        return [sponsorship.sponsor] if sponsorship is not None else []
    return [person]


def _notify(exchange: Exchange, to: User, kind: str, make_text) -> None:
    link = url_for("exchanges.show", exchange_id=exchange.id)
    for reader in recipients(to):
        if reader.id == to.id:
            notify([reader], kind, make_text, link)
        else:  # the sponsor: say for whom
            notify(
                [reader],
                kind,
                lambda: _l("Pour %(name)s : %(text)s", name=to.first_name, text=make_text()),
                link,
            )


# --- checks ---------------------------------------------------------------------------------


def _clean(body: str, *, empty=EMPTY, too_long=TOO_LONG, limit: int = MESSAGE_MAX) -> str:
    text = (body or "").strip()
    if not text:
        raise ExchangeError(empty)
    if len(text) > limit:
        raise ExchangeError(too_long)
    return text


def _audit(action: str, exchange: Exchange, *, actor: User, person: User) -> None:
    record(
        action,
        actor=actor,
        target=person,
        exchange=exchange.id,
        listing=exchange.listing_id,
        **on_behalf(actor, person),
    )


# --- changes --------------------------------------------------------------------------------


def start_exchange(listing: Listing, person: User, body: str, *, actor: User) -> Exchange:
    """`person` answers `listing` (« Je peux aider » / « Ça m'intéresse ») with a first message."""
    if listing.owner_id == person.id:
        raise ExchangeError(OWN_LISTING)
    if listing.kind not in (ListingKind.OFFER, ListingKind.NEED):
        raise ExchangeError(PROJECT)
    if listing.status != ListingStatus.OPEN:
        raise ExchangeError(NOT_OPEN)
    if existing_answer(listing, person) is not None:
        raise ExchangeError(ALREADY_ANSWERED)
    owner = listing.owner
    if is_blocked_between(person, owner):
        raise ExchangeError(BLOCKED)
    text = _clean(body)
    now = utcnow()
    exchange = Exchange(
        listing_id=listing.id,
        owner_id=owner.id,
        requester_id=person.id,
        status=ExchangeStatus.PENDING.value,
        created_at=now,
        last_message_at=now,
    )
    db.session.add(exchange)
    try:
        db.session.flush()
    except IntegrityError as error:  # a second answer submitted at the same moment
        raise ExchangeError(ALREADY_ANSWERED) from error
    db.session.add(
        Message(
            exchange_id=exchange.id,
            author_id=person.id,
            sent_by_id=actor.id,
            body=text,
            created_at=now,
        )
    )
    _audit("exchange.started", exchange, actor=actor, person=person)
    title, name = listing.title, person.first_name
    _notify(
        exchange,
        owner,
        "exchange.started",
        lambda: _l("%(name)s a répondu à votre annonce « %(title)s ».", name=name, title=title),
    )
    return exchange


def post_message(exchange: Exchange, person: User, body: str, *, actor: User) -> Message:
    who = party(exchange, person)
    if who is None:
        raise ExchangeError(BLOCKED)
    if exchange.status in (ExchangeStatus.DECLINED, ExchangeStatus.WITHDRAWN):
        raise ExchangeError(CLOSED)
    other = other_party(exchange, person)
    if is_blocked_between(person, other):
        raise ExchangeError(BLOCKED)
    text = _clean(body)
    now = utcnow()
    message = Message(
        exchange_id=exchange.id, author_id=person.id, sent_by_id=actor.id, body=text, created_at=now
    )
    db.session.add(message)
    exchange.last_message_at = now
    name, title = person.first_name, exchange.listing.title
    _notify(
        exchange,
        other,
        "exchange.message",
        lambda: elide(
            str(
                _l("Nouveau message de %(name)s au sujet de « %(title)s ».", name=name, title=title)
            ),
            name,
        ),
    )
    return message


# Status changes: action -> (who may do it, statuses it starts from, new status).
TRANSITIONS = {
    "accept": ((OWNER,), (ExchangeStatus.PENDING,), ExchangeStatus.ACCEPTED),
    "decline": ((OWNER,), (ExchangeStatus.PENDING,), ExchangeStatus.DECLINED),
    "withdraw": ((REQUESTER,), (ExchangeStatus.PENDING,), ExchangeStatus.WITHDRAWN),
    "done": ((OWNER, REQUESTER), (ExchangeStatus.ACCEPTED,), ExchangeStatus.DONE),
}
# The button of each action on the exchange's page: its label and whether it is the main one.
ACTION_BUTTONS = {
    "accept": (_l("Accepter"), True),
    "decline": (_l("Décliner"), False),
    "withdraw": (_l("Retirer ma réponse"), False),
    "done": (_l("C'est fait !"), True),
}
WRONG_PARTY = {
    "accept": _l("Seule la personne qui a publié l'annonce peut accepter ou refuser."),
    "decline": _l("Seule la personne qui a publié l'annonce peut accepter ou refuser."),
    "withdraw": _l("Seule la personne qui a répondu peut retirer sa réponse."),
    "done": _l("Seules les deux personnes de l'échange peuvent le dire terminé."),
}
REFUSED = {  # (action, current status) -> why not
    ("accept", ExchangeStatus.ACCEPTED): _l("Cet échange est déjà accepté."),
    ("decline", ExchangeStatus.ACCEPTED): _l(
        "Cet échange est déjà accepté : il ne peut plus être refusé."
    ),
    ("withdraw", ExchangeStatus.ACCEPTED): _l(
        "Cet échange est déjà accepté : votre réponse ne peut plus être "
        "retirée. Vous pouvez écrire un message."
    ),
    ("done", ExchangeStatus.PENDING): _l("L'échange doit d'abord être accepté."),
    ("done", ExchangeStatus.DONE): _l("Cet échange est déjà terminé."),
}
BY_STATUS = {
    ExchangeStatus.DECLINED: _l("Cet échange a été refusé : il est clos."),
    ExchangeStatus.WITHDRAWN: _l("La réponse a été retirée : cet échange est clos."),
    ExchangeStatus.DONE: _l("Cet échange est déjà terminé."),
}
AUDIT_ACTIONS = {
    "accept": "exchange.accepted",
    "decline": "exchange.declined",
    "withdraw": "exchange.withdrawn",
    "done": "exchange.done",
}
NOTICES = {
    "accept": lambda name, title: _l(
        "%(name)s a accepté l'échange « %(title)s ». Vous pouvez maintenant vous contacter.",
        name=name,
        title=title,
    ),
    "decline": lambda name, title: _l(
        "%(name)s a décliné votre réponse à « %(title)s ».", name=name, title=title
    ),
    "withdraw": lambda name, title: _l(
        "%(name)s a retiré sa réponse à « %(title)s ».", name=name, title=title
    ),
    "done": lambda name, title: _l(
        "%(name)s indique que l'échange « %(title)s » est fait. Merci !", name=name, title=title
    ),
}


def _lock(exchange: Exchange) -> None:
    """Read the exchange again with its row locked: two clicks at once are decided one after the
    other (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writes)."""
    db.session.execute(select(Exchange.id).where(Exchange.id == exchange.id).with_for_update())
    db.session.refresh(
        exchange,
        attribute_names=[
            "status",
            "owner_thanks",
            "requester_thanks",
            "decided_at",
            "done_at",
            "done_by_id",
        ],
    )


def available_actions(exchange: Exchange, person: User) -> list[str]:
    """The status changes `person` may make now, from TRANSITIONS (the page shows only these)."""
    side, current = party(exchange, person), ExchangeStatus(exchange.status)
    return [
        action
        for action, (who_may, starts_from, _new) in TRANSITIONS.items()
        if side in who_may and current in starts_from
    ]


def change_status(exchange: Exchange, action: str, person: User, *, actor: User) -> None:
    """Accept, decline, withdraw or mark done — the only place where an exchange's status
    changes."""
    who_may, starts_from, new_status = TRANSITIONS[action]
    _lock(exchange)
    if party(exchange, person) not in who_may:
        raise ExchangeError(WRONG_PARTY[action])
    current = ExchangeStatus(exchange.status)
    if current not in starts_from:
        raise ExchangeError(
            REFUSED.get((action, current))
            or BY_STATUS.get(current)
            or _l("Cette action n'est plus possible.")
        )
    now = utcnow()
    exchange.status = new_status.value
    if action in ("accept", "decline"):
        exchange.decided_at = now
    if action == "done":
        exchange.done_at = now
        exchange.done_by_id = person.id
    _audit(AUDIT_ACTIONS[action], exchange, actor=actor, person=person)
    name, title, make = person.first_name, exchange.listing.title, NOTICES[action]
    _notify(
        exchange, other_party(exchange, person), AUDIT_ACTIONS[action], lambda: make(name, title)
    )


def leave_thanks(
    exchange: Exchange, person: User, text: str, *, actor: User, quote: bool | None = None
) -> None:
    """`person`'s thank-you note; with `quote` (the question asked beside it), their answer to
    « may my thanked exchanges be told in the newsletter », recorded as a consent."""
    _lock(exchange)
    who = party(exchange, person)
    if who is None:
        raise ExchangeError(WRONG_PARTY["done"])
    if exchange.status != ExchangeStatus.DONE:
        raise ExchangeError(_l("Un mot de remerciement se laisse une fois l'échange terminé."))
    attribute = "owner_thanks" if who == OWNER else "requester_thanks"
    if getattr(exchange, attribute):
        raise ExchangeError(_l("Vous avez déjà laissé un mot de remerciement."))
    setattr(
        exchange,
        attribute,
        _clean(text, empty=THANKS_EMPTY, too_long=THANKS_TOO_LONG, limit=THANKS_MAX),
    )
    _audit("exchange.thanked", exchange, actor=actor, person=person)
    if quote is not None:
        _record_quote_consent(person, quote, actor=actor)
    name, title = person.first_name, exchange.listing.title
    _notify(
        exchange,
        other_party(exchange, person),
        "exchange.thanked",
        lambda: _l("%(name)s vous remercie pour l'échange « %(title)s ».", name=name, title=title),
    )


def _record_quote_consent(person: User, given: bool, *, actor: User) -> None:
    """Recorded like every consent (members/consent_records), only when the answer changes."""
    from ..members.consent_records import add_consent, current_consents
    from ..members.models import ConsentKind, Method
    from ..perimeter.models import get_perimeter

    latest = current_consents(person).get(ConsentKind.QUOTE_STORY.value)
    if (latest is not None and latest.given == given) or (latest is None and not given):
        return
    add_consent(
        person,
        ConsentKind.QUOTE_STORY,
        given,
        actor=actor,
        method=Method.ONLINE,
        perimeter=get_perimeter(),
    )


def block(blocker: User, blocked: User | None, *, actor: User) -> bool:
    """`blocker` no longer receives answers nor messages from `blocked`. False if already blocked.
    Only someone `related` to the blocker; nobody (an id that matches no one) is refused alike."""
    if blocked is not None and blocker.id == blocked.id:
        raise ExchangeError(_l("Vous ne pouvez pas vous bloquer vous-même."))
    if blocked is not None and has_blocked(blocker, blocked):
        return False
    if blocked is None or not related(blocker, blocked):
        raise ExchangeError(NOT_RELATED)
    db.session.add(Block(blocker_id=blocker.id, blocked_id=blocked.id))
    record(
        "member.blocked",
        actor=actor,
        target=blocker,
        blocked_id=blocked.id,
        **on_behalf(actor, blocker),
    )
    return True


def unblock(blocker: User, blocked: User | None, *, actor: User) -> bool:
    """False when `blocked` was not blocked by `blocker` (or is nobody): the caller then names
    no one."""
    row = None if blocked is None else db.session.get(Block, (blocker.id, blocked.id))
    if row is None:
        return False
    db.session.delete(row)
    record(
        "member.unblocked",
        actor=actor,
        target=blocker,
        blocked_id=blocked.id,
        **on_behalf(actor, blocker),
    )
    return True
