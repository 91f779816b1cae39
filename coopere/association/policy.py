"""The console's route × role table: every endpoint of the network's app states who may reach it;
a route missing here is refused (403), and tests/association/test_console_policy.py fails."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from .login import login_manager
from .models import Role

PUBLIC = "public"
COACH = Role.ACCOMPAGNATEUR  # any association account (coordination included)
COORDINATION = Role.COORDINATION

CONSOLE_POLICY: dict[str, str] = {
    "static": PUBLIC,
    # the network's own pages (coopere/network/app.py)
    "index": PUBLIC,
    # the association's console
    "association.login": PUBLIC,
    "association.logout": COACH,
    "association.home": COACH,
    "association.perimeters": COACH,
    "association.perimeters_csv": COACH,
    "association.perimeter_new": COORDINATION,
    "association.perimeter_setup": COORDINATION,
    "association.pilote_letter": COORDINATION,
    "association.defaults": COORDINATION,
    "association.account": COACH,
    # a perimeter's page: the phase tracker and the coaching log (tracker_views, coaching_views);
    # an accompagnateur reaches only their own perimeters (the views answer 404 for the others)
    "association.perimeter": COACH,
    "association.milestone": COACH,
    "association.milestone_untick": COACH,
    "association.phase_change": COACH,
    "association.snapshot_refresh": COACH,
    "association.session_new": COACH,
    "association.session_delete": COACH,
    "association.workload": COACH,  # the coordination: every coach; a coach: their own
    "association.audit": COORDINATION,
    # training days: every account sees them (a coach, the answers of their perimeters only);
    # the coordination plans them (the page's form), cancels them and notes who came
    "association.training": COACH,
    "association.training_day": COACH,
    "association.training_attendance": COORDINATION,
    "association.training_cancel": COORDINATION,
    "association.training_history": COACH,
    # the perimeter's coach opens its group's pages (read-only, when the group has granted it)
    "association.support_open": COACH,
    # the network figures (an accompagnateur: their own perimeters' only)
    "association.figures": COACH,
    "association.figures_months_csv": COACH,
    "association.figures_perimeters_csv": COACH,
    "association.yearly_pdf": COACH,  # the former address: to the figures page
    # the yearly report, prepared in the background (yearly_views.py): a coach, their perimeters'
    "association.yearly_prepare": COACH,
    "association.yearly_run": COACH,
    "association.yearly_run_status": COACH,
    "association.yearly_download": COACH,
    "association.accounts": COORDINATION,
    # the network's sheets, shared by its perimeters: every account reads them, the coordination
    # writes, edits, retires and reorders them (sheets_views)
    "association.sheets": COACH,
    "association.sheet": COACH,
    "association.sheet_new": COORDINATION,
    "association.sheet_edit": COORDINATION,
    "association.sheet_retire": COORDINATION,
    "association.sheet_move": COORDINATION,
}


def allowed(endpoint: str, account) -> bool:
    level = CONSOLE_POLICY.get(endpoint)
    if level is None:
        return False
    if level == PUBLIC:
        return True
    if not (account and account.is_authenticated):
        return False
    return level == COACH or account.role == COORDINATION


def enforce_console_policy():
    endpoint = request.endpoint
    if endpoint is None:
        return None
    level = CONSOLE_POLICY.get(endpoint)
    if level is None:
        abort(403)
    if level == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not allowed(endpoint, current_user):
        abort(403)
    return None
