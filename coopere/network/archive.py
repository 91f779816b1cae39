"""`perimeters archive SLUG` and `perimeters restore ARCHIVE`: a perimeter as one file, to keep it
or to move it to another network (another machine, another database server).

An archive is a `.tar.gz` holding `manifest.json` (the perimeter's slug, its registry fields, its
schema revision, its database's kind, the date, and a SHA-256 of every other member), the database
as a checked dump made by coopere's backup service (`database.sqlite3`: an online SQLite copy;
`database.pgdump`: `pg_dump --format=custom`), and `perimeter/…`: the perimeter's folder (secret
key, config.py, printouts, photos), without its live database files, rate-limit counters and
backups. Archiving reads the archive back and checks it before anything is removed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ..backup.files import BackupError
from ..backup.services import backup_database, check_backup, known_revisions, restore_database
from . import registry
from .databases import drop_database, pg_database_exists
from .folder import Network
from .registry import PerimeterEntry, Status
from .sites import build_perimeter_app, database_url, dispose, schema_revision
from .slugs import SlugError, check_slug

FORMAT = "coopere-perimetre"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FOLDER = "perimeter"
#: What the archive leaves out of the perimeter's folder: the live database (dumped instead), the
#: rate-limit counters (disposable) and the backups (the dump is the perimeter's newest state).
LEFT_OUT = ("coopere.sqlite3", "ratelimit.sqlite3")
LEFT_OUT_DIRS = ("backups",)
REGISTRY_FIELDS = ("name", "city", "postcode", "estimated_dwellings", "meeting_place")
CHUNK = 1 << 20
#: How long `perimeters archive` waits once the perimeter is in maintenance before dumping it: a
#: little more than the web workers take to read the list of perimeters again (ROUTES_SECONDS in
#: dispatch.py, which this module cannot import: dispatch → app → cli → here).
SETTLE_SECONDS = 2.5


class ArchiveError(RuntimeError):
    """An archive or a restore refused or failed; the message says why, in French. Nothing was
    removed (archive) or left behind (restore)."""


# --- archiving ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archived:
    slug: str
    path: Path
    size: int
    revision: str


def archive_perimeter(network: Network, slug: str, *, settle: float = 0.0) -> Archived:
    """Archive perimeter `slug`, check the archive, then stop serving it and remove its folder
    and database. `settle`: seconds to wait once it is in maintenance, so that the web workers
    (which read the list of perimeters again every 2 s) stop writing to it before the dump."""
    entry = registry.get(network, slug)
    if entry is None:
        raise ArchiveError(f"aucun périmètre « {slug} » dans ce réseau.")
    if entry.status == Status.ARCHIVED.value:
        raise ArchiveError(f"le périmètre « {slug} » est déjà archivé.")
    folder = network.instance_path(slug)
    if not folder.is_dir():
        raise ArchiveError(f"le dossier du périmètre « {slug} » est introuvable ({folder}).")
    revision = schema_revision(network, slug)
    if revision is None:
        raise ArchiveError(f"la base du périmètre « {slug} » ne se lit pas : rien n'est archivé.")
    registry.set_status(network, slug, Status.MAINTENANCE, "archivage en cours")
    try:
        if settle:
            time.sleep(settle)
        archived = _write_archive(network, entry, revision)
    except Exception:
        registry.set_status(network, slug, Status(entry.status), entry.status_reason)
        raise
    registry.set_status(network, slug, Status.ARCHIVED, f"archivé dans {archived.path.name}")
    shutil.rmtree(folder)
    drop_database(network, slug)  # SQLite: already gone with the folder; PostgreSQL: dropped
    return archived


def _write_archive(network: Network, entry: PerimeterEntry, revision: str) -> Archived:
    slug = entry.slug
    network.archives_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = network.archives_dir / f"{slug}-{stamp}.tar.gz"
    n = 1
    while final.exists():
        n += 1
        final = network.archives_dir / f"{slug}-{stamp}-{n}.tar.gz"
    partial = network.archives_dir / f".{final.name}.{os.getpid()}.partial"
    app = build_perimeter_app(network, slug)
    try:
        with tempfile.TemporaryDirectory(dir=network.archives_dir) as work, app.app_context():
            try:
                dump = backup_database(directory=Path(work), keep=0, label="archive")
            except BackupError as error:
                raise ArchiveError(f"la copie de la base a échoué : {error}") from error
            database_name = "database" + dump.path.suffix
            files = {
                f"{FOLDER}/{relative}": path
                for relative, path in _folder_files(network.instance_path(slug))
            }
            files[database_name] = dump.path
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "slug": slug,
                "registry": {
                    **{field: getattr(entry, field) for field in REGISTRY_FIELDS},
                    "status": entry.status,
                    "status_reason": entry.status_reason,
                    "created_at": entry.created_at.isoformat() if entry.created_at else None,
                },
                "schema_revision": revision,
                "backend": dump.backend,
                "database": database_name,
                "archived_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "files": {name: _sha256(path) for name, path in files.items()},
            }
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
                for name, path in sorted(files.items()):
                    tar.add(path, arcname=name, recursive=False)
                tar.close()
                raw.flush()
                os.fsync(raw.fileno())
            # Read back before anything is removed: every member whole, the dump a sound database
            # of the same schema.
            with tempfile.TemporaryDirectory(dir=work) as check:
                read = read_archive(partial, Path(check))
                if read.manifest["schema_revision"] != revision:
                    raise ArchiveError("l'archive relue ne porte pas le bon schéma.")
                try:
                    checked = check_backup(read.database)
                except BackupError as error:
                    raise ArchiveError(f"la base relue dans l'archive est refusée : {error}")
                if checked.revision != revision:
                    raise ArchiveError("la base relue dans l'archive n'a pas le bon schéma.")
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
        dispose(app)
    return Archived(slug=slug, path=final, size=final.stat().st_size, revision=revision)


def _folder_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """The folder's regular files to archive (relative POSIX path, path); links are not followed."""
    for directory, dirnames, filenames in os.walk(folder):
        here = Path(directory)
        if here == folder:
            dirnames[:] = [name for name in dirnames if name not in LEFT_OUT_DIRS]
        for name in sorted(filenames):
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if here == folder and name.startswith(LEFT_OUT):
                continue
            if path.is_symlink() or not path.is_file():
                continue
            yield relative, path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


# --- reading an archive back -------------------------------------------------------------------


@dataclass(frozen=True)
class ReadArchive:
    manifest: dict
    folder: Path  # the perimeter's folder, unpacked
    database: Path  # the database dump, unpacked


def _not_ours(path: Path, why: str) -> ArchiveError:
    return ArchiveError(f"{path.name} n'est pas une archive de périmètre coopere ({why}).")


def read_archive(path: Path, into: Path) -> ReadArchive:
    """Unpack archive `path` into folder `into` (which must be empty), checking that it is one of
    ours and that every member is whole (its SHA-256 is the manifest's). Only plain files and
    folders inside `into` are written: nothing of the archive is trusted to name a place."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"le fichier {path} n'existe pas.")
    try:
        tar = tarfile.open(path, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _not_ours(path, f"ce n'est pas un fichier .tar.gz lisible : {error}") from error
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as error:
            raise _not_ours(path, f"le fichier est abîmé : {error}") from error
        by_name = {member.name: member for member in members}
        if MANIFEST not in by_name or not by_name[MANIFEST].isfile():
            raise _not_ours(path, "pas de manifest.json")
        try:
            manifest = json.loads(tar.extractfile(by_name[MANIFEST]).read().decode())
        except (ValueError, UnicodeDecodeError) as error:
            raise _not_ours(path, "manifest.json illisible") from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _not_ours(path, "manifest.json ne décrit pas un périmètre coopere")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ArchiveError(
                f"{path.name} est une archive d'un format que ce programme ne connaît pas "
                f"(version {manifest.get('format_version')}) : mettez coopere à jour."
            )
        expected = manifest.get("files") or {}
        database_name = manifest.get("database")
        if not isinstance(expected, dict) or database_name not in expected:
            raise _not_ours(path, "pas de base de données")
        missing = set(expected) - {m.name for m in members if m.isfile()}
        if missing:
            raise ArchiveError(
                f"{path.name} est incomplète : il manque {', '.join(sorted(missing))}."
            )
        folder = into / FOLDER
        folder.mkdir(mode=0o700)
        for member in members:
            if member.name == MANIFEST or member.isdir():
                continue
            target = _safe_target(path, into, member)
            if member.name not in expected:
                raise _not_ours(path, f"membre inattendu : {member.name}")
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
            if digest.hexdigest() != expected[member.name]:
                raise ArchiveError(
                    f"{path.name} est abîmée : {member.name} ne correspond pas à son empreinte."
                )
    return ReadArchive(manifest=manifest, folder=folder, database=into / database_name)


def _safe_target(archive: Path, into: Path, member: tarfile.TarInfo) -> Path:
    name = PurePosixPath(member.name)
    if (
        not member.isfile()
        or name.is_absolute()
        or ".." in name.parts
        or not (name.parts[0] == FOLDER or len(name.parts) == 1)
    ):
        raise _not_ours(archive, f"membre refusé : {member.name}")
    return into.joinpath(*name.parts)


# --- restoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    slug: str
    revision: str
    needs_upgrade: bool


def restore_perimeter(network: Network, archive: Path, *, slug: str | None = None) -> Restored:
    """Unpack `archive` as perimeter `slug` (by default the archived one's) of this network, with
    its database, and serve it — or keep it in maintenance until `upgrade` when its schema is
    older than the code's. ArchiveError (French) when refused; nothing is left behind then."""
    archive = Path(archive)
    network.perimeters_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=network.perimeters_dir, prefix=".restore-") as work:
        read = read_archive(archive, Path(work))
        manifest = read.manifest
        try:
            slug = check_slug(slug or manifest.get("slug") or "")
        except SlugError as error:
            raise ArchiveError(f"identifiant refusé : {error}") from error
        _check_free(network, slug)
        backend = "postgresql" if network.database_url_template else "sqlite"
        if manifest.get("backend") != backend:
            names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
            raise ArchiveError(
                f"cette archive contient une base {names.get(manifest.get('backend'), '?')}, or "
                f"ce réseau utilise {names[backend]} : elle ne peut pas être restaurée ici."
            )
        revision = manifest.get("schema_revision")
        known, heads = known_revisions()
        if revision not in known:
            raise ArchiveError(
                f"cette archive vient d'une version de coopere plus récente que celle-ci (schéma "
                f"{revision}) : mettez coopere à jour sur cette machine avant de la restaurer."
            )
        needs_upgrade = revision not in heads
        folder = network.instance_path(slug)
        os.replace(read.folder, folder)  # the same file system: at once, whole
        created_database = False
        try:
            if backend == "postgresql":
                _pg_create_empty(database_url(network, slug))
                created_database = True
            _restore_database(network, slug, read.database)
            fields = {field: manifest["registry"].get(field) for field in REGISTRY_FIELDS}
            if needs_upgrade:
                status, reason = (
                    Status.MAINTENANCE,
                    f"restauré depuis une archive au schéma plus ancien ({revision}) : lancez "
                    "`flask --app coopere.network upgrade`",
                )
            else:
                status, reason = Status.ACTIVE, ""
            _register(network, slug, fields, status, reason)
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)
            if created_database:
                drop_database(network, slug)
            raise
    return Restored(slug=slug, revision=revision, needs_upgrade=needs_upgrade)


def _check_free(network: Network, slug: str) -> None:
    entry = registry.get(network, slug)
    if entry is not None and entry.status != Status.ARCHIVED.value:
        raise ArchiveError(
            f"l'identifiant « {slug} » est déjà utilisé dans ce réseau (périmètre "
            f"« {entry.name} », {entry.status_label}) : choisissez-en un autre avec --slug."
        )
    if network.instance_path(slug).exists():
        raise ArchiveError(
            f"le dossier {network.instance_path(slug)} existe déjà : choisissez un autre "
            "identifiant avec --slug."
        )
    url = database_url(network, slug)
    if not url.startswith("sqlite") and pg_database_exists(url):
        raise ArchiveError(
            f"la base PostgreSQL « {make_url(url).database} » existe déjà : choisissez un autre "
            "identifiant avec --slug."
        )


def _pg_create_empty(url: str) -> None:
    admin = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                sql.Identifier(make_url(url).database)
            )
        )


def _restore_database(network: Network, slug: str, dump: Path) -> None:
    """The dump into the perimeter's (new, empty) database, through coopere's restore service:
    checked first, written in one transaction, recorded in the perimeter's audit log."""
    app = build_perimeter_app(network, slug)
    try:
        with app.app_context(), tempfile.TemporaryDirectory(dir=dump.parent) as safety:
            try:
                restore_database(dump, directory=Path(safety))
            except BackupError as error:
                raise ArchiveError(f"la base de l'archive n'a pas pu être restaurée : {error}")
    finally:
        dispose(app)


def _register(network: Network, slug: str, fields: dict, status: Status, reason: str) -> None:
    """Add the perimeter to the registry, or bring back its archived entry."""
    with registry.session(network) as db:
        entry = db.scalar(select(PerimeterEntry).where(PerimeterEntry.slug == slug))
        if entry is None:
            db.add(
                PerimeterEntry(
                    slug=slug,
                    created_at=registry.now(),
                    status_changed_at=registry.now(),
                    status=status.value,
                    status_reason=reason,
                    **{key: value for key, value in fields.items() if value is not None},
                )
            )
        else:
            for key, value in fields.items():
                if value is not None:
                    setattr(entry, key, value)
            entry.status, entry.status_reason = status.value, reason
            entry.status_changed_at = registry.now()
        db.commit()
