"""How the export writes stored values: French words beside codes, ISO 8601 dates, events."""

from __future__ import annotations

from datetime import date, datetime

from ..events.models import KIND_LABELS, Event, EventKind

KIND_WORDS = {
    "offer": "Je peux proposer",
    "need": "J'aimerais recevoir",
    "project": "Projet collectif",
}
STATUS_WORDS = {
    "draft": "brouillon",
    "open": "publiée",
    "paused": "en pause",
    "fulfilled": "réalisée",
    "closed": "fermée",
    "expired": "expirée",
    "hidden": "masquée par la modération",
}
EXCHANGE_WORDS = {
    "pending": "en attente",
    "accepted": "accepté",
    "declined": "décliné",
    "done": "fait",
    "withdrawn": "retiré",
}
CONTACT_WORDS = {
    "phone": "par téléphone",
    "email": "par courriel",
    "site": "par le site",
    "sponsor": "par mon parrain ou ma marraine",
}
ROLE_WORDS = {
    "member": "membre",
    "animator": "animateur ou animatrice",
    "admin": "administrateur ou administratrice",
}
METHOD_WORDS = {"tablet": "sur tablette", "paper": "sur papier", "online": "en ligne"}
END_WORDS = {
    "ended": "terminé",
    "transferred": "transmis",
    "activated": "la personne utilise le site elle-même",
    "left": "départ du périmètre",
}
OUTCOME_WORDS = {
    "reached": "joint(e)",
    "no_answer": "pas de réponse",
    "message_left": "message laissé",
}
REASON_WORDS = {
    "political": "politique",
    "religious": "religieux",
    "commercial": "commercial",
    "disrespectful": "irrespectueux",
    "other": "autre",
}


def _when(moment: datetime | date | None) -> str | None:
    """ISO 8601 (UTC for date-times, as stored); None stays None."""
    return (
        moment.isoformat(timespec="seconds")
        if isinstance(moment, datetime)
        else (moment.isoformat() if moment else None)
    )


def _event(event: Event | None) -> dict | None:
    if event is None:
        return None
    try:
        kind = str(KIND_LABELS[EventKind(event.kind)])
    except ValueError:
        kind = event.kind
    return {
        "id": event.id,
        "kind": event.kind,
        "kind_label": kind,
        "title": event.title,
        "starts_at": _when(event.starts_at),
        "place": event.place,
    }


def _label(labels: dict, enum_type, value: str) -> str:
    try:
        return str(labels[enum_type(value)])
    except (ValueError, KeyError):
        return value
