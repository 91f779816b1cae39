"""Running one piece of work for many perimeters, on every core: `upgrade` and `backup --all`.

Each perimeter's work runs in a process of a small pool, forked from a fork server that loaded
coopere's modules once (coopere/network/warm.py): nothing of the command's own state — its database
connections, its threads — is shared with the workers, and none spends seconds on imports. It
returns a small, picklable outcome; the command reports each one as it arrives. A perimeter that
fails never stops the others: its outcome says why."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

from .folder import Network

Outcome = TypeVar("Outcome")


def default_jobs() -> int:
    """One process per core (at least one)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def first_line(error: BaseException) -> str:
    """An error as one short line for a report (SQLAlchemy adds lines of background)."""
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line if len(line) <= 300 else line[:297] + "…"


def run_each(
    network: Network,
    slugs: Sequence[str],
    work: Callable[[str, str], Outcome],
    crashed: Callable[[str, str], Outcome],
    *,
    jobs: int,
) -> Iterator[Outcome]:
    """`work(network_root, slug)` for every slug, `jobs` at a time, outcomes in the order they
    finish. `work` must be a module-level function that catches its own errors; `crashed(slug,
    reason)` stands for the outcome of a worker process that died."""
    root = str(network.root)
    if jobs <= 1 or len(slugs) <= 1:
        for slug in slugs:
            yield work(root, slug)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["coopere.network.warm"])
    with ProcessPoolExecutor(max_workers=min(jobs, len(slugs)), mp_context=context) as pool:
        futures = {pool.submit(work, root, slug): slug for slug in slugs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 - the worker process itself failed
                yield crashed(futures[future], first_line(error))
