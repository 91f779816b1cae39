"""The console's database session: one per request, on the network's own database."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from ..network import registry


def network():
    return current_app.extensions["coopere.network"]


def db_session() -> Session:
    """The request's session on the network database (closed at the end of the request)."""
    if "association_db" not in g:
        g.association_db = registry.session(network())
    return g.association_db


def close_session(_error=None) -> None:
    session = g.pop("association_db", None)
    if session is not None:
        session.close()
