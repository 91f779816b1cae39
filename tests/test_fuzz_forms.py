"""Property-based fuzzing (hypothesis) of every form, upload and URL of the site.

Whatever arrives — random Unicode (NUL, right-to-left marks, emoji, lone surrogates sent as the
invalid bytes they become), 100 kB strings, missing, duplicated or unexpected fields, text where a
number or a date is expected, the same form sent twice, broken CSV files and images, absurd ids and
query strings — the site never answers a 5xx; a refused submission says why in French and changes
nothing in the database (nor leaves a photo behind).

One app for the module, seeded with the objects of tests/routes.py; the database is restored from
a snapshot after any example that changed it. PDF rendering is replaced by one small real PDF:
the forms are under test here, not WeasyPrint (tests/printing covers it).

Budget: COOPERE_FUZZ_EXAMPLES (default 5) examples per form; the runs are derandomized so that CI
is reproducible. `COOPERE_FUZZ_EXAMPLES=200 pytest tests/test_fuzz_forms.py` explores much more, and
`COOPERE_FUZZ_RANDOM=1` draws new examples at each run.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import sys
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopere import create_app
from coopere.auth.models import User
from coopere.auth.passwords import hash_password
from coopere.extensions import db
from coopere.policy import POLICY, Access
from helpers import CSRF_RE, PASSWORD, login, reset_database, test_config
from routes import EXAMPLE_ARGS, OBJECT_REFUSALS, seed_examples

# A failing example of a 100 kB or 1 MB value has a long repr: hypothesis warns, which must not
# hide the real failure behind it.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

EXAMPLES = int(os.environ.get("COOPERE_FUZZ_EXAMPLES", "5"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    derandomize=os.environ.get("COOPERE_FUZZ_RANDOM") != "1",
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

ROLES = (None, "member", "animator", "admin")
LEVEL = {Access.PUBLIC: 0, Access.MEMBER: 1, Access.ANIMATOR: 2, Access.ADMIN: 3}
ROLE_LEVEL = {None: 0, "member": 1, "animator": 2, "admin": 3}
SESSION_COOKIE = "session"

# Tables a refused submission may still write to, by design.
ALLOWED_SIDE_EFFECTS = {
    # a failed login is counted (lockout) and recorded in the audit log
    "auth.login": {"users", "audit_events"},
}

# --- values -------------------------------------------------------------------------------------

HUGE = 100_000
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "\u200f\u200e\u2066",
    "🌻🏠👩‍👩‍👧",
    "\ufeff",
    "\r\n\r\n",
    "\t",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{7*7}}",
    "%s%n%x",
    "../../etc/passwd",
    "\\\\server\\share",
    "99999999999999999999",
    "2147483648",
    "-1",
    "0",
    "-0",
    "1e309",
    "NaN",
    "inf",
    "1.5",
    "١٢٣",
    "１２",
    "2026-02-30",
    "31/12/99999",
    "9999-99-99",
    "0000-00-00",
    "25:61",
    "24:00",
    "true",
    "on",
    "yes",
    "null",
    "[]",
    "{}",
    '=HYPERLINK("http://x")',
    "+33 6 00",
    "a@b",
    "@",
    "x" * 300,
    "é" * 1000,
    "A" * HUGE,
    "🌻" * (HUGE // 4),
    "\u202e" * (HUGE // 3),
    "0" * HUGE,
]
LONE_SURROGATES = st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3)
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=24),  # any code point but surrogates, control characters included
    LONE_SURROGATES.map(lambda s: "x" + s + "y"),
    st.binary(min_size=1, max_size=16),  # raw bytes, often invalid UTF-8
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
FIELD_POOL = [
    "id",
    "user_id",
    "owner_id",
    "role",
    "status",
    "kind",
    "title",
    "description",
    "text",
    "body",
    "confirm",
    "token",
    "step",
    "go",
    "person_id",
    "dwelling_id",
    "event_id",
    "theme_id",
    "day",
    "date",
    "start",
    "end",
    "number",
    "page",
    "next",
    "q",
    "locale",
    "photo",
    "file",
    "reason",
    "count",
]


def encode(value: str | bytes) -> bytes:
    """The bytes a browser would send (a lone surrogate becomes the invalid UTF-8 it encodes to)."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def urlencoded(pairs) -> bytes:
    return b"&".join(
        quote_from_bytes(encode(k)).encode() + b"=" + quote_from_bytes(encode(v)).encode()
        for k, v in pairs
    )


@st.composite
def submissions(draw, base: list[tuple[str, str]]):
    """The page's own form, each field kept, dropped, replaced by junk or sent twice; plus
    strangers."""
    pairs = []
    for name, value in base:
        op = draw(st.sampled_from(("keep", "keep", "drop", "junk", "junk", "twice")))
        if op == "keep":
            pairs.append((name, value))
        elif op == "junk":
            pairs.append((name, draw(VALUES)))
        elif op == "twice":
            pairs += [(name, value), (name, draw(VALUES))]
    names = st.one_of(st.sampled_from(FIELD_POOL), st.text(min_size=1, max_size=8))
    pairs += draw(st.lists(st.tuples(names, VALUES), max_size=2))
    return pairs


# --- reading pages ------------------------------------------------------------------------------


class FormReader(HTMLParser):
    """Every POST form of a page: action path -> what a browser sends (csrf_token left out)."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.forms, self.current, self.select = page_path, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            action = urlsplit(unescape(a.get("action") or self.page_path)).path or self.page_path
            self.current = self.forms.setdefault(action, []) if action not in self.forms else None
            return
        if self.current is None:
            return
        name, kind = a.get("name"), (a.get("type") or "text").lower()
        if tag == "input" and name and name != "csrf_token":
            if kind in ("checkbox", "radio"):
                if "checked" in a or kind == "checkbox":
                    self.current.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.current.append((name, a.get("value") or ""))
        elif tag == "button" and name:
            self.current.append((name, a.get("value") or ""))
        elif tag in ("select", "textarea") and name:
            self.select = name
            if tag == "textarea":
                self.current.append((name, "Texte"))
        elif (
            tag == "option"
            and self.select
            and ("selected" in a or not any(k == self.select for k, _ in self.current))
        ):  # else the first one
            value = a.get("value", "")
            self.current[:] = [(k, v) for k, v in self.current if k != self.select] + [
                (self.select, value)
            ]

    def handle_endtag(self, tag):
        if tag in ("select", "textarea"):
            self.select = None
        if tag == "form":
            self.current = None


# --- the module's app ---------------------------------------------------------------------------


def _tiny_pdf_stub():
    """html_to_pdf replaced by a cached real one-page PDF (merging and counting pages still
    work)."""
    from coopere.printing import engine

    real, cache = engine.html_to_pdf, {}

    def html_to_pdf(html, stylesheets, memory=None, expected_pages=None):
        if expected_pages not in (None, 1):
            raise engine.LayoutError("La mise en page ne tient pas (fuzz).")
        if stylesheets not in cache:
            cache[stylesheets] = real("<p>coopere</p>", stylesheets)
        return cache[stylesheets]

    return html_to_pdf


class Site:
    """The seeded app, a logged-in client per role, the forms found on its pages, a DB snapshot."""

    def __init__(self, app):
        self.app = app
        self.clients, self.cookies, self.tokens, self.forms = {}, {}, {}, {}
        with app.app_context():
            self.tables = list(db.metadata.sorted_tables)
            self.postgres = db.engine.dialect.name == "postgresql"

    # sessions: every example starts from the role's freshly logged-in cookie
    def client(self, role):
        client = self.clients[role]
        client.set_cookie(SESSION_COOKIE, self.cookies[role])
        return client

    def form_for(self, role, path):
        """The fields of the form posting to `path` on a page of `role`, else of another role."""
        if (role, path) in self.forms:
            return self.forms[(role, path)]
        return next((fields for (_r, action), fields in self.forms.items() if action == path), None)

    def url(self, endpoint):
        with self.app.test_request_context():
            from flask import url_for

            return url_for(endpoint, **EXAMPLE_ARGS.get(endpoint, {}))

    # the database: a fingerprint (row counts and a hash of the rows) and a snapshot to restore
    def rows(self):
        with self.app.app_context():
            with db.engine.connect() as conn:
                result = {}
                for table in self.tables:
                    order = list(table.primary_key.columns) or list(table.columns)
                    result[table.name] = [
                        dict(row)
                        for row in conn.execute(table.select().order_by(*order)).mappings()
                    ]
                conn.rollback()
            db.session.remove()
        return result

    def fingerprint(self) -> dict[str, tuple[int, str]]:
        return {
            name: (len(rows), hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest())
            for name, rows in self.rows().items()
        }

    def take_snapshot(self):
        self.snapshot = self.rows()
        self.pristine = {
            name: (len(rows), hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest())
            for name, rows in self.snapshot.items()
        }

    def restore(self, names=None):
        """Put back the snapshot's rows of the tables `names` (default: all), foreign keys off so
        that neither their checks nor their cascades touch the other tables."""
        tables = [t for t in self.tables if names is None or t.name in names]
        with self.app.app_context():
            db.session.remove()
            engine = db.engine
            with engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                if not self.postgres:
                    raw.execute(
                        "PRAGMA foreign_keys = OFF"
                    )  # outside any transaction, as SQLite needs
                with conn.begin():
                    if self.postgres:
                        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                    for table in reversed(tables):
                        conn.execute(table.delete())
                    for table in tables:
                        if self.snapshot[table.name]:
                            conn.execute(table.insert(), self.snapshot[table.name])
                    if self.postgres:
                        for table in tables:
                            if "id" in table.columns and table.columns["id"].autoincrement in (
                                True,
                                "auto",
                            ):
                                conn.exec_driver_sql(
                                    "SELECT setval(pg_get_serial_sequence("
                                    f"'\"{table.name}\"', 'id'), "
                                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                                )
                if not self.postgres:
                    raw.execute("PRAGMA foreign_keys = ON")

    def restore_if_changed(self, now=None):
        now = now or self.fingerprint()
        changed = {name for name in now if now[name] != self.pristine[name]}
        if changed:
            self.restore(changed)


@pytest.fixture(scope="module")
def site(tmp_path_factory, pg_schema):
    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        test_config(tmp, pg_schema, MAIL_SERVER=""),
        instance_path=tmp / "instance",
    )
    reset_database(app)
    with app.app_context():
        from coopere.perimeter.services import DEFAULT_CHARTER, save_settings

        save_settings(
            {
                "name": "Coop-ère de la rue des Lilas",
                "short_name": "Coop-ère Lilas",
                "city": "Nantes",
                "postcode": "44300",
                "estimated_dwellings": 250,
                "meeting_place": "Place des Lilas",
                "contact": "lilas@example.org",
                "charter_text": DEFAULT_CHARTER,
            }
        )
        for role in ("member", "animator", "admin"):  # users 1, 2, 3 as tests/routes.py expects
            db.session.add(
                User(
                    role=role,
                    first_name=f"Prénom {role}",
                    last_name="Nom",
                    email=f"{role}@example.org",
                    password_hash=hash_password(PASSWORD),
                )
            )
            db.session.flush()
        db.session.commit()
    seed_examples(app)
    stub = _tiny_pdf_stub()
    with pytest.MonkeyPatch.context() as patch:
        # Not the engine itself: a module first imported during the fuzz would bind the stub from
        # it (`from .engine import html_to_pdf`) and keep it after the patch is undone, for other
        # tests.
        for name, module in list(sys.modules.items()):
            if (
                name.startswith("coopere.")
                and name != "coopere.printing.engine"
                and getattr(module, "html_to_pdf", None) is not None
            ):
                patch.setattr(module, "html_to_pdf", stub)
        here = Site(app)
        for role in ROLES:
            client = app.test_client()
            if role:
                assert login(client, f"{role}@example.org").status_code == 302
            page = client.get("/connexion" if role is None else "/compte").get_data(as_text=True)
            here.tokens[role] = CSRF_RE.search(page).group(1)
            here.clients[role], here.cookies[role] = client, client.get_cookie(SESSION_COOKIE).value
        _read_forms(here)
        here.take_snapshot()
        yield here
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _rules(app, method):
    return sorted(
        (r for r in app.url_map.iter_rules() if method in r.methods), key=lambda r: r.endpoint
    )


def _role_for(endpoint) -> str | None:
    """The lowest role the policy lets in whose object check does not refuse the seeded object."""
    for role in ROLES:
        if ROLE_LEVEL[role] >= LEVEL[POLICY[endpoint]] and role not in OBJECT_REFUSALS.get(
            endpoint, {}
        ):
            return role
    return "admin"


def _read_forms(site: Site) -> None:
    """Open every page with each role that may, and keep its forms (the fields of POST-only
    routes)."""
    for rule in _rules(site.app, "GET"):
        if rule.endpoint not in POLICY or (rule.arguments and rule.endpoint not in EXAMPLE_ARGS):
            continue
        if rule.endpoint == "static":
            continue
        url = site.url(rule.endpoint)
        for role in ROLES:
            if ROLE_LEVEL[role] < LEVEL[POLICY[rule.endpoint]]:
                continue
            response = site.client(role).get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                reader = FormReader(urlsplit(url).path)
                reader.feed(response.get_data(as_text=True))
                for action, fields in reader.forms.items():
                    site.forms.setdefault((role, action), fields)
            response.close()


def _post_endpoints():
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path="/tmp/coopere-fuzz-routes",
    )
    return [
        r.endpoint
        for r in _rules(app, "POST")
        if r.endpoint in POLICY and (not r.arguments or r.endpoint in EXAMPLE_ARGS)
    ]


POST_ENDPOINTS = _post_endpoints()

# --- checking an answer -------------------------------------------------------------------------

ERROR_TEXT = re.compile(
    r'class="error-text"[^>]*>(.*?)</p>|class="notice notice-error"[^>]*>(.*?)</div>', re.S
)
MAIN = re.compile(r"<main[^>]*>(.*?)</main>", re.S)
TAGS = re.compile(r"<[^>]+>")
ENGLISH = re.compile(
    r"\b(This field|Not a valid|Invalid|Field must|is required|must be|Please|token is missing|"
    r"Bad Request|Not Found|Method Not Allowed|Internal Server Error|Forbidden)\b",
    re.I,
)
FRENCH = re.compile(
    r"[éèêàùçôîœ«»]|\b(le|la|les|de|des|du|un|une|est|pas|vous|ce|cette|ces|au|aux|en|ou|et|"
    r"rien|page)\b",
    re.I,
)
REDIRECTS = (301, 302, 303, 307, 308)


def _words(html: str) -> str:
    return " ".join(unescape(TAGS.sub(" ", html)).split())


def check(client, response, what: str) -> tuple[bool, str]:
    """Assert the answer is no 5xx and speaks French when it refuses; return (refused, html read).

    A redirect is a refusal when it carries an error message (flashed, read from the session
    without consuming it); a page is one when its status is 4xx or a field shows an error."""
    status = response.status_code
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    response.close()
    assert status < 500, f"{what}: {status}\n{_words(html)[:600]}"
    if status in REDIRECTS:
        with client.session_transaction() as session:
            flashes = list(session.get("_flashes", []))
        messages = [_words(str(message)) for category, message in flashes if category == "error"]
        refused = bool(messages)
    else:
        refused = status >= 400 or 'class="error-text"' in html
        messages = [_words(a or b) for a, b in ERROR_TEXT.findall(html)] if refused else []
        if refused and html and status >= 400 and not messages:
            main = MAIN.search(html)
            messages = [_words(main.group(1) if main else html)]
    for message in messages:
        assert message and FRENCH.search(message) and not ENGLISH.search(message), (
            f"{what}: a refusal not in French: {message[:300]!r}"
        )
    return refused, html


def assert_unchanged(site: Site, before, after, endpoint: str, what: str):
    allowed = ALLOWED_SIDE_EFFECTS.get(endpoint, set())
    changed = {name for name in before if before[name] != after[name]} - allowed
    assert not changed, f"{what}: refused, yet these tables changed: {sorted(changed)}"


# --- 1. every form --------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_every_form_survives_bad_input(site, endpoint):
    role = _role_for(endpoint)
    url = site.url(endpoint)
    base = site.form_for(role, urlsplit(url).path) or []

    @FUZZ
    @given(
        pairs=submissions(base),
        twice=st.booleans(),
        with_token=st.sampled_from((True, True, True, False)),
    )
    def run(pairs, twice, with_token):
        client = site.client(role)
        body = urlencoded(([("csrf_token", site.tokens[role])] if with_token else []) + pairs)
        before = site.pristine
        for attempt in range(2 if twice else 1):
            response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
            what = f"POST {url} as {role or 'anonymous'} (attempt {attempt + 1})"
            refused, _html = check(client, response, what)
            after = site.fingerprint()
            if refused:
                assert_unchanged(site, before, after, endpoint, what)
            before = after
        site.restore_if_changed(before)

    run()


def test_the_forms_of_the_site_were_found(site):
    """The fuzzing above starts from real forms: most POST routes must have theirs found on a
    page."""
    found = [
        e
        for e in POST_ENDPOINTS
        if site.form_for(_role_for(e), urlsplit(site.url(e)).path) is not None
    ]
    missing = sorted(set(POST_ENDPOINTS) - set(found))
    # Some buttons only show in another state (an accepted exchange, a published listing): those
    # routes get the csrf token and random fields only.
    assert len(found) >= 0.6 * len(POST_ENDPOINTS), "no form found for: " + ", ".join(missing)


# --- 2. malformed uploads -------------------------------------------------------------------------


def multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = "----coopere-fuzz-boundary-7d1f"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + encode(value)
        + b"\r\n"
        for name, value in fields
    )
    for name, filename, data, mimetype in files:
        body += (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {mimetype}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


CSV_HEADER = b"numero;rep;voie;complement;code_postal;commune\r\n"
BAD_CSV = st.one_of(
    st.binary(max_size=3000),
    st.sampled_from(
        [
            b"",
            b"\x00" * 500,
            CSV_HEADER,
            b"\xef\xbb\xbf" + CSV_HEADER + b"1;;Rue;;44300;Nantes\r\n",
            (
                "numero;rep;voie;complement;code_postal;commune\r\n"
                "1;;Rue des Lilas;;44300;Nantes\r\n"
            ).encode("utf-16"),
            CSV_HEADER + "1;;Rue des Lilas;;44300;Nantes\r\n".encode("utf-32"),
            CSV_HEADER + b"1;;Rue \xe9\xff\xfe;;44300;Nantes\r\n",
            CSV_HEADER + b"1;;" + b"A" * 1_000_000 + b";;44300;Nantes\r\n",  # a one-megabyte line
            CSV_HEADER + b";".join([b"1"] * 20_000) + b"\r\n",  # twenty thousand columns
            CSV_HEADER + b'1;;"Rue des Lilas;;44300;Nantes\r\n',  # an unclosed quote
            CSV_HEADER + b'1;;=HYPERLINK("http://x");;44300;Nantes\r\n',
            CSV_HEADER + b"1;;+cmd|' /C calc'!A0;;44300;Nantes\r\n",
            CSV_HEADER + b"1;;@SUM(1+1);;44300;Nantes\r\n",
            CSV_HEADER + b"-2+3;;Rue;;44300;Nantes\r\n",
            CSV_HEADER + b"99999999999999999999;;Rue des Lilas;;44300;Nantes\r\n",
            CSV_HEADER + b"-1;;Rue des Lilas;;44300;Nantes\r\n",
            CSV_HEADER + b"1;;Rue\x00des Lilas;;44300;Nantes\r\n",
            CSV_HEADER + "1;;Rue \u202e des Lilas;;44300;Nantes\r\n".encode(),
            CSV_HEADER.replace(b"\r\n", b"\r") + b"1;;Rue;;44300;Nantes\r",
            b"PK\x03\x04" + b"\x00" * 100,  # a spreadsheet (zip), not a CSV
            b"\x1f\x8b\x08\x00" + zlib.compress(b"0" * 10_000),
            b"numero,rep,voie\r\n" + b"1,2,3,4,5,6,7,8\r\n" * 3,
        ]
    ),
    st.lists(st.text(max_size=30), max_size=8).map(
        lambda cells: CSV_HEADER + ";".join(cells).encode("utf-8", "surrogatepass") + b"\r\n"
    ),
)


def _dwelling_count(site):
    return site.fingerprint()["dwellings"][0]


@FUZZ
@given(
    data=BAD_CSV,
    filename=st.sampled_from(
        ["adresses.csv", "adresses.xlsx", "../../x.csv", "a\x00.csv", "🌻.csv"]
    ),
)
def test_dwelling_import_refuses_bad_files_in_french(site, data, filename):
    client = site.client("animator")
    body, content_type = multipart(
        [("csrf_token", site.tokens["animator"])], [("file", filename, data, "text/csv")]
    )
    response = client.post("/logements/import", data=body, content_type=content_type)
    refused, html = check(client, response, f"import of {data[:60]!r}")
    after = site.fingerprint()
    assert after["dwellings"] == site.pristine["dwellings"], "a preview never writes"
    token = re.search(r'name="token" (?:type="hidden" )?value="([^"]+)"', html)
    if (
        not refused and token
    ):  # a file that passed the checks: confirming imports it all, or nothing
        body = urlencoded([("csrf_token", site.tokens["animator"]), ("token", token.group(1))])
        confirm = client.post(
            "/logements/import/confirmer",
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
        check(client, confirm, "import confirmation")
    site.restore_if_changed()


def _png(width: int, height: int, payload: bytes = b"") -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(payload or b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _jpeg(size=(64, 48)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, "JPEG")
    return out.getvalue()


PAYLOAD = b"<script>alert('polyglot')</script><?php system($_GET['c']); ?>"
BAD_IMAGES = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            (b"", "vide.jpg"),
            (_jpeg()[:200], "tronquee.jpg"),
            (_jpeg()[: len(_jpeg()) // 2], "moitie.jpg"),
            (_png(100_000, 100_000), "bombe.png"),  # a header claiming ten gigapixels
            (_png(2**31 - 1, 1), "large.png"),
            (_png(0, 0), "zero.png"),
            (_png(10, 10, b"\xff" * 10), "idat-faux.png"),
            (
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
                b"<script>alert(2)</script></svg>",
                "image.svg",
            ),
            (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "deguisee.png"),
            (b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);//" + PAYLOAD, "polyglotte.gif"),
            (_jpeg() + PAYLOAD, "polyglotte.jpg"),  # a real JPEG with a script after its end
            (_png(8, 8) + b"PK\x03\x04" + PAYLOAD, "polyglotte.png"),
            (b"%PDF-1.7\n" + PAYLOAD, "photo.jpg"),
            (b"\xff\xd8\xff\xe0" + PAYLOAD, "entete.jpg"),
            (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "photo.webp"),
        ]
    ),
).map(lambda item: item if isinstance(item, tuple) else (item, "hasard.jpg"))


def _photo_files(site):
    folder = Path(site.app.instance_path) / "photos"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@FUZZ
@given(
    image=BAD_IMAGES,
    mimetype=st.sampled_from(["image/jpeg", "image/png", "image/svg+xml", "text/html"]),
)
def test_listing_photo_refuses_bad_images_in_french_and_leaves_no_file(site, image, mimetype):
    data, filename = image
    client = site.client("member")
    files_before = _photo_files(site)
    fields = [
        ("csrf_token", site.tokens["member"]),
        ("kind", "offer"),
        ("theme_id", "1"),
        ("title", "Je prête ma perceuse"),
        ("description", "Une perceuse à percussion."),
    ]
    body, content_type = multipart(fields, [("photo", filename, data, mimetype)])
    response = client.post("/mes-annonces/nouvelle", data=body, content_type=content_type)
    refused, _html = check(client, response, f"photo {filename} {data[:40]!r}")
    after = site.fingerprint()
    if refused:
        assert after["listings"] == site.pristine["listings"], "refused, yet a listing was saved"
        assert _photo_files(site) == files_before, "refused, yet a file was left in instance/photos"
    else:  # accepted: only a re-encoded image is kept, never the bytes that came in
        for name in set(_photo_files(site)) - set(files_before):
            stored = (Path(site.app.instance_path) / "photos" / name).read_bytes()
            assert PAYLOAD not in stored and stored[:3] in (b"\xff\xd8\xff", b"\x89PN")
    site.restore_if_changed(after)
    for name in set(_photo_files(site)) - set(files_before):
        (Path(site.app.instance_path) / "photos" / name).unlink()


# --- 3. malformed URLs ----------------------------------------------------------------------------

SEGMENTS = [
    "99999999999999999999",
    "2147483648",
    "-1",
    "0",
    "1.5",
    "%00",
    "%ff",
    "%c3%28",
    "é",
    "🌻",
    "..",
    "%2e%2e",
    "%2F..%2F",
    "a" * 2000,
    "%20",
    "1%0a",
    "١",
    "１",
    "NaN",
    "1e3",
    "0x10",
    "<script>",
    "..%2f..%2fcoopere%2fconfig.py",
]
# The query parameters the views read (grep request.args), and a few they do not.
QUERY_NAMES = [
    "page",
    "q",
    "rue",
    "batiment",
    "statut",
    "annee",
    "mois",
    "cafe",
    "next",
    "nouveau",
    "nouvelles",
    "onglet",
    "ref",
    "run",
    "type",
    "theme",
    "lang",
    "event_id",
    "sort",
]
QUERY_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        [
            "99999999999999999999",
            "²",
            "-1",
            "0",
            "1" * 5000,
            "1",
            "//evil.example.org",
            "https://evil.example.org",
            "/\\evil",
        ]
    ),
)
ARGUMENT = re.compile(r"<(?:[^<>]*:)?(\w+)>")
# 429: the rate limits (letter scans, activation codes) answer many requests from one client.
ALLOWED_STATUSES = {
    200,
    204,
    301,
    302,
    303,
    304,
    307,
    308,
    400,
    403,
    404,
    405,
    410,
    413,
    414,
    422,
    429,
}


def _get_rules():
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path="/tmp/coopere-fuzz-routes",
    )
    return [(r.endpoint, r.rule) for r in _rules(app, "GET") if r.endpoint in POLICY]


GET_RULES = _get_rules()


@st.composite
def bad_urls(draw):
    endpoint, rule = draw(st.sampled_from(GET_RULES))
    examples = {k: str(v) for k, v in EXAMPLE_ARGS.get(endpoint, {}).items()}

    def segment(match):
        if draw(st.booleans()) and match.group(1) in examples:
            return quote_from_bytes(examples[match.group(1)].encode(), safe="/")
        return draw(
            st.one_of(
                st.sampled_from(SEGMENTS),
                st.text(min_size=1, max_size=6).map(lambda t: quote_from_bytes(encode(t), safe="")),
            )
        )

    path = ARGUMENT.sub(segment, rule)
    query = draw(
        st.lists(
            st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=5)), QUERY_VALUES),
            max_size=3,
        )
    )
    return endpoint, path + ("?" + urlencoded(query).decode() if query else "")


@settings(FUZZ, max_examples=max(60, EXAMPLES * 30))
@given(target=bad_urls())
def test_malformed_urls_get_a_4xx_or_a_redirect_never_a_5xx(site, target):
    endpoint, path = target
    role = _role_for(endpoint)
    client = site.client(role)
    response = client.get(path)
    status = response.status_code
    response.close()
    assert status in ALLOWED_STATUSES, f"GET {path} as {role}: {status}"
    site.restore_if_changed()


@pytest.mark.parametrize(
    "path",
    [
        "/logements/99999999999999999999/modifier",
        "/evenements/2147483648/modifier",
        "/membres/9223372036854775808",
        "/echanges/-1",
    ],
)
def test_huge_or_negative_ids_in_urls_are_404(site, path):
    """Regression: Werkzeug's <int:> took any length and the database driver overflowed (a 500)."""
    response = site.client("admin").get(path)
    response.close()
    assert response.status_code == 404


# --- regressions found by the fuzzing above (example-based, on the usual per-test app) ------------


def test_regression_a_megabyte_cell_in_a_dwelling_list_is_refused_in_french(app, client_as):
    """csv refused a cell over 128 kB with an exception: the import page answered 500."""
    from helpers import csrf_token, text

    animator = client_as("animator")
    token = csrf_token(animator, "/logements/import")
    for data in (
        CSV_HEADER + b"1;;" + b"A" * 1_000_000 + b";;44300;Nantes\r\n",
        CSV_HEADER + b'1;;"Rue des Lilas;;44300;Nantes\r\n' + b"x" * 200_000,
    ):
        # The body is built here: the test client would spool a big file to a temporary file it
        # never closes.
        body, content_type = multipart(
            [("csrf_token", token)], [("file", "adresses.csv", data, "text/csv")]
        )
        response = animator.post("/logements/import", data=body, content_type=content_type)
        assert response.status_code == 422
        page = text(response)
        assert "Rien n'a été importé" in page and "bien trop longue" in page
    with app.app_context():
        from coopere.dwellings.models import Dwelling

        assert db.session.query(Dwelling).count() == 0


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "1" * 5000])
def test_every_page_survives_absurd_query_strings(site, value):
    """Every GET page with every query parameter the views read set to an absurd number."""
    query = urlencoded([(name, value) for name in QUERY_NAMES]).decode()
    failures = []
    for endpoint, _rule in GET_RULES:
        if endpoint == "static" or (ARGUMENT.search(_rule) and endpoint not in EXAMPLE_ARGS):
            continue
        role = _role_for(endpoint)
        response = site.client(role).get(f"{site.url(endpoint)}?{query}")
        response.close()
        if response.status_code not in ALLOWED_STATUSES:
            failures.append((endpoint, response.status_code))
    site.restore_if_changed()
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/logements/?page=99999999999999999999",
        "/membres/?page=99999999999999999999",
        "/annonces?theme=99999999999999999999",
        "/annonces?page=%C2%B2",
        "/annonces?theme=%C2%B2",
        "/annonces?page=" + "1" * 5000,
    ],
)
def test_regression_absurd_page_or_theme_numbers_show_the_list(app, client_as, path):
    """A 20-digit page overflowed the SQL OFFSET; « ² » and 5,000 digits made int() fail: all
    500s."""
    role = "member" if path.startswith("/annonces") else "animator"
    response = client_as(role).get(path)
    assert response.status_code == 200


def test_regression_absurd_ids_in_forms_are_refused_not_500(app, client_as, users, themes):
    from helpers import csrf_token, text

    animator = client_as("animator")
    token = csrf_token(animator, "/membres/")
    response = animator.post(
        "/membres/cartes",
        data={"csrf_token": token, "membre": ["99999999999999999999", "²", "1" * 5000]},
    )
    assert response.status_code == 302  # « Cochez au moins une personne », nothing printed
    response = animator.post("/inscription", data={"csrf_token": token, "step": "²", "go": "next"})
    assert response.status_code < 500
    member = client_as("member")
    token = csrf_token(member, "/mes-annonces/nouvelle")
    for fields in (
        {"theme_id": "²"},
        {"theme_id": "99999999999999999999"},
        {"theme_id": str(themes["eco-projets"]), "kind": "project", "max_participants": "²"},
        {"theme_id": str(themes["eco-projets"]), "kind": "project", "max_participants": "9" * 5000},
        {"theme_id": str(themes["dons-prets"]), "event_id": "99999999999999999999"},
    ):
        data = {"csrf_token": token, "kind": "offer", "title": "Je prête ma perceuse", **fields}
        response = member.post("/mes-annonces/nouvelle", data=data)
        assert response.status_code in (302, 422), fields
        if response.status_code == 422:
            assert "Le formulaire contient des erreurs" in text(response) or "error-text" in text(
                response
            )
    response = member.post(
        "/membres-bloques/2", data={"csrf_token": token, "exchange_id": "99999999999999999999"}
    )
    assert response.status_code < 500


def test_regression_nul_characters_are_dropped_not_a_postgresql_500(app, users, client_as, themes):
    """PostgreSQL refuses NUL in text: a listing, a message or a search holding one was a 500
    there."""
    from sqlalchemy import select

    from coopere.listings.models import Listing
    from helpers import csrf_token, text

    member = client_as("member")
    token = csrf_token(member, "/mes-annonces/nouvelle")
    response = member.post(
        "/mes-annonces/nouvelle",
        data={
            "csrf_token": token,
            "kind": "offer",
            "theme_id": str(themes["dons-prets"]),
            "title": "Je pr\x00ête ma perceuse",
            "description": "Une perceuse\x00 à percussion.",
        },
    )
    assert response.status_code in (200, 302), text(response)[:500]
    with app.app_context():
        titles = db.session.scalars(select(Listing.title)).all()
    assert titles == ["Je prête ma perceuse"]
    assert member.get("/annonces?q=per%00ceuse").status_code == 200
    animator = client_as("animator")
    for path in ("/membres/?q=Nom%00", "/logements/?rue=Lilas%00&batiment=%00"):
        assert animator.get(path).status_code == 200, path


def test_regression_an_absurd_member_id_in_a_task_family_is_refused(app, users, client_as):
    """int() took a 20-digit id that the database integer could not hold (a 500 on PostgreSQL)."""
    from helpers import csrf_token

    animator = client_as("animator")
    token = csrf_token(animator, "/groupe")
    for ids in (
        ["99999999999999999999"],
        ["²"],
        ["1" * 5000],
        [str(users["animator"].id), "2147483648"],
    ):
        response = animator.post(
            "/groupe/familles/registrations", data={"csrf_token": token, "members": ids}
        )
        assert response.status_code == 302, ids
        with animator.session_transaction() as session:
            categories = [category for category, _message in session.get("_flashes", [])]
        assert categories == ["error"], ids
        animator.get("/groupe").close()  # shows (and so clears) the message
