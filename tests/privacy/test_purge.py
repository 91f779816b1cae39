"""Retention (`flask --app coopere purge`): inactive accounts flagged, never deleted; members who
left erased after the grace period; old audit entries, print files, expired codes and idempotency
keys deleted; `--dry-run` changes nothing. Time is moved by passing `now`, never by waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from coopere.audit.models import AuditEvent
from coopere.auth.models import Role, User
from coopere.extensions import db

NOW = datetime(2027, 6, 15, 10, 0)  # naive UTC, as stored
LONG_AGO = NOW - timedelta(days=3 * 365)


@pytest.fixture
def old_world(app, users, create_user):
    """People and rows of every age around the limits (24 months, 90 days, 12 months, 30 days, 7
    days)."""
    from coopere.cafe.models import CheckIn
    from coopere.events.models import Event
    from coopere.idempotency import IdempotencyKey
    from coopere.members.models import ActivationCode
    from coopere.printruns.models import PrintRun
    from coopere.printruns.services import output_folder

    people = {
        "sleeper": create_user(
            first_name="Dormeur", last_name="Ancien", created_at=LONG_AGO, last_login_at=LONG_AGO
        ),
        "recent": create_user(
            first_name="Actif",
            last_name="Récent",
            created_at=LONG_AGO,
            last_login_at=NOW - timedelta(days=30),
        ),
        "cafe_goer": create_user(
            first_name="Cafetier",
            last_name="Hors-ligne",
            created_at=LONG_AGO,
            password=None,
            has_internet=False,
        ),
        "gone_long": create_user(
            first_name="Parti",
            last_name="Depuis-Longtemps",
            phone="+33699887766",
            created_at=LONG_AGO,
            left_at=NOW - timedelta(days=91),
            is_enabled=False,
        ),
        "gone_lately": create_user(
            first_name="Parti",
            last_name="Récemment",
            created_at=LONG_AGO,
            left_at=NOW - timedelta(days=89),
            is_enabled=False,
        ),
    }
    ids = {name: user.id for name, user in people.items()}
    with app.app_context():
        # Everyone from the fixture `users` was created just now, and so is active.
        event = Event(
            kind="cafe",
            starts_at=NOW - timedelta(days=60),
            ends_at=NOW - timedelta(days=60, hours=-2),
            place="Place des Lilas",
        )
        db.session.add(event)
        db.session.flush()
        db.session.add(
            CheckIn(event_id=event.id, user_id=ids["cafe_goer"], at=NOW - timedelta(days=60))
        )
        db.session.add_all(
            [
                AuditEvent(
                    action="login.success", actor_id=ids["recent"], at=NOW - timedelta(days=400)
                ),
                AuditEvent(
                    action="login.success", actor_id=ids["recent"], at=NOW - timedelta(days=300)
                ),
            ]
        )
        for name, finished in (
            ("old.pdf", NOW - timedelta(days=31)),
            ("new.pdf", NOW - timedelta(days=29)),
        ):
            db.session.add(
                PrintRun(kind="letters", status="done", file_name=name, finished_at=finished)
            )
            (output_folder() / name).write_bytes(b"%PDF-1.7 letters")
        db.session.add_all(
            [
                ActivationCode(
                    user_id=ids["sleeper"], code_hash="a" * 64, expires_at=NOW - timedelta(days=1)
                ),
                ActivationCode(
                    user_id=ids["sleeper"],
                    code_hash="b" * 64,
                    expires_at=NOW - timedelta(days=1),
                    used_at=NOW - timedelta(days=5),
                ),
                ActivationCode(
                    user_id=ids["recent"], code_hash="c" * 64, expires_at=NOW + timedelta(days=1)
                ),
                IdempotencyKey(
                    key="old-key",
                    user_id=ids["recent"],
                    method="POST",
                    path="/x",
                    created_at=NOW - timedelta(days=8),
                ),
                IdempotencyKey(
                    key="new-key",
                    user_id=ids["recent"],
                    method="POST",
                    path="/x",
                    created_at=NOW - timedelta(days=6),
                ),
            ]
        )
        db.session.commit()
    return ids


def snapshot() -> dict:
    from coopere.idempotency import IdempotencyKey
    from coopere.members.models import ActivationCode
    from coopere.printruns.models import PrintRun

    return {
        "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
        "erased": sorted(db.session.scalars(select(User.id).where(User.erased_at.is_not(None)))),
        "files": sorted(
            db.session.scalars(select(PrintRun.file_name).where(PrintRun.file_name.is_not(None)))
        ),
        "codes": sorted(db.session.scalars(select(ActivationCode.code_hash))),
        "keys": sorted(db.session.scalars(select(IdempotencyKey.key))),
    }


def test_purge_applies_each_rule_at_its_limit(app, users, old_world):
    from coopere.printruns.services import output_folder
    from coopere.privacy.purge import purge

    with app.app_context():
        report = purge(now=NOW)
        inactive = {person.id for person in report.inactive}
        assert inactive == {old_world["sleeper"]}  # the offline café-goer came to a café lately
        assert report.erased == [old_world["gone_long"]] and report.refused == []
        after = snapshot()
        assert after["erased"] == [old_world["gone_long"]]
        gone = db.session.get(User, old_world["gone_long"])
        assert (gone.first_name, gone.phone) == ("Personne", None)
        assert db.session.get(User, old_world["gone_lately"]).first_name == "Parti"
        assert (
            db.session.get(User, old_world["sleeper"]).erased_at is None
        )  # flagged, never deleted
        flagged = db.session.scalars(
            select(AuditEvent.target_user_id).where(AuditEvent.action == "member.inactive_flagged")
        ).all()
        assert flagged == [old_world["sleeper"]]
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.at < NOW - timedelta(days=366))
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.at == NOW - timedelta(days=300))
            )
            == 1
        )
        assert after["files"] == ["new.pdf"]
        assert not (output_folder() / "old.pdf").exists() and (output_folder() / "new.pdf").exists()
        assert after["codes"] == [
            "b" * 64,
            "c" * 64,
        ]  # the used one is history, the valid one works
        assert after["keys"] == ["new-key"]
        assert (
            report.print_files_deleted,
            report.codes_deleted,
            report.idempotency_keys_deleted,
        ) == (1, 1, 1)

        # A second run a day later: nothing more to do, the sleeper is not flagged twice.
        again = purge(now=NOW + timedelta(days=1))
        assert again.erased == [] and [p.newly_flagged for p in again.inactive] == [False]
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "member.inactive_flagged")
            )
            == 1
        )

        # Thirteen months on, the audit entries of today are gone too.
        purge(now=NOW + timedelta(days=400))
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.at < NOW + timedelta(days=30))
            )
            == 0
        )


def test_dry_run_changes_nothing(app, users, old_world):
    from coopere.privacy.purge import purge

    with app.app_context():
        before = snapshot()
        report = purge(now=NOW, dry_run=True)
        assert report.erased == [old_world["gone_long"]] and len(report.inactive) == 1
        assert (
            report.print_files_deleted,
            report.codes_deleted,
            report.idempotency_keys_deleted,
        ) == (1, 1, 1)
        assert report.audit_deleted >= 1
        assert snapshot() == before


def test_the_settings_move_the_limits(make_app, users, old_world):
    from coopere.privacy.purge import purge

    app = make_app(PURGE_LEFT_GRACE_DAYS=80, PURGE_INACTIVE_MONTHS=48)
    with app.app_context():
        report = purge(now=NOW, dry_run=True)
        assert sorted(report.erased) == sorted([old_world["gone_long"], old_world["gone_lately"]])
        assert report.inactive == []


def test_the_command(app, users, old_world, runner):
    result = runner.invoke(args=["purge", "--help"])
    assert result.exit_code == 0 and "--dry-run" in result.output
    # The command uses the real clock: NOW is in 2027, so move the rows into the past first.
    with app.app_context():
        from coopere.timeutil import utcnow

        shift = utcnow() - NOW
        for user in db.session.scalars(select(User).where(User.id.in_(old_world.values()))):
            for column in ("created_at", "last_login_at", "left_at"):
                if getattr(user, column) is not None:
                    setattr(user, column, getattr(user, column) + shift)
        from coopere.cafe.models import CheckIn

        for check_in in db.session.scalars(select(CheckIn)):
            check_in.at += shift
        db.session.commit()
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Simulation" in dry.output and "Dormeur Ancien" in dry.output
    assert f"(n° {old_world['gone_long']})" in dry.output
    with app.app_context():
        assert db.session.get(User, old_world["gone_long"]).erased_at is None
    done = runner.invoke(args=["purge"])
    assert done.exit_code == 0, done.output
    assert "Membres partis effacés : 1" in done.output
    with app.app_context():
        assert db.session.get(User, old_world["gone_long"]).erased_at is not None


def test_a_left_last_admin_is_reported_not_erased(app, users):
    from coopere.privacy.purge import purge

    with app.app_context():
        admin = db.session.get(User, users["admin"].id)
        admin.left_at, admin.is_enabled = NOW - timedelta(days=200), False
        db.session.commit()
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)
            )
            == 1
        )
        report = purge(now=NOW)
        assert report.erased == [] and report.refused[0][0] == admin.id
        assert "dernier administrateur" in report.refused[0][1]
        assert db.session.get(User, admin.id).erased_at is None


def test_login_places_are_forgotten_when_they_no_longer_serve(app, users):
    """A usual place is kept LOGIN_KNOWN_PLACE_DAYS after its last login; a place that only counted
    failures goes once its window and lock are over."""
    from coopere.auth.models import LoginPlace
    from coopere.privacy.purge import purge

    uid = users["member"].id
    rows = {
        "usual": dict(last_success_at=NOW - timedelta(days=179)),
        "left_behind": dict(last_success_at=NOW - timedelta(days=181)),
        "locked": dict(
            failed_logins=10,
            failed_login_window_start=NOW - timedelta(minutes=5),
            locked_until=NOW + timedelta(minutes=10),
        ),
        "counting": dict(failed_logins=3, failed_login_window_start=NOW - timedelta(minutes=5)),
        "old_failures": dict(
            failed_logins=10,
            failed_login_window_start=NOW - timedelta(days=2),
            locked_until=NOW - timedelta(days=2),
        ),
    }
    with app.app_context():
        db.session.add_all(
            [LoginPlace(user_id=uid, place=name, **columns) for name, columns in rows.items()]
        )
        db.session.commit()
        assert purge(now=NOW, dry_run=True).login_places_deleted == 2
        assert purge(now=NOW).login_places_deleted == 2
        assert sorted(db.session.scalars(select(LoginPlace.place))) == [
            "counting",
            "locked",
            "usual",
        ]
