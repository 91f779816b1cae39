"""Rate-limit counters shared by every server process, with no other server to run.

Flask-Limiter counts through a storage of the `limits` library chosen by RATELIMIT_STORAGE_URI.
`memory://` counts in each process, so with several gunicorn workers a client gets the limit once
per worker. `coopere-db://` (the default) keeps the counters in a small `rate_limits` table that
every worker sees:

- with PostgreSQL, in the site's database (several machines sharing it share the counts too);
- with SQLite, in a file of its own next to it, `<instance>/ratelimit.sqlite3`. Not in the site's
  file: SQLite has one writer at a time, and a request whose transaction already holds the write
  lock when its view's limit is counted (Flask-Limiter counts a route's limits when the view is
  called, after the other before_request hooks) would wait for itself.

`redis://host:6379` is the choice for several machines on SQLite, or when Redis is there anyway.
The storage supports the fixed-window strategy (Flask-Limiter's default, the only one coopere
uses). Keys are stored as an HMAC with the secret key, so the table holds no IP address.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

from flask import current_app
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, create_engine, delete, event, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateIndex, CreateTable

from .extensions import db
from .security import keyed_digest

SCHEME = "coopere-db"
SQLITE_FILE = "ratelimit.sqlite3"  # in the instance folder, when the site's database is SQLite
PRUNE_ONE_IN = 200  # expired counters are deleted by one increment in PRUNE_ONE_IN


class RateLimitCounter(db.Model):
    """One fixed window of one limit for one client: how many hits, until when (Unix time)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC of the limiter's key
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


_sqlite_engines: dict[str, Engine] = {}
_sqlite_lock = threading.Lock()


def counters_engine() -> Engine:
    """Where the current app's counters live: its PostgreSQL database, or its own SQLite file."""
    # The network's own app (coopere/network/app.py, the association's console) has no perimeter
    # database: its counters go to a file of its own in the network's folder.
    if "sqlalchemy" in current_app.extensions and db.engine.dialect.name != "sqlite":
        return db.engine
    path = Path(current_app.instance_path) / SQLITE_FILE
    with _sqlite_lock:
        engine = _sqlite_engines.get(str(path))
        if engine is None:
            engine = _sqlite_engines[str(path)] = _sqlite_counters_engine(
                path, current_app.config["SQLITE_BUSY_TIMEOUT_MS"]
            )
        if not path.exists():  # first use, or the file was deleted (counters are disposable)
            _create_table(engine)
    return engine


def _sqlite_counters_engine(path: Path, busy_timeout_ms: int) -> Engine:
    # No pool: a connection per operation, never shared across a gunicorn fork, no file left open.
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # BEGIN is ours, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # every transaction here writes

    return engine


def _create_table(engine: Engine) -> None:
    table = RateLimitCounter.__table__
    with (
        engine.begin() as connection
    ):  # workers starting together: IF NOT EXISTS, under the write lock
        connection.execute(CreateTable(table, if_not_exists=True))
        for index in table.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))


class DatabaseStorage(Storage):
    """A `limits` storage over the `rate_limits` table (see the module's docstring).

    Each operation is one statement in its own short transaction on its own connection, so a
    count is shared as soon as it is made and never waits for the request's transaction. The
    engine is the current app's (Flask-Limiter calls the storage while handling a request).
    """

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _hashed(key: str) -> str:
        return keyed_digest(key)

    # --- the Storage interface ----------------------------------------------------------------
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's window, starting a new window when the last one ended;
        the new count, in one atomic statement (INSERT … ON CONFLICT DO UPDATE)."""
        now = time.time()
        table = RateLimitCounter.__table__
        engine = counters_engine()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        ended = table.c.expires_at <= now
        statement = dialect.insert(table).values(
            key=self._hashed(key), hits=amount, expires_at=now + expiry
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "hits": case((ended, amount), else_=table.c.hits + amount),
                "expires_at": case((ended, now + expiry), else_=table.c.expires_at),
            },
        ).returning(table.c.hits)
        with engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
        if secrets.randbelow(PRUNE_ONE_IN) == 0:
            self.prune(now)
        return hits

    def get(self, key: str) -> int:
        with counters_engine().connect() as connection:
            hits = connection.scalar(
                select(RateLimitCounter.hits).where(
                    RateLimitCounter.key == self._hashed(key),
                    RateLimitCounter.expires_at > time.time(),
                )
            )
        return hits or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with counters_engine().connect() as connection:
            expires_at = connection.scalar(
                select(RateLimitCounter.expires_at).where(
                    RateLimitCounter.key == self._hashed(key), RateLimitCounter.expires_at > now
                )
            )
        return expires_at or now

    def check(self) -> bool:
        try:
            with counters_engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with counters_engine().begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with counters_engine().begin() as connection:
            connection.execute(
                delete(RateLimitCounter).where(RateLimitCounter.key == self._hashed(key))
            )

    def prune(self, now: float | None = None) -> int:
        """Delete the counters whose window has ended (they hold nothing a new hit would need)."""
        try:
            with counters_engine().begin() as connection:
                ended = RateLimitCounter.expires_at <= (now or time.time())
                return connection.execute(delete(RateLimitCounter).where(ended)).rowcount or 0
        except SQLAlchemyError:  # two prunes racing on PostgreSQL: the next one will do it
            current_app.logger.warning("rate_limits: pruning skipped", exc_info=True)
            return 0


def forget_counters_engine(instance_path: str) -> None:
    """Drop the cached engine of an instance's counters file (a network drops a perimeter's app
    from its warm set): nothing stays behind for a perimeter no longer served by this process."""
    with _sqlite_lock:
        engine = _sqlite_engines.pop(str(Path(instance_path) / SQLITE_FILE), None)
    if engine is not None:
        engine.dispose()
