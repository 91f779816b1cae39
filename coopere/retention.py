"""How long things are kept: the one source of the durations that the purge, the print-run
cleanup, the pages and the register of processing (docs/registre.md) use.

Each duration is a configuration key (coopere/config.py Defaults holds its default), except the
few that are fixed in code (CONSTANTS). Read them with `setting(key)` inside an app, or
`in_force(config)` to get them all."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from .config import Defaults

# Fixed in code, not settings.
IDEMPOTENCY_KEY_DAYS = 7  # keys recognising a form sent twice
CONSTANTS: dict[str, int] = {"IDEMPOTENCY_KEY_DAYS": IDEMPOTENCY_KEY_DAYS}

# Every duration the register names, with what it means (French: the register is French).
MEANINGS: dict[str, str] = {
    "PURGE_INACTIVE_MONTHS": "mois sans aucune activité avant que le compte soit signalé au groupe "
    "d'animation (jamais effacé sans décision du groupe)",
    "PURGE_LEFT_GRACE_DAYS": "jours entre le départ du périmètre et l'effacement du compte",
    "AUDIT_RETENTION_MONTHS": "mois de conservation du journal d'audit",
    "PRINT_FILES_RETENTION_DAYS": "jours de conservation des fichiers PDF des tournées de courrier",
    "ACTIVATION_CODE_DAYS": "jours de validité d'un code de carte de bienvenue",
    "LISTING_NEED_DAYS": "jours d'affichage d'une demande (sauf renouvellement)",
    "LISTING_OFFER_DAYS": "jours d'affichage d'une offre ou d'un projet (sauf renouvellement)",
    "IDEMPOTENCY_KEY_DAYS": "jours de conservation des clés d'envoi répété (constante de "
    "coopere/retention.py, pas un réglage)",
    "LOGIN_KNOWN_PLACE_DAYS": "jours pendant lesquels un lieu de connexion d'un compte reste connu "
    "(protection contre le blocage du compte par un tiers)",
}


def defaults() -> dict[str, int]:
    """The built-in durations (what docs/registre.md describes)."""
    return {
        key: CONSTANTS[key] if key in CONSTANTS else int(getattr(Defaults, key)) for key in MEANINGS
    }


def in_force(config: Mapping | None = None) -> dict[str, int]:
    """The durations in force: the configuration where it sets a key, else the defaults."""
    values = defaults()
    for key in values:
        if key not in CONSTANTS and config is not None and config.get(key) is not None:
            values[key] = int(config[key])
    return values


def setting(key: str) -> int:
    """One duration in force in the current app."""
    if key in CONSTANTS:
        return CONSTANTS[key]
    value = current_app.config.get(key)
    return int(getattr(Defaults, key) if value is None else value)
