"""Plain helpers shared by the tests: configuration, forms with CSRF tokens, logging in, reading
pages, counting queries."""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, event, exc

from coopere.extensions import db

ROOT = Path(__file__).resolve().parent.parent  # the repository
PASSWORD = "lilas-et-tournesols"
PG_URL = os.environ.get("COOPERE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKEND = os.environ.get("COOPERE_TEST_DB", "sqlite")


def database_config(tmp_path, pg_schema: str | None) -> dict:
    if pg_schema is None:
        return {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'coopere.sqlite3'}",
            # A test's commits need not wait for the disk (a throw-away file): the same SQL.
            "SQLITE_SYNCHRONOUS": "OFF",
        }
    return {
        "SQLALCHEMY_DATABASE_URI": PG_URL,
        # A test's commits need not wait for the disk: the same SQL, without the fsync.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-c search_path={pg_schema} -c synchronous_commit=off"}
        },
    }


def test_config(tmp_path, pg_schema: str | None, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        # Counters in memory keep most tests fast; security/test_ratelimit.py runs the shared store.
        "RATELIMIT_STORAGE_URI": "memory://",
        # Background tasks run at once, in the test's process (a few tests run a real consumer).
        "QUEUE_URL": "immediate",
        # Links that leave the site come from PUBLIC_URL only (never the request's host).
        "PUBLIC_URL": "http://localhost",
        "RATELIMIT_LOGIN": "1000 per minute",
        "RATELIMIT_ACTIVATION": "1000 per minute",
        "RATELIMIT_ACTIVATION_GLOBAL": "1000 per minute",
        # Cheap hashes keep the suite fast; test_production_argon2_parameters checks the real ones.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        **database_config(tmp_path, pg_schema),
    }
    config.update(overrides)
    return config


test_config.__test__ = False  # not a test, despite its name


def reset_database(app) -> None:
    """Empty schema on SQLite (fresh file); on PostgreSQL, create once then empty every table.

    On PostgreSQL the tables are emptied with DELETE, children first, and their sequences restarted:
    ten times quicker than one TRUNCATE of every table (which gives each table a new file on disk),
    and the suite's second leg does this before each test. TRUNCATE stays the fallback."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite" and _copy_sqlite_schema(db.engine):
            return
        db.create_all()
        if db.engine.dialect.name != "postgresql":
            return
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        try:
            with db.engine.begin() as conn:
                for name in tables:
                    conn.exec_driver_sql(f'DELETE FROM "{name}"')
                for (sequence,) in conn.exec_driver_sql(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
                ):
                    conn.exec_driver_sql(f'ALTER SEQUENCE "{sequence}" RESTART')
        except exc.IntegrityError:  # rows that point at each other across tables
            with db.engine.begin() as conn:
                listed = ", ".join(f'"{name}"' for name in tables)
                conn.exec_driver_sql(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")


_SQLITE_SCHEMA: dict[str, Path] = {}  # this process's empty database, per set of tables


def _copy_sqlite_schema(engine) -> bool:
    """Give a new SQLite file the empty schema by copying one made once in this process (making
    the tables again for each test took longer than the copy). False when the file exists."""
    target = Path(engine.url.database or "")
    if not engine.url.database or target.exists():
        return False
    key = " ".join(sorted(db.metadata.tables))
    if key not in _SQLITE_SCHEMA:
        made = Path(tempfile.mkdtemp(prefix="coopere-schema-")) / "empty.sqlite3"
        maker = create_engine(f"sqlite:///{made}")
        db.metadata.create_all(maker)
        maker.dispose()
        _SQLITE_SCHEMA[key] = made
    shutil.copyfile(_SQLITE_SCHEMA[key], target)
    return True


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(
    client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs
):
    """POST a form with the session's CSRF token, like a browser submitting the page."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, token_from or "/"))
    return client.post(path, data=data, **kwargs)


def search_people(client, path: str, name: str, **filters):
    """Type a name in a people search (the members list, the café desk): it is posted, never put in
    the URL, and the list shown after the redirect is returned."""
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "q": name, **filters},
        follow_redirects=True,
    )


def login(client, user_or_login, password: str = PASSWORD):
    login_text = (
        user_or_login
        if isinstance(user_or_login, str)
        else (user_or_login.email or user_or_login.phone)
    )
    client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    return post_form(client, "/connexion", {"login": login_text, "password": password})


def act_for(client, person):
    """The sponsor's « Agir pour » button: from now on the client acts for `person` (a user or an
    id). Returns the response (a redirect when accepted)."""
    person_id = getattr(person, "id", person)
    return post_form(client, f"/parrainage/{person_id}/agir", token_from="/parrainage")


def flat(text: str) -> str:
    """Text as one line: NFC, whitespace collapsed (a PDF wraps lines where it likes)."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", text).split())


def text(response) -> str:
    """The page's HTML with entities decoded, as a reader sees the words (’, ', «, é…)."""
    return html.unescape(response.get_data(as_text=True))


def words(response) -> str:
    """The page's words as a reader sees them: tags gone, entities decoded, one line."""
    return flat(re.sub(r"<[^>]+>", " ", text(response)))


def form_fields(response, action: str | None = None) -> dict:
    """What a browser would send from the page's form (the first one whose action contains
    `action`, else the first POST form): hidden and text inputs, ticked boxes, selected options."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields, self.inside, self.done, self.select = {}, False, False, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if (
                tag == "form"
                and not self.done
                and a.get("method", "").lower() == "post"
                and (action is None or action in (a.get("action") or ""))
            ):
                self.inside = True
            if not self.inside:
                return
            kind = (a.get("type") or "text").lower()
            if tag == "input" and a.get("name"):
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        self.fields[a["name"]] = a.get("value", "on")
                elif kind not in ("submit", "button", "file"):
                    self.fields[a["name"]] = a.get("value") or ""
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                self.fields[self.select] = a.get("value", "")

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            if tag == "form" and self.inside:
                self.inside, self.done = False, True

    reader = Reader()
    reader.feed(response.get_data(as_text=True))
    return reader.fields


class QueryCounter:
    """The SQL statements the app's database runs inside the `with` block, in order (transaction
    control not counted): `with QueryCounter(app) as queries: …; len(queries.statements)`."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    def naming(self, table: str) -> int:
        """How many of the statements name `table`."""
        return sum(table in statement for statement in self.statements)


def page_queries(app, client, path: str) -> int:
    """How many SQL statements one GET of `path` costs (transaction control not counted)."""
    with QueryCounter(app) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries.statements)


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether a Redis server answers (the tests of redis:// stores skip, saying so, without)."""
    import socket

    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True
