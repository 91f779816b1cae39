"""SQLite backups: the online copy, its integrity check, and the restore into the live file."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import Engine

from .files import BackupError

# The SQLite copy reads one fixed snapshot (a read transaction held from start to end), so it never
# restarts however busy the site is; in WAL mode that snapshot does not block writers. Copying in
# steps with a short pause between them leaves the disk and the CPU to the site's workers meanwhile.
PAGES_PER_STEP = 256  # 1 MiB with the default 4 KiB pages
PAUSE_BETWEEN_STEPS = 0.005  # seconds


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("cette base SQLite n'est pas un fichier : pas de sauvegarde possible.")
    return Path(database).resolve()


def _sqlite_path(engine: Engine) -> Path:
    path = _sqlite_file(engine)
    if not path.is_file():
        raise BackupError(
            f"la base de données {path} n'existe pas (lancez d'abord `flask --app coopere init`)."
        )
    return path


def _busy_timeout_seconds() -> float:
    return current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 30_000) / 1000


def _sqlite_backup(source_path: Path, destination: Path) -> None:
    source = sqlite3.connect(source_path, timeout=_busy_timeout_seconds(), isolation_level=None)
    target = sqlite3.connect(destination, isolation_level=None)
    try:
        os.chmod(destination, 0o600)
        # Hold one read transaction for the whole copy: every step reads the same snapshot, so the
        # backup is one consistent state and is never restarted by the site's writes.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        source.backup(target, pages=PAGES_PER_STEP, progress=_pause)
        source.execute("COMMIT")
        # The copy carries the live database's WAL flag; a backup is one self-contained file.
        target.execute("PRAGMA journal_mode = DELETE").fetchone()
        problems = sqlite_integrity_problems(target)
    except sqlite3.Error as error:
        raise BackupError(f"la copie de la base a échoué : {error}.") from error
    finally:
        target.close()
        source.close()
    if problems:
        raise BackupError(
            "la sauvegarde n'est pas intègre (PRAGMA integrity_check : "
            f"{'; '.join(problems[:5])}). Le fichier raté a été supprimé ; "
            "la base du site est peut-être abîmée : demandez de l'aide avant toute autre action."
        )


def _pause(_status, _remaining, _total) -> None:
    time.sleep(PAUSE_BETWEEN_STEPS)


def sqlite_integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong ([] when it says "ok")."""
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else [str(row) for row in rows]


def _sqlite_check(path: Path) -> list[str]:
    try:
        # Read-only: checking a file never changes it.
        connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path.name} ne s'ouvre pas comme une base SQLite ({error}).") from error
    try:
        problems = sqlite_integrity_problems(connection)
        if problems:
            raise BackupError(
                f"{path.name} est abîmé (PRAGMA integrity_check : {'; '.join(problems[:5])})."
            )
        try:
            return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
        except sqlite3.OperationalError as error:
            raise BackupError(
                f"{path.name} est une base SQLite, mais pas une sauvegarde de coopere "
                "(pas de table alembic_version)."
            ) from error
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path.name} est abîmé ou n'est pas une base SQLite ({error})."
        ) from error
    finally:
        connection.close()


def _sqlite_restore(source_path: Path, live_path: Path) -> None:
    source = sqlite3.connect(f"file:{source_path.resolve()}?mode=ro", uri=True)
    target = sqlite3.connect(live_path, timeout=_busy_timeout_seconds(), isolation_level=None)
    try:
        target.execute(f"PRAGMA busy_timeout = {int(_busy_timeout_seconds() * 1000)}")
        # One step: the whole database changes in a single write transaction, which the site's
        # workers see at once (WAL readers keep their old snapshot until their transaction ends).
        source.backup(target, pages=-1)
        problems = sqlite_integrity_problems(target)
    except sqlite3.Error as error:
        raise BackupError(
            f"la restauration a échoué ({error}) ; la base du site n'a pas été modifiée "
            "si l'erreur est survenue pendant la copie."
        ) from error
    finally:
        target.close()
        source.close()
    if problems:
        raise BackupError(
            f"après restauration, la base n'est pas intègre ({'; '.join(problems[:5])}) : "
            "restaurez la sauvegarde de sécurité."
        )
