"""The offline café desk's rules: what the tablet keeps (the least: first name, last name and
street of the perimeter's people, for the check-in search of one café), and the queue it sends
when the network returns — check-ins, « + 1 visiteur », registrations (with a pre-printed card's
number) — each action with its own idempotency key, so that a retry never doubles anything.

The rules themselves stay where they are: check-ins and the visitors' counter in cafe.desk, the
registration's checks in members.desk and members.registration, the cards in
members.prepared_cards. This module only applies them to each queued action, one savepoint each,
and says per action what happened: accepted, already recorded, or refused with the French reason
(nothing changed then, and the tablet keeps the action)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from ..auth.models import User
from ..dwellings.models import Dwelling
from ..events.models import Event
from ..extensions import db
from ..idempotency import IdempotencyKey
from ..inputs import parse_id
from ..listings.themes import all_themes
from ..members.checks import MemberError
from ..members.desk import registration_of, validate_steps
from ..members.forms import registration_form_class
from ..members.prepared_cards import bind_card, find_card
from ..members.registration import register_resident
from ..members.sponsorship import SponsorshipError
from ..perimeter.models import Perimeter
from ..timeutil import to_utc
from . import desk as desk_rules
from .models import CheckIn
from .services import CafeError

MAX_ACTIONS = 200  # one sending; the tablet sends a longer queue in several
KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
KINDS = ("check_in", "visitor", "registration")
ACCEPTED, ALREADY, REFUSED = "accepted", "already", "refused"
_KEPT_STATUS = {ACCEPTED: 201, ALREADY: 200}


@dataclass
class Outcome:
    key: str
    status: str  # accepted, already, refused
    message: str
    link: str = ""  # a page for the animator (the member's page after a possible duplicate)

    def as_dict(self) -> dict:
        return {"key": self.key, "status": self.status, "message": self.message, "link": self.link}


class Refused(Exception):
    """An action refused, nothing changed: the message, and a page to open if any."""

    def __init__(self, message, link: str = ""):
        super().__init__(str(message))
        self.link = link


# --- what the tablet keeps ------------------------------------------------------------------


def erase_after(event: Event) -> datetime:
    """The end of the café's day (midnight, Paris time), in UTC: the tablet erases its copy then."""
    return to_utc(desk_rules.event_day(event) + timedelta(days=1), time(0))


def desk_people() -> list[dict]:
    """For the check-in search only: id, first name, last name and street of the people of the
    perimeter (not those who left nor erased) — nothing else leaves the server."""
    rows = db.session.execute(
        select(User.id, User.first_name, User.last_name, Dwelling.street)
        .outerjoin(Dwelling, User.dwelling_id == Dwelling.id)
        .where(User.left_at.is_(None), User.erased_at.is_(None))
        .order_by(func.lower(User.last_name), func.lower(User.first_name), User.id)
    ).all()
    return [
        {"id": ident, "first_name": first, "last_name": last, "street": street or ""}
        for ident, first, last, street in rows
    ]


def desk_state(event: Event) -> dict:
    """The counts and who is present now (ids only), after each sending."""
    counts = desk_rules.desk_counts(event)
    present = db.session.scalars(select(CheckIn.user_id).where(CheckIn.event_id == event.id))
    return {
        "present": sorted(present),
        "counts": {
            "present": counts.present,
            "newcomers": counts.newcomers,
            "visitors": counts.visitors,
            "attendance": counts.attendance,
        },
        "closed": desk_rules.desk_closed_reason(event) or "",
    }


# --- the queue --------------------------------------------------------------------------------


def sync(
    event: Event, actions: list, *, actor: User, perimeter: Perimeter, path: str, member_url
) -> list[Outcome]:
    """Carry out the queued `actions` in order, each in its own savepoint with its key stored
    beside it; a key seen before answers « already recorded » without doing anything again.
    `member_url(id)` makes the link to a member's page. The caller commits."""
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        raise CafeError(
            _l("Envoyez de 1 à %(n)d actions à la fois : rien n'a changé.", n=MAX_ACTIONS)
        )
    closed = desk_rules.desk_closed_reason(event)
    context = _Context(event, actor, perimeter, path, member_url)
    outcomes = []
    for index, action in enumerate(actions):
        key = action.get("key") if isinstance(action, dict) else None
        if not isinstance(key, str) or not KEY.match(key):
            outcomes.append(
                Outcome(
                    str(key)[:64] if key else f"#{index + 1}",
                    REFUSED,
                    _("Action sans clé d'envoi valable : elle n'a pas été enregistrée."),
                )
            )
            continue
        outcomes.append(context.carry_out(key, action, closed))
    return outcomes


class _Context:
    def __init__(self, event, actor, perimeter, path, member_url):
        self.event, self.actor, self.perimeter = event, actor, perimeter
        self.path, self.member_url = path[:300], member_url
        self._themes = None

    @property
    def themes(self):
        if self._themes is None:
            self._themes = all_themes()
        return self._themes

    def carry_out(self, key: str, action: dict, closed: str | None) -> Outcome:
        stored = db.session.get(IdempotencyKey, key)
        if stored is not None:
            if stored.user_id != self.actor.id or stored.path != self.path:
                return Outcome(
                    key, REFUSED, _("Cette clé d'envoi a déjà servi ailleurs : rien n'a changé.")
                )
            return Outcome(
                key,
                ALREADY,
                _("Déjà reçu et enregistré : rien n'a été fait en double."),
                stored.location,
            )
        if closed:  # a café cancelled meanwhile: the tablet keeps the queue for export
            return Outcome(key, REFUSED, closed)
        kind = action.get("type")
        try:
            with db.session.begin_nested():
                if kind == "check_in":
                    status, message, link = self.check_in(action)
                elif kind == "visitor":
                    status, message, link = self.visitor()
                elif kind == "registration":
                    status, message, link = self.registration(action)
                else:
                    raise Refused(_l("Action inconnue : elle n'a pas été enregistrée."))
                db.session.add(
                    IdempotencyKey(
                        key=key,
                        user_id=self.actor.id,
                        method="POST",
                        path=self.path,
                        status_code=_KEPT_STATUS[status],
                        location=link[:500],
                    )
                )
        except Refused as refusal:
            return Outcome(key, REFUSED, str(refusal), refusal.link)
        except (CafeError, MemberError, SponsorshipError) as error:
            return Outcome(key, REFUSED, str(error))
        return Outcome(key, status, message, link)

    def check_in(self, action: dict):
        ident = parse_id(str(action.get("person", "")))
        person = db.session.get(User, ident) if ident is not None else None
        if person is None or person.erased_at is not None:
            raise Refused(_l("Cette personne n'existe pas : rien n'a changé."))
        if desk_rules.is_checked_in(self.event, person):  # another tablet, or online: counts once
            return (
                ALREADY,
                _(
                    "%(name)s était déjà noté(e) présent(e) : compté(e) une fois.",
                    name=person.full_name,
                ),
                "",
            )
        desk_rules.check_in(self.event, person, actor=self.actor)
        return ACCEPTED, _("%(name)s est noté(e) présent(e).", name=person.full_name), ""

    def visitor(self):
        count = desk_rules.change_visitors(self.event, 1)
        return ACCEPTED, _("Visiteurs : %(n)d", n=count), ""

    def registration(self, action: dict):
        fields = action.get("fields")
        if not isinstance(fields, dict):
            raise Refused(_l("Inscription vide : rien n'a changé."))
        form = _registration_form(self.themes, fields)
        valid, duplicates, _suggestions = validate_steps(form, range(1, 4))
        if duplicates:
            other = duplicates[0]
            raise Refused(
                _l(
                    "Doublon possible : %(name)s est peut-être déjà inscrit(e). Un animateur "
                    "vérifie sur sa fiche, puis renvoie l'inscription si c'est une autre personne.",
                    name=other.full_name,
                ),
                self.member_url(other.id),
            )
        if not valid:
            raise Refused(_first_error(form))
        card_text = str(action.get("card") or "").strip()
        card = find_card(card_text) if card_text else None  # checked before anything is written
        person = register_resident(
            registration_of(form, self.themes), actor=self.actor, perimeter=self.perimeter
        )
        desk_rules.check_in(self.event, person, actor=self.actor, newcomer=True)
        if card is not None:
            bind_card(card, person, actor=self.actor)
            message = _(
                "%(name)s est inscrit(e) et noté(e) présent(e) ; sa carte n° %(number)04d est "
                "active.",
                name=person.full_name,
                number=card.number,
            )
        else:
            message = _(
                "%(name)s est inscrit(e) et noté(e) présent(e) : imprimez sa carte d'accueil "
                "depuis sa fiche.",
                name=person.full_name,
            )
        return ACCEPTED, message, self.member_url(person.id)


def _registration_form(themes, fields: dict):
    """The desk's own form, filled with what the tablet kept: the same checks as online."""
    data = MultiDict()
    for name, value in list(fields.items())[:400]:
        if isinstance(value, list):
            for item in value[:5]:
                data.add(str(name)[:60], str(item)[:500])
        elif value is not None and value is not False:
            data.add(str(name)[:60], str(value)[:500])
    form = registration_form_class(themes)(formdata=data, meta={"csrf": False})
    form.sponsor_id.choices = [SelectChoice("", "")]  # a sponsor is linked online, later
    return form


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        if errors:
            label = form[name].label.text if name in form else name
            return _("%(field)s : %(error)s", field=label, error=errors[0])
    return _("L'inscription est incomplète : rien n'a changé.")
