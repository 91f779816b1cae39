"""A perimeter's app inside a network: its settings (address, cookies, database) and the bounded set
of warm apps each process keeps."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from flask import Flask
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from .. import create_app
from ..config import ROOT, database_uri
from ..extensions import db
from ..ratelimit import forget_counters_engine
from .folder import Network


def database_url(network: Network, slug: str) -> str:
    """Where a perimeter's data lives: its PostgreSQL database when DATABASE_URL_TEMPLATE is set,
    else the SQLite file in its folder."""
    template = network.database_url_template
    if template:
        return template.replace("{slug}", slug.replace("-", "_"))
    return database_uri(network.instance_path(slug))


def mount_path(network: Network, slug: str) -> str:
    """The path the perimeter is served under: `/<slug>`, or `` on a host name of its own."""
    return "" if network.host_of(slug) else f"/{slug}"


def public_url(network: Network, slug: str) -> str | None:
    host = network.host_of(slug)
    base = network.public_base
    if host:
        scheme = base.split("://", 1)[0] if base else "https"
        return f"{scheme}://{host}"
    return f"{base}/{slug}" if base else None


def perimeter_settings(network: Network, slug: str) -> dict:
    """What the network decides for each perimeter, over anything else: its address, the path its
    cookies are sent to (a session of one perimeter is never sent to another), its database, and
    a small connection pool."""
    mount = mount_path(network, slug)
    url = database_url(network, slug)
    settings = {
        "NETWORK_SLUG": slug,
        "APPLICATION_ROOT": mount or "/",
        "SESSION_COOKIE_PATH": f"{mount}/",
        "REMEMBER_COOKIE_PATH": f"{mount}/",
        "PUBLIC_URL": public_url(network, slug),
        "SQLALCHEMY_DATABASE_URI": url,
    }
    if not url.startswith("sqlite"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": network.pool_size,
            "max_overflow": network.pool_size,
            "pool_pre_ping": True,
            "pool_recycle": 3600,
        }
    return settings


class SharedBytecode(BytecodeCache):
    """Jinja's compiled templates, shared by every perimeter's app in the process: a cold
    perimeter renders its first page without compiling the templates again."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        with self._lock:
            self._store[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = SharedBytecode()


def build_perimeter_app(network: Network, slug: str) -> Flask:
    """A new app for perimeter `slug` (not kept: see `perimeter_app`)."""
    app = create_app(
        test_config=perimeter_settings(network, slug),
        instance_path=network.instance_path(slug),
        defaults=network.perimeter_defaults(),
    )
    app.jinja_env.bytecode_cache = SHARED_BYTECODE
    from ..association.link import NetworkLink

    # What a perimeter's pages and jobs may ask of its network (its coach, the training days, where
    # its nightly figures go): handed in, never imported by the perimeter's code.
    link = NetworkLink(network, slug)
    app.extensions["coopere.network_link"] = link
    # The network's sheets, shared by its perimeters: every sheet page, printout, the sheet of the
    # month and « Lancer ce projet » read them (coopere/sheets/library.source).
    app.extensions["coopere.network_sheets"] = link.sheets
    return app


def dispose(app: Flask) -> None:
    """Release what an app holds: its database connections and its rate-limit counters' engine."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    forget_counters_engine(app.instance_path)


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest schema revision in migrations/."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def schema_revision(network: Network, slug: str) -> str | None:
    """The revision a perimeter's database is at (None: no schema, or unreadable)."""
    url = database_url(network, slug)
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no table, no database, refused: not up to date
        return None
    finally:
        engine.dispose()


class WarmApps:
    """The perimeters' apps a process keeps built, at most `size`, least recently used dropped
    first (its database engines disposed). An app is built on its perimeter's first request."""

    def __init__(self, network: Network, size: int | None = None):
        self.network = network
        self.size = size or network.warm_apps
        self._apps: OrderedDict[str, Flask] = OrderedDict()
        self._lock = threading.RLock()
        self.built = 0  # how many apps this process built (a figure for the benchmarks)

    def __len__(self) -> int:
        return len(self._apps)

    def __contains__(self, slug: str) -> bool:
        return slug in self._apps

    def slugs(self) -> list[str]:
        with self._lock:
            return list(self._apps)

    def get(self, slug: str) -> Flask:
        with self._lock:
            app = self._apps.get(slug)
            if app is not None:
                self._apps.move_to_end(slug)
                return app
            app = build_perimeter_app(self.network, slug)
            self.built += 1
            self._apps[slug] = app
            while len(self._apps) > self.size:
                _, dropped = self._apps.popitem(last=False)
                dispose(dropped)
            return app

    def drop(self, slug: str) -> None:
        with self._lock:
            app = self._apps.pop(slug, None)
        if app is not None:
            dispose(app)

    def clear(self) -> None:
        with self._lock:
            apps, self._apps = list(self._apps.values()), OrderedDict()
        for app in apps:
            dispose(app)


_warm: dict[Path, WarmApps] = {}
_warm_lock = threading.Lock()


def warm_apps(network: Network) -> WarmApps:
    """This process's warm apps for `network`."""
    with _warm_lock:
        if network.root not in _warm:
            _warm[network.root] = WarmApps(network)
        return _warm[network.root]


def perimeter_app(network: Network, slug: str) -> Flask:
    """Perimeter `slug`'s app, from this process's warm set (built on first use)."""
    return warm_apps(network).get(slug)
