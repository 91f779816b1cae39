"""Where backups live: the folder, file names, listing, rotation, and the error of every step."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
NAME_RE = re.compile(
    r"^coopere-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<label>[a-z0-9-]+))?(?P<ext>\.sqlite3|\.pgdump)$"
)
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SAFETY_LABEL = "avant-restauration"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in French."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file of the folder."""

    path: Path
    size: int
    created_at: datetime  # aware, UTC
    backend: str  # "sqlite" or "postgresql"


def backup_directory() -> Path:
    """BACKUP_DIR (relative to the instance folder), by default `<instance>/backups`."""
    configured = current_app.config.get("BACKUP_DIR") or "backups"
    path = Path(configured).expanduser()
    if not path.is_absolute():
        path = Path(current_app.instance_path) / path
    return path


def _ensure_directory(directory: Path) -> None:
    # Backups hold every resident's personal data: only the site's own account may read them.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)


def _created_at(path: Path) -> datetime:
    match = NAME_RE.match(path.name)
    if match:
        return datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def list_backups(directory: Path | None = None) -> list[BackupInfo]:
    """The folder's backups, newest first (only files named like our backups)."""
    directory = directory or backup_directory()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = NAME_RE.match(path.name)
        if match and path.is_file():
            stat = path.stat()
            found.append(
                (
                    match["stamp"],
                    stat.st_mtime_ns,
                    path.name,
                    BackupInfo(
                        path=path,
                        size=stat.st_size,
                        created_at=_created_at(path),
                        backend="sqlite" if match["ext"] == SQLITE_SUFFIX else "postgresql",
                    ),
                )
            )
    found.sort(reverse=True, key=lambda item: item[:3])
    return [item[3] for item in found]


def prune(keep: int, directory: Path | None = None) -> list[Path]:
    """Delete all but the `keep` newest backups (0 keeps them all); other files are left alone."""
    directory = directory or backup_directory()
    if directory.is_dir():
        # What a killed backup left behind (never a backup: those are renamed only once checked).
        for leftover in directory.glob(".coopere-*.partial"):
            if time.time() - leftover.stat().st_mtime > 24 * 3600:
                leftover.unlink(missing_ok=True)
    if keep <= 0:
        return []
    removed = []
    for info in list_backups(directory)[keep:]:
        info.path.unlink(missing_ok=True)
        removed.append(info.path)
    return removed


def _new_path(directory: Path, suffix: str, label: str | None, now: datetime) -> Path:
    base = f"coopere-{now.strftime(STAMP_FORMAT)}"
    name = f"{base}-{label}" if label else base
    path, n = directory / f"{name}{suffix}", 1
    while path.exists():  # two backups within the same second
        n += 1
        path = directory / f"{name}-{n}{suffix}"
    return path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
