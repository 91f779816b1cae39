"""Fixtures of the network's operation tests (test_operations.py): a network folder on this run's
database leg, perimeters created as the `perimeters create` command does, a member who can log in,
and a browser on the network's WSGI entry."""

from __future__ import annotations

import io
import json
import tarfile
import uuid

import psycopg
import pytest
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url
from werkzeug.test import Client

from coopere.auth.models import User
from coopere.auth.passwords import hash_password
from coopere.extensions import db
from coopere.listings.models import Theme
from coopere.network import NetworkDispatcher, create_network_app
from coopere.network.create import NewPerimeter, create_perimeter
from coopere.network.folder import Network
from coopere.network.sites import build_perimeter_app, dispose, warm_apps
from factories import make_listing
from helpers import BACKEND, PASSWORD, PG_URL, csrf_token
from templates_support import seed_template

SETTINGS = """
PUBLIC_URL = "http://localhost"
RATELIMIT_STORAGE_URI = "memory://"
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST = 1024
ARGON2_PARALLELISM = 1
"""


def _pg_template(prefix: str) -> str:
    url = make_url(PG_URL)
    password = f":{url.password}" if url.password else ""
    return f"postgresql://{url.username}{password}@{url.host}:{url.port or 5432}/{prefix}_{{slug}}"


def _pg_admin() -> str:
    return (
        make_url(PG_URL)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


@pytest.fixture
def ops_networks(tmp_path):
    """Factory: ops_networks(name) -> a new network folder (its own databases on PostgreSQL)."""
    made: list[tuple[Network, str]] = []

    def _make(name: str = "reseau") -> Network:
        root = tmp_path / name
        root.mkdir()
        settings = SETTINGS
        prefix = f"coopere_o{uuid.uuid4().hex[:8]}"
        if BACKEND == "postgresql":
            settings += f"DATABASE_URL_TEMPLATE = {_pg_template(prefix)!r}\n"
        (root / "network.py").write_text(settings)
        network = Network(root)
        seed_template(network)
        made.append((network, prefix))
        return network

    yield _make
    for network, prefix in made:
        warm_apps(network).clear()
        if BACKEND == "postgresql":
            with psycopg.connect(_pg_admin(), autocommit=True) as connection:
                names = connection.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "\\_%",)
                ).fetchall()
                for (name,) in names:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def ops_network(ops_networks) -> Network:
    return ops_networks("reseau")


def new_perimeter(network: Network, slug: str, name: str | None = None) -> None:
    create_perimeter(
        network,
        NewPerimeter(
            slug=slug,
            name=name or f"Coop-ère {slug}",
            city="Lyon",
            postcode="69004",
            estimated_dwellings=250,
            meeting_place="Salle des fêtes",
            pilote_first_name="Anne",
            pilote_last_name="Pilote",
            pilote_login=f"pilote-{slug}@example.org",
        ),
        letter=False,
    )


def add_member(network: Network, slug: str, first_name: str, listing_title: str) -> str:
    """A member with a password and an open listing, in perimeter `slug`; returns their login."""
    login = f"{first_name.lower()}@example.org"
    app = build_perimeter_app(network, slug)
    try:
        with app.app_context():
            user = User(
                role="member",
                first_name=first_name,
                last_name="Habitante",
                email=login,
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
            db.session.commit()
            user_id = user.id
            theme_id = db.session.scalar(db.select(Theme.id).order_by(Theme.id))
        make_listing(app, user_id, theme_id, listing_title)
    finally:
        dispose(app)
    return login


def in_perimeter(network: Network, slug: str, statement: str, **params):
    """Run one SQL statement in the perimeter's database (its own app), the first row back."""
    app = build_perimeter_app(network, slug)
    try:
        with app.app_context(), db.engine.begin() as connection:
            result = connection.execute(sql_text(statement), params)
            return result.first() if result.returns_rows else None
    finally:
        dispose(app)


def migrate_down(network: Network, slug: str, steps: int) -> None:
    """Take a perimeter's schema `steps` revisions back, as if made by an older coopere."""
    from flask_migrate import downgrade

    app = build_perimeter_app(network, slug)
    try:
        with app.app_context():
            downgrade(revision=f"-{steps}")
    finally:
        dispose(app)


def cli(network: Network, *args: str):
    """Run `flask --app coopere.network ARGS…` on this network."""
    return create_network_app(network).test_cli_runner().invoke(args=list(args))


def browser(network: Network) -> Client:
    """A browser on the network's WSGI entry (a fresh dispatcher: it reads the list anew)."""
    return Client(NetworkDispatcher(network))


def log_in(client: Client, slug: str, login: str):
    token = csrf_token(client, f"/{slug}/connexion")
    return client.post(
        f"/{slug}/connexion", data={"csrf_token": token, "login": login, "password": PASSWORD}
    )


def rewrite_manifest(archive, target, **changes) -> None:
    """A copy of `archive` at `target` whose manifest has `changes` (as another coopere would)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest.update(changes)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
