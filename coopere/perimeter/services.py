"""Perimeter set-up and settings changes."""
from __future__ import annotations

from ..audit.services import record
from ..extensions import db
from .models import Perimeter, get_perimeter

SETTINGS_FIELDS = ("name", "short_name", "city", "postcode", "estimated_dwellings", "meeting_place",
                   "contact", "charter_text")


def save_settings(values: dict, *, actor=None) -> Perimeter:
    """Create or update the perimeter's settings. A changed charter gets a new version number,
    so that every consent keeps pointing at the text that was actually accepted."""
    perimeter = get_perimeter()
    if perimeter is None:
        perimeter = Perimeter(id=1, charter_version=1)
        db.session.add(perimeter)
        changed = list(SETTINGS_FIELDS)
    else:
        changed = [f for f in SETTINGS_FIELDS if f in values and getattr(perimeter, f) != values[f]]
        if "charter_text" in changed:
            perimeter.charter_version += 1
    for field in SETTINGS_FIELDS:
        if field in values:
            setattr(perimeter, field, values[field] if values[field] is not None else "")
    if changed:
        record("perimeter.settings_changed", actor=actor, fields=changed)
    return perimeter


DEFAULT_CHARTER = """Notre réseau d'entraide de voisinage repose sur quatre principes.

Gratuité : rien ne se paie. On donne, on prête, on rend service sans argent.

Réciprocité : chacun peut donner et recevoir. Tout le monde a quelque chose à offrir.

Neutralité : le réseau n'est utilisé à aucune fin politique, religieuse ou commerciale.

Tranquillité : personne n'est importuné. On ne se contacte que lorsque les deux personnes sont d'accord.

Les membres s'inscrivent en personne, auprès du groupe d'animation, lors d'un café-rencontre ou d'une visite."""
