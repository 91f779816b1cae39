"""Telling those signed up for an event that it is cancelled, moved, or back on after all: a
notice to each, in their language, and to the sponsor of an offline one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..i18n import day_text
from ..members.sponsorship import sponsorship_of
from ..notifications.services import notify
from ..timeutil import to_paris
from .models import Event, EventKind, EventSignup


def _path(endpoint: str, **values) -> str:
    """A local path for a notice's link (empty outside a request: the command line)."""
    if not has_request_context():
        return ""
    return url_for(endpoint, **values)


CANCELLED_TEXTS = {
    EventKind.CAFE: _l("Le café-rencontre du %(date)s est annulé."),
    EventKind.APERO_INFO: _l("L'apéro-info du %(date)s est annulé."),
    EventKind.FETE: _l("La Fête de la Coopération du %(date)s est annulée."),
    EventKind.GROUP_MEETING: _l("La réunion du groupe d'animation du %(date)s est annulée."),
    EventKind.COLLECTIVE_ACTION: _l("L'action collective du %(date)s est annulée."),
}


def cancel_and_tell(event: Event) -> int:
    event.cancelled = True
    day = to_paris(event.starts_at).date()
    text = CANCELLED_TEXTS[EventKind(event.kind)]
    return _tell_signed_up(event, "event.cancelled", lambda: str(text) % {"date": day_text(day)})


def tell_moved(event: Event, *, old_day: date) -> int:
    start, end = to_paris(event.starts_at), to_paris(event.ends_at)

    def sentence() -> str:
        return _(
            "Le rendez-vous du %(old)s change : %(day)s, de %(start)s à %(end)s, %(place)s.",
            old=day_text(old_day),
            day=day_text(start.date()),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
            place=event.place,
        )

    return _tell_signed_up(event, "event.changed", sentence)


def tell_back_on(event: Event) -> int:
    day = to_paris(event.starts_at).date()
    return _tell_signed_up(
        event,
        "event.restored",
        lambda: _("Le rendez-vous du %(date)s aura bien lieu.", date=day_text(day)),
    )


def _tell_signed_up(event: Event, kind: str, sentence: Callable[[], str]) -> int:
    """A notice to each person signed up; for an offline one, to their sponsor as well (who
    reads it for them), naming them. Returns the number of notices."""
    if event.id is None:
        return 0
    link = _path("events.upcoming")
    people = list(
        db.session.scalars(
            select(User)
            .join(EventSignup, EventSignup.user_id == User.id)
            .where(EventSignup.event_id == event.id)
            .order_by(User.id)
        )
    )
    count = notify(people, kind, sentence, link)
    for person in people:
        if not person.is_offline:
            continue
        sponsorship = sponsorship_of(person)
        if sponsorship is None or sponsorship.sponsor_id == person.id:
            continue
        count += notify(
            [sponsorship.sponsor],
            kind,
            lambda person=person: _(
                "%(text)s Vous aviez inscrit %(name)s.", text=sentence(), name=person.full_name
            ),
            link,
        )
    return count
