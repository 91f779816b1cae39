"""PostgreSQL backups: pg_dump and pg_restore of the site's schema, run without a shell."""

from __future__ import annotations

import os
import re
import shutil

# pg_dump / pg_restore are run with an argument list (no shell), built here from the site's own
# database settings and a file name this module chose or checked: nothing typed by a visitor.
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import URL, Engine

from .files import BackupError


def _pg_conninfo(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and an environment carrying it (never a command line)."""
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
        _read_back(engine, pg_restore, destination, env, "la vérification (pg_restore)")
    except BackupError as error:
        raise BackupError(
            f"la sauvegarde n'est pas intègre ; le fichier raté a été supprimé. {error}"
        ) from error


def _read_back(engine: Engine, pg_restore: str, path: Path, env: dict, what: str) -> None:
    """Read the whole archive back: every block of it must be complete and readable."""
    _run(engine, [pg_restore, "--file=/dev/null", str(path)], env, what)


def _pg_check(engine: Engine, path: Path) -> list[str]:
    server_major = _pg_server_major(engine)
    pg_restore = find_pg_binary("pg_restore", server_major)
    conninfo, env = _pg_conninfo(engine)
    try:
        listing = _run(engine, [pg_restore, "--list", str(path)], env, "pg_restore --list").stdout
        _read_back(engine, pg_restore, path, env, "la lecture complète (pg_restore)")
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
