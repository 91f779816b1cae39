"""Database engine set-up: SQLite pragmas, BEGIN IMMEDIATE for writes, and the db CLI helpers;
the constraint and the query every domain shares (`one_of`, `per_key`)."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import CheckConstraint, event, select
from sqlalchemy.engine import Engine

from .extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def one_of(column: str, values, *, name: str) -> CheckConstraint:
    """The database refuses any value of `column` but `values` (an enum: its members, in order),
    so the Python enum stays the one list of what the column may hold."""
    allowed = ", ".join(f"'{value.value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


def per_key(key, aggregate, keys, *where) -> dict:
    """`aggregate` (a count, a latest date…) for each of `keys` that column `key` holds, in one
    query: {key: value}; a key with no row (or none passing `where`) is absent, and no keys make
    no query."""
    if not keys:
        return {}
    return dict(
        db.session.execute(select(key, aggregate).where(key.in_(keys), *where).group_by(key)).all()
    )


def configure_database(app: Flask) -> None:
    # A failing statement's error text does not echo its values (names, addresses, phones).
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("hide_parameters", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(
                engine,
                app.config["SQLITE_BUSY_TIMEOUT_MS"],
                app.config.get("SQLITE_SYNCHRONOUS", "FULL"),
            )


SQLITE_SYNCHRONOUS = ("FULL", "NORMAL", "OFF")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, synchronous: str = "FULL") -> None:
    """WAL, foreign keys, durable commits (`synchronous`: FULL unless the configuration says
    otherwise), and BEGIN IMMEDIATE for every write transaction.

    pysqlite's own transaction handling starts transactions lazily with a plain BEGIN, which
    turns a read-then-write transaction into SQLITE_BUSY as soon as another process writes.
    We switch it off and emit BEGIN ourselves: IMMEDIATE takes the write lock up front (and
    waits for it up to busy_timeout) so such a transaction never fails midway.
    """

    synchronous = str(synchronous).upper()
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS)}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")  # one of SQLITE_SYNCHRONOUS
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if _is_read_only_request() else "BEGIN IMMEDIATE")


def writes_on_get(view):
    """Mark a GET view that records something (e.g. a QR scan counter), so that its transaction
    starts with BEGIN IMMEDIATE like any other write."""
    view.writes_on_get = True
    return view


def _is_read_only_request() -> bool:
    """GET pages only read (state changes are POST only), so they may share the database."""
    if not has_request_context() or request.method not in READ_ONLY_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "writes_on_get", False)
