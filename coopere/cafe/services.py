"""The café-rencontre's shared pieces: the error its desk, call list and report raise, and the
limits their forms check. The desk: cafe/desk.py; the call list: cafe/calls.py; the event
report: cafe/report.py; the paper attendance sheet: cafe/printouts.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import CallOutcome

SEARCH_LIMIT = 20
REPORTS_PAGE_SIZE = 30
NOTE_MAX = 300
REPORT_NOTES_MAX = 4000
COLLECTED_MAX = 999

OUTCOME_LABELS = {
    CallOutcome.REACHED.value: _l("Joint(e)"),
    CallOutcome.NO_ANSWER.value: _l("Pas de réponse"),
    CallOutcome.MESSAGE_LEFT.value: _l("Message laissé"),
}


class CafeError(ValueError):
    """A refused action at the desk, on the call list or in the report; the message is French
    (or the reader's language) and safe to show."""
