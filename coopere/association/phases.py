"""The three phases of the method, and the states after them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PHASES = ("amorcage", "lancement", "structuration", "autonome", "sommeil", "ferme")
PHASE_LABELS = {
    "amorcage": _l("Amorçage"),
    "lancement": _l("Lancement"),
    "structuration": _l("Structuration"),
    "autonome": _l("Autonome"),
    "sommeil": _l("En sommeil"),
    "ferme": _l("Fermé"),
}
