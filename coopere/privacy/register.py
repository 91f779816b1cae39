"""The register of processing (registre des activités de traitement, CNIL model for associations),
as data: one sheet per purpose, with the tables and columns that hold its personal data (the
sheets themselves: register_members.py and register_network.py).

It is the one source of docs/registre.md (`flask --app coopere registre`), of the public page
« Vos données personnelles » and of the test that fails when a table holding personal data is in
no sheet. The retention texts never write a duration as a number: each names the configuration
key that `flask --app coopere purge` reads, filled in when rendered, so the register, the page and
the purge cannot disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import retention
from .register_members import MEMBER_SHEETS
from .register_network import NETWORK_SHEETS
from .register_sheet import Sheet

# --- durations ---------------------------------------------------------------------------------
# coopere/retention.py is the one source; these names are the register's view of it.

RETENTION_FALLBACKS: dict[str, int] = retention.defaults()
RETENTION_MEANINGS: dict[str, str] = retention.MEANINGS


def default_retention() -> dict[str, int]:
    """The built-in durations: what docs/registre.md describes."""
    return retention.defaults()


def retention_settings(config: Mapping | None = None) -> dict[str, int]:
    """The durations in force: the app's configuration where it sets a key, else the defaults."""
    return retention.in_force(config)


# --- the sheets (register_members.py, register_network.py) and what they share ---------------

CONTROLLER = (
    "Le groupe d'animation du réseau (association ou collectif de fait du micro-périmètre), "
    "représenté par son pilote. Nom, adresse et contact : réglages du périmètre, repris sur la "
    "page publique « Vos données personnelles » (/donnees-personnelles)."
)

COMMON_SECURITY = (
    "Accès par compte personnel ; mots de passe hachés avec argon2id, jamais conservés en clair.",
    "Chaque page déclare qui peut l'ouvrir (tableau des droits par rôle) ; toute page non déclarée "
    "est refusée.",
    "Limitation des essais de connexion et d'activation ; verrouillage temporaire après des échecs "
    "répétés.",
    "« Me déconnecter de tous mes appareils » ferme toutes les sessions d'un compte.",
    "Protection CSRF sur tous les formulaires ; aucune modification par un simple lien.",
    "En-têtes de sécurité stricts ; aucune ressource chargée depuis un autre site, aucun traceur, "
    "aucune publicité.",
    "Connexion chiffrée (HTTPS) en production ; sauvegardes de la base sur le serveur du réseau, "
    "vérifiées, lisibles seulement par le compte du site ; seules les plus récentes sont gardées "
    "(14 par défaut, réglage BACKUP_KEEP) : une personne effacée disparaît des sauvegardes quand "
    "la dernière copie qui la contient est remplacée.",
    "Les actions sensibles (inscription, droits, parrainage, modération, effacement) sont "
    "inscrites au journal d'audit.",
)

SHEETS: tuple[Sheet, ...] = MEMBER_SHEETS + NETWORK_SHEETS

# Tables that hold no personal data, and why. A table missing from both SHEETS and this list
# makes tests/privacy/test_privacy_register.py fail when it looks personal (a link to users or to
# dwellings, or a column named like a name, an address, a note or a free text).
NO_PERSONAL_DATA: dict[str, str] = {
    "themes": "les thèmes d'entraide (conseils, bricolage…), les mêmes pour tous",
}

# Columns whose name looks personal but that describe no person, in tables of a sheet.
NOT_PERSONAL_COLUMNS: dict[str, str] = {
    "perimeter.charter_text": "le texte de la charte du réseau",
    "events.description": "la description d'un rendez-vous, écrite par le groupe",
    "event_series.description": "la description d'un rendez-vous régulier, écrite par le groupe",
}


def sheet(slug: str) -> Sheet:
    return next(item for item in SHEETS if item.slug == slug)


def registered_columns() -> dict[str, set[str]]:
    """table -> every column some sheet lists for it."""
    columns: dict[str, set[str]] = {}
    for item in SHEETS:
        for store in item.stores:
            columns.setdefault(store.table, set()).update(store.columns)
    return columns


@dataclass(frozen=True)
class PublicSummary:
    """One purpose as the public page tells it: plain words, durations filled in."""

    slug: str
    title: str
    purpose: str
    retention: str


def public_summary(values: Mapping[str, int]) -> list[PublicSummary]:
    """The sheets in plain words for the public page, in the reader's language."""
    return [
        PublicSummary(
            item.slug,
            str(item.public_title),
            str(item.public_purpose),
            item.public_retention_text(values),
        )
        for item in SHEETS
    ]
