"""A perimeter's slug: the first part of its addresses (`https://site/<slug>/…`), printed on letters
and cards, so short, lower-case, unambiguous; and never a word the network's own pages use."""

from __future__ import annotations

import re

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?$")
MAX_LENGTH = 30

#: Words that name the network's own pages, files or common web paths: never a perimeter.
RESERVED = frozenset(
    {
        "admin", "api", "aide", "archives", "association", "assets", "console", "coopere",
        "connexion", "contact", "favicon.ico", "health", "healthz", "login", "logout", "media",
        "network", "reseau", "perimetres", "perimeters", "robots.txt", "sante", "static",
        "template", "www", "well-known", ".well-known",
        # The first part of a perimeter's own addresses: a path from a perimeter's root (a notice's
        # link, coopere/urls.py site_path) is never read as another perimeter's prefix.
        # tests/network/test_dispatch.py checks that every route's first part is here.
        "accompagnement", "accueil", "activer", "annonces", "bienvenue", "bilan", "cafe",
        "calendrier.ics",
        "compte", "courriel", "deconnexion", "donnees-personnelles", "echanges", "evenements",
        "fete", "fiches", "groupe", "impressions", "inscription", "la-lettre", "langue", "lettre",
        "logements", "membres",
        "membres-bloques", "mes-annonces", "messages", "moderation", "notifications",
        "parrainage", "rendez-vous",
    }
)  # fmt: skip


class SlugError(ValueError):
    """A slug refused; the message says why, in French."""


def check_slug(slug: str) -> str:
    """`slug` if it can name a perimeter, else SlugError (French)."""
    text = (slug or "").strip()
    if not text:
        raise SlugError("indiquez un identifiant court, par exemple « lilas ».")
    if len(text) > MAX_LENGTH:
        raise SlugError(f"« {text} » est trop long : {MAX_LENGTH} caractères au plus.")
    if not SLUG_PATTERN.match(text):
        raise SlugError(
            f"« {text} » ne convient pas : lettres minuscules sans accent, chiffres et tirets "
            "seulement, sans tiret au début ni à la fin (par exemple « lilas » ou « cite-jardin »)."
        )
    if text in RESERVED:
        raise SlugError(
            f"« {text} » est un mot réservé aux pages du réseau : choisissez-en un autre."
        )
    return text
