"""The association's audit log: every change made from the console, and every support visit
opened."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .models import AuditEntry
from .store import db_session

LABELS = {
    "account.login": _l("Connexion"),
    "account.login_failed": _l("Connexion refusée"),
    "account.created": _l("Compte créé"),
    "account.password_changed": _l("Mot de passe changé"),
    "perimeter.created": _l("Périmètre créé"),
    "perimeter.coach_set": _l("Accompagnateur choisi"),
    "perimeter.letter_downloaded": _l("Lettre du pilote téléchargée"),
    "perimeters.exported": _l("Liste des périmètres exportée"),
    "perimeter.phase_changed": _l("Phase changée"),
    "perimeter.milestone_ticked": _l("Étape cochée"),
    "perimeter.milestone_unticked": _l("Étape décochée"),
    "perimeter.snapshot_refreshed": _l("Chiffres actualisés"),
    "perimeter.support_opened": _l("Accès d'accompagnement ouvert"),
    "coaching.logged": _l("Séance d'accompagnement notée"),
    "coaching.deleted": _l("Séance d'accompagnement supprimée"),
    "training.created": _l("Journée de formation créée"),
    "training.cancelled": _l("Journée de formation annulée"),
    "training.attendance": _l("Présences à une formation notées"),
    "defaults.updated": _l("Textes communs modifiés"),
    "figures.yearly_asked": _l("Rapport annuel demandé"),
    "figures.yearly_downloaded": _l("Rapport annuel téléchargé"),
    "sheet.created": _l("Fiche du réseau écrite"),
    "sheet.updated": _l("Fiche du réseau modifiée"),
    "sheet.retired": _l("Fiche du réseau retirée"),
    "sheet.restored": _l("Fiche du réseau remise"),
    "sheet.moved": _l("Fiche du réseau déplacée"),
}


def record(action: str, *, account=None, target: str = "", detail: str = "") -> AuditEntry:
    """Add an entry to the request's session (committed with the change it records)."""
    entry = AuditEntry(
        action=action,
        account_id=getattr(account, "id", None),
        target=target[:120],
        detail=detail,
    )
    db_session().add(entry)
    return entry


def label(action: str) -> str:
    return str(LABELS.get(action, action))


def latest(limit: int = 200) -> list[AuditEntry]:
    return list(
        db_session().scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    )
