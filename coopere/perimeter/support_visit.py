"""A coach's support visit: not a member login, a read-only visitor in the session.

The visit is kept in the signed session cookie (`support_visit`: the grant, the coach). Before each
request (before the policy table), `check_support_visit` makes the visitor the current user
(Flask-Login reads `g._login_user`), ends the visit when its grant is over or revoked, and lets it
reach only the pages whose policy is Access.ANIMATOR, the public ones and the exit, by GET or HEAD;
everything else is refused (403) with a French page. Every page shown is written to the audit log
(`support.page_viewed`, the coach's name and the path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..auth.models import Role
from ..auth.session_timeouts import SEEN, STARTED, _expiry_reason, _now
from ..errors import render_error
from ..extensions import db
from ..policy import POLICY, Access
from ..timeutil import utcnow
from .models import SupportGrant

VISIT_KEY = "support_visit"
EXIT_ENDPOINT = "support.leave"
ENTRY_ENDPOINT = "support.enter"
LANDING_ENDPOINT = "group.index"  # where a visit starts, and the brand link during a visit
READ_METHODS = ("GET", "HEAD")
REFUSED_TITLE = _l("Accès d'accompagnement : lecture seule")


@dataclass(frozen=True)
class SupportVisitor:
    """The coach during a visit: an animator's eyes, no account, no hands. Carries what the
    templates and views read on `current_user`; it has no id (it is nobody of the perimeter)."""

    coach_id: int
    coach_name: str
    grant_id: int
    ends_at: datetime

    id = None
    locale = None
    email = None
    phone = None
    group_role = None
    role = Role.ANIMATOR.value
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_support_visitor = True
    is_animator = True
    is_admin = False
    is_offline = False
    is_activated = False
    has_left = False
    known_to_association = False

    @property
    def first_name(self) -> str:
        return self.coach_name

    @property
    def last_name(self) -> str:
        return ""

    @property
    def full_name(self) -> str:
        return self.coach_name

    def has_role(self, role: Role) -> bool:
        """Only the animators' level: never a member's own pages, never an admin's."""
        return role == Role.ANIMATOR

    def get_id(self) -> None:
        return None


def start_visit(grant: SupportGrant) -> None:
    """A fresh session holding only the visit (and the chosen language)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session[STARTED] = session[SEEN] = int(_now())
    session[VISIT_KEY] = {
        "grant": grant.id,
        "coach_id": grant.coach_account_id,
        "coach_name": grant.coach_name,
    }


def in_visit() -> bool:
    """Whether this session is a coach's support visit (not a member's login)."""
    return VISIT_KEY in session


def end_visit() -> None:
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    g.pop("support_visitor", None)
    g.pop("_login_user", None)


class VisitOver(Exception):
    """The session's visit may not go on (its grant is over, revoked, or not this coach's)."""


def _visitor_from_session() -> SupportVisitor | None:
    """The visitor of this session while its grant runs; None without a visit. A visit whose
    grant is over, revoked or not the coach's raises VisitOver."""
    visit = session.get(VISIT_KEY)
    if visit is None:
        return None
    try:
        grant_id, coach_id = int(visit["grant"]), int(visit["coach_id"])
        coach_name = str(visit["coach_name"])
    except (KeyError, TypeError, ValueError):
        raise VisitOver from None
    grant = db.session.get(SupportGrant, grant_id)
    if (
        grant is None
        or grant.coach_account_id != coach_id
        or grant.revoked_at is not None
        or grant.ends_at <= utcnow()
    ):
        raise VisitOver
    return SupportVisitor(coach_id, coach_name, grant.id, grant.ends_at)


def visit_allows(endpoint: str | None, method: str) -> bool:
    """Whether a visitor may reach `endpoint` by `method`: GET or HEAD on an animators' page or a
    public one; the exit (POST) too."""
    if endpoint == EXIT_ENDPOINT:
        return True
    if method not in READ_METHODS:
        return False
    access = POLICY.get(endpoint)
    return access in (Access.PUBLIC, Access.ANIMATOR)


def refused_page(write: bool):
    message = (
        _(
            "Pendant un accès d'accompagnement, rien ne peut être modifié : "
            "l'accès est en lecture seule."
        )
        if write
        else _(
            "Cette page n'est pas ouverte à l'accompagnement : seules les pages du groupe "
            "d'animation le sont, en lecture seule."
        )
    )
    return render_error(403, REFUSED_TITLE, message)


def _end_and_say(message: str):
    end_visit()
    flash(message, "info")
    return redirect(url_for("auth.login"))


def check_support_visit():
    """before_request, before the policy table: the visitor, or the visit's end."""
    if VISIT_KEY not in session or request.endpoint == "static":
        return None
    try:
        visitor = _visitor_from_session()
    except VisitOver:
        return _end_and_say(
            _(
                "L'accès d'accompagnement est terminé : il a pris fin ou a été retiré par le "
                "groupe d'animation."
            )
        )
    if visitor is None:
        return None
    reason = _expiry_reason()  # the same idle and absolute limits as a member's session
    if reason is not None:
        return _end_and_say(reason)
    # End the read of the grant: the audit line below is then a transaction of its own that only
    # writes (on SQLite, a read transaction turned into a write one can fail under concurrency).
    db.session.commit()
    g._login_user = visitor  # Flask-Login's current_user for this request
    g.support_visitor = visitor
    endpoint = request.endpoint
    if endpoint is None:  # no route: the 404 page
        return None
    if not visit_allows(endpoint, request.method):
        record(
            "support.page_refused",
            coach=visitor.coach_name,
            coach_id=visitor.coach_id,
            path=request.path,
            method=request.method,
        )
        db.session.commit()
        return refused_page(write=request.method not in READ_METHODS)
    if endpoint != EXIT_ENDPOINT:
        record(
            "support.page_viewed",
            coach=visitor.coach_name,
            coach_id=visitor.coach_id,
            path=request.path,
        )
        db.session.commit()
    return None


def configure_support_visits(app: Flask) -> None:
    """Install the visit's check (call it before configure_policy) and its banner's data."""
    app.before_request(check_support_visit)

    @app.context_processor
    def support_context():
        return {"support_visit": g.get("support_visitor")}
