"""The consent texts residents answer at registration, each with its version.

Printed papers are always in French (`text_fr`); the site shows `label` in the reader's
language. When a wording changes, its version changes, and consents collected before keep
the version they were given on."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from .. import printing, retention
from ..perimeter.models import Perimeter
from ..urls import has_public_url, public_url_for
from .models import ConsentKind

PRIVACY_VERSION = "2026-11"
OPTIONAL_VERSION = "1"
REPRESENTATION_VERSION = "1"


@dataclass(frozen=True)
class ConsentText:
    kind: ConsentKind
    label: object  # lazy string, the reader's language
    text_fr: str
    required: bool = False
    short: object = (
        ""  # a few words naming the consent, e.g. for a button: « Retirer cet accord : … »
    )


OPTIONAL_CONSENTS = (
    ConsentText(
        ConsentKind.SHARE_PHONE,
        _l("J'accepte que mon numéro de téléphone soit montré aux voisins avec qui j'échange."),
        printing.DEFAULT_OPTIONAL_CONSENTS[0],
        short=_l("mon téléphone montré aux voisins"),
    ),
    ConsentText(
        ConsentKind.NEWSLETTER,
        _l("Je souhaite recevoir la lettre d'information du réseau par courriel."),
        printing.DEFAULT_OPTIONAL_CONSENTS[1],
        short=_l("la lettre d'information par courriel"),
    ),
    ConsentText(
        ConsentKind.PHOTOS,
        _l("J'accepte d'être pris(e) en photo lors des événements du réseau."),
        printing.DEFAULT_OPTIONAL_CONSENTS[2],
        short=_l("les photos aux événements"),
    ),
    ConsentText(
        ConsentKind.EMAIL_NOTICES,
        _l("Recevoir par courriel les nouvelles de mes échanges et de mes annonces"),
        "Recevoir par courriel les nouvelles de mes échanges et de mes annonces",
        short=_l("les nouvelles de mes échanges et de mes annonces par courriel"),
    ),
    ConsentText(
        ConsentKind.WEEKLY_DIGEST,
        _l("Recevoir chaque semaine par courriel les nouvelles annonces"),
        "Recevoir chaque semaine par courriel les nouvelles annonces",
        short=_l("les nouvelles annonces chaque semaine par courriel"),
    ),
)
CHARTER = ConsentText(
    ConsentKind.CHARTER,
    _l("J'ai pris connaissance de la charte et j'accepte ses quatre principes."),
    "J’accepte la charte du réseau et ses quatre principes.",
    required=True,
)
PRIVACY = ConsentText(
    ConsentKind.PRIVACY,
    _l("J'ai reçu l'information sur mes données personnelles."),
    "J’ai reçu l’information sur mes données personnelles.",
    required=True,
)
REPRESENTATION = ConsentText(
    ConsentKind.REPRESENTATION,
    _l("J'accepte que mon parrain ou ma marraine agisse pour moi sur le site du réseau."),
    "J’accepte que mon parrain ou ma marraine agisse pour moi sur le site du réseau.",
)
KNOWN_TO_ASSOCIATION = ConsentText(
    ConsentKind.KNOWN_TO_ASSOCIATION,
    _l(
        "Pilote ou copilote, j'accepte d'être connu·e de l'association qui accompagne le réseau "
        "(mon prénom et l'initiale de mon nom)."
    ),
    "Pilote ou copilote, j’accepte d’être connu·e de l’association qui accompagne le réseau "
    "(mon prénom et l’initiale de mon nom).",
    short=_l("être connu·e de l'association"),
)
# Asked at the thank-you step of an exchange (coopere/exchanges), not at registration.
QUOTE_STORY = ConsentText(
    ConsentKind.QUOTE_STORY,
    _l(
        "J'accepte que mes échanges terminés par un merci soient racontés dans la lettre des "
        "voisins, avec mon prénom seulement."
    ),
    "J’accepte que mes échanges terminés par un merci soient racontés dans la lettre des "
    "voisins, avec mon prénom seulement.",
    short=_l("mes échanges racontés dans la lettre des voisins"),
)
ALL = {
    text.kind: text
    for text in (
        CHARTER,
        PRIVACY,
        *OPTIONAL_CONSENTS,
        REPRESENTATION,
        KNOWN_TO_ASSOCIATION,
        QUOTE_STORY,
    )
}


def version_of(kind: ConsentKind, perimeter: Perimeter) -> str:
    if kind == ConsentKind.CHARTER:
        return str(perimeter.charter_version)
    if kind == ConsentKind.PRIVACY:
        return PRIVACY_VERSION
    if kind == ConsentKind.REPRESENTATION:
        return REPRESENTATION_VERSION
    return OPTIONAL_VERSION


PRIVACY_NOTICE = _l(
    "Le groupe d'animation du réseau enregistre ce que vous lui confiez à l'inscription :"
    " nom, adresse, téléphone, courriel, ce que vous pouvez proposer ou aimeriez "
    "recevoir, vos accords ci-dessous.\n\n"
    "Ces informations servent uniquement à faire vivre l'entraide entre voisins : vous "
    "mettre en relation, vous inviter aux cafés-rencontres, vous remettre des nouvelles "
    "sur papier. Elles ne sont ni vendues, ni prêtées, ni utilisées à des fins "
    "politiques, religieuses ou commerciales.\n\n"
    "Seuls les animateurs et animatrices du groupe voient votre adresse et vos "
    "coordonnées. Vos voisins ne voient votre téléphone que si vous l'acceptez, et "
    "seulement lors d'un échange.\n\n"
    "Vous pouvez à tout moment consulter, corriger ou faire effacer vos données, et "
    "retirer un accord, sur le site ou auprès du groupe d'animation. Vous pouvez aussi "
    "saisir la CNIL (www.cnil.fr)."
)


def privacy_notice_fr() -> str:
    """The notice in French, for printed papers."""
    with force_locale("fr"):
        return str(PRIVACY_NOTICE)


def public_page_address() -> str:
    """The full address of the page « Vos données personnelles », for printed papers, from
    PUBLIC_URL (never the request's host); empty when PUBLIC_URL is not set."""
    return public_url_for("public.privacy") if has_public_url() else ""


def data_protection(perimeter: Perimeter) -> printing.DataProtection:
    """The perimeter's GDPR information for the receipt (French, printed)."""
    address = public_page_address()  # empty without PUBLIC_URL: the page is named, not guessed
    return printing.DataProtection(
        controller=f"Le groupe d'animation du réseau {perimeter.name}, {perimeter.city}",
        contact=(perimeter.contact or perimeter.meeting_place or perimeter.name)
        + "\nTout est expliqué sur la page « Vos données personnelles » "
        + (f": {address}" if address else "du site du réseau."),
        purposes=(
            "Vous mettre en relation avec vos voisins pour s'entraider "
            "(intérêt légitime du réseau).",
            "Vous inviter aux cafés-rencontres et vous remettre des nouvelles, sur papier ou "
            "par courriel si vous l'acceptez (consentement).",
            "Permettre à votre parrain ou marraine d'agir pour vous, si vous n'avez pas "
            "internet (consentement).",
        ),
        recipients="Les animateurs et animatrices du groupe ; votre parrain ou marraine ; "
        "vos voisins seulement pour ce que vous acceptez de montrer.",
        retention=_retention_text(),
    )


def _retention_text() -> str:
    """How long data is kept, from the durations the purge applies (the register says the same)."""
    days = retention.setting("PURGE_LEFT_GRACE_DAYS")
    return (
        f"Tant que vous êtes membre du réseau ; {days} jours après votre départ, vos données sont "
        "effacées (il ne reste que des chiffres anonymes). Vous pouvez demander l'effacement "
        "à tout moment."
    )
