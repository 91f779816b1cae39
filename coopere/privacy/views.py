"""The pages of personal-data rights, called by the members' and the resident's routes: exports
(JSON and PDF, each recorded in the audit log), erasure by an admin, a member's erasure request."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.models import User, fold_name
from ..actions import attempt, made_file
from ..extensions import db
from .forms import EraseForm, ErasureRequestForm
from .services import (
    ErasureError,
    already_requested,
    erase_member,
    pending_erasure,
    record_export,
    request_erasure,
)
from .export import collect_personal_data


def export_response(member: User, kind: str, *, actor: User, download_name: str | None = None):
    """The member's data as a JSON or PDF download; the export is recorded (member.exported)."""
    from ..printing.personal_data import render_personal_data

    data = collect_personal_data(member.id)
    record_export(member, actor=actor, kind=kind)
    db.session.commit()
    stem = f"donnees-{member.id}"
    if kind == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        name = download_name or f"{stem}.json"
        return made_file(body, name, mimetype="application/json", private=True)
    return made_file(render_personal_data(data), download_name or f"{stem}.pdf", private=True)


def erase_page(member: User):
    form = EraseForm()
    refused = None
    if form.validate_on_submit():
        if fold_name(form.first_name.data) != fold_name(member.first_name):
            form.first_name.errors.append(
                _("Ce n'est pas le prénom de la personne : rien n'a été effacé.")
            )
        else:
            erased = attempt(
                lambda: erase_member(member, current_user._get_current_object()), ErasureError
            )
            if erased.ok:
                flash(
                    _(
                        "Les données de la personne sont effacées. Sa fiche anonyme reste pour "
                        "les chiffres du réseau."
                    ),
                    "success",
                )
                return redirect(url_for("members.show", member_id=member.id))
            refused = erased.error
    status = 422 if (form.errors or refused) else 200
    return render_template("privacy/erase.html", form=form, member=member, refused=refused), status


def request_erasure_page(me: User):
    """Ask for erasure; once asked, the page says when and what happens next, and a second
    request is refused (nothing sent again)."""
    form = ErasureRequestForm()
    pending = pending_erasure(me)
    refused = None
    if request.method == "POST" and pending is not None:
        refused = already_requested(pending)
    elif form.validate_on_submit():
        asked = attempt(lambda: request_erasure(me), ErasureError)  # or asked from another tab
        if asked.ok:
            flash(
                _(
                    "Votre demande est envoyée au groupe d'animation. Vos données seront effacées "
                    "dans un délai d'un mois au plus ; vous pouvez encore télécharger vos données "
                    "d'ici là."
                ),
                "success",
            )
            return redirect(url_for("auth.account"))
        refused, pending = asked.error, pending_erasure(me)
    status = 422 if (form.errors or refused) else 200
    return render_template(
        "privacy/request_erasure.html", form=form, pending=pending, refused=refused
    ), status
