"""What a perimeter's app may ask of its network (coopere/association/link.py)."""

from __future__ import annotations

from coopere.association.store import db_session


def test_a_milestone_met_once_stays_met_in_the_snapshot(console):
    from coopere.association.link import NetworkLink
    from coopere.association.models import Snapshot

    link = NetworkLink(console.network, "b")
    link.write_snapshot({"members": 3, "milestones": {"group_formed": "2026-03-01"}})
    link.write_snapshot({"members": 2, "milestones": {"group_formed": None}})
    with console.app.test_request_context():
        figures = db_session().get(Snapshot, "b").figures
    assert figures["members"] == 2
    assert figures["milestones"]["group_formed"] == "2026-03-01"
