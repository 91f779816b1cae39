"""The process's one queue for background work (Huey): emails, print runs, the periodic jobs.

Huey binds a task to a Huey object when the task is decorated, so there is exactly one object,
`huey`, made when this module is imported; each app built in the process points its *storage* at
the right place (`configure_queue`, from the QUEUE_URL setting):

- unset: a SQLite file, `<COOPERE_NETWORK>/queue.sqlite3` when that variable names a network
  folder, else `<instance>/queue.sqlite3` (no server to run);
- `redis://…`: a Redis server, when several machines serve;
- `immediate`: tasks run at once, in the process that enqueues them (the tests, `make run`).

A task runs for a *site*, named by a string: the perimeter's slug in a network (the app's
NETWORK_SLUG), else its instance folder. `site_task` wraps a function so that it is called with
the site's app context pushed: an app built in this process for that site is used when it still
exists (immediate mode, the consumer's own app), otherwise the site loader (installed by the app
factory: the network's perimeter apps, or `create_app(instance_path=…)`) builds one.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey  # noqa: F401 - the storage classes

log = logging.getLogger(__name__)

QUEUE_FILE = "queue.sqlite3"
IMMEDIATE = "immediate"

#: The process's Huey object. Times in crontabs are the machine's local time, as cron's were.
#: Task results are not kept (nothing reads them). Immediate until an app says where its queue is.
huey = Huey("coopere", results=False, utc=False, immediate=True)

_target: tuple | None = None
_lock = threading.Lock()
_apps: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_loading = threading.local()
#: site name -> Flask app; set by the app factory (coopere.jobs.load_site).
site_loader: Callable | None = None


def queue_target(app) -> tuple:
    """Where the app's queue lives: ("immediate",), ("redis", url) or ("sqlite", path)."""
    url = (app.config.get("QUEUE_URL") or "").strip()
    if url == IMMEDIATE:
        return (IMMEDIATE,)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return ("redis", url)
    if url.startswith("sqlite:///"):
        return ("sqlite", url.removeprefix("sqlite:///"))
    if url:
        raise ValueError(
            f"QUEUE_URL « {url} » n'est pas compris : laissez-le vide (file SQLite), ou "
            "« redis://hôte:6379/0 », ou « immediate »."
        )
    network = os.environ.get("COOPERE_NETWORK")
    if network:
        folder = Path(network)
    elif app.config.get("NETWORK_SLUG"):  # <network>/perimeters/<slug>: the network's folder
        folder = Path(app.instance_path).parent.parent
    else:
        folder = Path(app.instance_path)
    return ("sqlite", str(folder / QUEUE_FILE))


def configure_queue(app) -> None:
    """Point the process's queue at this app's (QUEUE_URL) and remember the app for its site.
    An app built to run a task (by the site loader) leaves the queue where it is: the process's
    queue is the one its consumer reads."""
    if not getattr(_loading, "active", False):
        use_target(queue_target(app))
    _apps[site_name(app)] = app


def remember(site: str, app) -> None:
    """Let tasks of `site` run in `app` (kept while the app lives), without moving the queue."""
    _apps[site] = app


def use_target(target: tuple) -> None:
    """Point the process's queue at `target` (see queue_target), e.g. the network's file."""
    global _target
    with _lock:
        if target != _target:
            _use(target)
            _target = target


def _use(target: tuple) -> None:
    if target[0] == IMMEDIATE:
        huey.immediate = True
        return
    if target[0] == "redis":
        huey.storage_class = RedisHuey.storage_class
        huey.storage_kwargs = {"url": target[1]}
    else:
        Path(target[1]).parent.mkdir(parents=True, exist_ok=True)
        huey.storage_class = SqliteHuey.storage_class
        huey.storage_kwargs = {"filename": target[1]}
    huey._immediate = False
    huey.storage = huey.create_storage()


def is_immediate() -> bool:
    return huey.immediate


def site_name(app) -> str:
    """The string that names the app's perimeter in a task: its slug in a network, else its
    instance folder."""
    return app.config.get("NETWORK_SLUG") or str(Path(app.instance_path).resolve())


def site_app(site: str):
    """The app of the site named `site`, to run a task in."""
    app = _apps.get(site)
    if app is not None:
        return app
    if site_loader is None:
        raise RuntimeError("no site loader: build an app (coopere.create_app) first")
    _loading.active = True
    try:
        return site_loader(site)
    finally:
        _loading.active = False


def site_task(**options):
    """Decorate `func(*args)` as a queue task run in a site's app context.

    `func.enqueue(*args)` enqueues it for the current app's site; `func.for_site(site, *args)`
    for another one; `func.task` is the Huey task itself (options: Huey's retries, retry_delay,
    retry_backoff…)."""

    def decorate(func):
        name = options.pop("name", f"{func.__module__}.{func.__name__}")

        @huey.task(name=name, **options)
        def task(site: str, *args):
            with site_app(site).app_context():
                return func(*args)

        @functools.wraps(func)
        def call(*args):
            return func(*args)

        def enqueue(*args):
            from flask import current_app

            return task(site_name(current_app), *args)

        call.task = task
        call.enqueue = enqueue
        call.for_site = task
        return call

    return decorate


def drain(limit: int | None = None) -> int:
    """Run the tasks waiting in the queue now, in this process, until none is left (or `limit`
    ran): what a consumer does, without waiting for scheduled ones. Returns how many ran."""
    count = 0
    while limit is None or count < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        count += 1
    return count


def pending_count() -> int:
    return 0 if huey.immediate else huey.pending_count()
