"""Rate-limit counters kept in the app's own database, shared by every server process.

Flask-Limiter counts through a storage of the `limits` library chosen by RATELIMIT_STORAGE_URI.
`memory://` counts in each process, so with several gunicorn workers a client gets the limit once
per worker. `coopere-db://` (the default) keeps the counters in a small table of the app's
database: every worker, on SQLite or PostgreSQL, sees the same count, and no other server is
needed. Several machines can share it too when they share a PostgreSQL database; `redis://host:6379`
is the other choice then.

The storage supports the fixed-window strategy (Flask-Limiter's default, the only one coopere
uses). Keys are stored as an HMAC with the secret key, so the table holds no IP address.
"""
from __future__ import annotations

import secrets
import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .security import keyed_digest

SCHEME = "coopere-db"
PRUNE_ONE_IN = 200  # expired counters are deleted by one increment in PRUNE_ONE_IN


class RateLimitCounter(db.Model):
    """One fixed window of one limit for one client: how many hits, until when (Unix time)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC of the limiter's key
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class DatabaseStorage(Storage):
    """A `limits` storage over the `rate_limits` table of the current app's database.

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

    @staticmethod
    def _write():
        """A connection whose transaction takes SQLite's write lock at BEGIN (see database.py)."""
        return db.engine.connect().execution_options(coopere_writes=True)

    # --- the Storage interface ----------------------------------------------------------------
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's window, starting a new window when the last one ended;
        the new count, in one atomic statement (INSERT … ON CONFLICT DO UPDATE)."""
        now = time.time()
        table = RateLimitCounter.__table__
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        ended = table.c.expires_at <= now
        statement = dialect.insert(table).values(key=self._hashed(key), hits=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(index_elements=[table.c.key], set_={
            "hits": case((ended, amount), else_=table.c.hits + amount),
            "expires_at": case((ended, now + expiry), else_=table.c.expires_at),
        }).returning(table.c.hits)
        with self._write() as connection, connection.begin():
            hits = connection.execute(statement).scalar_one()
        if secrets.randbelow(PRUNE_ONE_IN) == 0:
            self.prune(now)
        return hits

    def get(self, key: str) -> int:
        with db.engine.connect() as connection:
            hits = connection.scalar(select(RateLimitCounter.hits).where(
                RateLimitCounter.key == self._hashed(key), RateLimitCounter.expires_at > time.time()))
        return hits or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with db.engine.connect() as connection:
            expires_at = connection.scalar(select(RateLimitCounter.expires_at).where(
                RateLimitCounter.key == self._hashed(key), RateLimitCounter.expires_at > now))
        return expires_at or now

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._write() as connection, connection.begin():
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self._write() as connection, connection.begin():
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key == self._hashed(key)))

    def prune(self, now: float | None = None) -> int:
        """Delete the counters whose window has ended (they hold nothing a new hit would need)."""
        try:
            with self._write() as connection, connection.begin():
                ended = RateLimitCounter.expires_at <= (now or time.time())
                return connection.execute(delete(RateLimitCounter).where(ended)).rowcount or 0
        except SQLAlchemyError:  # two prunes racing on PostgreSQL: the next one will do it
            current_app.logger.warning("rate_limits: pruning skipped", exc_info=True)
            return 0
