"""A network with the association's accounts: `coord@` (coordination), `coach@` (coaches
perimeter A), `other@` (a coach of nothing), all with the password PASSWORD; clients logged in to
the console."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopere.association import accounts
from helpers import PASSWORD, csrf_token
from network_support import BASE, Browser, Perimeters, close_network, make_network, seed_perimeter

CONSOLE = f"{BASE}/association"
COORD, COACH, OTHER = "coord@example.org", "coach@example.org", "other@example.org"


@dataclass
class Console:
    perimeters: Perimeters

    @property
    def network(self):
        return self.perimeters.network

    @property
    def app(self):
        return self.perimeters.dispatcher.network_app

    def client(self) -> Browser:
        return self.perimeters.client()

    def login(self, email: str, password: str = PASSWORD) -> Browser:
        client = self.client()
        response = post_form(client, f"{CONSOLE}/connexion", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:800]
        return client

    def account_id(self, email: str) -> int:
        with self.app.test_request_context():
            return accounts.by_email(email).id


#: An example value for each argument a console route takes (a route with another argument makes
#: example_path fail: add it here).
EXAMPLE_VALUES = {
    "slug": "a",
    "day_id": 1,
    "session_id": 1,
    "key": "register_imported",
    "year": 2026,
    "run_id": 1,
}


#: Where a route's `slug` is not a perimeter's: the network's sheets are named by their own.
EXAMPLE_BY_PREFIX = {"association.sheet": {"slug": "composter-chez-soi"}}


def example_values(endpoint: str) -> dict:
    for prefix, values in EXAMPLE_BY_PREFIX.items():
        if endpoint.startswith(prefix):
            return {**EXAMPLE_VALUES, **values}
    return EXAMPLE_VALUES


def example_path(app, rule) -> str:
    """The path of `rule` with example arguments (perimeter A, the first of anything)."""
    from flask import url_for

    values = example_values(rule.endpoint)
    missing = set(rule.arguments) - set(values)
    assert not missing, (
        f"{rule.endpoint}: no example for {missing} in console_support.EXAMPLE_VALUES"
    )
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def post_form(client: Browser, url: str, data: dict, form_url: str | None = None):
    """Post `data` with the CSRF token of the page at `form_url` (default: `url`)."""
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data})


def pdf_text(pdf: bytes) -> str:
    """A PDF's text as pdftotext reads it (the test is skipped without poppler-utils)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def make_console(root: Path, extra: dict | None = None) -> Console:
    perimeters = make_network(root, extra)
    for slug in ("a", "b"):
        seed_perimeter(perimeters.app(slug), slug)
    made = Console(perimeters)
    from coopere.association.store import db_session

    with made.app.test_request_context():
        accounts.create_account(COORD, "Claire Coordination", "coordination", PASSWORD)
        coach = accounts.create_account(COACH, "Bruno Accompagne", "accompagnateur", PASSWORD)
        accounts.create_account(OTHER, "Odile Ailleurs", "accompagnateur", PASSWORD)
        from coopere.association.perimeters import profile_for

        profile_for("a").coach_id = coach.id
        profile_for("b")
        db_session().commit()
    return made


def close_console(made: Console) -> None:
    close_network(made.perimeters)
