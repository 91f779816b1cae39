"""Every address a perimeter of a network makes carries its prefix (`/a/…`): links, forms,
redirects, and the absolute addresses that leave the site (emails, QR codes, .ics files)."""

from __future__ import annotations

import re

import pytest

from network_support import BASE
from helpers import csrf_token
from helpers_network import body_text, route_urls

ATTRIBUTE_RE = re.compile(r'\b(?:href|src|action|formaction)="([^"]*)"')
SKIPPED = {"auth.logout", "public.logout"}


def local_addresses(html: str) -> list[str]:
    return [url for url in ATTRIBUTE_RE.findall(html) if url.startswith("/")]


def inside(url: str, mount: str = "/a") -> bool:
    return url == mount or url.startswith(mount + "/") or url.startswith(mount + "?")


@pytest.mark.parametrize("login", [None, "member.a@example.org"], ids=["pilote", "member"])
def test_every_address_on_every_page_of_a_carries_its_prefix(perimeters, login):
    client = perimeters.login("a", login)
    outside = []
    pages = 0
    for endpoint, url, methods in route_urls(perimeters.app("a"), "/a"):
        if "GET" not in methods or endpoint in SKIPPED:
            continue
        answer = client.get(BASE + url)
        location = answer.headers.get("Location")
        if location and not inside(location) and not location.startswith(BASE + "/a/"):
            outside.append((url, "Location", location))
        if answer.mimetype == "text/html":
            pages += 1
            for address in local_addresses(answer.get_data(as_text=True)):
                if not inside(address):
                    outside.append((url, "page", address))
        answer.close()
    assert pages > 20
    assert outside == []


def test_switching_language_comes_back_to_the_same_page_of_the_perimeter(perimeters):
    client = perimeters.client()
    page = client.get(f"{BASE}/a/donnees-personnelles?vu=1")
    html = page.get_data(as_text=True)
    next_value = re.search(r'name="next" value="([^"]*)"', html).group(1)
    assert next_value == "/a/donnees-personnelles?vu=1"
    answer = client.post(
        f"{BASE}/a/langue",
        data={"csrf_token": csrf_token(client, f"{BASE}/a/"), "lang": "en", "next": next_value},
    )
    assert answer.status_code in (302, 303)
    assert answer.headers["Location"] == next_value


@pytest.mark.parametrize("target", ["/b/", "/b/membres/", "/", "/autre", "https://x.org/a/"])
def test_a_next_address_never_leads_out_of_the_perimeter(perimeters, target):
    client = perimeters.client()
    answer = client.post(
        f"{BASE}/a/langue",
        data={"csrf_token": csrf_token(client, f"{BASE}/a/"), "lang": "en", "next": target},
    )
    assert answer.status_code in (302, 303)
    assert inside(answer.headers["Location"]), answer.headers["Location"]


def test_after_logging_in_the_person_comes_back_to_the_page_asked_for(perimeters):
    client = perimeters.client()
    asked = client.get(f"{BASE}/a/membres/")
    assert asked.status_code == 302
    login_page = asked.headers["Location"]
    assert inside(login_page), login_page
    answer = client.post(
        BASE + login_page,
        data={
            "csrf_token": csrf_token(client, BASE + login_page),
            "login": perimeters.logins["a"],
            "password": "lilas-et-tournesols",
        },
    )
    assert answer.headers["Location"] == "/a/membres/"


def test_an_expired_session_comes_back_to_the_page_after_logging_in(perimeters):
    client = perimeters.login("a")
    app = perimeters.app("a")
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    cookie = client.get_cookie("session", domain="reseau.example.org", path="/a/")
    data = serializer.loads(cookie.value)
    for key in list(data):
        if isinstance(data[key], int) and data[key] > 1_000_000_000:  # a time stamp: long ago
            data[key] = 1_000_000_000
    client.set_cookie("session", serializer.dumps(data), path="/a/", domain=cookie.domain)
    answer = client.get(f"{BASE}/a/membres/?page=1")
    assert answer.status_code == 302
    assert "next=/a/membres/?page" in answer.headers["Location"], answer.headers["Location"]
    assert inside(answer.headers["Location"])


def test_notices_links_and_their_emails_carry_the_prefix_once(perimeters):
    """A notice made during a request (its link from url_for carries /a) and one made by a job
    (no request): the page links inside /a/, the email links PUBLIC_URL + /a/…, never /a/a/."""
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.notifications.services import notify
    from coopere.urls import absolute_url

    app = perimeters.app("a")
    with app.test_request_context("/", base_url=f"{BASE}/a"):
        from flask import url_for

        inside_request = url_for("members.index")
        assert inside_request.startswith("/a/")
        assert absolute_url(inside_request) == f"{BASE}/a/membres/"
        assert absolute_url("/membres/") == f"{BASE}/a/membres/"
        pilote = db.session.get(User, 1)
        notify([pilote], "test.request", lambda: "Un avis", inside_request)
        db.session.commit()
        from sqlalchemy import select

        from coopere.notifications.models import Notification

        stored = db.session.scalar(
            select(Notification.link).where(Notification.kind == "test.request")
        )
        assert stored == "/membres/", "kept from the site's root (erasure finds it by that path)"
    with app.app_context():
        assert absolute_url("/membres/") == f"{BASE}/a/membres/"
        pilote = db.session.get(User, 1)
        notify([pilote], "test.job", lambda: "Un autre avis", "/mes-annonces")
        db.session.commit()
    client = perimeters.login("a")
    html = client.get(f"{BASE}/a/notifications").get_data(as_text=True)
    links = [u for u in local_addresses(html)]
    assert "/a/membres/" in links and "/a/mes-annonces" in links, links
    assert all(inside(u) and not u.startswith("/a/a/") for u in links), links


def test_qr_codes_and_calendar_files_carry_the_public_address_of_the_perimeter(perimeters):
    client = perimeters.login("a")
    app = perimeters.app("a")
    with app.test_request_context("/", base_url=f"{BASE}/a"):
        from flask import url_for

        ics = url_for("events.event_ics", event_id=1)
        show = url_for("events.show", event_id=1)
    answer = client.get(BASE + ics)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in text
    urls = re.findall(r"https?://[^\s;]+", text.replace("\r\n ", ""))
    assert all(u.startswith(f"{BASE}/a/") for u in urls), urls
    page = client.get(BASE + show).get_data(as_text=True)
    assert f'href="{ics}"' in page or ics in page
    for payload in re.findall(r"https://reseau\.example\.org[^\"'<\s]*", page):
        assert payload.startswith(f"{BASE}/a/"), payload


def test_static_scripts_name_no_address_from_the_root():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "static" / "js"
    found = []
    for script in root.glob("*.js"):
        for match in re.finditer(r"""["'`](/[a-z][^"'`]*)["'`]""", script.read_text()):
            found.append((script.name, match.group(1)))
    assert found == []


@pytest.mark.parametrize(
    "endpoint, values, method",
    [
        ("members.card", {"member_id": 3}, "POST"),
        ("printruns.event_pdf", {"event_id": 1, "size": "a6"}, "GET"),
    ],
)
def test_printouts_carry_the_perimeter_address(perimeters, endpoint, values, method):
    """A member's welcome card, an event's poster: the address printed (and put in the QR code)
    is PUBLIC_URL + /a."""
    client = perimeters.login("a")
    app = perimeters.app("a")
    with app.test_request_context("/", base_url=f"{BASE}/a"):
        from flask import url_for

        url = url_for(endpoint, **values)
    if method == "POST":
        answer = client.post(BASE + url, data={"csrf_token": csrf_token(client, f"{BASE}/a/")})
    else:
        answer = client.get(BASE + url)
    assert answer.status_code == 200, url
    text = "".join(body_text(answer).split())
    assert "reseau.example.org/a" in text, text[:800]
    assert "reseau.example.org/a/a" not in text
