"""End-to-end fixtures: the app served on a real port, one headless Chromium, a person of each role.

The server runs in a thread of the test process (werkzeug, threaded), one per test module, on a
fresh database (SQLite, or a PostgreSQL schema when COOPERE_TEST_DB=postgresql) seeded with a
perimeter and one account per role. Browser contexts are 1280×900, fr-FR; people log in through
the real login form. Page scans reuse one tab per person; journeys start from a fresh session.

Environment: COOPERE_CHROMIUM (default /usr/bin/chromium; the tests skip, saying why, without
it), COOPERE_SHOTS (screenshot folder, default /tmp/coopere-shots; empty for none, as
`make test` sets it unless told otherwise).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from helpers import PASSWORD, reset_database, test_config  # tests/helpers.py
from routes import EXAMPLE_ARGS, OBJECT_REFUSALS, _seed_newsletter  # tests/routes.py
from coopere.config import ROOT

CHROMIUM = os.environ.get("COOPERE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
_shots = os.environ.get("COOPERE_SHOTS", "/tmp/coopere-shots")
SHOTS = Path(_shots) if _shots else None  # screenshots of every scanned page, never in the repo
CONTEXT_DEFAULTS = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "fr-FR",
    "timezone_id": "Europe/Paris",
}
TIMEOUT_MS = 5_000

ROLES = ("anonymous", "member", "animator", "admin")
ENGLISH_MO = ROOT / "coopere" / "translations" / "en" / "LC_MESSAGES" / "messages.mo"

# The people of the test perimeter. `login` is what they type in the login form.
PEOPLE: dict[str, dict] = {
    "member": {
        "first_name": "Marie",
        "last_name": "Dupont",
        "email": "marie.dupont@example.org",
        "role": "member",
    },
    "animator": {
        "first_name": "Paul",
        "last_name": "Bernard",
        "email": "paul.bernard@example.org",
        "role": "animator",
    },
    # A long name: the layout must still hold at 320 px.
    "admin": {
        "first_name": "Claire-Marguerite",
        "last_name": "Moreau-Desjardins de La Haye",
        "email": "claire.moreau@example.org",
        "role": "admin",
    },
    # Logs in with a phone number, written the French way.
    "phone_member": {
        "first_name": "Jean",
        "last_name": "Martin",
        "phone": "+33199000042",
        "role": "member",
        "login": "01 99 00 00 42",
    },
    # Used by the journeys that change an account, so the role sessions above stay valid.
    "traveller": {
        "first_name": "Lucie",
        "last_name": "Garnier",
        "email": "lucie.garnier@example.org",
        "role": "member",
    },
    "newcomer": {
        "first_name": "Henri",
        "last_name": "Petit",
        "email": "henri.petit@example.org",
        "role": "member",
    },
}

PERIMETER = {
    "name": "Coop-ère de la rue des Lilas",
    "short_name": "Coop-ère Lilas",
    "city": "Nantes",
    "postcode": "44300",
    "estimated_dwellings": 250,
    "meeting_place": "Place des Lilas, devant la boulangerie",
    "contact": "lilas@example.org",
}

# Example URL arguments for routes that take some are shared with the policy tests
# (tests/routes.py); seed() below creates the objects they name (ids 1 of a fresh database).
# A GET route with arguments and no example fails the page scans, so no page goes unchecked.


def login_of(person: str) -> str:
    data = PEOPLE[person]
    return data.get("login") or data.get("email") or data["phone"]


# --- the pages to scan, from the url map and the policy table -------------------------------


@dataclass
class PageCase:
    """One page seen by one role: a GET route of the url map, or a scenario (404, form errors)."""

    id: str
    role: str
    path: str | None = None
    setup: Callable | None = None  # setup(page) brings the page to the state to check
    tab: str | None = None  # the tab it is checked in, when not the role's own (e.g. a language)
    status: int = 200
    error: str | None = None  # why this case cannot be checked (it then fails)


def is_file_route(rule: str) -> bool:
    """/impressions/<int:run_id>/lettres.pdf, /logements/export.csv…: a file, not a page to look at
    (files are checked by their own tests: PDF text and QR codes, CSV columns)."""
    return "." in rule.rstrip("/").rsplit("/", 1)[-1]


def policy_pages() -> list[PageCase]:
    """Every GET page of the app (not static files nor file routes), once per role the policy
    allows."""
    from flask import url_for
    from flask_login import AnonymousUserMixin

    from coopere import create_app
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.policy import POLICY, allowed

    visitors = {"anonymous": AnonymousUserMixin()}
    visitors.update({role: User(role=role, password_hash="x") for role in ROLES[1:]})
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "collection-only",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
            },
            instance_path=tmp,
        )
        try:
            for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
                if (
                    rule.endpoint == "static"
                    or "GET" not in (rule.methods or ())
                    or is_file_route(rule.rule)
                ):
                    continue
                endpoint = rule.endpoint
                if endpoint not in POLICY:
                    cases.append(
                        PageCase(
                            id=endpoint,
                            role="anonymous",
                            error=f"{endpoint} ({rule.rule}) is not in the policy table",
                        )
                    )
                    continue
                args = EXAMPLE_ARGS.get(endpoint, {})
                missing = sorted(set(rule.arguments) - set(args))
                if missing:
                    cases.append(
                        PageCase(
                            id=endpoint,
                            role="anonymous",
                            error=f"GET {rule.rule} ({endpoint}) takes {', '.join(missing)}: "
                            "add an example to EXAMPLE_ARGS in tests/routes.py (and seed that "
                            "object in tests/e2e/conftest.py seed())",
                        )
                    )
                    continue
                with app.test_request_context():
                    path = url_for(endpoint, **args)
                for role, user in visitors.items():
                    if allowed(endpoint, user):
                        cases.append(
                            PageCase(
                                id=f"{role}-{endpoint}",
                                role=role,
                                path=path,
                                status=OBJECT_REFUSALS.get(endpoint, {}).get(role, 200),
                            )
                        )
        finally:
            with app.app_context():
                db.engine.dispose()
    return cases


# --- the live server -------------------------------------------------------------------------


@dataclass
class LiveServer:
    app: object
    url: str
    people: dict = field(default_factory=dict)  # person -> user id


def seed(app) -> dict:
    """A configured perimeter, its people, and one of each object EXAMPLE_ARGS names (each id 1):
    the default themes, a café-rencontre next month, two dwellings, a letter run.
    Returns {person: user id}."""
    from coopere.auth.models import User
    from coopere.auth.passwords import hash_password
    from coopere.dwellings.services import save_dwelling
    from coopere.events.services import save_event
    from coopere.extensions import db
    from coopere.listings.themes import seed_themes
    from coopere.perimeter.services import DEFAULT_CHARTER, save_settings
    from coopere.printruns.services import create_letter_run

    with app.app_context():
        save_settings({**PERIMETER, "charter_text": DEFAULT_CHARTER})
        seed_themes()  # as `flask init` does
        password_hash = hash_password(PASSWORD)
        users = {}
        for person, data in PEOPLE.items():
            columns = {k: v for k, v in data.items() if k != "login"}
            users[person] = User(password_hash=password_hash, **columns)
            db.session.add(users[person])
        db.session.flush()
        admin = users["admin"]
        event = save_event(
            None,
            {
                "kind": "cafe",
                "title": "",
                "day": date.today() + timedelta(days=30),
                "start": time(10),
                "end": time(12),
                "place": PERIMETER["meeting_place"],
                "rain_place": "Salle de la Maison de quartier",
                "description": "Un café, une table, un parasol : venez nous rencontrer.",
                "max_places": None,
            },
            actor=admin,
        )
        address = {"rep": "", "street": "Rue des Lilas", "postcode": "44300", "city": "Nantes"}
        save_dwelling(None, {**address, "number": 12, "complement": ""}, actor=admin)
        save_dwelling(
            None,
            {
                **address,
                "number": 14,
                "rep": "bis",
                "complement": "Résidence Les Tilleuls, bâtiment B, appartement 12",
            },
            actor=admin,
        )
        db.session.flush()
        create_letter_run(event=event, base_url="http://127.0.0.1", actor=admin)
        _seed_registration(users)
        _seed_group(users)
        _seed_events(users)
        _seed_cafe(users)
        _seed_exchanges(
            users
        )  # before the moderation's exchange 901, so that this one is exchange 1
        _seed_moderation(users)
        _seed_browse(users)
        _seed_projects(app, users)
        _seed_newsletter()  # issue 1 (tests/routes.py)
        db.session.commit()
        ids = {person: user.id for person, user in users.items()}
        db.session.remove()
    return ids


def _seed_registration(users: dict) -> None:
    """Listing 1, a draft of the member's from the registration desk, and Odette, an offline
    neighbour the member sponsors (so "acting for" and the digest have someone to show)."""
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.members.models import Sponsorship

    db.session.add(
        Listing(
            owner_id=users["member"].id,
            theme_id=1,
            kind="offer",
            title="Je prête ma perceuse",
            description="Le week-end, avec ses mèches.",
            status="draft",
            created_by_id=users["animator"].id,
        )
    )
    odette = User(
        first_name="Odette",
        last_name="Lambert",
        has_internet=False,
        contact_preference="sponsor",
        phone="+33199000077",
        registration_method="paper",
        paper_reference="P-2026-0001",
    )
    db.session.add(odette)
    db.session.flush()
    db.session.add(
        Sponsorship(
            sponsee_id=odette.id,
            sponsor_id=users["member"].id,
            consent_reference="P-2026-0001",
            started_by_id=users["animator"].id,
        )
    )
    db.session.add(
        Listing(
            owner_id=odette.id,
            theme_id=6,
            kind="need",
            title="Aller au marché le samedi",
            status="draft",
            created_by_id=users["animator"].id,
        )
    )


def _seed_events(users: dict) -> None:
    """Series 1 (a café every first Saturday from next month, its dates events 2 and after), the
    member signed up for event 1, and a notice for them (the menu shows « Notifications (1) »)."""
    from coopere.events.models import EventSignup
    from coopere.events.recurrence import save_series
    from coopere.timeutil import add_months, paris_today
    from coopere.extensions import db
    from coopere.notifications.models import Notification

    first = add_months(paris_today().replace(day=1), 1)
    save_series(
        None,
        {
            "kind": "cafe",
            "title": "",
            "weekday": 5,
            "week_of_month": 1,
            "start_time": time(10),
            "end_time": time(12),
            "place": PERIMETER["meeting_place"],
            "rain_place": "Salle de la Maison de quartier",
            "description": "",
            "max_places": 30,
            "first_date": first,
            "last_date": None,
            "months_off": [8],
        },
        actor=users["animator"],
    )
    db.session.add(
        EventSignup(event_id=1, user_id=users["member"].id, created_by_id=users["member"].id)
    )
    db.session.add(
        Notification(
            user_id=users["member"].id,
            kind="event.cancelled",
            link="/rendez-vous",
            text="Le café-rencontre du samedi 7 mars est annulé.",
        )
    )


def _seed_cafe(users: dict) -> None:
    """Jean (phone_member) asked to be called before each café, and was called for event 1; a café
    two weeks ago with its check-ins (Henri as a newcomer), visitors and report."""
    from coopere.cafe.models import Call, CheckIn, EventReport
    from coopere.events.models import Event
    from coopere.timeutil import paris_today, to_utc
    from coopere.extensions import db

    users["phone_member"].call_before_cafes = True
    db.session.add(
        Call(
            event_id=1,
            user_id=users["phone_member"].id,
            outcome="no_answer",
            note="Rappeler le soir",
            called_by_id=users["animator"].id,
        )
    )
    day = paris_today() - timedelta(days=14)
    past = Event(
        kind="cafe",
        starts_at=to_utc(day, time(10)),
        ends_at=to_utc(day, time(12)),
        place=PERIMETER["meeting_place"],
        visitors=3,
        created_by_id=users["animator"].id,
    )
    db.session.add(past)
    db.session.flush()
    db.session.add_all(
        [
            CheckIn(
                event_id=past.id,
                user_id=users[person].id,
                checked_by_id=users["animator"].id,
                newcomer=person == "newcomer",
            )
            for person in ("member", "traveller", "newcomer")
        ]
    )
    db.session.add(
        EventReport(
            event_id=past.id,
            offers_collected=2,
            needs_collected=1,
            notes="Beau soleil, la table était bien placée.",
            written_by_id=users["animator"].id,
        )
    )


def _seed_exchanges(users: dict) -> None:
    """Listing 700, an open offer of the animator's, that the member answered: exchange 1 (pending),
    with the member's message. The admin is no party to it (404)."""
    from coopere.exchanges.models import Exchange, Message
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.timeutil import utcnow

    animator, member = users["animator"], users["member"]
    db.session.add(
        Listing(
            id=700,
            owner_id=animator.id,
            theme_id=1,
            kind="offer",
            title="Je prête mon escabeau",
            description="Trois marches, pour changer une ampoule.",
            status="open",
            published_at=utcnow(),
            created_by_id=animator.id,
        )
    )
    db.session.flush()
    exchange = Exchange(listing_id=700, owner_id=animator.id, requester_id=member.id)
    db.session.add(exchange)
    db.session.flush()
    assert exchange.id == 1, "seed the exchanges before any other exchange"
    db.session.add(
        Message(
            exchange_id=exchange.id,
            author_id=member.id,
            sent_by_id=member.id,
            body="Bonjour, je peux passer le prendre samedi matin ?",
        )
    )


def _seed_moderation(users: dict) -> None:
    """Jean's open listing 901, which the member answered (exchange 901, Jean's message 901); the
    member reported both the listing (report 1) and the message (report 2): the animators' queue
    shows two objects. Fixed ids, as tests/routes.py names them."""
    from coopere.exchanges.models import Exchange, Message
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.moderation.models import MemberWarning, Report
    from coopere.timeutil import utcnow

    jean, member = users["phone_member"], users["member"]
    db.session.add(
        Listing(
            id=901,
            owner_id=jean.id,
            theme_id=1,
            kind="offer",
            title="Cours de yoga à 10 euros",
            description="Payez en liquide, à la séance.",
            status="open",
            published_at=utcnow(),
        )
    )
    db.session.flush()
    db.session.add(Exchange(id=901, listing_id=901, owner_id=jean.id, requester_id=member.id))
    db.session.flush()
    db.session.add(
        Message(
            id=901,
            exchange_id=901,
            author_id=jean.id,
            sent_by_id=jean.id,
            body="Venez avec 10 euros, et votez pour ma liste aux élections.",
        )
    )
    db.session.flush()
    db.session.add(
        Report(
            reporter_id=member.id, listing_id=901, reason="commercial", text="Ce n'est pas gratuit."
        )
    )
    db.session.add(Report(reporter_id=member.id, message_id=901, reason="political"))
    # An earlier warning, shown on Jean's page (members.show, member 4) for the animators.
    db.session.add(
        MemberWarning(
            member_id=jean.id,
            given_by_id=users["animator"].id,
            reason="Merci de ne pas proposer de services payants : les échanges sont gratuits.",
        )
    )


def _seed_browse(users: dict) -> None:
    """Listing 800 (tests/routes.py): an open need of the animator's, searchable."""
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.listings.search import index_listing
    from coopere.timeutil import utcnow

    listing = Listing(
        id=800,
        owner_id=users["animator"].id,
        theme_id=1,
        kind="need",
        title="Cherche un vélo pour aller au marché",
        description="Le samedi matin, pour deux heures.",
        status="open",
        published_at=utcnow(),
        created_by_id=users["animator"].id,
    )
    db.session.add(listing)
    db.session.flush()
    index_listing(listing)


def _seed_projects(app, users: dict) -> None:
    """Listing 900 (tests/routes.py): an open collective project of the animator's, with a photo,
    that the member joined."""
    import io
    from pathlib import Path

    from PIL import Image

    from coopere.extensions import db
    from coopere.listings.models import Listing, Participation
    from coopere.timeutil import utcnow

    folder = Path(app.instance_path) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    (folder / "seededphotoforexamples.jpg").write_bytes(out.getvalue())
    db.session.add(
        Listing(
            id=900,
            owner_id=users["animator"].id,
            theme_id=11,
            kind="project",
            title="Achat groupé de pommes",
            description="Une caisse de pommes du verger voisin.",
            status="open",
            created_by_id=users["animator"].id,
            published_at=utcnow(),
            expires_at=utcnow() + timedelta(days=90),
            max_participants=10,
            photo="seededphotoforexamples.jpg",
        )
    )
    db.session.flush()
    db.session.add(Participation(listing_id=900, user_id=users["member"].id))


def _seed_group(users: dict) -> None:
    """The animator looks after the cafés and took the coffee of event 1; a handover note."""
    from coopere.extensions import db
    from coopere.group.models import FamilyMember, HandoverNote, RosterSlot

    db.session.add(FamilyMember(user_id=users["animator"].id, family="cafes"))
    db.session.add(RosterSlot(event_id=1, task="coffee", volunteer_id=users["animator"].id))
    db.session.add(
        HandoverNote(
            family="cafes",
            author_id=users["admin"].id,
            text="Le parasol et la table sont dans la cave de la Maison de quartier.",
        )
    )


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, pg_schema) -> Iterator[LiveServer]:
    """The app on 127.0.0.1:<free port>, fresh database, for the tests of one module."""
    from coopere import create_app
    from coopere.extensions import db

    tmp = tmp_path_factory.mktemp("e2e")
    # Static files cached for the run, as a production web server would let browsers do: each
    # page then costs one request, not seven revalidations of CSS, fonts and images.
    app = create_app(
        test_config(tmp, pg_schema, SEND_FILE_MAX_AGE_DEFAULT=3600), instance_path=tmp / "instance"
    )
    reset_database(app)
    people = seed(app)
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # no line per request in failure reports
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="coopere-e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", people=people)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        werkzeug_log.setLevel(level)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (the system's) for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"end-to-end tests need Chromium at {CHROMIUM} (Debian package 'chromium', "
            f"installed by the Makefile; or set COOPERE_CHROMIUM)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="end-to-end tests need Playwright: pip install -e .[test]"
    )
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Exception:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options) -> a fresh browser context (a device of its own), closed after the
    test."""
    contexts = []

    def _new(**options):
        context = browser.new_context(
            **{**CONTEXT_DEFAULTS, "base_url": live_server.url, **options}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


def _open_tab(browser, live_server):
    context = browser.new_context(**CONTEXT_DEFAULTS, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _log_in_as(page, person: str) -> None:
    log_in(page, login_of(person))
    assert urlsplit(page.url).path == "/accueil", f"{person} could not log in: {page.url}"


@pytest.fixture(scope="module")
def _journey_tab(browser, live_server):
    page = _open_tab(browser, live_server)
    yield page
    page.context.close()


@pytest.fixture
def page_as(_journey_tab):
    """page_as(person=None) -> a tab with a fresh session: no cookies, then `person` logged in
    through the login form if given.

    Tests share one warm tab whose cookies (the whole state of this no-JavaScript site) are
    cleared before each test: as isolated as a new context, and twice as fast. Journeys that need
    a device of their own (two devices, JavaScript off) use new_context.
    """

    def _page(person: str | None = None):
        page = _journey_tab
        page.context.clear_cookies()
        page.set_viewport_size(CONTEXT_DEFAULTS["viewport"])
        page.goto("about:blank")
        if person not in (None, "anonymous"):
            _log_in_as(page, person)
        return page

    return _page


@pytest.fixture(scope="module")
def tab_of(browser, live_server):
    """tab_of(person, name=None) -> one long-lived tab per person (or name), for the page scans.

    Going from page to page in the same tab, as a person does, is three to four times faster than
    a new context per page (the renderer and axe-core stay warm). Each tab logs in through the form.
    """
    tabs = {}

    def _tab(person: str, name: str | None = None):
        name = name or person
        if name not in tabs:
            tabs[name] = _open_tab(browser, live_server)
            if person != "anonymous":
                _log_in_as(tabs[name], person)
        page = tabs[name]
        page.set_viewport_size(CONTEXT_DEFAULTS["viewport"])
        return page

    yield _tab
    for page in tabs.values():
        page.context.close()


def log_in(page, login: str, password: str = PASSWORD) -> None:
    """Log in the way a person does: the login page, the two fields, the button."""
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail ou numéro de téléphone", exact=True).fill(login)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Me connecter", exact=True).click()
    page.wait_for_load_state()


@contextlib.contextmanager
def console_errors(page) -> Iterator[list[str]]:
    """The errors the page reports meanwhile (CSP refusals, missing files, script errors)."""
    problems: list[str] = []

    def on_console(message):
        if message.type == "error":
            problems.append(f"console: {message.text} ({message.location.get('url', '')})")

    def on_page_error(error):
        problems.append(f"page error: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield problems
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_page_error)
