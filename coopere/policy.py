"""The route × role policy table: every endpoint states who may reach it; others are denied."""
from __future__ import annotations

import enum

from flask import Flask, abort, request
from flask_login import current_user

from .auth.models import Role
from .extensions import login_manager


class Access(enum.Enum):
    """Who may reach an endpoint. Each level includes the ones after it (admin ⊇ animator ⊇ member)."""

    PUBLIC = None
    MEMBER = Role.MEMBER
    ANIMATOR = Role.ANIMATOR
    ADMIN = Role.ADMIN


# endpoint -> lowest access level allowed. A route missing from this table is refused (403) and
# makes tests/test_policy.py fail, so nothing is exposed by accident.
POLICY: dict[str, Access] = {
    "static": Access.PUBLIC,
    # public
    "public.home": Access.PUBLIC,
    "public.set_language": Access.PUBLIC,
    "public.letter_scan": Access.PUBLIC,
    # accounts
    "auth.login": Access.PUBLIC,
    "auth.logout": Access.MEMBER,
    "auth.home": Access.MEMBER,
    "auth.account": Access.MEMBER,
    "auth.change_language": Access.MEMBER,
    "auth.change_password": Access.MEMBER,
    "auth.end_sessions": Access.MEMBER,
    # perimeter administration
    "perimeter.settings": Access.ADMIN,
    "perimeter.group": Access.ADMIN,
    "perimeter.set_role_view": Access.ADMIN,
    "perimeter.set_group_role_view": Access.ADMIN,
    "perimeter.audit": Access.ADMIN,
    # events
    "events.index": Access.ANIMATOR,
    "events.create": Access.ANIMATOR,
    "events.edit": Access.ANIMATOR,
    # dwelling register
    "dwellings.index": Access.ANIMATOR,
    "dwellings.create": Access.ANIMATOR,
    "dwellings.edit": Access.ANIMATOR,
    "dwellings.delete": Access.ANIMATOR,
    "dwellings.import_file": Access.ANIMATOR,
    "dwellings.import_confirm": Access.ANIMATOR,
    "dwellings.export": Access.ANIMATOR,
    # print runs
    "printruns.index": Access.ANIMATOR,
    "printruns.new_letters": Access.ANIMATOR,
    "printruns.show": Access.ANIMATOR,
    "printruns.status": Access.ANIMATOR,
    "printruns.download": Access.ANIMATOR,
    "printruns.confirm": Access.ANIMATOR,
    "printruns.event_printouts": Access.ANIMATOR,
    "printruns.event_pdf": Access.ANIMATOR,
    "printruns.letter_template": Access.ADMIN,
    # themes of cooperation
    "listings.themes": Access.ADMIN,
    "listings.theme_new": Access.ADMIN,
    "listings.theme_edit": Access.ADMIN,
    "listings.theme_retire": Access.ADMIN,
}


def allowed(endpoint: str, user) -> bool:
    """Whether `user` (possibly anonymous) may reach `endpoint` according to the table."""
    access = POLICY.get(endpoint)
    if access is None:
        return False
    if access is Access.PUBLIC:
        return True
    return bool(user and user.is_authenticated and user.has_role(access.value))


def enforce_policy():
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    access = POLICY.get(endpoint)
    if access is None:
        abort(403)
    if access is Access.PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(access.value):
        abort(403)
    return None


def configure_policy(app: Flask) -> None:
    app.before_request(enforce_policy)
    app.jinja_env.globals["allowed"] = lambda endpoint: allowed(endpoint, current_user)
