"""OWASP ASVS 5.0 level 2 checks: sessions (fixation, termination, idle and absolute timeouts),
object- and field-level authorisation, personal data kept out of URLs and logs, the public debugger,
security headers, and the audit log (UTC times, log injection escaped)."""

from __future__ import annotations

import logging
import re
import time

import pytest
from sqlalchemy import select

from coopere import _refuse_public_debugger, create_app
from coopere.audit.services import printable, record, utc_timestamp
from coopere.auth import session_timeouts
from coopere.auth.models import Role, User
from coopere.extensions import db
from coopere.listings.models import Listing
from factories import make_listing
from helpers import PASSWORD, csrf_token, form_fields, login, post_form, text

SESSION_COOKIE = "session"


def cookie(client) -> str | None:
    found = client.get_cookie(SESSION_COOKIE)
    return found.value if found else None


def with_cookie(app, value: str):
    """A new browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, value)
    return thief


def is_logged_in(client) -> bool:
    return client.get("/accueil").status_code == 200


# --- V7 sessions ----------------------------------------------------------------------------------


def test_login_starts_a_new_session_the_earlier_cookie_is_not_logged_in(app, users):
    browser = app.test_client()
    csrf_token(browser, "/connexion")  # the anonymous session now exists (it holds a CSRF token)
    before = cookie(browser)
    assert before
    assert login(browser, users["member"]).status_code == 302
    after = cookie(browser)
    assert after and after != before
    assert not is_logged_in(with_cookie(app, before)), (
        "the pre-login session must not become logged in"
    )
    assert is_logged_in(with_cookie(app, after))


def test_a_copied_cookie_stops_working_after_logout(app, client_as):
    browser = client_as("member")
    copy = cookie(browser)
    assert is_logged_in(with_cookie(app, copy))
    post_form(browser, "/deconnexion", token_from="/compte")
    assert not is_logged_in(browser)
    assert not is_logged_in(with_cookie(app, copy))


def test_a_copied_cookie_stops_working_after_ending_all_sessions(app, client_as):
    browser = client_as("member")
    copy = cookie(browser)
    post_form(browser, "/compte/deconnexion-partout", token_from="/compte")
    assert not is_logged_in(with_cookie(app, copy))


def test_a_copied_cookie_stops_working_when_the_account_is_disabled(app, users, client_as):
    browser = client_as("member")
    copy = cookie(browser)
    animator = client_as("animator")
    member_id = users["member"].id
    response = post_form(animator, f"/membres/{member_id}/depart", {"confirm": "yes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, member_id).is_enabled is False
    assert not is_logged_in(with_cookie(app, copy))
    assert not is_logged_in(browser)


def test_password_change_ends_other_sessions(app, users, client_as):
    laptop, phone = client_as("member"), client_as("member")
    response = post_form(
        laptop,
        "/compte/mot-de-passe",
        {
            "current": PASSWORD,
            "new": "un-tout-nouveau-secret-42",
            "confirm": "un-tout-nouveau-secret-42",
        },
        token_from="/compte",
    )
    assert response.status_code == 302, text(response)
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)


@pytest.fixture
def clock(monkeypatch):
    """Move the sessions' clock forward: clock(minutes=…) or clock(hours=…)."""
    offset = {"seconds": 0.0}
    monkeypatch.setattr(session_timeouts, "_now", lambda: time.time() + offset["seconds"])

    def _advance(*, minutes: float = 0, hours: float = 0):
        offset["seconds"] += minutes * 60 + hours * 3600

    return _advance


def test_default_timeouts_are_two_hours_idle_and_twelve_hours_in_all(app):
    assert app.config["SESSION_IDLE_MINUTES"] == 120
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12


def test_idle_session_ends_and_the_login_page_says_why_in_french(app, client_as, clock):
    browser = client_as("member")
    clock(minutes=119)
    assert is_logged_in(browser), "still within the idle limit"
    clock(minutes=119)  # active 119 minutes ago: the clock restarted at the last request
    assert is_logged_in(browser)
    clock(minutes=121)
    response = browser.get("/compte")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=/compte")
    page = text(browser.get(response.headers["Location"]))
    assert "après 120 minutes sans activité" in page
    assert "Reconnectez-vous" in page
    assert not is_logged_in(browser)


def test_an_expired_cookie_copy_is_refused_too(app, client_as, clock):
    copy = cookie(client_as("member"))
    clock(minutes=121)
    assert not is_logged_in(with_cookie(app, copy))


def test_absolute_timeout_ends_even_an_active_session(app, client_as, clock):
    browser = client_as("member")
    for _ in range(7):  # active every 100 minutes: never idle, 11 h 40 in all
        clock(minutes=100)
        assert is_logged_in(browser)
    clock(minutes=25)  # 12 h 05 after login
    response = browser.get("/accueil")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert "une connexion dure au plus 12 heures" in text(browser.get(response.headers["Location"]))


def test_timeouts_follow_the_configuration(make_app, users, clock):
    app = make_app(SESSION_IDLE_MINUTES=5, SESSION_ABSOLUTE_HOURS=1)
    browser = app.test_client()
    assert login(browser, users["member"]).status_code == 302
    clock(minutes=4)
    assert is_logged_in(browser)
    clock(minutes=6)
    assert not is_logged_in(browser)


def test_an_expired_post_is_not_replayed_after_login(app, client_as, clock):
    browser = client_as("member")
    token = csrf_token(browser, "/compte")
    clock(hours=3)
    response = browser.post("/compte/langue", data={"csrf_token": token, "locale": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/connexion"
    with app.app_context():
        assert (
            db.session.scalar(select(User.locale).where(User.email == "member1@example.org"))
            is None
        )


def test_a_forged_session_cookie_is_ignored(app, client_as):
    browser = client_as("member")
    value = cookie(browser)
    forged = with_cookie(app, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert not is_logged_in(forged)


# --- V8 authorisation: objects and fields ---------------------------------------------------------


@pytest.fixture
def listings(app, users, themes):
    """A draft of the member's and one of the animator's."""
    theme = themes["coups-de-main"]
    return {
        "mine": make_listing(app, users["member"], theme, "Je prête ma perceuse", status="draft"),
        "theirs": make_listing(
            app, users["animator"], theme, "Je prête mon escabeau", status="draft"
        ),
    }


def listing_row(app, listing_id):
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        return (listing.owner_id, listing.title, listing.status, listing.created_by_id)


@pytest.mark.parametrize(
    "action",
    ["modifier", "publier", "fermer", "supprimer", "renouveler", "pause", "reprendre", "fait"],
)
def test_a_member_cannot_act_on_someone_elses_listing(app, client_as, listings, action):
    browser = client_as("member")
    before = listing_row(app, listings["theirs"])
    response = post_form(
        browser, f"/mes-annonces/{listings['theirs']}/{action}", {"title": "Volé", "confirm": "yes"}
    )
    assert response.status_code in (404, 405), action
    assert listing_row(app, listings["theirs"]) == before


def test_a_member_cannot_open_the_edit_page_of_someone_elses_listing(app, client_as, listings):
    assert (
        client_as("member").get(f"/mes-annonces/{listings['theirs']}/modifier").status_code == 404
    )


def test_mass_assignment_on_ones_own_listing_is_ignored(app, users, client_as, listings):
    browser = client_as("member")
    page = browser.get(f"/mes-annonces/{listings['mine']}/modifier")
    assert page.status_code == 200
    data = form_fields(page, "/modifier")
    data.update(
        {
            "owner_id": str(users["animator"].id),
            "created_by_id": str(users["admin"].id),
            "status": "open",
            "hidden": "1",
            "id": "999",
        }
    )
    browser.post(f"/mes-annonces/{listings['mine']}/modifier", data=data)
    owner, _title, status, created_by = listing_row(app, listings["mine"])
    assert owner == users["member"].id
    assert created_by == users["member"].id
    assert status == "draft", "publishing goes through its own button, not a form field"
    with app.app_context():
        assert db.session.get(Listing, 999) is None


@pytest.mark.parametrize("path", ["/compte/profil", "/compte/langue"])
def test_a_member_cannot_give_themself_a_role_with_a_crafted_field(app, users, client_as, path):
    browser = client_as("member")
    data = {
        "contact_preference": "phone",
        "languages": "français",
        "locale": "fr",
        "role": "admin",
        "group_role": "pilote",
        "is_enabled": "1",
        "session_version": "1",
        "email": "pirate@example.org",
        "user_id": str(users["admin"].id),
        "id": str(users["admin"].id),
    }
    post_form(browser, path, data, token_from="/compte")
    with app.app_context():
        me = db.session.get(User, users["member"].id)
        admin = db.session.get(User, users["admin"].id)
        assert (me.role, me.group_role, me.email) == ("member", None, users["member"].email)
        assert admin.contact_preference == "phone" and admin.languages == ""
    assert browser.get("/admin/journal").status_code == 403


def test_a_member_cannot_use_the_admins_role_form(app, users, client_as):
    browser = client_as("member")
    response = post_form(browser, f"/admin/groupe/{users['member'].id}/role", {"role": "admin"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, users["member"].id).role == Role.MEMBER.value


def test_an_animator_cannot_promote_someone_to_admin(app, users, client_as):
    browser = client_as("animator")
    response = post_form(browser, f"/admin/groupe/{users['member'].id}/role", {"role": "admin"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, users["member"].id).role == Role.MEMBER.value


# --- V14 data protection: no personal data in URLs or logs ----------------------------------------

# Fragments of URL argument names that would carry a person's data. « name » alone is not one: a
# report's table name or a photo's random file name; a person is always designated by an id.
PERSONAL_FRAGMENTS = (
    "mail",
    "phone",
    "password",
    "first_name",
    "last_name",
    "full_name",
    "prenom",
    "address",
    "adresse",
    "birth",
    "naissance",
)
PERSONAL_WORDS = {"nom", "tel", "login", "identifiant", "person_name", "user_name", "username"}


def test_no_route_carries_personal_data_in_its_path():
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path="/tmp/coopere-asvs-test-instance",
    )
    offenders = []
    for rule in app.url_map.iter_rules():
        for argument in rule.arguments:
            name = argument.lower()
            if name in PERSONAL_WORDS or any(fragment in name for fragment in PERSONAL_FRAGMENTS):
                offenders.append((rule.rule, argument))
    assert offenders == [], "identify people by their id in URLs, never by name, email or phone"


def test_login_form_posts_its_secret_in_the_body(client):
    page = client.get("/connexion").get_data(as_text=True)
    form = re.search(r"<form[^>]*action=\"/connexion[^\"]*\"[^>]*>", page) or re.search(
        r"<form[^>]*>", page
    )
    assert 'method="post"' in form.group(0).lower()


def test_no_personal_data_in_the_logs_of_a_failed_login_or_a_registration(
    app, users, client_as, caplog
):
    from coopere.dwellings.models import Dwelling

    with app.app_context():
        db.session.add(
            Dwelling(
                number=12,
                street="rue des Lilas",
                postcode="44300",
                city="Nantes",
                address_key="12 rue des lilas",
            )
        )
        db.session.commit()
    secrets = [
        "member1@example.org",
        "mot-de-passe-tres-secret",
        "0612345678",
        "06 12 34 56 78",
        "+33612345678",
        "elodie.martin@example.org",
        "Élodie",
        "Martin",
    ]
    caplog.set_level(logging.DEBUG)
    anonymous = client_as(None)
    response = post_form(
        anonymous,
        "/connexion",
        {"login": "member1@example.org", "password": "mot-de-passe-tres-secret"},
    )
    assert response.status_code == 422
    response = post_form(
        anonymous, "/connexion", {"login": "06 12 34 56 78", "password": "mot-de-passe-tres-secret"}
    )
    assert response.status_code == 422
    desk = client_as("animator")
    token = csrf_token(desk, "/inscription")
    response = desk.post(
        "/inscription",
        data={
            "csrf_token": token,
            "first_name": "Élodie",
            "last_name": "Martin",
            "address": "12 rue des Lilas",
            "phone": "06 12 34 56 78",
            "email": "elodie.martin@example.org",
            "has_internet": "yes",
            "contact_preference": "phone",
            "languages": "français",
            "step": "1",
            "go": "next",
        },
    )
    assert response.status_code == 200, text(response)
    data = form_fields(response, "/inscription")
    data["go"] = "next"
    response = desk.post("/inscription", data=data)
    data = form_fields(response, "/inscription")
    data.update({"charter": "y", "privacy": "y", "method": "tablet", "go": "save"})
    response = desk.post("/inscription", data=data)
    assert response.status_code == 302, text(response)
    with app.app_context():
        assert (
            db.session.scalar(select(User).where(User.email == "elodie.martin@example.org"))
            is not None
        )
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in secrets:
        assert secret not in logged, f"{secret!r} was written to the logs"


def test_the_audit_log_keeps_no_password_or_contact_of_a_failed_login(app, users, client_as):
    from coopere.audit.models import AuditEvent

    post_form(
        client_as(None),
        "/connexion",
        {"login": "inconnu@example.org", "password": "mot-de-passe-tres-secret"},
    )
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent)).all()
        dump = " ".join(f"{r.action} {r.details}" for r in rows)
    assert "mot-de-passe-tres-secret" not in dump
    assert "inconnu@example.org" not in dump


# --- V13 configuration: the debugger, security headers --------------------------------------------


@pytest.mark.parametrize(
    "argv, env_host, refused",
    [
        (["flask", "run", "--debug", "--host", "0.0.0.0"], None, True),
        (["flask", "run", "--debug", "--host=192.168.1.20"], None, True),
        (["flask", "run", "--debug", "-h", "lilas.example.org"], None, True),
        (["flask", "run", "--debug"], "0.0.0.0", True),
        (["flask", "run", "--debug"], None, False),
        (["flask", "run", "--debug", "--host", "127.0.0.1"], None, False),
        (["flask", "run", "--debug", "--host=::1"], None, False),
        (["flask", "run", "--debug", "--host", "localhost"], None, False),
        (["flask", "run", "--host", "0.0.0.0"], None, False),  # no debugger: any address
    ],
)
def test_the_debugger_is_refused_on_a_non_local_address(monkeypatch, argv, env_host, refused):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setattr("sys.argv", argv)
    if env_host:
        monkeypatch.setenv("FLASK_RUN_HOST", env_host)
    else:
        monkeypatch.delenv("FLASK_RUN_HOST", raising=False)
    if refused:
        with pytest.raises(SystemExit, match="debug"):
            _refuse_public_debugger()
    else:
        _refuse_public_debugger()


def test_flask_debug_environment_counts_as_debug(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setattr("sys.argv", ["flask", "run", "--host", "0.0.0.0"])
    with pytest.raises(SystemExit):
        _refuse_public_debugger()


@pytest.mark.parametrize(
    "path, status",
    [
        ("/", 200),
        ("/connexion", 200),
        ("/page-qui-nexiste-pas", 404),
        ("/accueil", 302),
        ("/static/css/coopere.css", 200),
    ],
)
def test_security_headers_on_every_kind_of_response(app, client, path, status):
    response = client.get(path)
    response.close()
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in (
        "same-origin",
        "no-referrer",
        "strict-origin-when-cross-origin",
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    if path != "/static/css/coopere.css":
        assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(app, users):
    browser = app.test_client()
    login(browser, users["member"])
    response = post_form(browser, "/compte/langue", {"locale": "fr"}, token_from="/compte")
    set_cookie = " ".join(response.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


def test_cookies_are_secure_when_served_over_https(make_app, users):
    app = make_app(PREFERRED_URL_SCHEME="https")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/connexion", base_url="https://localhost")
    assert "Strict-Transport-Security" in response.headers
    assert "Secure" in " ".join(response.headers.getlist("Set-Cookie"))


# --- V16 security logging: the audit log ----------------------------------------------------------

NASTY = (
    "Jean\r\n2026-01-01 00:00:00 UTC Connexion admin\x1b[31m rouge\x1b[0m "
    "<script>alert('x')</script> \u202egnp.exe \u2028ligne\x00nul\x85"
)


def test_audit_page_shows_utc_times_and_escapes_injected_details(app, users, client_as):
    with app.app_context():
        member = db.session.get(User, users["member"].id)
        member.first_name = "Anne\r\n<b>gras</b>\x1b[2J"
        record("member.updated", actor=member, target=member, reason=NASTY)
        db.session.commit()
    page = client_as("admin").get("/admin/journal")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "<b>gras</b>" not in html
    assert "&lt;script&gt;" in html
    for raw in ("\x1b", "\r", "\u202e", "\u2028", "\x00", "\x85"):
        assert raw not in html, repr(raw)
    assert "\\u001b[31m" in html and "\\u202e" in html
    row = next(r for r in html.split("<tr>") if "gnp.exe" in r)
    details = row.split("<td>")[4].split("</td>")[0]
    assert "\n" not in details and "gnp.exe" in details, "the details cell must hold one line"
    assert re.search(
        r'<time datetime="[0-9T:-]+Z">\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC</time>', html
    )
    assert "Quand (heure UTC)" in text(page)


def test_audit_times_are_the_stored_utc_times(app, users):
    from datetime import datetime

    assert (
        utc_timestamp(datetime(2026, 7, 14, 9, 5, 3)) == "2026-07-14 09:05:03 UTC"
    )  # not 11:05 in Paris
    assert utc_timestamp(None) == ""


@pytest.mark.parametrize(
    "raw", [NASTY, "a\nb", "a\rb", "\x1b]0;titre\x07", "\u2029", "\ufeff", "\ud800"]
)
def test_printable_keeps_one_visible_line(raw):
    line = printable(raw)
    assert line.isprintable() or all(c.isprintable() or c == " " for c in line)
    assert not set(line) & {"\n", "\r", "\x1b", "\x00", "\x85", "\u2028", "\u2029", "\u202e"}
    # Ordinary text is untouched: accents, emoji, guillemets.
    assert printable("Élodie « ok » 🌻") == "Élodie « ok » 🌻"


def test_a_plain_text_log_line_of_an_audit_detail_stays_one_line(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("coopere.test").info("audit %s", printable(NASTY))
    assert len(caplog.records) == 1
    assert "\n" not in caplog.text.rstrip("\n") and "\x1b" not in caplog.text


@pytest.mark.parametrize("role, path", [("animator", "/membres/"), ("admin", "/admin/groupe")])
def test_searching_a_person_by_name_keeps_the_name_out_of_the_url(
    app, users, client_as, create_user, role, path
):
    """ASVS 14.2.1: a name typed in a people search is posted, never in the address (web-server
    logs)."""
    create_user(first_name="Zélie", last_name="Vermandois")
    client = client_as(role)
    page = client.get(path).get_data(as_text=True)
    search = re.search(r'<form method="(\w+)"[^>]*role="search"', page)
    assert search and search.group(1) == "post"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "q": "Vermandois"})
    assert response.status_code == 302 and "Vermandois" not in response.headers["Location"]
    assert "?" not in response.headers["Location"]
    assert "Vermandois" in text(client.get(response.headers["Location"]))
    assert 'value="Autre"' not in client.get(path + "?q=Autre").get_data(
        as_text=True
    )  # an address's q is not read
