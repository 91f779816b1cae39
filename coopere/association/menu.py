"""The console's menu: the pages the logged-in account may open, in the order of the work."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .policy import allowed

MENU = (
    ("association.perimeters", _l("Périmètres")),
    ("association.perimeter_new", _l("Nouveau périmètre")),
    ("association.figures", _l("Chiffres du réseau")),
    ("association.workload", _l("Charge des accompagnateurs")),
    ("association.training", _l("Formations")),
    ("association.defaults", _l("Textes communs")),
    ("association.sheets", _l("Fiches")),
    ("association.accounts", _l("Comptes")),
    ("association.audit", _l("Journal")),
    ("association.account", _l("Mon compte")),
)


def console_menu() -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label in MENU if allowed(endpoint, current_user)]
