"""The perimeter's snapshot for the association's console (coopere/association/snapshot.py): its
figures are those of the reports, each data milestone goes from None to the day it was met when
the group does the thing, nothing in it names a resident, and the nightly job hands it to the
network."""

from __future__ import annotations

import json
import sys
import types
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from factories import give_task, make_event
from helpers import QueryCounter
from coopere.association import snapshot
from coopere.association.months import FIGURE_KEYS, month_periods
from coopere.association.phases import (
    DATA_MILESTONES,
    MANUAL_MILESTONES,
    MILESTONES,
    PHASES,
    milestones_of,
)
from coopere.audit.models import AuditEvent
from coopere.auth.models import GroupRole, Role, User
from coopere.cafe.models import CheckIn
from coopere.dwellings.models import Dwelling
from coopere.dwellings.services import import_file
from coopere.extensions import db
from coopere.perimeter.services import save_settings
from coopere.printruns.models import PrintRun, RunStatus
from coopere.printruns.services import confirm_run
from coopere.reports.summary import summary
from coopere.schedule import JOBS, due_jobs
from coopere.timeutil import add_months, paris_today, to_utc, utcnow

ADDRESSES = (
    "numero;rep;voie;complement;code_postal;commune\r\n"
    "7;;Allée des Quatre-Vents;;44300;Nantes\r\n"
    "9;;Allée des Quatre-Vents;;44300;Nantes\r\n"
    "11;ter;Chemin de la Gaudinière;;44300;Nantes\r\n"
)


def collect(app, **kw) -> dict:
    """The snapshot, in its own app context, after a JSON round trip (what the network stores)."""
    with app.app_context():
        return json.loads(json.dumps(snapshot.collect(**kw)))


def milestone(app, key: str) -> str | None:
    return collect(app)["milestones"][key]


def today() -> str:
    return paris_today().isoformat()


def days_ago(days: int) -> str:
    return (paris_today() - timedelta(days=days)).isoformat()


def noon(days: int) -> datetime:
    """Noon (Paris) `days` days ago, as the naive UTC the database stores."""
    return to_utc(paris_today() - timedelta(days=days), time(12))


@pytest.fixture
def perimeter(create_perimeter):
    """A perimeter created without a meeting place (amorçage: the place is found later)."""
    return create_perimeter(name="Coop-ère du Port", short_name="Coop du Port", meeting_place="")


def group_of(create_user, size: int, *, since: datetime | None = None) -> list[User]:
    """`size` animators, the first one pilote and the second copilote."""
    people = []
    for n in range(size):
        columns = {"created_at": since} if since else {}
        role = {0: GroupRole.PILOTE.value, 1: GroupRole.COPILOTE.value}.get(n)
        people.append(create_user(Role.ANIMATOR, group_role=role, **columns))
    return people


# --- the catalogue --------------------------------------------------------------------------------


@pytest.mark.no_database
def test_the_catalogue_lists_the_methods_phases_and_milestones_in_order():
    assert list(PHASES) == [
        "amorcage",
        "lancement",
        "structuration",
        "autonome",
        "sommeil",
        "ferme",
    ]
    assert str(PHASES["sommeil"]) == "en sommeil" and str(PHASES["amorcage"]) == "amorçage"
    assert DATA_MILESTONES == (
        "register_imported",
        "meeting_place_set",
        "letter_run_confirmed",
        "apero_info_held",
        "group_formed",
        "roster_shared",
        "newsletter_sent",
        "cafes_monthly",
        "fete_held",
        "yearly_report_printed",
    )
    assert set(MANUAL_MILESTONES) == {
        "amorceurs_found",
        "amorceurs_met",
        "perimeter_defined",
        "group_committed",
        "training_followed",
    }
    assert milestones_of("amorcage")[:3] == [
        "amorceurs_found",
        "amorceurs_met",
        "perimeter_defined",
    ]
    assert "group_committed" in milestones_of("lancement") and milestones_of("autonome") == []
    # phases in the method's order: no milestone of a later phase comes before an earlier one's
    order = [list(PHASES).index(m.phase) for m in MILESTONES.values()]
    assert order == sorted(order)


@pytest.mark.no_database
def test_a_person_is_named_only_with_their_consent_to_be_known_by_the_association():
    assert snapshot._known_to_association(types.SimpleNamespace()) is False
    assert snapshot._known_to_association(types.SimpleNamespace(known_to_association=True))
    anonymous = types.SimpleNamespace(first_name="Louise", last_name="Kerbrat")
    assert snapshot._named(anonymous) is None
    agreed = types.SimpleNamespace(
        first_name="Louise", last_name="Kerbrat", known_to_association=True
    )
    assert snapshot._named(agreed) == "Louise K."


# --- figures --------------------------------------------------------------------------------------


def test_a_new_perimeter_has_no_figures_and_no_milestone_met(app, perimeter):
    data = collect(app)
    assert data["version"] == 1 and data["perimeter_name"] == "Coop-ère du Port"
    assert (data["dwellings"], data["members"], data["members_offline"], data["reach"]) == (
        0,
        0,
        0,
        None,
    )
    assert data["group_size"] == 0 and data["pilote_set"] is data["copilote_set"] is False
    assert data["pilote"] is data["copilote"] is None
    assert data["last_cafe"] is data["next_cafe"] is data["last_backup"] is None
    assert data["cafes_last_3_months"] == 0
    assert data["milestones"] == dict.fromkeys(DATA_MILESTONES)
    months = list(data["months"])
    assert len(months) == 24 and months == sorted(months)
    assert months[-1] == paris_today().strftime("%Y-%m")
    assert all(list(figures) == list(FIGURE_KEYS) for figures in data["months"].values())


def test_members_reach_and_the_group_are_counted_as_the_reports_count_them(
    app, perimeter, create_user
):
    with app.app_context():
        assert import_file(ADDRESSES.encode()).ok
        db.session.commit()
        homes = db.session.scalars(select(Dwelling.id).order_by(Dwelling.id)).all()
    create_user(dwelling_id=homes[0])
    create_user(dwelling_id=homes[0], password=None, phone="+33612345678", has_internet=False)
    create_user(dwelling_id=homes[1], left_at=utcnow() - timedelta(days=1))  # left: not counted
    group_of(create_user, 2)
    data = collect(app)
    assert (data["dwellings"], data["members"], data["members_offline"]) == (3, 4, 1)
    assert data["reach"] == round(4 / 3, 3)
    assert data["group_size"] == 2 and data["pilote_set"] and data["copilote_set"]
    with app.app_context():
        for period in month_periods(paris_today()):
            expected = summary(period)
            got = data["months"][period.start.strftime("%Y-%m")]
            assert got == {key: expected[key] for key in FIGURE_KEYS}, period


def test_last_and_next_cafe_and_the_cafes_of_the_last_three_months(app, perimeter):
    for days in (-10, -40, -70, -100):
        make_event(app, days)
    make_event(app, -5, cancelled=True)
    make_event(app, -3, kind="fete")  # not a café
    make_event(app, 20)
    make_event(app, 12, cancelled=True)
    data = collect(app)
    assert data["last_cafe"] == days_ago(10)
    assert data["next_cafe"] == (paris_today() + timedelta(days=20)).isoformat()
    assert data["cafes_last_3_months"] == 3


def test_the_last_backup_is_read_from_the_backups_folder(app, perimeter):
    from coopere.backup.files import backup_directory

    with app.app_context():
        folder = backup_directory()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "coopere-20261101T020000Z.sqlite3").write_bytes(b"SQLite format 3\x00")
    (folder / "coopere-20261203T020000Z.sqlite3").write_bytes(b"SQLite format 3\x00")
    (folder / "notes.txt").write_text("pas une sauvegarde")
    assert collect(app)["last_backup"] == "2026-12-03T02:00:00+00:00"


# --- data milestones --------------------------------------------------------------------------


def test_register_meeting_place_and_letter_run_are_dated_when_the_group_does_them(
    app, perimeter, create_user
):
    assert milestone(app, "register_imported") is None
    with app.app_context():
        assert import_file(ADDRESSES.encode()).ok
        db.session.commit()
    assert milestone(app, "register_imported") == today()

    assert milestone(app, "meeting_place_set") is None
    with app.app_context():
        save_settings({"meeting_place": "Salle du Port, 2 quai Baco"})
        db.session.commit()
        change = db.session.scalar(select(func.max(AuditEvent.id)))
        db.session.execute(  # the change was made a week ago
            update(AuditEvent).where(AuditEvent.id == change).values(at=noon(7))
        )
        db.session.commit()
    assert milestone(app, "meeting_place_set") == days_ago(7)

    assert milestone(app, "letter_run_confirmed") is None
    with app.app_context():
        homes = db.session.scalars(select(Dwelling.id)).all()
        run = PrintRun(kind="letters", status=RunStatus.DONE.value)
        run.params = {"dwelling_ids": homes}
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    assert milestone(app, "letter_run_confirmed") is None  # printed, not delivered yet
    with app.app_context():
        confirm_run(db.session.get(PrintRun, run_id))
        db.session.commit()
    data = collect(app)
    assert data["milestones"]["letter_run_confirmed"] == today()
    assert data["months"][paris_today().strftime("%Y-%m")]["letters_sent"] == 3


def test_a_perimeter_created_with_its_meeting_place_has_it_from_its_creation(app, create_perimeter):
    create_perimeter(meeting_place="Place du Bouffay")
    assert milestone(app, "meeting_place_set") == today()


def test_an_apero_info_counts_once_held_with_attendance_recorded(app, perimeter, create_user):
    resident = create_user()
    planned = make_event(app, 5, kind="apero_info", visitors=0)
    past = make_event(app, -3, kind="apero_info")
    make_event(app, -20, kind="apero_info", cancelled=True, visitors=4)
    assert milestone(app, "apero_info_held") is None  # nobody recorded as present yet
    with app.app_context():
        db.session.add(CheckIn(event_id=planned, user_id=resident.id))
        db.session.commit()
    assert milestone(app, "apero_info_held") is None  # not held yet
    with app.app_context():
        db.session.add(CheckIn(event_id=past, user_id=resident.id))
        db.session.commit()
    assert milestone(app, "apero_info_held") == days_ago(3)
    make_event(app, -9, kind="apero_info", visitors=2)  # the « +1 visiteur » counter is attendance
    assert milestone(app, "apero_info_held") == days_ago(9)


def test_the_group_is_formed_at_six_with_a_pilote_and_a_copilote(app, perimeter, create_user):
    from coopere.auth.services import set_group_role

    people = group_of(create_user, 5, since=noon(200))
    assert milestone(app, "group_formed") is None
    sixth = create_user(Role.ANIMATOR, created_at=noon(50))
    assert milestone(app, "group_formed") == days_ago(50)
    with app.app_context():  # a new copilote, 10 days ago
        set_group_role(db.session.get(User, sixth.id), GroupRole.COPILOTE, actor=None)
        db.session.commit()
        db.session.execute(
            update(AuditEvent).where(AuditEvent.action == "group.role_changed").values(at=noon(10))
        )
        db.session.commit()
    data = collect(app)
    assert data["milestones"]["group_formed"] == days_ago(10) and data["group_size"] == 6
    with app.app_context():  # someone leaves: five again
        db.session.get(User, people[4].id).left_at = utcnow()
        db.session.commit()
    assert milestone(app, "group_formed") is None


def test_cafes_monthly_is_the_third_month_in_a_row_with_a_cafe(app, perimeter):
    first = paris_today().replace(day=1)

    def cafe(months_back: int, **columns) -> None:
        make_event(app, day=add_months(first, -months_back).replace(day=10), **columns)

    cafe(5)
    cafe(3)
    cafe(2)
    cafe(1, cancelled=True)
    assert milestone(app, "cafes_monthly") is None  # a gap, then a cancelled one
    cafe(1)
    assert milestone(app, "cafes_monthly") == add_months(first, -1).replace(day=10).isoformat()


def test_the_roster_is_shared_when_two_people_took_tasks_at_an_event_held(
    app, perimeter, create_user
):
    one, two = create_user(Role.ANIMATOR), create_user(Role.ANIMATOR)
    held = make_event(app, -6)
    coming = make_event(app, 6)
    give_task(app, held, "coffee", one.id)
    give_task(app, held, "setup", one.id)
    give_task(app, coming, "coffee", one.id)
    give_task(app, coming, "setup", two.id)
    assert milestone(app, "roster_shared") is None
    give_task(app, held, "welcome", two.id)
    assert milestone(app, "roster_shared") == days_ago(6)


def test_a_fete_counts_once_held(app, perimeter):
    make_event(app, 10, kind="fete")
    make_event(app, -30, kind="fete", cancelled=True)
    assert milestone(app, "fete_held") is None
    make_event(app, -2, kind="fete", start=time(14))
    assert milestone(app, "fete_held") == days_ago(2)


def test_the_yearly_report_is_printed_when_its_pdf_is_opened(app, client_as, users):
    assert milestone(app, "yearly_report_printed") is None
    year = paris_today().year
    response = client_as("animator").get(f"/bilan/rapport-annuel/{year}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    response.close()
    assert milestone(app, "yearly_report_printed") == today()


def test_the_newsletter_milestone_waits_for_the_newsletter(app, perimeter, monkeypatch):
    assert milestone(app, "newsletter_sent") is None  # no coopere.newsletter yet
    services = types.ModuleType("coopere.newsletter.services")
    services.last_sent_on = lambda: date(2026, 11, 2)
    monkeypatch.setitem(sys.modules, "coopere.newsletter", types.ModuleType("coopere.newsletter"))
    monkeypatch.setitem(sys.modules, "coopere.newsletter.services", services)
    assert milestone(app, "newsletter_sent") == "2026-11-02"


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
    assert [data["perimeter_name"] for data in link.snapshots] == ["Coop-ère du Port"]
    assert json.loads(json.dumps(link.snapshots[0]))["milestones"] == dict.fromkeys(DATA_MILESTONES)
