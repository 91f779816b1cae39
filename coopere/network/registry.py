"""The network's own database: the perimeters it serves and their state.

It holds no resident's data: only what the network needs to route, upgrade, back up and (issue
« Essaimage, part 2 ») coach each perimeter. Its tables are created on first use."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from .folder import Network
from .models import Base, PerimeterEntry, Status, now  # noqa: F401  (used by other modules)


_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine(network: Network) -> Engine:
    """The network database's engine (one per process), its tables created on first use."""
    url = network.registry_url
    with _lock:
        if url not in _engines:
            network.root.mkdir(parents=True, exist_ok=True)
            made = create_engine(url, pool_pre_ping=True)
            if made.dialect.name == "sqlite":
                event.listen(made, "connect", _sqlite_pragmas)
            _create_tables(made)
            _engines[url] = made
        return _engines[url]


def _create_tables(made: Engine) -> None:
    """The tables, if missing; two processes starting at once may both try: the loser's
    « already exists » is the winner's work."""
    from ..association import models  # noqa: F401  (the association's tables live here too)

    try:
        Base.metadata.create_all(made)
    except (OperationalError, ProgrammingError) as error:  # SQLite; PostgreSQL's DuplicateTable
        if "already exists" not in str(error):
            raise


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session(network: Network) -> Session:
    return Session(engine(network), expire_on_commit=False)


def get(network: Network, slug: str) -> PerimeterEntry | None:
    with session(network) as db:
        return db.scalar(select(PerimeterEntry).where(PerimeterEntry.slug == slug))


def all_entries(network: Network) -> list[PerimeterEntry]:
    with session(network) as db:
        return list(db.scalars(select(PerimeterEntry).order_by(PerimeterEntry.slug)))


def served_slugs(network: Network) -> list[str]:
    """The perimeters that are served (status active), by slug."""
    with session(network) as db:
        return list(
            db.scalars(
                select(PerimeterEntry.slug)
                .where(PerimeterEntry.status == Status.ACTIVE.value)
                .order_by(PerimeterEntry.slug)
            )
        )


def routes(network: Network) -> dict[str, tuple[str, str]]:
    """slug → (status, status_reason) of every perimeter not archived: what the dispatcher needs."""
    with session(network) as db:
        rows = db.execute(
            select(PerimeterEntry.slug, PerimeterEntry.status, PerimeterEntry.status_reason).where(
                PerimeterEntry.status != Status.ARCHIVED.value
            )
        )
        return {slug: (status, reason) for slug, status, reason in rows}


def add(network: Network, **fields) -> PerimeterEntry:
    moment = now()
    entry = PerimeterEntry(created_at=moment, status_changed_at=moment, **fields)
    with session(network) as db:
        db.add(entry)
        db.commit()
    return entry


def set_status(network: Network, slug: str, status: Status, reason: str = "") -> None:
    with session(network) as db:
        entry = db.scalar(select(PerimeterEntry).where(PerimeterEntry.slug == slug))
        if entry is None:
            return
        if entry.status != status.value or entry.status_reason != reason:
            entry.status = status.value
            entry.status_reason = reason
            entry.status_changed_at = now()
            db.commit()


def remove(network: Network, slug: str) -> None:
    with session(network) as db:
        entry = db.scalar(select(PerimeterEntry).where(PerimeterEntry.slug == slug))
        if entry is not None:
            db.delete(entry)
            db.commit()
