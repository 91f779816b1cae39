"""Dating the demo's rows: the demo runs in one instant, the life it shows took a year."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import event, inspect

from ..extensions import db


# The columns that say when a row was written: `at` sets them on the rows its block adds.
WHEN_COLUMNS = ("created_at", "updated_at", "recorded_at", "started_at", "joined_at", "at")


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Date `moment` the rows the block adds (and their audit entries): the demo runs in one
    instant, the life it shows took a year."""
    session = db.session()
    added: list = []

    def collect(_session, row) -> None:
        added.append(row)

    event.listen(session, "transient_to_pending", collect)
    try:
        yield
    finally:
        event.remove(session, "transient_to_pending", collect)
    for row in added:
        columns = inspect(type(row)).columns
        for name in WHEN_COLUMNS:
            if name in columns:
                setattr(row, name, moment)


def between(rng: random.Random, earliest: datetime, latest: datetime) -> datetime:
    """A moment between two others (the earliest when they are the wrong way round)."""
    if latest <= earliest:
        return earliest
    return earliest + timedelta(seconds=rng.randint(0, int((latest - earliest).total_seconds())))
