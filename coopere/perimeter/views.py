"""Administration of the perimeter: its settings, its animation group, the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..audit.models import AuditEvent
from ..auth.models import GroupRole, Role, User
from ..auth.services import AccountError, set_group_role, set_role
from ..actions import attempt_and_say, form_page, save_and_say
from ..extensions import db
from ..group.services import GROUP_IDEAL, GROUP_MAX, animators, size_advice
from ..i18n import elide
from ..inputs import remembered_search
from .forms import GroupRoleForm, PerimeterForm, RoleForm
from .models import get_perimeter
from .services import SETTINGS_FIELDS, find_members_to_promote, save_settings

bp = Blueprint("perimeter", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 100
SEARCH_LIMIT = 20


@bp.route("/perimetre", methods=["GET", "POST"])
def settings():
    perimeter = get_perimeter()
    form = PerimeterForm(obj=perimeter)
    if form.validate_on_submit():
        save_settings({f: getattr(form, f).data for f in SETTINGS_FIELDS}, actor=current_user)
        save_and_say(_("Les réglages du périmètre sont enregistrés."))
        return redirect(url_for("perimeter.settings"))
    return form_page("perimeter/settings.html", form, perimeter=perimeter)


@bp.route("/groupe", methods=["GET", "POST"])
def group():
    query = remembered_search("group_q")  # a name: by POST, never in the URL
    if request.method == "POST":
        return redirect(url_for("perimeter.group", _anchor="ajouter"))
    group_members = animators()
    advice_level, advice = size_advice(len(group_members))
    found = find_members_to_promote(query, SEARCH_LIMIT + 1) if query else []
    return render_template(
        "perimeter/group.html",
        group_members=group_members,
        query=query,
        found=found[:SEARCH_LIMIT],
        more_found=len(found) > SEARCH_LIMIT,
        role_choices=RoleForm(formdata=None).role.choices,
        advice_level=advice_level,
        advice=advice,
        ideal=GROUP_IDEAL,
        most=GROUP_MAX,
    )


def _person(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        abort(404)
    return user


@bp.route("/groupe/<int:user_id>/role", methods=["POST"])
def set_role_view(user_id: int):
    user = _person(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        attempt_and_say(
            lambda: set_role(user, Role(form.role.data), actor=current_user),
            AccountError,
            elide(_("Le rôle de %(name)s est enregistré.", name=user.full_name), user.full_name),
        )
    else:
        flash(_("Ce rôle n'existe pas."), "error")
    return redirect(url_for("perimeter.group"))


@bp.route("/groupe/<int:user_id>/pilotage", methods=["POST"])
def set_group_role_view(user_id: int):
    user = _person(user_id)
    form = GroupRoleForm()
    if form.validate_on_submit():
        place = GroupRole(form.group_role.data) if form.group_role.data else None
        attempt_and_say(
            lambda: set_group_role(user, place, actor=current_user),
            AccountError,
            elide(
                _("La place de %(name)s dans le groupe est enregistrée.", name=user.full_name),
                user.full_name,
            ),
        )
    else:
        flash(_("Ce choix n'existe pas."), "error")
    return redirect(url_for("perimeter.group"))


@bp.route("/journal")
def audit():
    events = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
    ).all()
    from ..audit.services import printable, utc_timestamp

    return render_template(
        "perimeter/audit.html", events=events, printable=printable, utc_timestamp=utc_timestamp
    )
