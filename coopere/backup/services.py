"""Online backups of the database, their rotation, and restoring one into the live database.

SQLite: Python's `sqlite3.Connection.backup` (the SQLite online backup API) copies the live database
while the site runs; the copy is checked with `PRAGMA integrity_check` before it counts as a backup.
PostgreSQL: `pg_dump --format=custom`, checked by reading the whole archive back with `pg_restore`.
Backup files are named `coopere-<UTC timestamp>[-<label>].sqlite3|.pgdump` in the backup folder.
Every error is a `BackupError` whose message is French, for the volunteer at the terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3

# pg_dump / pg_restore are run with an argument list (no shell), built here from the site's own
# database settings and a file name this module chose or checked: nothing typed by a visitor.
import subprocess  # nosec B404
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..config import ROOT

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
NAME_RE = re.compile(
    r"^coopere-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<label>[a-z0-9-]+))?(?P<ext>\.sqlite3|\.pgdump)$"
)
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SAFETY_LABEL = "avant-restauration"

# The SQLite copy reads one fixed snapshot (a read transaction held from start to end), so it never
# restarts however busy the site is; in WAL mode that snapshot does not block writers. Copying in
# steps with a short pause between them leaves the disk and the CPU to the site's workers meanwhile.
PAGES_PER_STEP = 256  # 1 MiB with the default 4 KiB pages
PAUSE_BETWEEN_STEPS = 0.005  # seconds


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in French."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file of the folder."""

    path: Path
    size: int
    created_at: datetime  # aware, UTC
    backend: str  # "sqlite" or "postgresql"


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


# --- where backups live ------------------------------------------------------------------------


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


def _backend(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(
            f"les sauvegardes ne savent pas traiter une base « {name} » "
            "(SQLite ou PostgreSQL seulement)."
        )
    return name


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
    """Delete all but the `keep` newest backups (0 keeps them all); other files are never touched."""
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


# --- backing up ----------------------------------------------------------------------------------


def backup_database(
    *,
    engine: Engine | None = None,
    directory: Path | None = None,
    keep: int | None = None,
    label: str | None = None,
) -> BackupResult:
    """Back up the live database into a new, checked file, then keep only the `keep` newest backups.

    `keep` defaults to BACKUP_KEEP; None with a label (the safety backup of a restore) prunes nothing.
    A file that fails its check is deleted and BackupError raised: a bad backup never stays around
    looking like a good one.
    """
    from ..extensions import db

    engine = engine or db.engine
    backend = _backend(engine)
    directory = directory or backup_directory()
    _ensure_directory(directory)
    now = datetime.now(UTC).replace(microsecond=0)
    suffix = SQLITE_SUFFIX if backend == "sqlite" else PG_SUFFIX
    # Hidden and private to this process until checked: a half-written copy never looks like a backup.
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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    """Refuse anything but an intact coopere backup of a schema this code knows, for this backend."""
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


# --- restoring -------------------------------------------------------------------------------------


def restore_database(
    path: Path,
    *,
    engine: Engine | None = None,
    directory: Path | None = None,
    checked: CheckedBackup | None = None,
) -> RestoreResult:
    """Check the file, back up the current database (safety copy), then restore the file into the live database.

    The live database is written through the database itself (SQLite backup API into the live file,
    or pg_restore), never replaced as a file under the site's feet. Records `backup.restored`.
    """
    from ..audit.services import record
    from ..extensions import db

    engine = engine or db.engine
    checked = checked or check_backup(path, engine=engine)
    safety = None
    # A lost database (no file, or an empty one) is the very case a restore is for: nothing to save first.
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
        # An older schema may not fit today's audit table until `flask db upgrade`: the restore stands.
        db.session.rollback()
        current_app.logger.warning("restore of %s not recorded in the audit log", checked.path.name)
    return RestoreResult(source=checked, safety_backup=safety)


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


# --- PostgreSQL ------------------------------------------------------------------------------------


def _pg_conninfo(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and an environment carrying it (never on a command line)."""
    url: URL = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # Built afresh: URL.set(password=None) would keep the password (None means "unchanged" there).
    conninfo = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    return conninfo, env


def _scrub(message: str, engine: Engine) -> str:
    password = engine.url.password
    message = message.strip()
    return message.replace(str(password), "***") if password else message


def _pg_schema(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT current_schema()").scalar_one()


def _pg_server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10_000


def _binary_major(binary: str) -> int | None:
    try:
        output = subprocess.run(
            [binary, "--version"],
            capture_output=True,  # nosec B603 - fixed argv
            text=True,
            timeout=30,
        ).stdout
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else None


def find_pg_binary(name: str, server_major: int) -> str:
    """pg_dump or pg_restore, of the server's major version or newer (older ones refuse to work)."""
    candidates = [str(Path(f"/usr/lib/postgresql/{server_major}/bin") / name)]
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        candidates.append(str(directory / name))
    found = shutil.which(name)
    if found:
        candidates.append(found)
    too_old = []
    for candidate in dict.fromkeys(candidates):
        if not os.access(candidate, os.X_OK):
            continue
        major = _binary_major(candidate)
        if major is not None and major >= server_major:
            return candidate
        too_old.append(f"{candidate} (version {major})")
    if too_old:
        raise BackupError(
            f"{name} est trop ancien pour ce serveur PostgreSQL {server_major} : "
            f"{', '.join(too_old)}. Installez le paquet postgresql-client-{server_major} "
            "(ou plus récent)."
        )
    raise BackupError(
        f"le programme {name} est introuvable : installez le paquet postgresql-client "
        f"(version {server_major} ou plus récente), par exemple `sudo apt-get install "
        "postgresql-client`."
    )


def _run(
    engine: Engine, args: list[str], env: dict[str, str], what: str
) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True)  # nosec B603 - argv, no shell
    except OSError as error:
        raise BackupError(f"{what} n'a pas pu être lancé ({error.strerror}).") from error
    if result.returncode != 0:
        raise BackupError(
            f"{what} a échoué : {_scrub(result.stderr, engine) or 'code ' + str(result.returncode)}"
        )
    return result


def _schema_pattern(schema: str) -> str:
    # A quoted name: pg_dump reads -n as a pattern, where the name must match exactly.
    return '"' + schema.replace('"', '""') + '"'


def _pg_backup(engine: Engine, destination: Path) -> None:
    server_major = _pg_server_major(engine)
    pg_dump = find_pg_binary("pg_dump", server_major)
    pg_restore = find_pg_binary("pg_restore", server_major)
    conninfo, env = _pg_conninfo(engine)
    args = [pg_dump, "--format=custom", "--no-password", f"--file={destination}"]
    schema = _pg_schema(engine)
    if schema != "public":
        # Several perimeters may share one database, one schema each: dump this one only.
        args.append(f"--schema={_schema_pattern(schema)}")
    args.append(f"--dbname={conninfo}")
    _run(engine, args, env, "pg_dump")
    os.chmod(destination, 0o600)
    try:
        # Reading the whole archive back checks that every block of it is complete and readable.
        _run(
            engine,
            [pg_restore, "--file=/dev/null", str(destination)],
            env,
            "la vérification (pg_restore)",
        )
    except BackupError as error:
        raise BackupError(
            f"la sauvegarde n'est pas intègre ; le fichier raté a été supprimé. {error}"
        ) from error


def _pg_check(engine: Engine, path: Path) -> list[str]:
    server_major = _pg_server_major(engine)
    pg_restore = find_pg_binary("pg_restore", server_major)
    conninfo, env = _pg_conninfo(engine)
    try:
        listing = _run(engine, [pg_restore, "--list", str(path)], env, "pg_restore --list").stdout
        _run(
            engine,
            [pg_restore, "--file=/dev/null", str(path)],
            env,
            "la lecture complète (pg_restore)",
        )
    except BackupError as error:
        raise BackupError(
            f"{path.name} est abîmé ou n'est pas une sauvegarde PostgreSQL. {error}"
        ) from error
    match = re.search(r"^\d+; \d+ \d+ TABLE DATA (\S+) alembic_version ", listing, re.MULTILINE)
    if not match:
        raise BackupError(
            f"{path.name} est une sauvegarde PostgreSQL, mais pas de coopere "
            "(pas de table alembic_version)."
        )
    schema = _pg_schema(engine)
    if match.group(1) != schema:
        raise BackupError(
            f"{path.name} est la sauvegarde du schéma « {match.group(1)} », or ce site utilise "
            f"le schéma « {schema} » : elle ne peut pas être restaurée ici."
        )
    data = _run(
        engine,
        [
            pg_restore,
            "--data-only",
            "--table=alembic_version",
            f"--schema={match.group(1)}",
            "--file=-",
            str(path),
        ],
        env,
        "pg_restore",
    ).stdout
    revisions, inside = [], False
    for line in data.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            inside = True
        elif inside and line == "\\.":
            inside = False
        elif inside and line.strip():
            revisions.append(line.strip())
    return revisions


def _pg_restore(engine: Engine, path: Path) -> None:
    pg_restore = find_pg_binary("pg_restore", _pg_server_major(engine))
    conninfo, env = _pg_conninfo(engine)
    # One transaction: a restore that fails midway leaves the database as it was.
    try:
        _run(
            engine,
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                "--no-password",
                f"--dbname={conninfo}",
                str(path),
            ],
            env,
            "pg_restore",
        )
    except BackupError as error:
        raise BackupError(
            f"{error}\nLa base n'a pas été modifiée (la restauration se fait en une seule "
            "transaction)."
        ) from error
