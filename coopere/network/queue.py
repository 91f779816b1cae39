"""The network's background queue: one consumer and one schedule for every served perimeter
(`flask --app coopere.network queue work|tick`). The queue is <network>/queue.sqlite3, or the
network's QUEUE_URL (redis://…) when several machines serve; a task names its perimeter by slug
and runs in the perimeter's warm app (sites.perimeter_app)."""

from __future__ import annotations

import json
import logging

import click
from flask.cli import AppGroup

from .. import queue, schedule, schedule_checks
from .folder import Network
from .registry import served_slugs
from .sites import database_url, perimeter_app


def install(network: Network) -> None:
    """Point this process's queue at the network's, and let tasks and the schedule find the
    perimeters: their apps, their databases (for the cheap checks), the served ones."""
    url = (network.config.get("QUEUE_URL") or "").strip()
    if url.startswith(("redis://", "rediss://", "unix://")):
        queue.use_target(("redis", url))
    else:
        queue.use_target(("sqlite", str(network.queue_path)))
    queue.site_loader = lambda slug: perimeter_app(network, slug)
    schedule_checks.database_url_of = lambda slug: database_url(network, slug)


def run_consumer(network: Network | None = None, workers: int = 2) -> None:
    """The network's one consumer: tasks of every perimeter, and the periodic jobs for every
    served perimeter (re-read at each tick: a new perimeter is served at the next one)."""
    network = network or Network.from_env()
    install(network)
    schedule.run_consumer(workers=workers, names=lambda: list(served_slugs(network)))


def tick(network: Network | None = None, jobs: list[str] | None = None) -> dict:
    """One tick of the periodic jobs over every served perimeter, now, in this process."""
    network = network or Network.from_env()
    install(network)
    return schedule.tick_now(list(served_slugs(network)), jobs)


queue_cli = AppGroup("queue", help="The network's background queue and schedule.")


@queue_cli.command("work")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def work_command(workers):
    """Run the one consumer of every served perimeter (tasks and periodic jobs)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    run_consumer(workers=workers)


@queue_cli.command("tick")
@click.option("--job", "jobs", multiple=True, type=click.Choice(sorted(schedule.JOBS)))
def tick_command(jobs):
    """One tick of the periodic jobs over every served perimeter, now (prints a JSON summary)."""
    click.echo(json.dumps(tick(jobs=list(jobs) or None)))
