"""The perimeter's snapshot for the association's console (coopere/association/snapshot.py): the
catalogue of phases and milestones; its figures are those of the reports; each data milestone goes
from None to the day it was met when the group does the thing."""

from __future__ import annotations

import sys
import types
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select, update

from factories import give_task, make_event
from snapshot_support import (
    ADDRESSES,
    NAME,
    collect,
    days_ago,
    group_of,
    milestone,
    new_perimeter,
    noon,
    today,
)
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
from coopere.timeutil import add_months, paris_today, utcnow


@pytest.fixture
def perimeter(create_perimeter):
    return new_perimeter(create_perimeter)


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
    assert str(PHASES["sommeil"]) == "En sommeil" and str(PHASES["amorcage"]) == "Amorçage"
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
    assert data["version"] == 1 and data["perimeter_name"] == NAME
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
