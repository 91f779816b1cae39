"""« Ouvrir les pages du groupe »: the perimeter's coach goes to its animators' pages through the
access the group gives them (coopere/perimeter/support.py checks the grant, the visit is read-only
and every page is written in the perimeter's audit log). The console only signs who is coming."""

from __future__ import annotations

from flask import abort, redirect
from flask_login import current_user

from ..network.sites import perimeter_app, public_url
from ..perimeter.support import make_support_token
from . import audit, perimeters
from .blueprint import bp
from .store import db_session, network


def entry_url(slug: str, token: str) -> str:
    base = public_url(network(), slug) or f"/{slug}"
    return f"{base}/accompagnement/entree?jeton={token}"


@bp.post("/perimetres/<slug>/accompagnement", endpoint="support_open")
def support_open(slug: str):
    row = perimeters.one(current_user, slug) or abort(404)
    if row.profile.coach_id != current_user.id or not row.entry.served:
        abort(403)  # the perimeter's own coach only: the group's grant names them
    secret = perimeter_app(network(), slug).config["SECRET_KEY"]
    token = make_support_token(secret, current_user.id, current_user.name)
    audit.record("perimeter.support_opened", account=current_user, target=slug)
    db_session().commit()
    return redirect(entry_url(slug, token))
