"""The association's console, every page: the same checks as the perimeters' pages
(test_pages.check_page: axe-core, 44 px targets at 1280 and 320 px, no sideways scrolling, text
size, the skip link first), over one network served once for the module.

Pages come from the network app's url map and the console's policy table: every GET route (not
a file), as a coordination account, with a perimeter (its figures refreshed), a training day, a
coaching session and a yearly report in the data; the login page and the network's own list
anonymously."""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .conftest import CONTEXT_DEFAULTS, TIMEOUT_MS, console_errors, is_file_route
from .test_pages import check_page, unexpected_errors
from helpers import PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "network"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "association"))

from console_support import CONSOLE, COORD, example_path, post_form  # noqa: E402
from network_support import close_network, make_network  # noqa: E402

pytestmark = pytest.mark.e2e

COACH = "coach@example.org"


def console_pages() -> list[tuple[str, str, str]]:
    """(id, who, path) of every GET page of the network's app that a coordination account may
    open (anonymous: the public ones), from its url map and CONSOLE_POLICY."""

    from coopere.association.policy import CONSOLE_POLICY, PUBLIC
    from coopere.network import Network, create_network_app

    pages = []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "network.py").write_text("SECRET_KEY = 'collection-only'\n")
        app = create_network_app(Network(tmp))
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint == "static" or "GET" not in rule.methods or is_file_route(rule.rule):
                continue
            path = example_path(app, rule)
            who = "anonymous" if CONSOLE_POLICY.get(rule.endpoint) == PUBLIC else "coordination"
            pages.append((f"{who}-{rule.endpoint}", who, path))
        from coopere.network import registry

        registry.engine(Network(tmp)).dispose()
    return pages


PAGES = console_pages()


@pytest.fixture(scope="module")
def console_site(tmp_path_factory):
    """A network with perimeter A (its figures refreshed), a coordination and a coach account, a
    coaching session, a training day and a yearly report, served on 127.0.0.1:<free port>."""
    from coopere.association import accounts, coaching, training
    from coopere.association.perimeters import profile_for
    from coopere.association.refresh import refresh_snapshot
    from coopere.association.store import db_session
    from console_support import Console

    served = {}
    server = make_server(
        "127.0.0.1", 0, lambda environ, start: served["app"](environ, start), threaded=True
    )
    url = f"http://127.0.0.1:{server.server_port}"
    settings = {"PUBLIC_URL": url, "PREFERRED_URL_SCHEME": "http", "QUEUE_URL": "immediate"}
    try:
        perimeters = make_network(tmp_path_factory.mktemp("console-pages"), settings, slugs=("a",))
    except BaseException:
        server.server_close()
        raise
    served["app"] = perimeters.dispatcher
    network = perimeters.network
    refresh_snapshot(network, "a")
    app = perimeters.dispatcher.network_app
    with app.test_request_context():
        accounts.create_account(COORD, "Claire Coordination", "coordination", PASSWORD)
        coach = accounts.create_account(COACH, "Bruno Accompagne", "accompagnateur", PASSWORD)
        profile_for("a").coach_id = coach.id
        today = date.today()
        coaching.log_session(coach, "a", held_on=today, minutes=120, form="reunion",
                             topics=["cohesion", "cafes"], attendees="Anatole, Rose",
                             notes="Premier café préparé.", today=today)  # fmt: skip
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=20)
        training.create_day(
            db_session(),
            title="Tenir un café-rencontre",
            topic="cafes",
            place="Maison de quartier",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            details="",
            account=coach,
        )
        db_session().commit()
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    thread = threading.Thread(target=server.serve_forever, name="coopere-e2e-console", daemon=True)
    thread.start()
    try:
        # the yearly report run 1, prepared as a coordinator does (the queue is immediate)
        client = Console(perimeters).login(COORD)
        response = post_form(
            client,
            f"{CONSOLE}/chiffres/rapport-annuel",
            {"annee": date.today().year},
            form_url=f"{CONSOLE}/chiffres",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        werkzeug_log.setLevel(level)
        close_network(perimeters)


@pytest.fixture(scope="module")
def console_tab(browser, console_site):
    """console_tab(who) -> one long-lived tab per person, logged in through the console's form."""
    tabs = {}

    def _tab(who: str):
        if who not in tabs:
            context = browser.new_context(**CONTEXT_DEFAULTS, base_url=console_site)
            context.set_default_timeout(TIMEOUT_MS)
            tabs[who] = page = context.new_page()
            if who != "anonymous":
                page.goto("/association/connexion")
                page.get_by_label("Adresse e-mail", exact=True).fill(COORD)
                page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Me connecter").click()
                page.wait_for_load_state()
                assert "/connexion" not in page.url, "the coordinator could not log in"
        page = tabs[who]
        page.set_viewport_size(CONTEXT_DEFAULTS["viewport"])
        return page

    yield _tab
    for page in tabs.values():
        page.context.close()


class Case:
    def __init__(self, id: str):
        self.id = f"console-{id}"


@pytest.mark.parametrize("page_id, who, path", PAGES, ids=[p[0] for p in PAGES])
def test_console_page_is_accessible(console_tab, page_id, who, path):
    """As test_pages.test_page_is_accessible, for a page of the console."""
    page = console_tab(who)
    with console_errors(page) as console:
        response = page.goto(path)
        assert response.status == 200, f"GET {path} as {who}: HTTP {response.status}"
        if who != "anonymous":
            assert "/connexion" not in page.url, f"{path}: sent to the login page"
        page.evaluate("document.fonts.ready.then(() => true)")
        findings = check_page(page, Case(page_id))
        errors = unexpected_errors(page, console)
    if errors:
        findings["browser console errors (CSP refusals, missing files…)"] = "\n".join(
            f"  {e}" for e in errors
        )
    assert not findings, f"{page.url} as {who}:\n" + "\n".join(
        f"* {title}\n{body}" for title, body in findings.items()
    )


def test_every_console_page_is_scanned():
    ids = {page_id for page_id, _who, _path in PAGES}
    assert {
        "anonymous-association.login",
        "coordination-association.perimeters",
        "coordination-association.perimeter",
        "coordination-association.figures",
        "coordination-association.yearly_run",
        "coordination-association.training_day",
        "coordination-association.workload",
    } <= ids
    assert not any(path.endswith((".pdf", ".csv", ".json")) for _id, _who, path in PAGES)
