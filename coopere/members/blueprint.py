"""The members blueprint, shared by its two view modules (`views`, `printout_views`), and what
both need: the member of the address."""

from __future__ import annotations

from flask import Blueprint, abort

from ..auth.models import User
from ..extensions import db

bp = Blueprint("members", __name__)


def member_or_404(member_id: int) -> User:
    return db.session.get(User, member_id) or abort(404)
