"""The console's menu: the pages the logged-in account may open, in the order of the work.

Folded as the perimeters' menu is (coopere/menu.py, the same markup: templates/_nav.html): the
daily pages always shown, « Accompagnement » and « Administration » as disclosures, so that a
phone shows the page's title on its first screen. A folded section with a single page (a
coach's) shows that page as a plain link. « Mon compte » is the account's name in the header."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..menu import Link, ShownSection
from .policy import allowed

SECTIONS = (
    (
        "suivre",
        _l("Suivre"),
        False,
        (
            ("association.perimeters", _l("Périmètres")),
            ("association.figures", _l("Chiffres du réseau")),
            ("association.training", _l("Formations")),
        ),
    ),
    (
        "accompagner",
        _l("Accompagnement"),
        True,
        (
            ("association.perimeter_new", _l("Nouveau périmètre")),
            ("association.workload", _l("Charge des accompagnateurs")),
        ),
    ),
    (
        "administrer",
        _l("Administration"),
        True,
        (
            ("association.defaults", _l("Textes communs")),
            ("association.sheets", _l("Fiches")),
            ("association.accounts", _l("Comptes")),
            ("association.audit", _l("Journal")),
        ),
    ),
)


def console_menu() -> list[ShownSection]:
    """The sections and links the logged-in account may use, in order; empty sections left out."""
    shown = []
    for key, title, folded, entries in SECTIONS:
        links = [
            Link(endpoint, str(label), endpoint == request.endpoint)
            for endpoint, label in entries
            if allowed(endpoint, current_user)
        ]
        if links:
            shown.append(
                ShownSection(
                    key,
                    str(title),
                    links,
                    folded and len(links) > 1,
                    any(link.current for link in links),
                )
            )
    return shown
