"""Redirect targets that come with a request (`next`) never leave the site and never break a page.

Every route that redirects to a `next` value is listed in ROUTES and tried with every value of EVIL,
posted and in the query string: never a 5xx, and the Location is the route's own default page. A
source scan finds the views that read a redirect target: one missing from ROUTES fails, and so does
any reader of `next` (or of the referrer) outside coopere/urls.py, the one checked function.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest

from helpers import PASSWORD, csrf_token
from factories import make_listing

import coopere

EVIL = [
    "/\r\nSet-Cookie: stolen=1",
    "/annonces\r\nLocation: https://evil.example",
    "/\n/evil.example",
    "/%0d%0aSet-Cookie:%20stolen=1",
    "/%0D%0ALocation:%20https://evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5cevil.example",
    "/%2f/evil.example",
    "https://evil.example",
    "HTTPS://evil.example/accueil",
    "javascript:alert(1)",
    "http:",
    "http:/evil.example",
    " //evil.example",
    "evil.example",
    "/\x7f/evil.example",
    "/\x0b/evil.example",
    "",
]
GOOD = "/evenements/?mois=2"


def _looks_local(location: str) -> bool:
    """A path on this site, checked independently of the code: one leading slash, nothing a browser
    reads as another host or a new header line, written plainly or percent-encoded."""
    for text in (location, unquote(location)):
        if not re.fullmatch(r"/(?![/\\])[^\x00-\x1f\x7f\\]*", text):
            return False
    return True


# --- the routes that accept a redirect target -----------------------------------------------------


def _project(app, users, themes) -> int:
    return make_listing(
        app, users["admin"].id, themes["achats-groupes"], "Achat groupé de pommes", kind="project"
    )


def _post(client, path: str, target: str, where: str, data: dict | None = None):
    data = dict(data or {})
    query = ""
    if where == "form":
        data["next"] = target
    else:
        query = "?" + urlencode({"next": target})
    return client.post(path + query, data=data)


def try_set_language(app, client_as, users, themes, target, where):
    client = client_as("member")
    response = _post(
        client, "/langue", target, where, {"csrf_token": csrf_token(client, "/"), "lang": "fr"}
    )
    return response, "/"


def try_set_language_anonymous(app, client_as, users, themes, target, where):
    client = client_as(None)
    response = _post(
        client, "/langue", target, where, {"csrf_token": csrf_token(client, "/"), "lang": "en"}
    )
    return response, "/"


def try_login(app, client_as, users, themes, target, where):
    client = app.test_client()
    response = _post(
        client,
        "/connexion",
        target,
        where,
        {
            "csrf_token": csrf_token(client, "/connexion"),
            "login": users["member"].email,
            "password": PASSWORD,
        },
    )
    # Logged in and sent on, never a session set behind a 500.
    assert client.get("/accueil").status_code == 200
    return response, "/accueil"


def try_project_join(app, client_as, users, themes, target, where):
    project_id = _project(app, users, themes)
    client = client_as("member")
    token = csrf_token(client, f"/annonces/{project_id}")
    response = _post(
        client, f"/annonces/{project_id}/participer", target, where, {"csrf_token": token}
    )
    return response, f"/annonces/{project_id}"


def try_project_leave(app, client_as, users, themes, target, where):
    project_id = _project(app, users, themes)
    client = client_as("member")
    token = csrf_token(client, f"/annonces/{project_id}")
    assert (
        client.post(f"/annonces/{project_id}/participer", data={"csrf_token": token}).status_code
        == 302
    )
    response = _post(
        client, f"/annonces/{project_id}/quitter", target, where, {"csrf_token": token}
    )
    return response, f"/annonces/{project_id}"


ROUTES = {
    "public.set_language": [try_set_language, try_set_language_anonymous],
    "auth.login": [try_login],
    "listings.join": [try_project_join],
    "listings.leave": [try_project_leave],
}


@pytest.mark.parametrize(
    "attempt", [pytest.param(fn, id=fn.__name__) for fns in ROUTES.values() for fn in fns]
)
@pytest.mark.parametrize("where", ["form", "args"])
def test_evil_redirect_targets_fall_back_to_the_routes_own_page(
    app, client_as, users, themes, attempt, where
):
    for target in EVIL:
        response, default = attempt(app, client_as, users, themes, target, where)
        assert response.status_code in (302, 303), (target, response.status_code)
        location = response.headers["Location"]
        assert location == default, (target, location)
        assert _looks_local(location)


@pytest.mark.parametrize(
    "attempt", [pytest.param(fn, id=fn.__name__) for fns in ROUTES.values() for fn in fns]
)
def test_a_local_redirect_target_is_followed(app, client_as, users, themes, attempt):
    response, _default = attempt(app, client_as, users, themes, GOOD, "form")
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == GOOD


def test_an_expired_session_sends_back_only_to_a_local_page(app, client_as, monkeypatch):
    """The login page's `next` built from the page asked for, when a session ends: a path whose
    decoded form holds CR/LF or a double slash is not carried over."""
    from coopere.auth import session_timeouts

    client = client_as("member")
    now = session_timeouts._now()
    monkeypatch.setattr(session_timeouts, "_now", lambda: now + 13 * 3600)
    response = client.get("/annonces/%0d%0aSet-Cookie:x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion"


# --- every reader of a redirect target is in ROUTES -----------------------------------------------

PACKAGE = Path(coopere.__file__).parent
READERS = re.compile(
    r"""(\.get\(\s*|\[\s*)["']next["']|["']next["']\s+in\s+request|request\.referrer"""
)


def test_only_the_checked_function_reads_a_redirect_target():
    readers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if READERS.search(path.read_text())
    )
    assert readers == ["urls.py"]


def _functions_reaching_next_path(tree: ast.Module) -> set[str]:
    """The module's functions that call next_path, directly or through another function of the
    module."""
    calls: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # Plain names are the module's functions; of attributes (« ", ".join »), only
            # urls.next_path.
            calls[node.name] = {
                call.func.id if isinstance(call.func, ast.Name) else call.func.attr
                for call in ast.walk(node)
                if isinstance(call, ast.Call)
                and (
                    isinstance(call.func, ast.Name)
                    or isinstance(call.func, ast.Attribute)
                    and call.func.attr == "next_path"
                )
            }
    reaching = {"next_path"}
    while True:
        more = {name for name, called in calls.items() if called & reaching} - reaching
        if not more:
            return reaching - {"next_path"}
        reaching |= more


def test_every_view_that_redirects_to_a_request_target_is_tried(app):
    reaching: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name != "urls.py" and "next_path" in path.read_text():
            module = "coopere." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
            reaching[module] = _functions_reaching_next_path(ast.parse(path.read_text()))
    found = set()
    for endpoint, view in app.view_functions.items():
        view = inspect.unwrap(view)
        if view.__name__ in reaching.get(view.__module__, ()):
            found.add(endpoint)
    assert found == set(ROUTES)
