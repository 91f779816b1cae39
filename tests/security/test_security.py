"""Security baseline: headers everywhere, CSRF, POST-only changes, size limits, French error
pages."""

from __future__ import annotations

import pytest

from helpers import PASSWORD, ROOT, csrf_token, text
from coopere.security import CSP


def assert_security_headers(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for directive in csp.split(";"):
        # No external host anywhere: only 'self', 'none' and data: for images.
        for source in directive.split()[1:]:
            assert source in ("'self'", "'none'", "data:"), source
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path, status",
    [("/", 200), ("/connexion", 200), ("/introuvable", 404), ("/admin/perimetre", 302)],
)
def test_headers_on_pages_and_error_pages(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_only_under_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_flags(make_app, create_user):
    app = make_app(PREFERRED_URL_SCHEME="https")
    user = create_user()
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/connexion",
        data={"csrf_token": token, "login": user.email, "password": PASSWORD},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_missing_csrf_token_is_refused_in_french_and_changes_nothing(client, create_user):
    user = create_user()
    response = client.post("/connexion", data={"login": user.email, "password": PASSWORD})
    assert response.status_code == 400
    page = text(response)
    assert "Le formulaire n'a pas pu être vérifié" in page
    assert_security_headers(response)
    assert client.get("/accueil").status_code == 302


def test_csrf_token_does_not_expire():
    from coopere.config import Defaults

    assert Defaults.WTF_CSRF_TIME_LIMIT is None


def test_oversized_body_is_refused_in_french(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/connexion", data={"login": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "Fichier trop gros" in text(response)


def test_unknown_url_gives_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


def test_wrong_method_gives_french_405(client):
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert "Action impossible" in text(response)


def test_server_error_page_has_no_traceback(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boum")
    def boom():
        raise RuntimeError("secret internals")

    from coopere.policy import POLICY, Access

    POLICY["boom"] = Access.PUBLIC
    try:
        response = app.test_client().get("/boum")
    finally:
        del POLICY["boom"]
    page = text(response)
    assert response.status_code == 500
    assert "Un problème est survenu" in page
    assert "secret internals" not in page and "Traceback" not in page
    assert_security_headers(response)


def test_csp_constant_has_no_inline_allowance():
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP


def test_templates_have_no_inline_script_or_style():

    root = ROOT / "templates"
    for template in root.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert (
            "<script>" not in source
            and " style=" not in source
            and "<style" not in source
            or "printing" in template.parts
            # an HTML email is read in a mail client, not under the site's CSP: mail clients load
            # no stylesheet, so its styles are inline (it carries no script)
            or "email" in template.parts
            and "<script" not in source
        ), template


def test_proxy_fix_trusts_forwarded_proto_when_configured(make_app):
    app = make_app(PROXY_FIX=1)
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    plain = make_app(PROXY_FIX=0).test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in plain.headers
