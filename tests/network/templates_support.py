"""The migrated template database, made once per test process and given to each new test network:
without it, every network a test makes would run every migration again for its first perimeter
(seconds on SQLite, more on PostgreSQL). The production path that makes a template
(databases.sqlite_template / pg_template) runs here once per process, and in the tests that
upgrade to a new revision."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from coopere.network.databases import (
    pg_create_from_template,
    pg_database_exists,
    pg_drop,
    pg_template,
    sqlite_template,
)
from coopere.network.folder import Network
from coopere.network.sites import database_url, head_revision
from helpers import PG_URL

_made: dict[str, object] = {}


def _session_network(pg: bool) -> Network:
    root = Path(tempfile.mkdtemp(prefix="coopere-template-"))
    atexit.register(shutil.rmtree, root, True)
    if pg:
        server = make_url(PG_URL).set(drivername="postgresql", database="DATABASE")
        url = server.render_as_string(hide_password=False).replace(
            "/DATABASE", f"/coopere_s{uuid.uuid4().hex[:8]}_{{slug}}"
        )
        (root / "network.py").write_text(f"DATABASE_URL_TEMPLATE = {url!r}\n")
    return Network(root)


def seed_template(network: Network) -> None:
    """Give `network` this process's template database (a file copy on SQLite, CREATE DATABASE …
    TEMPLATE on PostgreSQL), under the name its own commands look for."""
    if network.database_url_template is None:
        source = _made.get("sqlite")
        if source is None:
            source = _made["sqlite"] = sqlite_template(_session_network(pg=False))
        network.template_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, network.template_dir / source.name)
        return
    name = _made.get("pg")
    if name is None:
        session = _session_network(pg=True)
        name = _made["pg"] = pg_template(session)
        atexit.register(pg_drop, database_url(session, f"template_{head_revision()}"))
    target = database_url(network, f"template_{head_revision()}")
    if not pg_database_exists(target):
        pg_create_from_template(target, name)


def drop_template(network: Network) -> None:
    """The network's own copy of the template (PostgreSQL): dropped with its perimeters."""
    if network.database_url_template is not None:
        pg_drop(database_url(network, f"template_{head_revision()}"))
