"""The animators' printouts about members, on the members blueprint: numbered paper forms,
welcome cards (one, or a sheet of them), resetting an account's access, receipts."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import printing
from ..actions import attempt_and_say, form_page, made_file, save_and_say
from ..audit.services import record
from ..auth.forms import ConfirmForm
from ..auth.models import User
from ..extensions import db
from ..inputs import parse_id
from ..perimeter.models import get_perimeter
from ..urls import public_base
from . import printouts
from .blueprint import bp, member_or_404
from .forms import BlankFormsForm, ResetAccessForm
from .recovery import needs_typed_confirmation, reset_refusal
from .activation import reset_access as reset_access_of
from .activation import welcome_code
from .checks import MemberError


@bp.route("/inscription/formulaires", methods=["GET", "POST"])
def blank_forms():
    perimeter = get_perimeter() or abort(404)
    form = BlankFormsForm()
    if form.validate_on_submit():
        pdf = printouts.blank_forms(form.copies.data, perimeter, actor=current_user)
        record("paper_forms.printed", actor=current_user, copies=form.copies.data)
        save_and_say()
        return made_file(pdf, "formulaires-inscription.pdf", private=True)
    return form_page("members/blank_forms.html", form)


# --- welcome cards and receipts ----------------------------------------------------------


@bp.route("/membres/<int:member_id>/carte", methods=["POST"])
def card(member_id: int):
    """The welcome card: with a new activation code (any earlier card stops working) while the
    account was never activated, without a code once it was (coopere.members.recovery)."""
    member = member_or_404(member_id)
    perimeter = get_perimeter() or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    public_url = public_base()  # checked before a code is issued; never the request's host
    printed = attempt_and_say(
        lambda: printouts.render_cards(
            [
                printouts.welcome_card(
                    member, welcome_code(member, actor=current_user), perimeter, public_url
                )
            ]
        ),
        MemberError,
    )
    if not printed.ok:
        return redirect(url_for("members.show", member_id=member.id))
    return made_file(printed.value, f"carte-{member.first_name.lower()}.pdf", private=True)


@bp.route("/membres/cartes", methods=["POST"])
def cards():
    """A sheet of welcome cards (ten per A4) for the members ticked in the list."""
    perimeter = get_perimeter() or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = [ident for ident in map(parse_id, request.form.getlist("membre")) if ident is not None][
        :100
    ]
    members = [
        member
        for member in (db.session.get(User, ident) for ident in ids)
        if member is not None and not member.has_left
    ]
    if not members:
        flash(_("Cochez au moins une personne pour imprimer ses cartes."), "error")
        return redirect(url_for("members.index", statut="not_activated"))
    public_url = public_base()  # checked before any code is issued; never the request's host
    printed = attempt_and_say(
        lambda: printing.render_welcome_cards(
            [
                printouts.welcome_card(
                    member, welcome_code(member, actor=current_user), perimeter, public_url
                )
                for member in members
            ],
            layout="sheet",
        ),
        MemberError,
    )
    if not printed.ok:
        return redirect(url_for("members.index", statut="not_activated"))
    return made_file(printed.value, "cartes-accueil.pdf", private=True)


@bp.route("/membres/<int:member_id>/acces", methods=["GET", "POST"])
def reset_access(member_id: int):
    """« Réinitialiser l'accès » of an activated account (admins only, never oneself): the page
    says what will happen; the ticked box (and for an animator's or an admin's account, a second
    POST with their first name typed) resets it and prints the new card."""
    member = member_or_404(member_id)
    perimeter = get_perimeter() or abort(404)
    refused = reset_refusal(member, current_user)
    typed = needs_typed_confirmation(member)
    form = ResetAccessForm()
    step = 1
    if request.method == "POST" and refused is None and form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors.append(_("Cochez la case pour confirmer : rien n'a été changé."))
        elif typed and form.step.data != "2":
            step = 2  # the second step: type the first name
        else:
            step = 2 if typed else 1
            public_url = public_base()  # checked before a code is issued; never the request's host
            actor = current_user._get_current_object()
            printed = attempt_and_say(
                lambda: printouts.render_cards(
                    [
                        printouts.welcome_card(
                            member,
                            reset_access_of(
                                member, actor=actor, confirmation=form.first_name.data or ""
                            ),
                            perimeter,
                            public_url,
                        )
                    ]
                ),
                MemberError,
                field=form.first_name if typed else form.confirm,
            )
            if printed.ok:
                return made_file(
                    printed.value, f"carte-{member.first_name.lower()}.pdf", private=True
                )
    status = 422 if form.errors or (refused and request.method == "POST") else 200
    return render_template(
        "members/reset_access.html",
        form=form,
        member=member,
        refused=refused,
        typed=typed,
        step=step,
        days=current_app.config["ACTIVATION_CODE_DAYS"],
    ), status


@bp.route("/membres/<int:member_id>/recepisse.pdf")
def receipt(member_id: int):
    member = member_or_404(member_id)
    perimeter = get_perimeter() or abort(404)
    pdf = printing.render_registration_receipt(printouts.receipt(member, perimeter))
    return made_file(pdf, f"recepisse-{member.last_name.lower()}.pdf", private=True)
