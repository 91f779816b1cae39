"""The database layer: SQLite pragmas, BEGIN IMMEDIATE under concurrent writers, migrations."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from helpers import BACKEND, PG_URL, ROOT, test_config
from coopere import create_app
from coopere.extensions import db

sqlite_only = pytest.mark.skipif(
    BACKEND != "sqlite", reason="SQLite-specific behaviour (PostgreSQL leg)"
)


@sqlite_only
def test_sqlite_connection_pragmas(tmp_path):
    config = test_config(tmp_path, None)
    del config["SQLITE_SYNCHRONOUS"]  # the default, not the suite's (OFF: throw-away files)
    app = create_app(config, instance_path=tmp_path / "instance")
    with app.app_context():
        with db.engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 30_000


@sqlite_only
def test_an_unknown_sqlite_synchronous_setting_is_refused(make_app):
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        make_app(SQLITE_SYNCHRONOUS="SOMETIMES")


@sqlite_only
def test_foreign_keys_are_enforced(app):
    from coopere.audit.models import AuditEvent

    with app.app_context():
        db.session.add(AuditEvent(action="x", actor_id=999))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


WORKER = textwrap.dedent("""
    import sys, time
    from coopere import create_app
    from coopere.extensions import db
    from coopere.perimeter.models import Perimeter
    uri, rounds, deferred = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "deferred"
    if deferred:  # the control: plain deferred BEGIN, as pysqlite would do
        import coopere.database
        coopere.database._is_read_only_request = lambda: True
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x"}, instance_path=sys.argv[4])
    errors = 0
    with app.app_context():
        for _ in range(rounds):
            try:
                perimeter = db.session.get(Perimeter, 1)       # read...
                value = perimeter.estimated_dwellings
                time.sleep(0.005)
                perimeter.estimated_dwellings = value + 1      # ...then write
                db.session.commit()
            except Exception as exc:
                errors += 1
                db.session.rollback()
    print(errors)
""")


def _run_writers(
    uri: str, tmp_path, mode: str, processes: int = 4, rounds: int = 25
) -> tuple[int, int]:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, uri, str(rounds), mode, str(tmp_path / "inst")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    errors = 0
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        errors += int(out.strip())
    engine = sa.create_engine(uri)
    with engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT estimated_dwellings FROM perimeter").scalar()
    engine.dispose()
    return errors, total


@sqlite_only
@pytest.mark.slow
def test_read_then_write_transactions_never_fail_under_concurrent_processes(
    app, create_perimeter, tmp_path
):
    create_perimeter(estimated_dwellings=0)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    errors, total = _run_writers(uri, tmp_path, "immediate")
    assert errors == 0
    assert total == 4 * 25  # no lost update either


@sqlite_only
@pytest.mark.slow
def test_control_deferred_transactions_do_fail(app, create_perimeter, tmp_path):
    """Shows the test above can fail: without BEGIN IMMEDIATE, the same workload breaks."""
    create_perimeter(estimated_dwellings=0)
    errors, total = _run_writers(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, "deferred")
    assert errors > 0 or total != 100


def test_flask_db_upgrade_builds_a_schema_matching_the_models(tmp_path, pg_schema):
    if pg_schema is None:
        config = test_config(tmp_path, None)
        engine_url, connect_args, cleanup = config["SQLALCHEMY_DATABASE_URI"], {}, None
    else:
        schema = f"{pg_schema}_mig_{uuid.uuid4().hex[:6]}"
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        connect_args = {"options": f"-c search_path={schema}"}
        config = test_config(
            tmp_path,
            None,
            SQLALCHEMY_DATABASE_URI=PG_URL,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": connect_args},
        )
        engine_url = PG_URL

        def cleanup():
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()

    try:
        app = create_app(config, instance_path=tmp_path / "instance")
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        engine = sa.create_engine(engine_url, connect_args=connect_args)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
        assert diff == [], (
            "the migrations and the models differ: run `flask --app coopere db migrate`"
        )
    finally:
        if cleanup:
            cleanup()


def test_migration_files_are_date_prefixed():
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        assert path.name[:8].isdigit() and path.name[8] == "_", path.name


def test_constraints_are_named(app):
    for table in db.metadata.tables.values():
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"
