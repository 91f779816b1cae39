"""A network of perimeters in a temporary folder, served by one WSGI entry (the dispatcher), on
SQLite or, with COOPERE_TEST_DB=postgresql, on one PostgreSQL database per perimeter (created on
the test server under a name of this run's, dropped at the end). The fixtures: conftest.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from werkzeug.test import Client

from coopere.network import Network, NetworkDispatcher
from coopere.network.create import NewPerimeter, create_perimeter
from coopere.network.databases import pg_drop
from coopere.network.sites import database_url, perimeter_app, warm_apps
from helpers import BACKEND, PASSWORD, PG_URL, csrf_token
from templates_support import drop_template, seed_template

BASE = "https://reseau.example.org"

#: What the network's perimeters share (network.py): cheap hashes and counters in memory keep
#: the tests fast; everything else is a production setting.
SETTINGS = {
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_LOGIN": "1000 per minute",
    "RATELIMIT_ACTIVATION": "1000 per minute",
    "RATELIMIT_ACTIVATION_GLOBAL": "1000 per minute",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
    "PREFERRED_URL_SCHEME": "https",
}

#: Words found only in perimeter B (and A): what must never show in the other one.
B_SECRETS = ("Zéphyrine", "Bartholoméa", "zephyrine.b@tilleuls.example.org", "Vélo cargo bleu")
A_SECRETS = ("Anatole", "Aubépine", "anatole.a@lilas.example.org", "Scie sauteuse verte")


class Browser(Client):
    """A test client that honours full addresses (`https://host/path`): their scheme and host
    are the request's, as a browser sends them (werkzeug's client keeps only the path); a form is
    posted with the Referer of its own site, as a browser does (HTTPS CSRF checks read it)."""

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str) and "://" in args[0]:
            parts = urlsplit(args[0])
            origin = f"{parts.scheme}://{parts.netloc}"
            kwargs.setdefault("base_url", origin)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            args = (path, *args[1:])
            if kwargs.get("method", "GET") != "GET":
                headers = dict(kwargs.get("headers") or {})
                headers.setdefault("Referer", origin + "/")
                kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@dataclass
class Perimeters:
    network: Network
    dispatcher: NetworkDispatcher
    logins: dict[str, str] = field(default_factory=dict)  # slug → the pilote's login
    databases: list[str] = field(default_factory=list)

    def app(self, slug: str):
        return perimeter_app(self.network, slug)

    def client(self, **kwargs) -> Browser:
        return Browser(self.dispatcher, **kwargs)

    def login(self, slug: str, login: str | None = None, password: str = PASSWORD) -> Client:
        """A client logged in to perimeter `slug` (its pilote unless `login` is given)."""
        client = self.client()
        prefix = f"{BASE}/{slug}"
        token = csrf_token_of(client, f"{prefix}/connexion")
        response = client.post(
            f"{prefix}/connexion",
            data={"csrf_token": token, "login": login or self.logins[slug], "password": password},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client


def csrf_token_of(client: Client, url: str) -> str:
    return csrf_token(client, url)


def write_settings(root: Path, extra: dict | None = None, *, pg_prefix: str | None = None) -> None:
    lines = [f"PUBLIC_URL = {BASE!r}", "SECRET_KEY = 'network-test-secret'"]
    for key, value in {**SETTINGS, **(extra or {})}.items():
        lines.append(f"{key} = {value!r}")
    if pg_prefix:
        server = make_url(PG_URL).set(drivername="postgresql", database="DATABASE")
        template = server.render_as_string(hide_password=False).replace(
            "/DATABASE", f"/{pg_prefix}_{{slug}}"
        )
        lines.append(f"DATABASE_URL_TEMPLATE = {template!r}")
    root.mkdir(parents=True, exist_ok=True)
    (root / "network.py").write_text("\n".join(lines) + "\n")


def new_perimeter(slug: str, name: str, first: str, last: str, login: str) -> NewPerimeter:
    return NewPerimeter(
        slug=slug,
        name=name,
        city="Nantes",
        postcode="44300",
        estimated_dwellings=250,
        meeting_place="Place du marché",
        pilote_first_name=first,
        pilote_last_name=last,
        pilote_login=login,
    )


def make_network(root: Path, extra: dict | None = None, slugs=("a", "b")) -> Perimeters:
    pg_prefix = f"coopere_t{uuid.uuid4().hex[:8]}" if BACKEND == "postgresql" else None
    write_settings(root, extra, pg_prefix=pg_prefix)
    network = Network(root)
    seed_template(network)
    perimeters = Perimeters(network, None)  # type: ignore[arg-type]
    people = {
        "a": ("Anatole", "Aubépine", "anatole.a@lilas.example.org", "Coop-ère des Lilas"),
        "b": ("Zéphyrine", "Bartholoméa", "zephyrine.b@tilleuls.example.org", "Coop-ère Tilleuls"),
    }
    for slug in slugs:
        first, last, login, name = people[slug]
        if pg_prefix:
            perimeters.databases.append(database_url(network, slug))
        create_perimeter(network, new_perimeter(slug, name, first, last, login), letter=False)
        perimeters.logins[slug] = login
    perimeters.dispatcher = NetworkDispatcher(network)
    return perimeters


def close_network(perimeters: Perimeters) -> None:
    warm_apps(perimeters.network).clear()
    for url in perimeters.databases:
        pg_drop(url)
    drop_template(perimeters.network)


def seed_perimeter(app, slug: str) -> None:
    """The pilote (user 1), an animator (2) and a member (3) with the password PASSWORD, the
    objects the routes' example arguments name (tests/routes.py), and things found only here."""
    from coopere.auth.models import Role, User
    from coopere.auth.services import set_password
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from routes import seed_examples

    secrets = A_SECRETS if slug == "a" else B_SECRETS
    with app.app_context():
        pilote = db.session.get(User, 1)
        set_password(pilote, PASSWORD)
        for n, role in ((2, Role.ANIMATOR), (3, Role.MEMBER)):
            user = User(
                id=n,
                role=role.value,
                first_name=f"{secrets[0]}{n}",
                last_name=f"{secrets[1]}{n}",
                email=f"{role.value}.{slug}@example.org",
            )
            db.session.add(user)
            db.session.flush()
            set_password(user, PASSWORD)
        db.session.commit()
        _move_sequences_on()
    seed_examples(app)
    with app.app_context():
        db.session.add(
            Listing(
                owner_id=3,
                theme_id=1,
                kind="offer",
                title=secrets[3],
                description=f"Chez {secrets[0]}, au fond de la cour.",
                status="open",
                created_by_id=3,
                published_at=__import__("coopere.timeutil").timeutil.utcnow(),
            )
        )
        db.session.commit()
        _move_sequences_on()


def _move_sequences_on() -> None:
    """PostgreSQL: after rows given explicit ids, the next ids come after them."""
    from coopere.extensions import db

    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            db.session.execute(
                db.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false)'
                )
            )
    db.session.commit()
