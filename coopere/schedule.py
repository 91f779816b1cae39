"""The schedule: the periodic jobs that the seven cron lines ran, and the queue's consumer.

One consumer (`flask --app coopere queue work`, or `run_consumer()` from the network's command)
runs them for every site it serves: the one instance in a single-perimeter deployment, every
served perimeter of the network (registry.served_slugs) when COOPERE_NETWORK is set. At each
job's time a tick (a Huey periodic task) enqueues one task per (job, site): a job that fails for
one site is logged and retried (JOB_RETRIES times, JOB_RETRY_DELAY apart) without stopping the
others. Every job is idempotent, so a retry or a second run does no harm (each says how).

The jobs are the functions the command lines call; times are the machine's local time, those
the README's cron examples used.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from huey import crontab

from .extensions import db
from .queue import huey, site_app, site_name
from .schedule_checks import jobs_with_work
from .timeutil import utcnow

log = logging.getLogger(__name__)

JOB_RETRIES = 2
JOB_RETRY_DELAY = 600  # seconds
BACKUP_MIN_GAP = timedelta(hours=20)  # a retried or repeated daily backup makes no second copy


# --- the jobs (each run inside the site's app context) ---------------------------------------


def roster_remind() -> str:
    """Volunteers reminded once of their task (the reminder is recorded: a rerun sends none)."""
    from .group.reminders import send_reminders

    sent = send_reminders(2)
    db.session.commit()
    return f"{sent} reminder(s)"


def events_extend() -> str:
    """Missing dates of running series added (only missing ones: idempotent)."""
    from .events.recurrence import extend_all

    created = extend_all()
    db.session.commit()
    return f"{created} date(s)"


def listings_expire() -> str:
    """Expiry reminders (once per listing) and expired listings (already expired stay so)."""
    from .listings.expiry import run_expiry

    reminded, expired = run_expiry()
    db.session.commit()
    return f"{reminded} reminder(s), {expired} expired"


def weekly_digest() -> str:
    """The weekly digest (nobody gets two within 6 days). Nothing without SMTP or PUBLIC_URL."""
    from .notifications.transport import enabled
    from .notifications.weekly import send_weekly_digest

    if not enabled():
        return "emails off"
    sent, skipped = send_weekly_digest()
    db.session.commit()
    return f"{sent} digest(s), {skipped} skipped"


def purge() -> str:
    """The retention run (erasing, flagging, deleting what is past its time: idempotent)."""
    from .privacy.purge import purge as run_purge

    report = run_purge()
    return f"{len(report.erased)} erased"


def backup() -> str:
    """A checked backup, unless one was made less than 20 hours ago (a retried job, two
    consumers): at most one a day from the schedule. `flask backup` always makes one."""
    from .backup.files import list_backups
    from .backup.services import backup_database

    backups = list_backups()
    if backups and utcnow() - backups[0].created_at.replace(tzinfo=None) < BACKUP_MIN_GAP:
        return "recent backup kept"
    result = backup_database()
    return f"backup {result.path.name}"


def print_runs_cleanup() -> str:
    """Print-run PDFs past PRINT_FILES_RETENTION_DAYS deleted (idempotent)."""
    from .printruns.services import delete_old_files

    return f"{delete_old_files()} file(s)"


def sweep() -> str:
    """Accepted emails and print runs whose task was lost are enqueued again."""
    from .notifications.outbox import sweep_outbox
    from .printruns.jobs import sweep_print_runs

    return f"{sweep_outbox()} email(s), {sweep_print_runs()} print run(s) enqueued again"


def network_snapshot() -> str:
    """The perimeter's snapshot (association/snapshot.py: figures, milestones, no personal data)
    handed to its network, which keeps one per perimeter for the association's console (a rerun
    replaces it). Outside a network there is no link: nothing to do."""
    link = current_app.extensions.get("coopere.network_link")
    if link is None:
        return "nothing to do: not in a network"
    from .association.snapshot import collect

    data = collect()
    db.session.rollback()  # a pure read: end its transaction
    link.write_snapshot(data)
    return f"snapshot of {data['taken_at']}"


@dataclass(frozen=True)
class Job:
    name: str
    when: Callable
    run: Callable[[], str]
    command: str  # the command line that runs it by hand


JOBS = {
    job.name: job
    for job in (
        Job(
            "network-snapshot",
            crontab(minute="30", hour="2"),
            network_snapshot,
            "(none: the network's console reads it)",
        ),
        Job("backup", crontab(minute="0", hour="3"), backup, "backup"),
        Job(
            "print-runs-cleanup",
            crontab(minute="30", hour="3"),
            print_runs_cleanup,
            "print-runs cleanup",
        ),
        Job(
            "events-extend", crontab(minute="0", hour="4", day="1"), events_extend, "events extend"
        ),
        Job("purge", crontab(minute="0", hour="5", day="1"), purge, "purge"),
        Job("listings-expire", crontab(minute="30", hour="7"), listings_expire, "listings expire"),
        Job(
            "weekly-digest",
            crontab(minute="0", hour="8", day_of_week="6"),
            weekly_digest,
            "listings weekly-digest",
        ),
        Job("roster-remind", crontab(minute="0", hour="9"), roster_remind, "roster remind"),
        Job("sweep", crontab(minute="*/10"), sweep, "(none: the queue's own)"),
    )
}


# --- the sites, and running jobs for one ---------------------------------------------------------

#: The sites the schedule serves: set by run_consumer (the single perimeter, or the network's
#: served perimeters).
_sites: Callable[[], list[str]] | None = None


def sites() -> list[str]:
    return _sites() if _sites is not None else []


@huey.task(retries=JOB_RETRIES, retry_delay=JOB_RETRY_DELAY, name="coopere.schedule.run_job")
def run_job(job: str, site: str) -> str:
    """One job for one site; an error is logged (with the site and the job) and retried."""
    with site_app(site).app_context():
        try:
            outcome = JOBS[job].run()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed for site %s", job, site)
            raise
    log.info("job %s for site %s: %s", job, site, outcome)
    return outcome


@huey.task(name="coopere.schedule.run_jobs")
def run_jobs(site: str, jobs: list[str]) -> dict[str, str]:
    """The jobs due at one tick, for one site: nothing is built when the cheap checks find
    nothing to do; each job runs on its own (one failing is logged and retried alone, later,
    as `run_job`, while the others run)."""
    due = jobs_with_work(site, jobs)
    outcomes = {job: "nothing to do" for job in jobs if job not in due}
    if not due:
        return outcomes
    try:
        app = site_app(site)
    except Exception:
        log.exception("jobs %s failed for site %s: no app (retried later)", ",".join(due), site)
        for job in due:
            run_job.schedule((job, site), delay=JOB_RETRY_DELAY)
        return {**outcomes, **dict.fromkeys(due, "failed")}
    for job in due:
        with app.app_context():
            try:
                outcomes[job] = JOBS[job].run()
            except Exception:
                db.session.rollback()
                log.exception("job %s failed for site %s (retried later)", job, site)
                outcomes[job] = "failed"
                run_job.schedule((job, site), delay=JOB_RETRY_DELAY)
    return outcomes


def due_jobs(moment) -> list[str]:
    """The jobs whose time is `moment` (local time, to the minute)."""
    return [name for name, job in JOBS.items() if job.when(moment)]


def fan_out(jobs: list[str] | str, names: list[str] | None = None) -> int:
    """Enqueue `jobs` for every site (one task per site); returns how many were enqueued."""
    jobs = [jobs] if isinstance(jobs, str) else list(jobs)
    count = 0
    for site in sites() if names is None else names:
        try:
            run_jobs(site, jobs)
            count += 1
        except Exception:  # noqa: BLE001 - one site must not stop the others
            log.exception("jobs %s not enqueued for site %s", ",".join(jobs), site)
    return count


@huey.periodic_task(crontab(), name="coopere.schedule.tick")
def tick() -> None:
    """Every minute: the jobs due now, enqueued for every site."""
    from datetime import datetime

    jobs = due_jobs(datetime.now().replace(second=0, microsecond=0))
    if jobs:
        fan_out(jobs)


# --- finding a site's app (installed as queue.site_loader by the app factory) ----------------

WARM_APPS = 16  # single-mode apps kept per process (a network keeps its own bounded set)
_warm: OrderedDict = OrderedDict()
_warm_lock = threading.Lock()


def load_site(factory: Callable, site: str):
    """The app of the instance folder `site`, built by `factory` (create_app) and kept warm. In a
    network the network's commands install their own loader (the perimeters' warm apps)."""
    with _warm_lock:
        app = _warm.get(site)
        if app is not None:
            _warm.move_to_end(site)
            return app
    app = factory(instance_path=site)
    with _warm_lock:
        _warm[site] = app
        while len(_warm) > WARM_APPS:
            _name, old = _warm.popitem(last=False)
            with old.app_context():
                db.engine.dispose()
    return app


# --- the consumer ------------------------------------------------------------------------------


def run_consumer(
    workers: int = 2, names: Callable[[], list[str]] | None = None, periodic: bool = True
) -> None:
    """Run the queue's consumer in this process until it is stopped (SIGINT: graceful, SIGTERM:
    at once). `names()` gives the sites the schedule serves at each tick. The queue must point at
    a storage, not be immediate (QUEUE_URL)."""
    global _sites
    from .notifications import outbox as _outbox  # noqa: F401  (its tasks)
    from .printruns import jobs as _jobs  # noqa: F401  (its tasks)

    if huey.immediate:
        raise click.ClickException(
            "QUEUE_URL vaut « immediate » : les tâches s'exécutent déjà dans le site, il n'y a "
            "pas de file à consommer."
        )
    _sites = names
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer.run()


#: What `queue tick` runs by default: the jobs whose "nothing to do" is the usual case (the
#: backup always has work; the weekly digest, extend and purge are weekly or monthly).
TICK_JOBS = ["sweep", "listings-expire", "roster-remind", "print-runs-cleanup"]


def tick_now(names: list[str], jobs: list[str] | None = None) -> dict:
    """Run `jobs` (default TICK_JOBS) for every site of `names` now, in this process, as one
    tick of the consumer would: a summary {sites, built, failed, seconds}."""
    import time

    jobs = list(jobs or TICK_JOBS)
    started = time.perf_counter()
    built = failed = 0
    for site in names:
        try:
            outcomes = run_jobs.call_local(site, jobs)
        except Exception:  # noqa: BLE001 - counted; the others go on
            log.exception("tick failed for site %s", site)
            failed += 1
            continue
        built += any(outcome != "nothing to do" for outcome in outcomes.values())
        failed += "failed" in outcomes.values()
    return {
        "sites": len(names),
        "jobs": jobs,
        "apps_built": built,
        "failed": failed,
        "seconds": round(time.perf_counter() - started, 2),
    }


queue_cli = AppGroup("queue", help="The background queue: emails, print runs, periodic jobs.")


@queue_cli.command("tick")
@click.option("--job", "jobs", multiple=True, type=click.Choice(sorted(JOBS)))
def tick_command(jobs):
    """One tick of the periodic jobs for this perimeter, now, in this process."""
    click.echo(json.dumps(tick_now([site_name(current_app)], list(jobs) or None)))


@queue_cli.command("work")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-periodic", is_flag=True, help="Only run tasks, not the schedule.")
def work_command(workers, no_periodic):
    """Run the consumer: tasks of this perimeter and its periodic jobs (replaces the cron lines)."""
    site = site_name(current_app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    run_consumer(workers=workers, names=lambda: [site], periodic=not no_periodic)


@queue_cli.command("run-job")
@click.argument("job", type=click.Choice(sorted(JOBS)))
def run_job_command(job):
    """Run one periodic job for this perimeter now, in this process."""
    click.echo(JOBS[job].run())


@queue_cli.command("status")
def status_command():
    """Where the queue is, and how many tasks wait in it."""
    from .queue import pending_count, queue_target

    target = queue_target(current_app)
    click.echo(f"File : {' '.join(target)} ; tâches en attente : {pending_count()}")
    for name, job in JOBS.items():
        click.echo(f"  {name:<20} {job.command}")
