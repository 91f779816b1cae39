"""Recording sensitive actions in the audit log."""

from __future__ import annotations

import json

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l

from ..extensions import db
from .models import AuditEvent


def record(action: str, *, actor=None, target=None, **details) -> AuditEvent:
    """Add an audit entry to the current transaction (committed with the action it records)."""
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_user_id=getattr(target, "id", None),
        details=json.dumps(details, ensure_ascii=False, default=str) if details else "",
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


ACTION_LABELS = {
    "login.success": _l("Connexion"),
    "login.failed": _l("Connexion refusée"),
    "login.locked": _l("Connexion refusée (compte bloqué)"),
    "login.lockout": _l("Compte bloqué un moment après trop d'essais"),
    "login.place_lockout": _l("Connexion bloquée un moment depuis un lieu après trop d'essais"),
    "account.created": _l("Compte créé"),
    "account.password_changed": _l("Mot de passe changé"),
    "account.sessions_ended": _l("Déconnexion de tous les appareils"),
    "account.access_reset": _l("Accès réinitialisé (nouvelle carte, ancien mot de passe annulé)"),
    "account.role_changed": _l("Rôle changé"),
    "group.role_changed": _l("Place dans le groupe changée"),
    "group.stepped_back": _l("A quitté le groupe d'animation (tâches libérées)"),
    "perimeter.settings_changed": _l("Réglages du périmètre changés"),
    "perimeter.created": _l("Périmètre installé"),
    "demo.created": _l("Données de démonstration créées"),
    "dwelling.deleted": _l("Logement retiré du registre"),
    "dwelling.imported": _l("Liste d'adresses importée"),
    "printrun.created": _l("Série de lettres préparée"),
    "printrun.confirmed": _l("Distribution de lettres confirmée"),
    "theme.saved": _l("Thème enregistré"),
    "theme.retired": _l("Thème retiré"),
    "theme.restored": _l("Thème proposé de nouveau"),
    "member.registered": _l("Inscription au café"),
    "member.updated": _l("Fiche corrigée"),
    "member.profile_changed": _l("Préférences de contact changées"),
    "member.code_issued": _l("Carte d'activation imprimée"),
    "member.activated": _l("Compte activé"),
    "member.left": _l("Parti(e) du périmètre"),
    "member.receipt_printed": _l("Récépissé imprimé"),
    "member.exported": _l("Données personnelles exportées"),
    "member.erased": _l("Données personnelles effacées"),
    "member.erasure_requested": _l("Effacement demandé par la personne"),
    "member.inactive_flagged": _l("Compte inactif signalé"),
    "consent.given": _l("Accord donné"),
    "consent.withdrawn": _l("Accord retiré"),
    "sponsorship.started": _l("Parrainage commencé"),
    "sponsorship.ended": _l("Parrainage terminé"),
    "sponsorship.acting": _l("Parrain ou marraine agissant pour la personne"),
    "sponsorship.digest_printed": _l("Nouvelles imprimées"),
    "listing.confirmed": _l("Annonce publiée"),
    "listing.created": _l("Annonce créée"),
    "listing.updated": _l("Annonce modifiée"),
    "listing.closed": _l("Annonce fermée"),
    "listing.deleted": _l("Annonce supprimée"),
    "listing.renewed": _l("Annonce renouvelée"),
    "listing.paused": _l("Annonce mise en pause"),
    "listing.resumed": _l("Annonce remise en ligne"),
    "listing.fulfilled": _l("Annonce réalisée"),
    "listing.expired": _l("Annonce expirée"),
    "project.created": _l("Projet collectif créé"),
    "project.joined": _l("Participation à un projet collectif"),
    "project.left": _l("Participation à un projet collectif retirée"),
    "paper_forms.printed": _l("Formulaires papier imprimés"),
    "event.series_saved": _l("Série de rendez-vous enregistrée"),
    "event.cancelled": _l("Rendez-vous annulé"),
    "event.signed_up": _l("Inscription à un rendez-vous"),
    "event.signup_withdrawn": _l("Inscription à un rendez-vous retirée"),
    "exchange.started": _l("Réponse à une annonce"),
    "exchange.accepted": _l("Échange accepté"),
    "exchange.declined": _l("Échange décliné"),
    "exchange.withdrawn": _l("Réponse à une annonce retirée"),
    "exchange.done": _l("Échange fait"),
    "exchange.thanked": _l("Remerciement laissé"),
    "member.blocked": _l("Membre bloqué"),
    "member.unblocked": _l("Membre débloqué"),
    "moderation.listing_hidden": _l("Annonce masquée par la modération"),
    "moderation.listing_restored": _l("Annonce rétablie par la modération"),
    "moderation.message_hidden": _l("Message masqué par la modération"),
    "moderation.message_restored": _l("Message rétabli par la modération"),
    "moderation.kept": _l("Signalement classé : contenu gardé"),
    "moderation.warned": _l("Avertissement du groupe d'animation"),
    "report.text_saved": _l("Texte du rapport d'activité enregistré"),
    "report.exported": _l("Tableau du bilan exporté (CSV)"),
    "report.printed": _l("Rapport d'activité imprimé"),
    "backup.restored": _l("Base de données restaurée depuis une sauvegarde"),
    "support.granted": _l("Accès d'accompagnement donné"),
    "support.revoked": _l("Accès d'accompagnement retiré"),
    "support.page_viewed": _l("Page lue pendant un accès d'accompagnement"),
    "support.page_refused": _l("Page refusée pendant un accès d'accompagnement"),
}


def action_label(action: str) -> str:
    """The French (or English) words for an audit action code."""
    return str(ACTION_LABELS.get(action, action))


# Characters that can forge or hide a line when a log is read: controls (CR, LF, ESC of ANSI
# colour codes, DEL, the C1 range), line and paragraph separators, and format characters such as
# the right-to-left override that reorders what follows it.
_UNPRINTABLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def printable(text: str) -> str:
    """`text` on one visible line: every control or invisible format character written as \\uXXXX.

    For the audit page and any plain-text log line: a detail typed by someone (a name, a reason)
    cannot start a fake entry, colour a terminal or turn text around. HTML is escaped on top of
    this by the templates.
    """
    import unicodedata

    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in _UNPRINTABLE_CATEGORIES else c
        for c in text
    )


def utc_timestamp(at) -> str:
    """« 2026-03-12 09:00:00 UTC »: audit times are shown as stored, in UTC, and say so."""
    return f"{at:%Y-%m-%d %H:%M:%S} UTC" if at is not None else ""
