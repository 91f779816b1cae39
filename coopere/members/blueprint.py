"""The members blueprint, shared by its two view modules (`views`, `printout_views`), and what
both need: the member of the address, and a printout sent as a download."""

from __future__ import annotations

import io

from flask import Blueprint, abort, send_file

from ..auth.models import User
from ..extensions import db

bp = Blueprint("members", __name__)


def member_or_404(member_id: int) -> User:
    return db.session.get(User, member_id) or abort(404)


def pdf_download(data: bytes, name: str):
    """A printout about a person: never kept in a shared cache or the browser's."""
    response = send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
