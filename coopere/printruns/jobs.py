"""Print runs render in the background queue (coopere.queue), so no web request waits for
WeasyPrint: `launch` enqueues the run once it is committed as queued; a consumer renders it.

A run whose task was lost (an enqueue that never reached the queue, a consumer killed mid-run:
Huey removes a task from its queue when a worker takes it) is found by `sweep_print_runs`, which
the schedule runs every few minutes: a run still queued RESWEEP_MINUTES after it was made, or
running without a heartbeat for 10 minutes (services.is_stalled), is enqueued again. `execute`
claims the run atomically, so a run enqueued twice is rendered once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from ..extensions import db
from ..queue import site_task
from ..timeutil import utcnow
from .models import PrintRun, RunStatus
from .services import STALL_MINUTES, execute

RESWEEP_MINUTES = 10


@site_task()
def render_print_run(run_id: int) -> None:
    """The queue's task: render one queued run (nothing when it is done or taken)."""
    execute(run_id)


def launch(run: PrintRun) -> None:
    """Start rendering `run` (already committed as queued): enqueue it. The transaction that
    read the run ends first: the task may run at once in this thread (immediate mode) and write
    to the run from its own session."""
    run_id = run.id
    db.session.commit()
    render_print_run.enqueue(run_id)


def sweep_print_runs(now=None) -> int:
    """Enqueue again the runs left queued or stalled; returns how many."""
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            select(PrintRun.id).where(
                or_(
                    (PrintRun.status == RunStatus.QUEUED.value)
                    & (PrintRun.created_at < now - timedelta(minutes=RESWEEP_MINUTES)),
                    (PrintRun.status == RunStatus.RUNNING.value)
                    & (
                        PrintRun.heartbeat_at.is_(None)
                        | (PrintRun.heartbeat_at < now - timedelta(minutes=STALL_MINUTES))
                    ),
                )
            )
        )
    )
    for run_id in ids:
        render_print_run.enqueue(run_id)
    return len(ids)
