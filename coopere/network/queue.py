"""The network's background queue: one consumer and one schedule for every served perimeter
(`flask --app coopere.network queue work|tick`). The queue is <network>/queue.sqlite3, or the
network's QUEUE_URL (redis://…) when several machines serve; a task names its perimeter by slug
and runs in the perimeter's warm app (sites.perimeter_app)."""

from __future__ import annotations

import json
import logging

import click
from flask import current_app
from flask.cli import AppGroup

from .. import queue, schedule, schedule_checks
from .folder import Network
from .registry import served_slugs
from .sites import database_url, perimeter_app


def queue_target(network: Network) -> tuple:
    """Where the network's queue is (coopere.queue.queue_target's forms): its QUEUE_URL (Redis,
    or « immediate » in the tests and demos), else <network>/queue.sqlite3."""
    url = (network.config.get("QUEUE_URL") or "").strip()
    if url == queue.IMMEDIATE:
        return (queue.IMMEDIATE,)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return ("redis", url)
    return ("sqlite", str(network.queue_path))


def network_site(network: Network) -> str:
    """The site name of the network's own app in a task (the association's background work, such
    as the yearly report): never a perimeter's slug (a slug has no « @ »)."""
    return f"@{network.root}"


def use_network_queue(network: Network, app=None) -> None:
    """Point this process's queue at the network's; `app`, the network's own app, runs the tasks
    named after network_site (the web process's, or the consumer's)."""
    queue.use_target(queue_target(network))
    if app is not None:
        queue.remember(network_site(network), app)


def install(network: Network, app=None) -> None:
    """Point this process's queue at the network's, and let tasks and the schedule find the
    perimeters: their apps, their databases (for the cheap checks), the served ones; and the
    network's own app (`app`) for the association's tasks."""
    use_network_queue(network, app)
    queue.site_loader = lambda slug: perimeter_app(network, slug)
    schedule_checks.database_url_of = lambda slug: database_url(network, slug)


def run_consumer(network: Network | None = None, workers: int = 2, app=None) -> None:
    """The network's one consumer: tasks of every perimeter, and the periodic jobs for every
    served perimeter (re-read at each tick: a new perimeter is served at the next one); with
    the network's own app (`app`, the command's), the association's tasks too (its yearly
    report)."""
    network = network or Network.from_env()
    install(network, app)
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
    run_consumer(workers=workers, app=current_app._get_current_object())


@queue_cli.command("tick")
@click.option("--job", "jobs", multiple=True, type=click.Choice(sorted(schedule.JOBS)))
def tick_command(jobs):
    """One tick of the periodic jobs over every served perimeter, now (prints a JSON summary)."""
    click.echo(json.dumps(tick(jobs=list(jobs) or None)))
