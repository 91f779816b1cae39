"""The support access pages: the grants (given and ended by the pilote, the copilote or an admin),
the coach's entry from the association's console and exit, and the consent of a group member
« être connu·e de l'association »."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import attempt
from ..auth.forms import ConfirmForm
from ..auth.models import User
from ..extensions import db
from .models import get_perimeter
from .support import (
    DEFAULT_DAYS,
    MAX_DAYS,
    SupportError,
    active_grant_for,
    active_grants,
    can_manage,
    coaches,
    give_grant,
    past_grants,
    read_support_token,
    revoke_grant,
    set_known_to_association,
)
from .support_visit import LANDING_ENDPOINT, end_visit, in_visit, start_visit

bp = Blueprint("support", __name__)


def _grants_page(error: str | None = None, chosen: dict | None = None):
    grants = active_grants()
    granter_ids = {grant.granted_by for grant in grants} - {None}
    people = {user.id: user for user in map(lambda i: db.session.get(User, i), granter_ids) if user}
    return render_template(
        "perimeter/support.html",
        grants=grants,
        past=past_grants(),
        granters=people,
        coaches=coaches(),
        can_manage=can_manage(current_user),
        default_days=DEFAULT_DAYS,
        max_days=MAX_DAYS,
        chosen=chosen or {},
        error=error,
        confirm=ConfirmForm(),
    ), 422 if error else 200


@bp.route("/groupe/accompagnement")
def grants():
    return _grants_page()


@bp.route("/groupe/accompagnement", methods=["POST"])
def give():
    if not can_manage(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    chosen = {"coach": request.form.get("coach", ""), "days": request.form.get("days", "")}
    actor = db.session.get(User, current_user.id)
    given = attempt(lambda: give_grant(chosen["coach"], chosen["days"], actor=actor), SupportError)
    if not given.ok:
        return _grants_page(given.error, chosen)
    grant = given.value
    flash(
        _(
            "Accès d'accompagnement donné à %(name)s jusqu'au %(date)s.",
            name=grant.coach_name,
            date=_long_date(grant.ends_at),
        ),
        "success",
    )
    return redirect(url_for("support.grants"))


@bp.route("/groupe/accompagnement/<int:grant_id>/retirer", methods=["POST"])
def revoke(grant_id: int):
    if not can_manage(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    actor = db.session.get(User, current_user.id)
    revoked = attempt(lambda: revoke_grant(grant_id, actor=actor), SupportError)
    if revoked.ok:
        flash(
            _(
                "Accès d'accompagnement retiré à %(name)s : sa visite s'arrête à sa prochaine "
                "page.",
                name=revoked.value.coach_name,
            ),
            "success",
        )
    else:
        flash(revoked.error, "error")
    return redirect(url_for("support.grants"))


def _long_date(moment) -> str:
    from ..i18n import long_date

    return long_date(moment)


# --- the coach's visit --------------------------------------------------------------------------


@bp.route("/accompagnement/entree")
def enter():
    """The console's « Ouvrir l'espace du groupe »: a fresh token and a running grant for that
    coach start a read-only visit; anything else goes to the login page with a French message."""
    read = read_support_token(current_app.config["SECRET_KEY"], request.args.get("jeton"))
    grant = active_grant_for(read[0]) if read else None
    if grant is None:
        if in_visit():  # a member's own session is left alone: only a visit ends here
            end_visit()
        message = (
            _(
                "Ce lien d'accompagnement n'est plus valable (il ne dure qu'une minute). "
                "Rouvrez l'espace du groupe depuis la console de l'association."
            )
            if read is None
            else _(
                "Le groupe d'animation ne vous a pas donné d'accès d'accompagnement en cours. "
                "Demandez-le au pilote ou au copilote."
            )
        )
        flash(message, "error")
        return redirect(url_for("auth.login"))
    start_visit(grant)
    return redirect(url_for(LANDING_ENDPOINT))


@bp.route("/accompagnement/sortie", methods=["POST"])
def leave():
    if ConfirmForm().validate_on_submit():
        end_visit()
        flash(_("Visite d'accompagnement terminée."), "success")
    return redirect(url_for("public.home"))


# --- the consent « être connu·e de l'association » -------------------------------------------


@bp.route("/compte/association", methods=["POST"])
def set_known():
    if not current_user.is_animator:
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    choice = request.form.get("given")
    if choice not in ("0", "1"):
        flash(_("Choisissez de donner ou de retirer cet accord. Rien n'a changé."), "error")
        return redirect(url_for("auth.account", _anchor="association"))
    given = choice == "1"
    me = db.session.get(User, current_user.id)
    if me.known_to_association == given:
        flash(_("Rien à changer : c'était déjà le cas."), "info")
        return redirect(url_for("auth.account", _anchor="association"))
    done = attempt(
        lambda: set_known_to_association(me, given, perimeter=get_perimeter()), SupportError
    )
    if not done.ok:
        flash(done.error, "error")
    elif given:
        flash(_("Accord donné : l'association pourra connaître votre prénom."), "success")
    else:
        flash(_("Accord retiré : l'association ne connaîtra plus votre nom."), "success")
    return redirect(url_for("auth.account", _anchor="association"))
