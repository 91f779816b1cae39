"""The perimeter's snapshot names no resident (only a consenting pilote or copilote, by initial),
writes nothing, gives the reports' figures month by month on the demo in a few queries, and the
nightly job hands it to the network."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from factories import make_event
from helpers import QueryCounter
from snapshot_support import ADDRESSES, NAME, collect, group_of, new_perimeter
from coopere.association import snapshot
from coopere.association.months import FIGURE_KEYS, month_periods
from coopere.association.phases import (
    DATA_MILESTONES,
)
from coopere.auth.models import GroupRole, Role
from coopere.dwellings.models import Dwelling
from coopere.dwellings.services import import_file
from coopere.extensions import db
from coopere.reports.summary import summary
from coopere.schedule import JOBS, due_jobs
from coopere.timeutil import paris_today


@pytest.fixture
def perimeter(create_perimeter):
    return new_perimeter(create_perimeter)


# --- no personal data ---------------------------------------------------------------------------


def test_the_snapshot_names_nobody_but_a_consenting_pilote_by_initial(
    app, perimeter, create_user, monkeypatch
):
    with app.app_context():
        assert import_file(ADDRESSES.encode()).ok
        db.session.commit()
        home = db.session.scalar(select(Dwelling.id))
    people = [
        create_user(
            Role.ANIMATOR,
            first_name="Ghislaine",
            last_name="Quernec",
            email="ghislaine.quernec@example.org",
            group_role=GroupRole.PILOTE.value,
            dwelling_id=home,
        ),
        create_user(
            Role.ANIMATOR,
            first_name="Barnabé",
            last_name="Lestrohan",
            phone="+33698765432",
            group_role=GroupRole.COPILOTE.value,
        ),
        create_user(first_name="Eulalie", last_name="Kerfourn", email="eulalie@example.net"),
        create_user(
            first_name="Ambroise",
            last_name="Tréguennec",
            password=None,
            phone="+33611223344",
            has_internet=False,
        ),
    ]
    make_event(app, -4, place="Chez Eulalie Kerfourn, 9 allée des Quatre-Vents")
    pilote_id = people[0].id
    monkeypatch.setattr(snapshot, "_known_to_association", lambda user: user.id == pilote_id)
    data = collect(app)
    assert data["pilote"] == "Ghislaine Q." and data["copilote"] is None
    assert data["copilote_set"] is True
    text = json.dumps(data, ensure_ascii=False).casefold()
    secrets = [
        "quernec",
        "lestrohan",
        "kerfourn",
        "tréguennec",
        "barnabé",
        "eulalie",
        "ambroise",
        "@",
        "+336",
        "0698765432",
        "quatre-vents",
        "gaudinière",
    ]
    assert [secret for secret in secrets if secret in text] == []


def test_collecting_writes_nothing(app, perimeter, create_user):
    group_of(create_user, 6)
    make_event(app, -3)
    with QueryCounter(app) as queries:
        collect(app)
    writes = [
        s
        for s in queries.statements
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


# --- the demo: the same figures as the reports, in a few queries -----------------------------


def test_on_the_demo_each_month_has_the_reports_figures_in_few_queries(app, demo):
    with app.app_context(), QueryCounter(app) as queries:
        data = snapshot.collect()
    assert len(queries.statements) <= 40  # one query per figure, not one per figure and month
    with app.app_context():
        for period in month_periods(paris_today()):
            expected = summary(period)
            got = data["months"][period.start.strftime("%Y-%m")]
            assert got == {key: expected[key] for key in FIGURE_KEYS}, period
    current = data["months"][max(data["months"])]
    assert (data["members"], data["dwellings"], data["reach"]) == (
        current["members"],
        current["dwellings"],
        current["reach"],
    )
    met = {key for key, day in data["milestones"].items() if day}
    assert {"register_imported", "meeting_place_set", "letter_run_confirmed"} <= met
    assert {"group_formed", "roster_shared", "cafes_monthly"} <= met
    assert data["pilote_set"] and data["pilote"] is None  # no consent recorded in the demo


# --- the nightly job ------------------------------------------------------------------------------


class RecordingLink:
    """What the network's link receives (the link itself is the network's: association/link.py)."""

    def __init__(self):
        self.snapshots: list[dict] = []

    def write_snapshot(self, data: dict) -> None:
        self.snapshots.append(data)


def test_the_nightly_job_hands_the_snapshot_to_the_network(app, perimeter):
    assert "network-snapshot" in due_jobs(datetime(2026, 12, 1, 2, 30))
    assert "network-snapshot" not in due_jobs(datetime(2026, 12, 1, 3, 30))
    with app.app_context():
        assert JOBS["network-snapshot"].run() == "nothing to do: not in a network"
    link = RecordingLink()
    app.extensions["coopere.network_link"] = link
    with app.app_context():
        outcome = JOBS["network-snapshot"].run()
    assert outcome.startswith("snapshot of ")
    assert [data["perimeter_name"] for data in link.snapshots] == [NAME]
    assert json.loads(json.dumps(link.snapshots[0]))["milestones"] == dict.fromkeys(DATA_MILESTONES)
