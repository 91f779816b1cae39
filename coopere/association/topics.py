"""The training topics of the method, shared by the coaching log and the training days."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TOPICS = {
    "cohesion": _l("Cohésion du groupe"),
    "plateforme": _l("Prise en main de la plateforme"),
    "cafes": _l("Les cafés-rencontres mensuels"),
    "communication": _l("Communication"),
    "postures": _l("Les postures qui font vivre le lien"),
    "elargir": _l("Consolider et élargir le groupe"),
    "eco_gestes": _l("Éco-gestes"),
}

FORMS = {
    "reunion": _l("Rencontre"),
    "telephone": _l("Téléphone"),
    "visio": _l("Visio"),
}


def topic_labels(keys) -> list[str]:
    return [str(TOPICS[key]) for key in keys if key in TOPICS]
