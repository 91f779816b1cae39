"""A member's notices: the page listing them, « Tout marquer comme lu », the count in the menu."""

from __future__ import annotations

from flask import Blueprint, g, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import save_and_say
from ..auth.forms import ConfirmForm
from ..auth.models import User
from ..extensions import csrf, db
from . import models  # noqa: F401  (tables known to the app and to migrations)
from .services import latest, mark_all_read, unread_count

bp = Blueprint("notifications", __name__)


def unread_notifications() -> int:
    """The logged-in person's unread notices (one query per request at most, only where asked)."""
    if "unread_notifications" not in g:
        g.unread_notifications = (
            unread_count(current_user)
            if has_request_context() and current_user.is_authenticated
            else 0
        )
    return g.unread_notifications


@bp.app_context_processor
def notifications_context():
    return {"unread_notifications": unread_notifications}


@bp.route("/notifications")
def index():
    notices = latest(current_user)
    return render_template(
        "notifications/index.html",
        notices=notices,
        form=ConfirmForm(),
        unread=sum(1 for notice in notices if notice.read_at is None),
    )


@bp.route("/notifications/tout-lu", methods=["POST"])
def mark_read():
    if ConfirmForm().validate_on_submit():
        mark_all_read(current_user)
        save_and_say(_("Toutes vos notifications sont marquées comme lues."))
    return redirect(url_for("notifications.index"))


# --- one-click stop of an email ----------------------------------------------------------------


@bp.route("/courriel/arreter/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients post here without a form (RFC 8058)
def unsubscribe(token: str):
    """GET: a page with one button; POST (the button, or the mail client's one-click): the consent
    is withdrawn, recorded as a new answer (method « online »)."""
    from ..members.consents import ALL
    from ..members.consent_records import has_consent
    from ..members.services import set_own_consent
    from ..perimeter.models import get_perimeter
    from .email import read_unsubscribe_token

    found = read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        return render_template("notifications/unsubscribe.html", valid=False)
    kind = found[1]
    subscribed = has_consent(user, kind)
    stopped = False
    if request.method == "POST" and subscribed:
        set_own_consent(user, kind, False, perimeter=get_perimeter())
        db.session.commit()
        subscribed, stopped = False, True
    return render_template(
        "notifications/unsubscribe.html",
        valid=True,
        user=user,
        label=ALL[kind].label,
        kind=kind.value,
        subscribed=subscribed,
        stopped=stopped or request.method == "POST",
    )
