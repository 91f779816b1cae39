"""Idempotency keys: a write sent twice with the same key is carried out once."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, g, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import String, delete, event, inspect, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import READ_ONLY_METHODS
from .extensions import db
from .timeutil import utcnow


class IdempotencyKey(db.Model):
    """A key seen on a write request, stored in the same transaction as the write it came with."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None]
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    status_code: Mapped[int | None]
    location: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# --- the mechanism ----------------------------------------------------------------------------

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
KEEP_DAYS, PRUNE_ONE_IN = 30, 200  # old keys are deleted by one new key in PRUNE_ONE_IN
_FLUSHED = "idempotency_flushed"  # Session.info: key rows flushed in the current transaction


def configure_idempotency(app: Flask) -> None:
    """Register the hooks. Call after the policy, CSRF and rate-limit checks are registered: a
    request they refuse never reaches the key table."""
    app.before_request(_before_write)
    app.after_request(_after_write)
    app.jinja_env.globals["idempotency_field"] = idempotency_field


def idempotency_field() -> Markup:
    """A hidden field with a fresh key, for a form whose double submission must count once."""
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, uuid.uuid4().hex)


def _sent_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        key = request.form.get(FIELD)
    key = (key or "").strip()
    return key or None


def _before_write():
    g.idempotency_row = None
    if request.method in READ_ONLY_METHODS:
        return None
    key = _sent_key()
    if key is None:
        return None
    if not KEY_RE.fullmatch(key):
        return _page(
            _("Clé d'envoi invalide"),
            _(
                "La demande porte une clé d'envoi invalide "
                "(64 lettres, chiffres, « - » ou « _ » au plus) : "
                "rien n'a été enregistré. Rechargez la page et recommencez."
            ),
            400,
        )
    if not current_user.is_authenticated:
        return None  # keys belong to a person: anonymous forms (log in, activation) work as usual
    user_id = current_user.id
    stored = db.session.get(IdempotencyKey, key)
    if stored is None:
        if secrets.randbelow(PRUNE_ONE_IN) == 0:
            prune_keys()
        row = IdempotencyKey(
            key=key, user_id=user_id, method=request.method, path=request.path[:300]
        )
        db.session.add(row)
        try:
            # Written now, in the transaction the view will commit: with the write or not at all.
            # A concurrent request with the same key waits here for the first one's outcome.
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            stored = db.session.get(IdempotencyKey, key)
            if stored is None:  # the other request gave up meanwhile: let the client try again
                return _page(
                    _("Envoi en cours"),
                    _("Le même envoi est déjà en cours : réessayez dans un instant."),
                    409,
                )
        else:
            g.idempotency_row = row
            return None
    return _replay(stored, user_id)


def prune_keys(days: int = KEEP_DAYS, *, now: datetime | None = None) -> int:
    """Forget keys older than `days` (in the current transaction): a retry comes within minutes.
    Returns how many were forgotten."""
    limit = (now or utcnow()) - timedelta(days=days)
    return (
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < limit)).rowcount
        or 0
    )


def _replay(stored: IdempotencyKey, user_id: int):
    """The answer to a key already carried out: its outcome, without running the view again."""
    if (
        stored.user_id != user_id
        or stored.method != request.method
        or stored.path != request.path[:300]
    ):
        db.session.rollback()
        return _page(
            _("Clé d'envoi déjà utilisée"),
            _(
                "Cette clé d'envoi a déjà servi pour une autre demande : rien n'a été enregistré. "
                "Rechargez la page et recommencez."
            ),
            409,
        )
    status, location = stored.status_code, stored.location
    db.session.rollback()  # nothing to write: free the database at once
    if status is not None and 300 <= status < 400 and location:
        flash(_("Déjà enregistré."), "success")
        return redirect(location, 303)
    return _page(
        _("Déjà enregistré."),
        _("Cette demande avait déjà été reçue et enregistrée : rien n'a été fait en double."),
        status if status is not None and status < 500 else 200,
    )


def _page(title: str, message: str, status: int):
    # The error page's layout, without its error code: « Déjà enregistré » is no error.
    response = make_response(
        render_template("errors/error.html", title=title, message=message, code=None), status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _after_write(response):
    row = g.get("idempotency_row")
    if row is None or not getattr(row, "_idempotency_committed", False):
        return response  # no key, or the view did not commit: nothing was stored
    g.idempotency_row = None
    key = inspect(row).identity[0]  # without reloading the expired row
    location = (response.location or "") if 300 <= response.status_code < 400 else ""
    if not location.startswith("/") or location.startswith("//") or len(location) > 500:
        location = ""  # replays only redirect within the site
    try:
        # Anything the view left uncommitted after its commit is discarded at teardown anyway.
        db.session.rollback()
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == key)
            .values(status_code=response.status_code, location=location)
        )
        db.session.commit()
    except SQLAlchemyError:
        # The write and its key are already stored: a replay then answers « Déjà enregistré ».
        db.session.rollback()
        current_app.logger.warning("idempotency key %s: outcome not stored", key, exc_info=True)
    return response


# Which key rows were committed: the view's own commit (or rollback) decides, so the session tells.


@event.listens_for(Session, "pending_to_persistent")
def _flushed(session, instance):
    if isinstance(instance, IdempotencyKey):
        session.info.setdefault(_FLUSHED, []).append(instance)


@event.listens_for(Session, "persistent_to_transient")
def _rolled_back(session, instance):
    if isinstance(instance, IdempotencyKey) and instance in session.info.get(_FLUSHED, ()):
        session.info[_FLUSHED].remove(instance)


@event.listens_for(Session, "after_commit")
def _committed(session):
    for instance in session.info.pop(_FLUSHED, ()):
        instance._idempotency_committed = True
