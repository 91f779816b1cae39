"""Details specific to a theme, in one place: which extra fields a listing of a theme has, their
French labels, and how a typed value is checked and stored in Listing.details (JSON).

Only the fields of the listing's theme are kept; every field is optional. Dates are stored as
ISO text ("2026-12-01"), quantities as integers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

TEXT, DATE, QUANTITY = "text", "date", "quantity"
QUANTITY_MAX = 100_000


@dataclass(frozen=True)
class DetailField:
    name: str  # the key in Listing.details
    label: object  # French (lazy), as the form shows it
    short: object  # without « (facultatif) », as the listing page and messages show it
    kind: str = TEXT  # text | date | quantity
    max_length: int = 100
    hint: object = ""


#: Theme slug -> its detail fields, in the order the form shows them.
DETAILS: dict[str, tuple[DetailField, ...]] = {
    "dons-prets": (
        DetailField(
            "holder",
            _l("Qui l'a en ce moment (facultatif)"),
            _l("Qui l'a en ce moment"),
            max_length=80,
            hint=_l("Pour un objet prêté, par exemple : « chez Paul jusqu'à samedi »."),
        ),
        DetailField("due_back", _l("À rendre le (facultatif)"), _l("À rendre le"), DATE),
    ),
    "covoiturage": (
        DetailField(
            "from",
            _l("Départ (facultatif)"),
            _l("Départ"),
            hint=_l("Par exemple : « rue des Lilas »."),
        ),
        DetailField(
            "to",
            _l("Arrivée (facultatif)"),
            _l("Arrivée"),
            hint=_l("Par exemple : « hôpital Nord »."),
        ),
    ),
    "garde-animaux": (
        DetailField("date_from", _l("Du (facultatif)"), _l("Du"), DATE),
        DetailField("date_to", _l("Au (facultatif)"), _l("Au"), DATE),
    ),
    "achats-groupes": (
        DetailField(
            "target_quantity",
            _l("Quantité visée (facultatif)"),
            _l("Quantité visée"),
            QUANTITY,
            hint=_l("Par exemple : 20 (sacs, kilos, stères…)."),
        ),
    ),
    "visites-aines": (
        DetailField(
            "slot",
            _l("Moment régulier (facultatif)"),
            _l("Moment régulier"),
            max_length=120,
            hint=_l("Par exemple : « le mardi après-midi »."),
        ),
    ),
}


class DetailError(ValueError):
    """A detail that does not fit; `name` is the detail's key."""

    def __init__(self, message, name: str):
        super().__init__(message)
        self.name = name


def fields_of(slug: str | None) -> tuple[DetailField, ...]:
    return DETAILS.get(slug or "", ())


def form_name(slug: str, name: str) -> str:
    """The form field of a theme's detail: « details_covoiturage_from »."""
    return "details_" + slug.replace("-", "_") + "_" + name


def parse_date(text: str) -> date | None:
    """A date typed in a date field (2026-12-01) or by hand (01/12/2026); None if not a date."""
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def clean_details(slug: str | None, raw: dict) -> dict:
    """The details of a theme from what was typed: known keys only, texts trimmed, empty ones left
    out. Raises DetailError (French) for a wrong date, dates in the wrong order, a quantity that is
    not a whole number above zero, or a text too long."""
    cleaned: dict = {}
    for spec in fields_of(slug):
        value = raw.get(spec.name)
        text = " ".join(str(value).split()) if value is not None else ""
        if not text:
            continue
        if spec.kind == DATE:
            day = value if isinstance(value, date) else parse_date(text)
            if day is None:
                raise DetailError(
                    _l(
                        "« %(label)s » : indiquez une date, par exemple 24/12/2026.",
                        label=_label(spec),
                    ),
                    spec.name,
                )
            cleaned[spec.name] = day.isoformat()
        elif spec.kind == QUANTITY:
            # isdecimal, not isdigit: « ² » is a digit int() refuses; a long number is over the max
            if not text.isdecimal() or len(text) > 6 or not 0 < int(text) <= QUANTITY_MAX:
                raise DetailError(
                    _l("La quantité visée doit être un nombre entier supérieur à zéro."), spec.name
                )
            cleaned[spec.name] = int(text)
        else:
            if len(text) > spec.max_length:
                raise DetailError(
                    _l(
                        "« %(label)s » est trop long (%(max)d caractères au plus).",
                        label=_label(spec),
                        max=spec.max_length,
                    ),
                    spec.name,
                )
            cleaned[spec.name] = text
    if (
        "date_from" in cleaned
        and "date_to" in cleaned
        and cleaned["date_to"] < cleaned["date_from"]
    ):
        raise DetailError(_l("La date de fin doit venir après la date de début."), "date_to")
    return cleaned


def _label(spec: DetailField) -> str:
    return str(spec.short)


def shown(slug: str | None, details: dict | None) -> list[tuple[object, str]]:
    """(label, text) pairs of a listing's details, for its page and the catalogue."""
    pairs = []
    for spec in fields_of(slug):
        value = (details or {}).get(spec.name)
        if value in (None, ""):
            continue
        if spec.kind == DATE:
            day = parse_date(str(value))
            text = day.strftime("%d/%m/%Y") if day else str(value)
        else:
            text = str(value)
        pairs.append((_label(spec), text))
    return pairs
