"""Online backups of the database, their rotation, and restoring one into the live database.

SQLite: Python's `sqlite3.Connection.backup` (the SQLite online backup API) copies the live database
while the site runs; the copy is checked with `PRAGMA integrity_check` before it counts as a backup.
PostgreSQL: `pg_dump --format=custom`, checked by reading the whole archive back with `pg_restore`.
Backup files are named `coopere-<UTC timestamp>[-<label>].sqlite3|.pgdump` in the backup folder.
Every error is a `BackupError` whose message is French, for the volunteer at the terminal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..config import ROOT
from .files import (
    PG_MAGIC,
    PG_SUFFIX,
    SAFETY_LABEL,
    SQLITE_MAGIC,
    SQLITE_SUFFIX,
    STAMP_FORMAT,
    BackupError,
    _created_at,
    _ensure_directory,
    _fsync,
    _new_path,
    backup_directory,
    prune,
)
from .postgresql import _pg_backup, _pg_check, _pg_restore
from .sqlite import _sqlite_backup, _sqlite_check, _sqlite_file, _sqlite_path, _sqlite_restore


@dataclass(frozen=True)
class BackupResult:
    """What `backup_database` did: the checked file, and the old ones it deleted."""

    path: Path
    size: int
    created_at: datetime
    backend: str
    pruned: tuple[Path, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CheckedBackup:
    """A file that passed the checks for a restore."""

    path: Path
    backend: str
    revision: str
    created_at: datetime
    needs_upgrade: bool  # an older schema: `flask db upgrade` after the restore


@dataclass(frozen=True)
class RestoreResult:
    source: CheckedBackup
    safety_backup: Path | None


def _backend(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(
            f"les sauvegardes ne savent pas traiter une base « {name} » "
            "(SQLite ou PostgreSQL seulement)."
        )
    return name


# --- backing up ----------------------------------------------------------------------------------


def backup_database(
    *,
    engine: Engine | None = None,
    directory: Path | None = None,
    keep: int | None = None,
    label: str | None = None,
) -> BackupResult:
    """Back up the live database into a new, checked file, then keep only the `keep` newest backups.

    `keep` defaults to BACKUP_KEEP; None with a label (the safety backup of a restore) prunes
    nothing. A file that fails its check is deleted and BackupError raised: a bad backup never stays
    around looking like a good one.
    """
    from ..extensions import db

    engine = engine or db.engine
    backend = _backend(engine)
    directory = directory or backup_directory()
    _ensure_directory(directory)
    now = datetime.now(UTC).replace(microsecond=0)
    suffix = SQLITE_SUFFIX if backend == "sqlite" else PG_SUFFIX
    # Hidden and private to this process until checked: a half-written copy never looks like one.
    partial = directory / f".coopere-{now.strftime(STAMP_FORMAT)}.{os.getpid()}.partial"
    try:
        if backend == "sqlite":
            _sqlite_backup(_sqlite_path(engine), partial)
        else:
            _pg_backup(engine, partial)
        _fsync(partial)
        while True:
            final = _new_path(directory, suffix, label, now)
            try:
                os.link(partial, final)  # never over another backup made in the same second
                break
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links (a mounted share): rename instead
                os.replace(partial, final)
                break
        _fsync(directory)
    finally:
        partial.unlink(missing_ok=True)
    if keep is None and label is None:
        keep = int(current_app.config.get("BACKUP_KEEP", 14))
    pruned = tuple(prune(keep, directory)) if keep else ()
    return BackupResult(
        path=final, size=final.stat().st_size, created_at=now, backend=backend, pruned=pruned
    )


# --- checking a file before a restore ---------------------------------------------------------


def known_revisions() -> tuple[set[str], set[str]]:
    """(every schema revision this code knows, the current head revisions)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(ROOT / "migrations"))
    return {revision.revision for revision in script.walk_revisions()}, set(script.get_heads())


def _file_kind(path: Path) -> str | None:
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def check_backup(path: Path, *, engine: Engine | None = None) -> CheckedBackup:
    """Refuse all but an intact coopere backup of a schema this code knows, for this backend."""
    from ..extensions import db

    engine = engine or db.engine
    backend = _backend(engine)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"le fichier {path} n'existe pas.")
    try:
        kind = _file_kind(path)
    except OSError as error:
        raise BackupError(f"le fichier {path} ne peut pas être lu ({error.strerror}).") from error
    if kind is None:
        raise BackupError(
            f"{path.name} n'est pas une sauvegarde de coopere (ni une base SQLite, "
            "ni une sauvegarde PostgreSQL)."
        )
    if kind != backend:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{path.name} est une sauvegarde {names[kind]}, or ce site utilise {names[backend]} : "
            "elle ne peut pas être restaurée ici."
        )
    if backend == "sqlite":
        if path.resolve() == _sqlite_file(engine):
            raise BackupError(
                "ce fichier est la base de données du site elle-même, pas une sauvegarde."
            )
        revisions = _sqlite_check(path)
    else:
        revisions = _pg_check(engine, path)
    known, heads = known_revisions()
    if not revisions:
        raise BackupError(
            f"{path.name} n'est pas une sauvegarde de coopere (pas de version de schéma)."
        )
    unknown = [revision for revision in revisions if revision not in known]
    if unknown:
        raise BackupError(
            f"{path.name} vient d'une version de coopere que ce programme ne connaît pas "
            f"(schéma {', '.join(unknown)}) : mettez coopere à jour avant de la restaurer."
        )
    return CheckedBackup(
        path=path,
        backend=backend,
        revision=", ".join(sorted(revisions)),
        created_at=_created_at(path),
        needs_upgrade=set(revisions) != heads,
    )


# --- restoring ----------------------------------------------------------------------------------


def restore_database(
    path: Path,
    *,
    engine: Engine | None = None,
    directory: Path | None = None,
    checked: CheckedBackup | None = None,
) -> RestoreResult:
    """Check the file, back up the current database (safety copy), then restore the file into it.

    The live database is written through the database itself (SQLite backup API into the live file,
    or pg_restore), never replaced as a file under the site's feet. Records `backup.restored`.
    """
    from ..audit.services import record
    from ..extensions import db

    engine = engine or db.engine
    checked = checked or check_backup(path, engine=engine)
    safety = None
    # A lost database (no file, or an empty one) is the very case a restore is for: nothing to save.
    if checked.backend == "postgresql" or (
        _sqlite_file(engine).is_file() and _sqlite_file(engine).stat().st_size
    ):
        safety = backup_database(engine=engine, directory=directory, label=SAFETY_LABEL).path
    # Our own pooled connections must not hold the old database (or its cached schema) open.
    db.session.remove()
    engine.dispose()
    if checked.backend == "sqlite":
        _sqlite_restore(checked.path, _sqlite_file(engine))
    else:
        _pg_restore(engine, checked.path)
    engine.dispose()
    try:
        record(
            "backup.restored",
            file=checked.path.name,
            revision=checked.revision,
            safety_backup=safety.name if safety else None,
        )
        db.session.commit()
    except SQLAlchemyError:
        # An older schema may not fit today's audit table until `flask db upgrade`: restore holds.
        db.session.rollback()
        current_app.logger.warning("restore of %s not recorded in the audit log", checked.path.name)
    return RestoreResult(source=checked, safety_backup=safety)
