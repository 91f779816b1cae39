"""The blank paper registration form (A4, large print), for door-to-door visits and cafés
without a tablet: who the resident is, every theme of the questionnaire, the charter and the
consents, sponsorship, and a part for the animator. Its reference is on every page."""

from __future__ import annotations

from .engine import filled, html_to_pdf, render_template, require
from .letter_text import paragraphs_html
from .models import RegistrationFormData

STYLESHEETS = ("base.css", "registration.css")

#: « Comment préférez-vous être contacté(e) ? » — the ways the platform knows.
CONTACT_CHOICES = (
    "Par téléphone",
    "Par courriel",
    "Par le site du réseau",
    "Par mon parrain ou ma marraine",
)


def render_registration_form(form: RegistrationFormData) -> bytes:
    """PDF of a blank registration form: A4, about three pages, each with the form's
    reference and « page n/N ». Raises ValueError (in French) when a text it needs is
    missing."""
    require(
        "Formulaire d’inscription incomplet",
        (
            ("la liste des thèmes", [theme for theme in form.themes if theme.strip()]),
            ("le texte de la charte", form.charter_text.strip()),
            ("la version de la charte", form.charter_version.strip()),
            ("la notice sur les données personnelles", form.privacy_notice.strip()),
        ),
    )
    reference = form.reference.strip()
    title = form.title or (
        f"Formulaire d’inscription{f' n° {reference}' if reference else ''} — {form.perimeter.name}"
    )
    html = render_template(
        "registration_form.html",
        title=title,
        form=form,
        reference=reference,
        perimeter=form.perimeter,
        themes=filled(form.themes),
        languages=filled(form.languages),
        consents=filled(form.optional_consents),
        contact_choices=CONTACT_CHOICES,
        charter_html=paragraphs_html(form.charter_text),
        privacy_html=paragraphs_html(form.privacy_notice),
    )
    return html_to_pdf(html, STYLESHEETS)
