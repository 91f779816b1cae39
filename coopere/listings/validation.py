"""What a listing's values must be: kind, theme, title and text lengths, days, details, project;
and the reminder (never a refusal) when a listing speaks of money."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..timeutil import utcnow
from .details import DetailError, clean_details, form_name
from .models import ListingKind, Theme

TITLE_MIN, TITLE_MAX, DESCRIPTION_MAX, AVAILABILITY_MAX = 3, 120, 2000, 200


# Money words (folded: no accents, lower case). Exchanges are free; these only trigger a reminder.
MONEY = re.compile(r"€|\beuros?\b|\bprix\b|\bpayer\b|\bpayante?s?\b|\btarifs?\b")


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()


def mentions_money(*texts: str) -> bool:
    """Whether a text speaks of money (€, euros, prix, payer, payant, tarif), whatever the accents
    or the case. Nothing is refused: the page reminds that the network's exchanges are free."""
    return any(MONEY.search(_fold(text)) for text in texts)


PARTICIPANTS_MAX = 1000


KINDS = (ListingKind.OFFER.value, ListingKind.NEED.value, ListingKind.PROJECT.value)


TITLE_LENGTH = _l(
    "Le titre doit faire entre %(min)d et %(max)d caractères.", min=TITLE_MIN, max=TITLE_MAX
)


DESCRIPTION_LENGTH = _l(
    "La description est trop longue (%(max)d caractères au plus).", max=DESCRIPTION_MAX
)


class ListingError(ValueError):
    """A refused change to a listing; the message is French (lazy) and safe to show. `field`
    names the form field it concerns, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ListingValues:
    """What the form gives. `details` holds the chosen theme's details as typed (see details.py);
    `days` the chosen weekdays (0 = Monday). The project fields count only for kind "project"."""

    theme_id: int
    kind: str
    title: str
    description: str = ""
    availability: str = ""
    days: tuple = ()
    details: dict = field(default_factory=dict)
    max_participants: int | str | None = None
    project_date: date | None = None
    event_id: int | None = None


def _clean(
    values: ListingValues,
    *,
    current_theme_id: int | None = None,
    current_event_id: int | None = None,
    current_project_date: date | None = None,
) -> ListingValues:
    title = " ".join((values.title or "").split())
    description = (values.description or "").strip()
    availability = " ".join((values.availability or "").split())
    if values.kind not in KINDS:
        raise ListingError(
            _l("Choisissez : je propose, je cherche ou un projet collectif."), "kind"
        )
    theme = db.session.get(Theme, values.theme_id) if values.theme_id else None
    if theme is None or (theme.retired and theme.id != current_theme_id):
        raise ListingError(_l("Choisissez un thème dans la liste."), "theme_id")
    if not title:
        raise ListingError(_l("Donnez un titre à l'annonce."), "title")
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ListingError(TITLE_LENGTH, "title")
    if len(description) > DESCRIPTION_MAX:
        raise ListingError(DESCRIPTION_LENGTH, "description")
    if len(availability) > AVAILABILITY_MAX:
        raise ListingError(
            _l(
                "Les disponibilités sont trop longues (%(max)d caractères au plus).",
                max=AVAILABILITY_MAX,
            ),
            "availability",
        )
    try:
        days = sorted({int(day) for day in values.days or ()})
    except (TypeError, ValueError):
        days = [-1]
    if any(not 0 <= day <= 6 for day in days):
        raise ListingError(_l("Choisissez des jours de la semaine dans la liste."), "days")
    try:
        details = clean_details(theme.slug, values.details or {})
    except DetailError as error:
        raise ListingError(str(error), form_name(theme.slug, error.name)) from None
    project = {"max_participants": None, "project_date": None, "event_id": None}
    if values.kind == ListingKind.PROJECT.value:
        project = _clean_project(values, current_event_id, current_project_date)
    return ListingValues(
        theme_id=theme.id,
        kind=values.kind,
        title=title,
        description=description,
        availability=availability,
        days=tuple(days),
        details=details,
        **project,
    )


def _clean_project(
    values: ListingValues, current_event_id: int | None, current_date: date | None
) -> dict:
    from ..events.models import Event
    from ..timeutil import paris_today

    maximum = values.max_participants
    if maximum in (None, ""):
        maximum = None
    else:
        text = str(maximum).strip()
        # isdecimal, not isdigit: « ² » is a digit int() refuses; 7 digits and more are over the max
        if not text.isdecimal() or len(text) > 6 or not 0 < int(text) <= PARTICIPANTS_MAX:
            raise ListingError(
                _l("Le nombre de participants doit être un nombre entier supérieur à zéro."),
                "max_participants",
            )
        maximum = int(text)
    event_id = values.event_id or None
    if event_id is not None:
        event = db.session.get(Event, event_id)
        upcoming = event is not None and not event.cancelled and event.ends_at >= utcnow()
        if event is None or (not upcoming and event.id != current_event_id):
            raise ListingError(_l("Choisissez un rendez-vous à venir dans la liste."), "event_id")
    if (
        values.project_date is not None
        and values.project_date != current_date
        and values.project_date < paris_today()
    ):
        raise ListingError(
            _l("La date du projet est passée : choisissez aujourd'hui ou une date à venir."),
            "project_date",
        )
    return {"max_participants": maximum, "project_date": values.project_date, "event_id": event_id}
