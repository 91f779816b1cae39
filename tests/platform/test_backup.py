"""`flask --app coopere backup | restore`: online backups while the site writes, rotation, refused
files, and the restore drill (back up, lose data, restore, see the data again), on SQLite and
PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest
from flask_migrate import stamp
from helpers import BACKEND, text
from factories import make_listing
from sqlalchemy import func, select
from coopere.audit.models import AuditEvent
from coopere.auth.models import Role, User
from coopere.backup import files, postgresql, sqlite
from coopere.backup.files import BackupError, list_backups
from coopere.backup.services import backup_database
from coopere.extensions import db
from coopere.listings.models import Listing

if BACKEND == "postgresql" and (
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None
):
    pytest.skip(
        "pg_dump/pg_restore introuvables : installez postgresql-client "
        "(scripts/system-packages.sh) pour tester les sauvegardes PostgreSQL",
        allow_module_level=True,
    )

SUFFIX = ".sqlite3" if BACKEND == "sqlite" else ".pgdump"


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        stamp()  # create_all() leaves no alembic_version: a real instance always has one
    return app


@pytest.fixture
def backups(app):
    with app.app_context():
        return files.backup_directory()


def backup(runner, *args):
    result = runner.invoke(args=["backup", *args])
    assert result.exit_code == 0, result.output
    return result


def only_backup(backups):
    files = sorted(path for path in backups.iterdir() if path.name.startswith("coopere-"))
    assert len(files) == 1, files
    return files[0]


def counts(app) -> dict:
    with app.app_context():
        db.session.remove()
        return {
            "users": db.session.scalar(select(func.count(User.id))),
            "listings": db.session.scalar(select(func.count(Listing.id))),
            "restored": db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "backup.restored")
            ),
        }


# --- online backup while someone writes -----------------------------------------------------------


def rows_in_backup(path, backups_app) -> list[tuple[int, int]]:
    """The (batch, item) rows of the test's `drill_rows` table, read from a backup file."""
    if path.suffix == ".sqlite3":
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT batch, item FROM drill_rows").fetchall()
        finally:
            connection.close()
    import subprocess

    out = subprocess.run(
        ["pg_restore", "--data-only", "--table=drill_rows", "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows, inside = [], False
    for line in out.splitlines():
        if line.startswith("COPY ") and "drill_rows" in line:
            inside = True
        elif inside and line == "\\.":
            inside = False
        elif inside:
            batch, item, _padding = line.split("\t")
            rows.append((int(batch), int(item)))
    return rows


def test_backup_while_another_connection_writes_is_intact_and_consistent(
    app, runner, backups, monkeypatch
):
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE drill_rows (batch INTEGER NOT NULL, item INTEGER NOT NULL, "
                "padding TEXT NOT NULL)"
            )
            # A few MB, so that the SQLite copy takes many steps with writes in between.
            for batch in range(40):
                conn.exec_driver_sql(
                    "INSERT INTO drill_rows VALUES "
                    + ", ".join(f"({-1 - batch}, {item}, '{'x' * 2000}')" for item in range(50))
                )
    committed = [0]
    stop = threading.Event()
    progressed = threading.Condition()
    errors = []

    def writer():
        # Every transaction inserts a batch of 10 rows: a consistent copy holds whole batches only.
        try:
            with app.app_context():
                batch = 0
                while not stop.is_set():
                    with db.engine.begin() as conn:
                        conn.exec_driver_sql(
                            "INSERT INTO drill_rows VALUES "
                            + ", ".join(f"({batch}, {item}, 'y')" for item in range(10))
                        )
                    batch += 1
                    with progressed:
                        committed[0] = batch
                        progressed.notify_all()
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)

    steps = []

    def pause(status, remaining, total):
        # Between two steps of the copy, wait until the writer has committed again: it is not
        # blocked by the backup, and the copy really spans concurrent writes.
        with progressed:
            seen = committed[0]
            assert progressed.wait_for(lambda: committed[0] > seen or errors, timeout=30)
        steps.append(remaining)

    monkeypatch.setattr(sqlite, "_pause", pause)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with progressed:
            progressed.wait_for(lambda: committed[0] >= 3 or errors, timeout=30)
        result = backup(runner)
        with progressed:
            seen = committed[0]
            progressed.wait_for(lambda: committed[0] > seen + 2 or errors, timeout=30)
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert "Sauvegarde faite et vérifiée" in result.output
    path = only_backup(backups)
    if BACKEND == "sqlite":
        assert len(steps) > 3  # the copy went in several steps, writes in between
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA journal_mode").fetchone() == (
            "delete",
        )  # one self-contained file
        connection.close()
    rows = rows_in_backup(path, app)
    batches = {}
    for batch, item in rows:
        batches.setdefault(batch, set()).add(item)
    written = [batch for batch in batches if batch >= 0]
    assert written, "the backup holds the batches written before it started"
    assert all(
        items == set(range(10)) for batch, items in batches.items() if batch >= 0
    )  # whole batches
    assert sorted(written) == list(range(len(written)))  # and no gap: one moment's state
    assert len(written) < committed[0]  # the writer went on after the snapshot
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE drill_rows")


def test_a_backup_that_fails_its_check_is_deleted_with_a_clear_message(
    app, runner, backups, monkeypatch
):
    if BACKEND == "sqlite":
        monkeypatch.setattr(
            sqlite,
            "sqlite_integrity_problems",
            lambda connection: [
                "*** in database main ***",
                "Page 7: btreeInitPage() returns error",
            ],
        )
    else:
        real_run = postgresql._run

        def run(engine, args, env, what):
            if "--file=/dev/null" in args:
                raise BackupError("pg_restore: error: could not read input file: end of file")
            return real_run(engine, args, env, what)

        monkeypatch.setattr(postgresql, "_run", run)
    result = runner.invoke(args=["backup"])
    assert result.exit_code != 0
    assert "Erreur : sauvegarde impossible" in result.output
    assert "n'est pas intègre" in result.output and "supprimé" in result.output
    assert list(backups.iterdir()) == []  # neither the bad file nor a partial one


# --- rotation and listing -------------------------------------------------------------------------


def test_keep_n_deletes_the_oldest_backups_only(app, runner, backups):
    backups.mkdir(parents=True, exist_ok=True)
    old = [backups / f"coopere-2026010{day}T030000Z{SUFFIX}" for day in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"old")
    notes = backups / "notes.txt"
    notes.write_text("à garder")
    result = backup(runner, "--keep", "2")
    assert "2 ancienne(s) sauvegarde(s) supprimée(s)" in result.output
    names = sorted(path.name for path in backups.iterdir())
    assert len(names) == 3 and "notes.txt" in names and old[2].name in names
    assert not old[0].exists() and not old[1].exists()


def test_backup_keep_setting_and_backup_dir(make_app, tmp_path):
    app = make_app(BACKUP_KEEP=2, BACKUP_DIR="ailleurs")
    with app.app_context():
        stamp()
        first = backup_database()
        assert first.path.parent == tmp_path / "instance" / "ailleurs"
        backup_database()
        third = backup_database()
        kept = [info.path for info in list_backups()]
    assert len(kept) == 2 and kept[0] == third.path and first.path not in kept
    assert first.path in third.pruned


def test_list_shows_each_backup_with_size_and_date(app, runner, backups):
    assert "Aucune sauvegarde" in runner.invoke(args=["backup", "--list"]).output
    backup(runner)
    path = only_backup(backups)
    result = runner.invoke(args=["backup", "--list"])
    assert result.exit_code == 0
    assert "1 sauvegarde(s)" in result.output and path.name in result.output
    assert "Ko" in result.output or "octets" in result.output or "Mo" in result.output
    assert "/20" in result.output  # a date like 27/11/2026


# --- the restore drill ----------------------------------------------------------------------------


def test_restore_drill_brings_back_the_data_the_app_sees(
    app, runner, backups, users, themes, client_as
):
    member = users["member"]
    listing_id = make_listing(app, member.id, themes["coups-de-main"], "Je prête ma perceuse")
    backup(runner)
    saved = only_backup(backups)
    before = counts(app)

    # The bad day: a listing deleted, a name changed, a stray account added.
    with app.app_context():
        db.session.delete(db.session.get(Listing, listing_id))
        db.session.get(User, member.id).first_name = "Effacé"
        db.session.add(
            User(role=Role.MEMBER.value, first_name="Intrus", last_name="X", email="x@example.org")
        )
        db.session.commit()
    assert counts(app)["listings"] == before["listings"] - 1

    result = runner.invoke(args=["restore", saved.name, "--yes"])
    assert result.exit_code == 0, result.output
    assert "Données restaurées depuis " + saved.name in result.output
    assert "État d'avant enregistré dans" in result.output

    after = counts(app)
    assert (after["users"], after["listings"]) == (before["users"], before["listings"])
    assert after["restored"] == 1
    with app.app_context():
        assert db.session.get(User, member.id).first_name == member.first_name
        assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "backup.restored"))
        assert saved.name in event.details and "avant-restauration" in event.details
    # The site itself, through new requests, shows the listing and the name again.
    page = text(client_as("member").get("/mes-annonces"))
    assert "Je prête ma perceuse" in page
    assert member.first_name in text(client_as("animator").get(f"/membres/{member.id}"))
    # The safety backup holds the state just before the restore (without the listing).
    safety = [info for info in list_backups(backups) if "avant-restauration" in info.path.name]
    assert len(safety) == 1


def test_refusing_the_confirmation_changes_nothing(app, runner, backups, users):
    backup(runner)
    saved = only_backup(backups)
    with app.app_context():
        db.session.get(User, users["member"].id).first_name = "Changé"
        db.session.commit()
    result = runner.invoke(args=["restore", str(saved)], input="n\n")
    assert result.exit_code != 0
    assert "Restauration annulée : rien n'a changé." in result.output
    assert [path.name for path in backups.iterdir()] == [saved.name]  # no safety backup either
    with app.app_context():
        assert db.session.get(User, users["member"].id).first_name == "Changé"
    assert counts(app)["restored"] == 0


def foreign_sqlite(path):
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recettes (nom TEXT)")
    connection.commit()
    connection.close()


def unknown_revision_sqlite(path):
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    connection.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "kind", ["not-a-database", "corrupt", "foreign", "unknown-revision", "missing"]
)
def test_bad_files_are_refused_and_nothing_changes(app, runner, backups, users, tmp_path, kind):
    backup(runner)
    good = only_backup(backups)
    bad = tmp_path / f"bad-{kind}{SUFFIX}"
    expected = {
        "not-a-database": "n'est pas une sauvegarde de coopere",
        "corrupt": "abîmé",
        "foreign": "pas une sauvegarde de coopere",
        "unknown-revision": "ne connaît pas",
        "missing": "n'existe pas",
    }[kind]
    if kind == "not-a-database":
        bad.write_text("nom;prénom\nDupont;Jean\n", encoding="utf-8")
    elif kind == "corrupt":
        data = bytearray(good.read_bytes())
        # Keep the header (so it is recognised), spoil the rest.
        start = 4096 if BACKEND == "sqlite" else 200
        data[start:] = bytes((b * 7 + 13) % 256 for b in range(len(data) - start))
        bad.write_bytes(bytes(data[: max(len(data) * 2 // 3, start + 10)]))
    elif kind in ("foreign", "unknown-revision"):
        (foreign_sqlite if kind == "foreign" else unknown_revision_sqlite)(bad)
        if BACKEND == "postgresql":
            expected = "est une sauvegarde SQLite, or ce site utilise PostgreSQL"
    with app.app_context():
        db.session.get(User, users["member"].id).first_name = "Actuel"
        db.session.commit()
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code != 0
    assert "Erreur : restauration refusée, rien n'a changé" in result.output
    assert expected in result.output, result.output
    assert [path.name for path in backups.iterdir()] == [good.name]  # no safety backup was taken
    with app.app_context():
        assert db.session.get(User, users["member"].id).first_name == "Actuel"
    assert counts(app)["restored"] == 0


@pytest.mark.skipif(
    BACKEND != "sqlite", reason="the PostgreSQL refusal of a SQLite file is tested above"
)
def test_a_postgresql_dump_is_refused_on_sqlite(app, runner, tmp_path):
    bad = tmp_path / "coopere-20260101T000000Z.pgdump"
    bad.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert (
        result.exit_code != 0
        and "est une sauvegarde PostgreSQL, or ce site utilise SQLite" in result.output
    )


def test_restore_of_a_lost_sqlite_database(app, runner, backups, users):
    if BACKEND != "sqlite":
        pytest.skip("a lost database file is a SQLite case")
    backup(runner)
    saved = only_backup(backups)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        live = sqlite._sqlite_file(db.engine)
    live.unlink()
    result = runner.invoke(args=["restore", str(saved), "--yes"])
    assert result.exit_code == 0, result.output
    assert "État d'avant" not in result.output  # nothing to save first
    assert counts(app)["users"] == 3


# --- PostgreSQL tools and secrets -----------------------------------------------------------------


def test_missing_pg_dump_gives_a_french_message(monkeypatch):
    monkeypatch.setattr(postgresql.os, "access", lambda path, mode: False)
    monkeypatch.setattr(postgresql.shutil, "which", lambda name: None)
    with pytest.raises(
        BackupError, match="pg_dump est introuvable : installez le paquet postgresql-client"
    ):
        postgresql.find_pg_binary("pg_dump", 15)


def test_too_old_pg_dump_is_refused(monkeypatch, tmp_path):
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n")
    old.chmod(0o755)
    monkeypatch.setattr(postgresql.shutil, "which", lambda name: str(old))
    monkeypatch.setattr(postgresql.Path, "glob", lambda self, pattern: iter(()))
    with pytest.raises(
        BackupError, match="trop ancien pour ce serveur PostgreSQL 99.*postgresql-client-99"
    ):
        postgresql.find_pg_binary("pg_dump", 99)


def test_the_password_goes_through_the_environment_never_the_command_line():
    import sqlalchemy as sa

    engine = sa.create_engine(
        "postgresql+psycopg://lilas:s3cr%C3%A8t@db.example.org:5433/lilas?sslmode=require"
    )
    conninfo, env = postgresql._pg_conninfo(engine)
    assert "s3cr" not in conninfo and conninfo.startswith(
        "postgresql://lilas@db.example.org:5433/lilas"
    )
    assert "sslmode=require" in conninfo
    assert env["PGPASSWORD"] == "s3crèt"
    assert (
        postgresql._scrub("FATAL: password s3crèt refused", engine) == "FATAL: password *** refused"
    )
    engine.dispose()
