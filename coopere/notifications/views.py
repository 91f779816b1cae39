"""A member's notices: the page listing them, « Tout marquer comme lu », the count in the menu."""
from __future__ import annotations

from flask import Blueprint, flash, g, has_request_context, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.forms import ConfirmForm
from ..extensions import db
from . import models  # noqa: F401  (tables known to the app and to migrations)
from .services import latest, mark_all_read, unread_count

bp = Blueprint("notifications", __name__)


def unread_notifications() -> int:
    """The logged-in person's unread notices (one query per request at most, only where asked)."""
    if "unread_notifications" not in g:
        g.unread_notifications = (unread_count(current_user)
                                  if has_request_context() and current_user.is_authenticated else 0)
    return g.unread_notifications


@bp.app_context_processor
def notifications_context():
    return {"unread_notifications": unread_notifications}


@bp.route("/notifications")
def index():
    notices = latest(current_user)
    return render_template("notifications/index.html", notices=notices, form=ConfirmForm(),
                           unread=sum(1 for notice in notices if notice.read_at is None))


@bp.route("/notifications/tout-lu", methods=["POST"])
def mark_read():
    if ConfirmForm().validate_on_submit():
        mark_all_read(current_user)
        db.session.commit()
        flash(_("Toutes vos notifications sont marquées comme lues."), "success")
    return redirect(url_for("notifications.index"))
