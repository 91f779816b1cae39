"""Perimeters' databases in a network: the template migrated once, and a perimeter's database
made from it (a file copy for SQLite, `CREATE DATABASE … TEMPLATE …` for PostgreSQL) — far faster
than replaying every migration for each new perimeter."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from .. import create_app
from ..extensions import db
from .folder import Network
from .sites import database_url, dispose, head_revision


def _build_schema(instance: Path, url: str) -> None:
    """Run every migration on `url`, and add what every perimeter starts with (the themes)."""
    from flask_migrate import upgrade

    from ..listings.themes import seed_themes

    app = create_app(
        test_config={"SQLALCHEMY_DATABASE_URI": url, "PUBLIC_URL": None},
        instance_path=instance,
    )
    try:
        with app.app_context():
            upgrade()
            seed_themes()
            db.session.commit()
    finally:
        dispose(app)


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_template(network: Network) -> Path:
    """The SQLite database migrated to the code's newest revision, made once per revision."""
    path = network.template_dir / f"coopere-{head_revision()}.sqlite3"
    if path.exists():
        return path
    network.template_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=network.template_dir) as work:
        built = Path(work) / "coopere.sqlite3"
        _build_schema(Path(work), f"sqlite:///{built}")
        os.replace(built, path)  # atomic: two creations at once never see a half-made template
    for old in network.template_dir.glob("coopere-*.sqlite3"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


# --- PostgreSQL --------------------------------------------------------------------------------


def _admin_dsn(url: str) -> str:
    """The server of `url`, on its `postgres` database (where CREATE/DROP DATABASE are run)."""
    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    return parsed.render_as_string(hide_password=False)


def _database_name(url: str) -> str:
    return make_url(url).database


def pg_database_exists(url: str) -> bool:
    with psycopg.connect(_admin_dsn(url), autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (_database_name(url),)
        ).fetchone()
    return found is not None


def pg_drop(url: str) -> None:
    with psycopg.connect(_admin_dsn(url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(_database_name(url))
            )
        )


def pg_template(network: Network) -> str:
    """The name of the PostgreSQL template database at the code's newest revision (made once)."""
    url = database_url(network, f"template_{head_revision()}")  # "template" is no perimeter's slug
    name = _database_name(url)
    if pg_database_exists(url):
        return name
    # Built under a name of its own, then renamed: a creation running at the same time (another
    # worker, another command) never copies a template still being migrated, as a SQLite one is
    # never seen half-made (os.replace above).
    work_name = f"{name}_{os.getpid()}_{secrets.token_hex(4)}"
    work_url = make_url(url).set(database=work_name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_dsn(url), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(work_name)))
    try:
        with tempfile.TemporaryDirectory() as work:
            _build_schema(Path(work), work_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with psycopg.connect(_admin_dsn(url), autocommit=True) as connection:
            connection.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(work_name), sql.Identifier(name)
                )
            )
    except psycopg.errors.DuplicateDatabase:  # another creation finished first: use its template
        pg_drop(work_url)
    except Exception:
        pg_drop(work_url)
        raise
    return name


def pg_create_from_template(url: str, template: str) -> None:
    with psycopg.connect(_admin_dsn(url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(_database_name(url)), sql.Identifier(template)
            )
        )


# --- one perimeter -----------------------------------------------------------------------------


def create_database(network: Network, slug: str) -> None:
    """The perimeter's database, at the newest schema, from the template. FileExistsError when it
    exists already (nothing is overwritten)."""
    url = database_url(network, slug)
    if url.startswith("sqlite"):
        target = Path(url.removeprefix("sqlite:///"))
        if target.exists():
            raise FileExistsError(target)
        template = sqlite_template(network)
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(template, partial)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
        return
    if pg_database_exists(url):
        raise FileExistsError(_database_name(url))
    pg_create_from_template(url, pg_template(network))


def drop_database(network: Network, slug: str) -> None:
    url = database_url(network, slug)
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        pg_drop(url)
