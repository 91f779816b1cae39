"""The desk's three screens, checked as one form: what each screen requires, possible
duplicates, the address found in the register, then the Registration the services record."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from ..auth.models import User
from ..dwellings.models import Dwelling
from ..extensions import db
from . import consents as texts
from .forms import step_fields
from .models import Method
from .checks import (
    DuplicateError,
    MemberError,
    check_contact_preference,
    check_identifiers_free,
    possible_duplicates,
)
from .dwelling_labels import dwelling_label, find_dwelling
from .registration import Answer, Registration

PAPER_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")


def has_errors(form, step: int) -> bool:
    return any(form[name].errors for name in step_fields(form, step))


def validate_steps(form, steps) -> tuple[bool, list[User], list[str]]:
    """Check the screens seen so far; return (valid, possible duplicates, address suggestions)."""
    duplicates: list[User] = []
    suggestions: list[str] = []
    form.same_identifier = False  # a phone or e-mail already taken: cannot be overridden
    for step in steps:
        for name in step_fields(form, step):
            form[name].validate(form)
    form.dwelling_id = None
    if 1 in steps and not has_errors(form, 1):
        if form.not_in_register.data:
            if not (form.address_note.data or "").strip():
                form.address_note.errors.append(
                    _("Écrivez l'adresse et pourquoi elle n'est pas dans le registre.")
                )
        else:
            form.dwelling_id, suggestions = find_dwelling(form.address.data)
            if form.dwelling_id is None:
                form.address.errors.append(
                    _(
                        "Cette adresse n'est pas dans le registre. Choisissez-la dans la liste, "
                        "ou cochez « L'adresse n'est pas dans le registre »."
                    )
                    if (form.address.data or "").strip()
                    else _("Indiquez le logement.")
                )
        has_internet = form.has_internet.data == "yes"
        if has_internet and not (form.phone.data or form.email.data):
            form.phone.errors.append(
                _("Pour se connecter au site, il faut un téléphone ou une adresse e-mail.")
            )
        try:
            check_contact_preference(
                form.contact_preference.data,
                phone=form.phone.data,
                email=form.email.data,
                has_internet=has_internet,
            )
        except MemberError as error:
            form.contact_preference.errors.append(str(error))
        try:
            check_identifiers_free(form.phone.data, form.email.data)
        except DuplicateError as error:
            duplicates.append(error.user)
            form.same_identifier = True
            (
                form.phone
                if form.phone.data and error.user.phone == form.phone.data
                else form.email
            ).errors.append(str(error))
        if not duplicates and not form.not_duplicate.data:
            duplicates = possible_duplicates(
                form.first_name.data, form.last_name.data, form.dwelling_id
            )
    if 3 in steps and not has_errors(form, 3):
        if not form.charter.data:
            form.charter.errors.append(_("La charte doit être acceptée pour s'inscrire."))
        if not form.privacy.data:
            form.privacy.errors.append(
                _("L'information sur les données personnelles doit avoir été donnée.")
            )
        reference = (form.paper_reference.data or "").strip().upper()
        form.paper_reference.data = reference
        if form.method.data == Method.PAPER:
            if not reference:
                form.paper_reference.errors.append(
                    _("Indiquez le numéro écrit en haut du formulaire papier.")
                )
            elif not PAPER_REFERENCE.match(reference):
                form.paper_reference.errors.append(
                    _(
                        "Le numéro ne contient que des lettres, des chiffres et des "
                        "tirets, par exemple P-2026-0007."
                    )
                )
        if form.sponsor_id.data:
            if form.has_internet.data == "yes":
                form.sponsor_id.errors.append(
                    _("Le parrainage est pour les personnes sans internet.")
                )
            elif form.sponsor_id.data not in {choice.value for choice in form.sponsor_id.choices}:
                form.sponsor_id.errors.append(
                    _("Ce parrain ou cette marraine n'est plus disponible.")
                )
            elif not form.sponsor_agreed.data:
                form.sponsor_agreed.errors.append(
                    _("Le parrain ou la marraine doit avoir donné son accord.")
                )
    valid = not any(has_errors(form, step) for step in steps) and not duplicates
    return valid, duplicates, suggestions


def answers(form, themes) -> list[Answer]:
    answers = []
    for theme in themes:
        offer, need = form[f"offer_{theme.id}"].data, form[f"need_{theme.id}"].data
        if offer or need:
            answers.append(
                Answer(theme.id, bool(offer), bool(need), form[f"details_{theme.id}"].data or "")
            )
    return answers


def summary(form, themes) -> dict:
    dwelling = (
        db.session.get(Dwelling, form.dwelling_id) if getattr(form, "dwelling_id", None) else None
    )
    return {
        "dwelling": dwelling_label(dwelling) if dwelling else None,
        "answers": [
            (
                theme,
                form[f"offer_{theme.id}"].data,
                form[f"need_{theme.id}"].data,
                form[f"details_{theme.id}"].data,
            )
            for theme in themes
            if form[f"offer_{theme.id}"].data or form[f"need_{theme.id}"].data
        ],
    }


def registration_of(form, themes) -> Registration:
    """The checked form as the data the services record."""
    return Registration(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        dwelling_id=form.dwelling_id,
        address_note=form.address_note.data or "",
        phone=form.phone.data,
        email=form.email.data,
        has_internet=form.has_internet.data == "yes",
        contact_preference=form.contact_preference.data,
        languages=form.languages.data or "",
        answers=answers(form, themes),
        optional_consents={
            text.kind: bool(form[text.kind.value].data) for text in texts.OPTIONAL_CONSENTS
        },
        method=form.method.data,
        paper_reference=form.paper_reference.data or "",
        sponsor_id=int(form.sponsor_id.data) if form.sponsor_id.data else None,
        sponsor_agreed=bool(form.sponsor_agreed.data),
    )
