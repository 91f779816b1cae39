"""Isolation of the perimeters of one network (issue #15): logged in as the admin of perimeter A,
every route of perimeter B's map is asked with A's cookies (and A's CSRF token for the forms):
nothing of B is readable or changeable. A's own outputs (pages, exports, backups, print runs,
reports) hold nothing of B."""

from __future__ import annotations

import pytest

from network_support import A_SECRETS, B_SECRETS, BASE
from helpers import csrf_token
from helpers_network import body_text, fingerprint, route_urls


class Recorder:
    """The dispatcher, noting the Cookie header of each request: proof that A's cookie reached B."""

    def __init__(self, app):
        self.app, self.cookies = app, []

    def __call__(self, environ, start_response):
        self.cookies.append(environ.get("HTTP_COOKIE", ""))
        return self.app(environ, start_response)


def _ask(client, method, url, token, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.post(url, data={"csrf_token": token}, headers=headers)


def _answer(response):
    return response.status_code, response.headers.get("Location")


def test_a_session_of_perimeter_a_opens_nothing_of_perimeter_b(perimeters):
    from network_support import Browser

    a = perimeters.login("a")
    session = a.get_cookie("session", domain="reseau.example.org", path="/a/")
    assert session is not None and session.path == "/a/"
    token = csrf_token(a, f"{BASE}/a/")
    assert A_SECRETS[0] in body_text(a.get(f"{BASE}/a/membres/3"))  # A's admin sees A's people

    # A browser never sends A's cookie to /b/ (its path is /a/): a thief or a forged request
    # could. It is sent by hand with every request, whatever B answers.
    cookie = f"session={session.value}"
    recorder = Recorder(perimeters.dispatcher)
    intruder = Browser(recorder, use_cookies=False)
    anonymous = Browser(perimeters.dispatcher, use_cookies=False)
    app_b = perimeters.app("b")
    before = fingerprint(app_b)

    checked = 0
    for endpoint, url, methods in route_urls(app_b, "/b"):
        assert url.startswith("/b/"), url
        for method in methods:
            answer = _ask(intruder, method, BASE + url, token, cookie)
            assert session.value in recorder.cookies[-1], f"A's cookie not sent to {url}"
            text = body_text(answer)
            answer.close()
            for secret in B_SECRETS:
                assert secret not in text, f"{method} {url} ({endpoint}) shows B's {secret!r}"
            baseline = _ask(anonymous, method, BASE + url, token)
            expected = _answer(baseline)
            baseline.close()
            assert _answer(answer) == expected, f"{method} {url} ({endpoint})"
            assert answer.status_code in (200, 302, 303, 400, 403, 404, 405), (method, url)
            if answer.status_code in (302, 303):
                assert answer.headers["Location"].startswith("/b/"), (url, answer.headers)
            checked += 1
    assert checked > 100
    assert fingerprint(app_b) == before, "B's database changed"


def test_the_perimeters_have_their_own_secret_keys(perimeters):
    keys = {perimeters.app(slug).secret_key for slug in ("a", "b")}
    assert len(keys) == 2 and "network-test-secret" not in keys


def test_a_page_of_a_never_shows_b(perimeters):
    """A's admin reads every page of A, exports included (members' data, reports, printouts)."""
    a = perimeters.login("a")
    shown = 0
    for endpoint, url, methods in route_urls(perimeters.app("a"), "/a"):
        if "GET" not in methods or endpoint in ("auth.logout", "public.logout"):
            continue
        answer = a.get(BASE + url)
        text = body_text(answer)
        answer.close()
        for secret in B_SECRETS:
            assert secret not in text, f"{url} ({endpoint}) of A shows B's {secret!r}"
        shown += answer.status_code == 200
    assert shown > 50


def test_a_privacy_export_of_a_holds_nothing_of_b(perimeters):
    a = perimeters.login("a")
    for kind in ("export_json", "export_pdf"):
        answer = a.get(f"{BASE}/a/membres/3/{'json' if kind == 'export_json' else 'pdf'}")
        if answer.status_code == 404:  # the address is read from the map instead
            app = perimeters.app("a")
            with app.test_request_context("/", base_url=f"{BASE}/a"):
                from flask import url_for

                answer = a.get(BASE + url_for(f"members.{kind}", member_id=3))
        assert answer.status_code == 200, kind
        text = body_text(answer)
        assert A_SECRETS[0] in text
        for secret in B_SECRETS:
            assert secret not in text


def test_a_backup_of_a_holds_nothing_of_b(perimeters):
    from coopere.backup.services import backup_database

    app = perimeters.app("a")
    with app.app_context():
        result = backup_database(keep=5)
    path = getattr(result, "path", None) or result
    data = path.read_bytes()
    if data.startswith(b"PGDMP"):  # pg_dump's archive: read as the SQL it restores
        import subprocess

        from coopere.backup.postgresql import find_pg_binary

        data = subprocess.run(  # noqa: S603 - a fixed program on a file of this test
            [find_pg_binary("pg_restore", 0), "--file=-", str(path)],
            check=True,
            capture_output=True,
        ).stdout
    assert str(path).startswith(str(perimeters.network.instance_path("a"))) or (
        "BACKUP_DIR" in app.config
    )
    assert A_SECRETS[2].encode() in data or A_SECRETS[0].encode("utf-8") in data
    for secret in B_SECRETS:
        assert secret.encode("utf-8") not in data


@pytest.mark.parametrize("slug", ["a", "b"])
def test_each_perimeter_keeps_its_files_in_its_own_folder(perimeters, slug):
    app = perimeters.app(slug)
    folder = perimeters.network.instance_path(slug)
    assert app.instance_path == str(folder)
    from coopere.printruns.services import output_folder

    with app.app_context():
        assert str(output_folder()).startswith(str(folder))
