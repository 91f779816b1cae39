"""The registration receipt (A4): everything recorded about a newly registered resident, then
their data-protection information. Handed over at the café desk or the door, it is also the
information notice of GDPR article 13 for residents who never visit the site."""

from __future__ import annotations


from ..i18n import person_name
from .engine import filled, html_to_pdf, render_template, require
from .models import RegistrationReceipt

STYLESHEETS = ("base.css", "registration.css")
METHODS = {
    "tablet": "Sur tablette, avec un animateur ou une animatrice",
    "paper": "Sur formulaire papier",
}
NOT_GIVEN = "non renseigné"


def render_registration_receipt(receipt: RegistrationReceipt) -> bytes:
    """PDF of a registration receipt: A4, one to three pages with « page n/N », every
    recorded field (empty ones marked « non renseigné »), then the data-protection notice.
    Raises ValueError (in French) for an unknown method or a missing required text."""
    if receipt.method not in METHODS:
        raise ValueError(f"Méthode d’inscription inconnue : {receipt.method!r} (tablet ou paper).")
    protection = receipt.data_protection
    require(
        "Récépissé d’inscription incomplet",
        (
            ("le prénom", receipt.first_name.strip()),
            ("le nom", receipt.last_name.strip()),
            ("la date", receipt.date_text.strip()),
            ("la personne qui a recueilli l’inscription", receipt.collected_by.strip()),
            ("le responsable du traitement", protection.controller.strip()),
            ("le contact pour exercer ses droits", protection.contact.strip()),
            ("les finalités", [purpose for purpose in protection.purposes if purpose.strip()]),
            ("la durée de conservation", protection.retention.strip()),
        ),
    )
    full_name = person_name(receipt.first_name, receipt.last_name)
    html = render_template(
        "receipt.html",
        title=receipt.title
        or (f"Récépissé d’inscription — {full_name} — {receipt.perimeter.name}"),
        receipt=receipt,
        perimeter=receipt.perimeter,
        full_name=full_name,
        identity=_identity_rows(receipt),
        registration=_registration_rows(receipt),
        answers=[
            answer
            for answer in receipt.answers
            if answer.can_offer or answer.would_like or answer.details.strip()
        ],
        protection=protection,
        purposes=filled(protection.purposes),
    )
    return html_to_pdf(html, STYLESHEETS)


def _or_not_given(value: str) -> str:
    return value.strip() or NOT_GIVEN


def _identity_rows(receipt: RegistrationReceipt) -> list[tuple[str, str, bool]]:
    """(label, value, given) for the « Vous » table; multi-line values keep their lines."""
    internet = {True: "Oui", False: "Non", None: NOT_GIVEN}[receipt.has_internet]
    rows = [
        ("Prénom", receipt.first_name.strip()),
        ("Nom", receipt.last_name.strip()),
        ("Logement", "\n".join(filled(receipt.dwelling_lines))),
        ("Téléphone", receipt.phone.strip()),
        ("Courriel", receipt.email.strip()),
        ("Accès à internet", internet),
        ("Pour vous contacter", ", ".join(filled(receipt.contact_preferences))),
        ("Langues parlées", ", ".join(filled(receipt.languages))),
    ]
    return [
        (label, _or_not_given(value), bool(value.strip()) and value != NOT_GIVEN)
        for label, value in rows
    ]


def _registration_rows(receipt: RegistrationReceipt) -> list[tuple[str, str, bool]]:
    method = METHODS[receipt.method]
    if receipt.method == "paper" and receipt.paper_reference.strip():
        method = f"{method} n° {receipt.paper_reference.strip()}"
    if receipt.sponsor.strip():
        sponsor = receipt.sponsor.strip()
    elif receipt.sponsor_requested:
        sponsor = "demandé : le groupe d’animation vous en proposera un ou une"
    else:
        sponsor = "pas de parrainage"
    rows: list[tuple[str, str, bool]] = [
        ("Date", receipt.date_text.strip(), True),
        ("Recueillie par", receipt.collected_by.strip(), True),
        ("Méthode", method, True),
        ("Parrain ou marraine", sponsor, bool(receipt.sponsor.strip())),
    ]
    return rows
