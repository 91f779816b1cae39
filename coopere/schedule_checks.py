"""The schedule's cheap checks: whether a periodic job has anything to do for a site, read from the
site's database without building its app (coopere/schedule.py runs the jobs)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta


from .timeutil import utcnow


# --- cheap checks: is there anything to do, read without building the site's app -------------
#
# A tick over a thousand perimeters with nothing due must not build a thousand apps: for the jobs
# below, a query on the site's database (opened with a plain engine, from the URL the network
# gives) says whether the job has anything to do. The checks are wider than the jobs (a longest
# reminder window, the shortest retention): a "yes" builds the app and the job decides.

PROBE_REMINDER_DAYS = 60  # wider than any LISTING_REMINDER_DAYS
PROBE_RETENTION_DAYS = 1  # shorter than any PRINT_FILES_RETENTION_DAYS


def _exists(connection, query) -> bool:
    return connection.execute(query.limit(1)).first() is not None


def _probe_sweep(connection, now) -> bool:
    from sqlalchemy import or_, select

    from .notifications.outbox import CLAIM_MINUTES, KEEP_SENT_DAYS, RESWEEP_MINUTES
    from .notifications.models import OutboxEmail as Out
    from .printruns.jobs import RESWEEP_MINUTES as RUN_RESWEEP
    from .printruns.models import PrintRun, RunStatus
    from .printruns.services import STALL_MINUTES

    old = now - timedelta(days=KEEP_SENT_DAYS)
    return _exists(
        connection,
        select(Out.id).where(
            or_(
                Out.sent_at.is_(None)
                & Out.failed_at.is_(None)
                & (Out.enqueued_at < now - timedelta(minutes=RESWEEP_MINUTES))
                & (
                    Out.claimed_at.is_(None)
                    | (Out.claimed_at < now - timedelta(minutes=CLAIM_MINUTES))
                ),
                Out.sent_at < old,
                Out.failed_at < old,
            )
        ),
    ) or _exists(
        connection,
        select(PrintRun.id).where(
            (
                (PrintRun.status == RunStatus.QUEUED.value)
                & (PrintRun.created_at < now - timedelta(minutes=RUN_RESWEEP))
            )
            | (
                (PrintRun.status == RunStatus.RUNNING.value)
                & (
                    PrintRun.heartbeat_at.is_(None)
                    | (PrintRun.heartbeat_at < now - timedelta(minutes=STALL_MINUTES))
                )
            )
        ),
    )


def _probe_expire(connection, now) -> bool:
    from sqlalchemy import select

    from .listings.lifetime import PUBLISHED
    from .listings.models import Listing

    return _exists(
        connection,
        select(Listing.id).where(
            Listing.status.in_(PUBLISHED),
            Listing.expires_at.is_not(None),
            Listing.expires_at <= now + timedelta(days=PROBE_REMINDER_DAYS),
        ),
    )


def _probe_remind(connection, now) -> bool:
    from sqlalchemy import select

    from .events.models import Event
    from .group.models import RosterSlot

    return _exists(
        connection,
        select(RosterSlot.id)
        .join(Event, Event.id == RosterSlot.event_id)
        .where(
            RosterSlot.reminded_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(days=3),
        ),
    )


def _probe_cleanup(connection, now) -> bool:
    from sqlalchemy import func, select

    from .printruns.models import PrintRun

    return _exists(
        connection,
        select(PrintRun.id).where(
            PrintRun.file_name.is_not(None),
            func.coalesce(PrintRun.finished_at, PrintRun.created_at)
            < now - timedelta(days=PROBE_RETENTION_DAYS),
        ),
    )


PROBES = {
    "sweep": _probe_sweep,
    "listings-expire": _probe_expire,
    "roster-remind": _probe_remind,
    "print-runs-cleanup": _probe_cleanup,
}


#: slug -> database URL, installed by the network's queue commands (coopere/network/queue.py).
database_url_of: Callable[[str], str] | None = None


def site_database_url(site: str) -> str | None:
    """The site's database URL without building its app: known for a network's perimeter (from
    the network's settings); None for an instance folder (its app is built: one site only)."""
    if database_url_of is not None and not os.path.isabs(site):
        return database_url_of(site)
    return None


def jobs_with_work(site: str, jobs: list[str], now=None) -> list[str]:
    """Of `jobs`, those that may have something to do for `site` (the cheap checks); all of them
    when the site's database cannot be read this way (the job itself will say why)."""
    checked = [job for job in jobs if job in PROBES]
    if not checked:
        return jobs
    url = site_database_url(site)
    if url is None:
        return jobs
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    now = now or utcnow()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [job for job in jobs if job not in PROBES or PROBES[job](connection, now)]
    except Exception:  # noqa: BLE001 - unreadable here: let the job run and report it
        return jobs
    finally:
        engine.dispose()
