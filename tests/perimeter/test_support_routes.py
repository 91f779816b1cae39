"""Every route of the perimeter's app tried by a coach on a support visit: the animators' pages
open (read-only, each one in the audit log), a member's own pages and the admins' are refused, and
no write gets through, whatever the route."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select

from coopere.audit.models import AuditEvent
from coopere.extensions import db
from coopere.perimeter.models import SupportGrant
from coopere.perimeter.support import make_support_token
from coopere.policy import POLICY, Access
from coopere.timeutil import utcnow
from routes import EXAMPLE_ARGS, seed_examples

COACH_ID, COACH = 7, "Claire Accompagnatrice"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Not walked: the visit's own entry and exit (tested in test_support_access.py).
OWN = {"support.enter", "support.leave"}
DOWNLOADS = {"member.exported", "report.exported", "report.printed", "fete.panels_printed"}


def _last_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def test_every_route_as_a_support_visitor(app, users):
    seed_examples(app)
    with app.app_context():
        db.session.add(
            SupportGrant(
                coach_account_id=COACH_ID, coach_name=COACH, ends_at=utcnow() + timedelta(days=3)
            )
        )
        db.session.commit()
    client = app.test_client()
    token = make_support_token(app.config["SECRET_KEY"], COACH_ID, COACH)
    assert client.get(f"/accompagnement/entree?jeton={token}").status_code == 302
    start = _last_id(app)

    problems, animator_pages = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OWN:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **EXAMPLE_ARGS.get(rule.endpoint, {}))
        path = url.split("?")[0]
        access = POLICY[rule.endpoint]
        if "GET" in rule.methods:
            before = _last_id(app)
            response = client.get(url)
            status, body = response.status_code, response.get_data().decode(errors="replace")
            response.close()
            if rule.endpoint == "static":
                pass
            elif access is Access.ANIMATOR:
                animator_pages += 1
                if (
                    status >= 500
                    or status in (401, 403)
                    or "/connexion" in (response.headers.get("Location") or "")
                ):
                    problems.append(f"GET {url} ({rule.endpoint}): {status}")
                elif (
                    "support.page_viewed",
                    {"coach": COACH, "coach_id": COACH_ID, "path": path},
                ) not in _since(app, before):
                    problems.append(f"GET {url}: no support.page_viewed entry")
            elif access is Access.PUBLIC:
                if status >= 500:
                    problems.append(f"GET {url} ({rule.endpoint}): {status}")
            elif status != 403 or "lecture seule" not in body:
                problems.append(f"GET {url} ({rule.endpoint}, {access.name}): {status}, not 403")
        if rule.methods & WRITES:
            before = _last_id(app)
            # No CSRF token on purpose too: the visit's refusal comes before anything else.
            response = client.post(url, data={"given": "1", "members": "1"})
            status, body = response.status_code, response.get_data().decode(errors="replace")
            response.close()
            if status != 403 or "lecture seule" not in body:
                problems.append(f"POST {url} ({rule.endpoint}): {status}, not 403")
            elif [action for action, _ in _since(app, before)] != ["support.page_refused"]:
                problems.append(f"POST {url}: something else than the refusal was recorded")
    assert problems == []
    assert animator_pages > 40
    # The visit was never ended by any of these pages, and nothing but the visit was recorded.
    assert "lecture seule" in client.get("/groupe").get_data(as_text=True)
    # (downloads keep their own audit line too: an export, a printed report)
    actions = {action for action, _ in _since(app, start)}
    assert actions <= {"support.page_viewed", "support.page_refused"} | DOWNLOADS


def _since(app, last_id: int) -> list[tuple[str, dict]]:
    """The audit entries recorded after entry `last_id`: (action, details)."""
    with app.app_context():
        return [
            (event.action, json.loads(event.details or "{}"))
            for event in db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            )
        ]
