"""The network folder: its layout and its settings (`<network>/network.py`)."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from flask import Config

from ..config import ROOT
from ..urls import PublicUrlInvalid, normalise_public_url

#: Settings of network.py that are the network's own; every other one is a default for every
#: perimeter (MAIL_SERVER, MAIL_DEFAULT_SENDER, QUEUE_URL…), which a perimeter's config.py may
#: still override.
NETWORK_ONLY = frozenset(
    {
        "PUBLIC_URL",
        "DATABASE_URL_TEMPLATE",
        "NETWORK_DATABASE_URL",
        "HOSTS",
        "WARM_APPS",
        "POOL_SIZE",
        "SECRET_KEY",
    }
)
DEFAULT_WARM_APPS = 16


class NetworkError(RuntimeError):
    """A network setting or folder that cannot be used; the message says why, in French."""


class Network:
    """A network folder:

    ```
    <root>/network.py            settings (optional; see README « Héberger un réseau »)
    <root>/network.sqlite3       the network's own database (the perimeters and their state)
    <root>/queue.sqlite3         the background queue (coopere/queue.py)
    <root>/template/             a database migrated once, copied to create a perimeter
    <root>/perimeters/<slug>/    one instance folder per perimeter, as in a single deployment
    <root>/archives/             archived perimeters (`perimeters archive`)
    ```
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    @classmethod
    def from_env(cls) -> Network:
        root = os.environ.get("COOPERE_NETWORK")
        if not root:
            raise NetworkError(
                "la variable COOPERE_NETWORK n'est pas réglée : indiquez le dossier du réseau, "
                "par exemple COOPERE_NETWORK=/srv/coopere-reseau"
            )
        return cls(root)

    def __repr__(self) -> str:
        return f"Network({str(self.root)!r})"

    # --- folders ---------------------------------------------------------------------------

    @property
    def perimeters_dir(self) -> Path:
        return self.root / "perimeters"

    def instance_path(self, slug: str) -> Path:
        return self.perimeters_dir / slug

    @property
    def queue_path(self) -> Path:
        return self.root / "queue.sqlite3"

    @property
    def template_dir(self) -> Path:
        return self.root / "template"

    @property
    def archives_dir(self) -> Path:
        return self.root / "archives"

    # --- settings --------------------------------------------------------------------------

    @cached_property
    def config(self) -> Config:
        config = Config(str(self.root))
        config.from_pyfile("network.py", silent=True)
        config.from_prefixed_env("COOPERE_NETWORK")  # e.g. COOPERE_NETWORK_PUBLIC_URL
        return config

    @cached_property
    def public_base(self) -> str | None:
        """The network's public address, without a trailing slash: perimeters are below it."""
        try:
            return normalise_public_url(self.config.get("PUBLIC_URL"))
        except PublicUrlInvalid as error:
            raise NetworkError(f"réglage PUBLIC_URL du réseau refusé : {error}")

    @property
    def database_url_template(self) -> str | None:
        """`postgresql://…/coopere_{slug}`: one PostgreSQL database per perimeter; None: SQLite in
        each perimeter's folder."""
        template = self.config.get("DATABASE_URL_TEMPLATE")
        if template and "{slug}" not in template:
            raise NetworkError("DATABASE_URL_TEMPLATE doit contenir {slug}.")
        return template or None

    @property
    def registry_url(self) -> str:
        return (
            self.config.get("NETWORK_DATABASE_URL") or f"sqlite:///{self.root / 'network.sqlite3'}"
        )

    @property
    def hosts(self) -> dict[str, str]:
        """Host name → slug, for perimeters served on a name of their own."""
        return {host.lower(): slug for host, slug in (self.config.get("HOSTS") or {}).items()}

    def host_of(self, slug: str) -> str | None:
        for host, owner in self.hosts.items():
            if owner == slug:
                return host
        return None

    @property
    def warm_apps(self) -> int:
        return max(1, int(self.config.get("WARM_APPS") or DEFAULT_WARM_APPS))

    @property
    def pool_size(self) -> int:
        """PostgreSQL connections one perimeter's app keeps open in one worker (small: a worker
        holds up to WARM_APPS perimeters at once)."""
        return max(1, int(self.config.get("POOL_SIZE") or 2))

    def perimeter_defaults(self) -> dict:
        return {key: value for key, value in self.config.items() if key not in NETWORK_ONLY}


def default_network_path() -> Path:
    return Path(os.environ.get("COOPERE_NETWORK") or ROOT / "network")
