"""Shared fixtures: an app per test on SQLite (or PostgreSQL), clients, and people of each role."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from coopere import create_app
from coopere.auth.models import Role, User
from coopere.auth.passwords import hash_password
from coopere.extensions import db
from coopere.network.sites import SHARED_BYTECODE
from factories import make_listing
from helpers import BACKEND, PASSWORD, PG_URL, login, reset_database, test_config


def pytest_report_header(config):
    return f"coopere database leg: {BACKEND}" + (f" ({PG_URL})" if BACKEND == "postgresql" else "")


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """A private schema in the PostgreSQL test database for this run, dropped at the end."""
    if BACKEND != "postgresql":
        yield None
        return
    schema = f"coopere_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    yield schema
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture
def make_app(tmp_path, pg_schema):
    """Build an app for this test's database, with config overrides."""
    apps = []

    def _make(**overrides):
        app = create_app(
            test_config(tmp_path, pg_schema, **overrides), instance_path=tmp_path / "instance"
        )
        # An app per test, as a network builds one per perimeter: they share the compiled
        # templates likewise (compiling them again was a third of a short test's time).
        app.jinja_env.bytecode_cache = SHARED_BYTECODE
        if not apps:
            reset_database(app)
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def empty_app(tmp_path, pg_schema):
    """An app on a database with no table at all, as after installation (for `flask db upgrade`)."""
    config = test_config(tmp_path, None)
    admin = None
    if pg_schema is not None:
        schema = f"{pg_schema}_e{uuid.uuid4().hex[:6]}"
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        config.update(
            SQLALCHEMY_DATABASE_URI=PG_URL,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": f"-c search_path={schema}"}},
        )
    app = create_app(config, instance_path=tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_user(app) -> Callable[..., User]:
    """Factory: create_user(role=Role.MEMBER, password=PASSWORD, **columns) -> a committed User."""
    counter = iter(range(1, 10_000))

    def _create(role: Role = Role.MEMBER, password: str | None = PASSWORD, **columns) -> User:
        n = next(counter)
        columns.setdefault("first_name", f"Prénom{n}")
        columns.setdefault("last_name", f"Nom{n}")
        if password is not None and "phone" not in columns:
            columns.setdefault("email", f"{role.value}{n}@example.org")
        with app.app_context():
            user = User(
                role=role.value,
                password_hash=hash_password(password) if password else None,
                **columns,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return _create


@pytest.fixture
def create_perimeter(app):
    """Factory: create_perimeter(**settings) -> the perimeter's settings dict, committed."""

    def _create(**settings):
        from coopere.perimeter.services import DEFAULT_CHARTER, save_settings

        values = {
            "name": "Coop-ère de la rue des Lilas",
            "short_name": "Coop-ère Lilas",
            "city": "Nantes",
            "postcode": "44300",
            "estimated_dwellings": 250,
            "meeting_place": "Place des Lilas, devant la boulangerie",
            "contact": "lilas@example.org",
            "charter_text": DEFAULT_CHARTER,
            **settings,
        }
        with app.app_context():
            save_settings(values)
            db.session.commit()
        return values

    return _create


@pytest.fixture
def users(create_user, create_perimeter):
    """One person of each role, on a configured perimeter."""
    create_perimeter()
    return {
        "member": create_user(Role.MEMBER),
        "animator": create_user(Role.ANIMATOR),
        "admin": create_user(Role.ADMIN),
    }


@pytest.fixture
def client_as(app, users):
    """client_as('member' | 'animator' | 'admin' | None) -> a logged-in (or anonymous) test
    client."""

    def _client(role: str | None):
        client = app.test_client()
        if role is not None:
            response = login(client, users[role])
            assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _client


@pytest.fixture
def themes(app) -> dict[str, int]:
    """The method's themes (seeded), slug -> id."""
    from sqlalchemy import select

    from coopere.listings.models import Theme
    from coopere.listings.themes import seed_themes

    with app.app_context():
        seed_themes()
        db.session.commit()
        return {theme.slug: theme.id for theme in db.session.scalars(select(Theme))}


@pytest.fixture
def create_listing(app, themes) -> Callable[..., int]:
    """Factory: create_listing(owner, title=…, theme="conseils", status="open", kind="offer",
    age=minutes, **columns) -> the id of a committed listing (factories.make_listing)."""

    def _create(
        owner, title: str = "Je prête ma perceuse", *, theme: str = "conseils", **kw
    ) -> int:
        return make_listing(app, owner, themes[theme], title, **kw)

    return _create


@pytest.fixture
def sponsee(app, users, create_user) -> User:
    """Odette, without internet, sponsored by the member of the `users` fixture."""
    from coopere.members.models import Sponsorship

    odette = create_user(
        Role.MEMBER,
        password=None,
        first_name="Odette",
        last_name="Lambert",
        has_internet=False,
        contact_preference="sponsor",
    )
    with app.app_context():
        db.session.add(
            Sponsorship(
                sponsee_id=odette.id, sponsor_id=users["member"].id, consent_reference="P-1"
            )
        )
        db.session.commit()
    return odette


@pytest.fixture
def demo(app):
    """The generated demo perimeter (coopere.demo), committed; its accounts' password is PASSWORD.
    Returns the (label, login) pairs `flask demo` prints."""
    from coopere.demo import create_demo

    with app.app_context():
        logins = create_demo(PASSWORD)
        db.session.commit()
    return logins


@pytest.fixture
def inbox():
    """A real SMTP server on a free port for this test (tests/smtp_inbox.py): what it receives."""
    from aiosmtpd.controller import Controller

    from smtp_inbox import Inbox, free_port

    handler = Inbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()
