"""Session lifetimes: a logged-in session ends after a while without activity, and after a
maximum age.

The session is a signed cookie: the two timestamps below travel in it, so they cannot be altered
by the browser and every server process reads the same ones. SESSION_IDLE_MINUTES (default 120)
ends a session nobody used for that long (a shared tablet left at the café); SESSION_ABSOLUTE_HOURS
(default 12) ends any session that old, however active. The person is sent to the login page with
a French message saying why, and comes back to the page they asked for once logged in again.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user, user_logged_in

from ..urls import local_path

STARTED = "_started"  # when the person logged in (seconds since the epoch, UTC)
SEEN = "_seen"  # their last request
# The last-seen stamp is rewritten at most this often: not every request changes the cookie.
SEEN_RESOLUTION_SECONDS = 60


def _now() -> float:
    """Seconds since the epoch; a function of its own so that tests can move time forward."""
    return time.time()


def _stamp_login(_app, user=None, **_extra) -> None:
    """At login, start both clocks. A password change logs in again: the session keeps its age."""
    now = int(_now())
    session.setdefault(STARTED, now)
    session[SEEN] = now


def _expiry_reason() -> str | None:
    """Why this logged-in session is over (a French message), or None while it is still valid."""
    now = _now()
    config = current_app.config
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, (int, float)) or not isinstance(seen, (int, float)):
        # A session from before these clocks existed (or a tampered one, which the signature
        # already refuses): start counting now rather than throwing the person out.
        session[STARTED] = session[SEEN] = int(now)
        return None
    if now - started > config["SESSION_ABSOLUTE_HOURS"] * 3600:
        return _(
            "Par sécurité, une connexion dure au plus %(hours)d heures. "
            "Reconnectez-vous, s'il vous plaît.",
            hours=config["SESSION_ABSOLUTE_HOURS"],
        )
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        return _(
            "Vous avez été déconnecté(e) après %(minutes)d minutes sans activité. "
            "Reconnectez-vous, s'il vous plaît.",
            minutes=config["SESSION_IDLE_MINUTES"],
        )
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session[SEEN] = int(now)
    return None


def end_expired_session():
    """before_request: end an expired session and send the person to the login page."""
    if "_user_id" not in session or request.endpoint == "static":
        return None
    reason = _expiry_reason()
    if reason is None:
        return None
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(reason, "info")
    # Back to the page asked for after logging in again (a GET only: a form posted from a stale
    # page is not replayed).
    wanted = request.method == "GET" and request.endpoint != "auth.login"
    next_url = local_path(request.script_root + request.full_path.rstrip("?")) if wanted else None
    return redirect(url_for("auth.login", next=next_url) if next_url else url_for("auth.login"))


def configure_session_timeouts(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", 120)
    app.config.setdefault("SESSION_ABSOLUTE_HOURS", 12)
    # Runs before the policy table: an expired session is treated as logged out everywhere.
    app.before_request(end_expired_session)
    user_logged_in.connect(_stamp_login, app, weak=False)
