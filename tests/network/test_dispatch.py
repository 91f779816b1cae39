"""The network's one WSGI entry: addresses it does not know, reserved words, a perimeter whose
schema is behind the code, a perimeter on a host name of its own, the bounded set of warm apps,
and the cookies' scope."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import text

from coopere.extensions import db
from coopere.network import NetworkDispatcher
from coopere.network.create import create_perimeter
from coopere.network.sites import WarmApps, database_url, dispose, warm_apps
from coopere.network.slugs import SlugError, check_slug
from helpers import PASSWORD, csrf_token
from helpers_network import body_text
from network_support import BASE, close_network, make_network, new_perimeter, seed_perimeter

HOST = "lilas.example.org"


def test_an_unknown_perimeter_gets_the_networks_french_404(perimeters):
    client = perimeters.client()
    for address in ("/inconnu/", "/inconnu", "/inconnu/membres/3", "/A/"):
        answer = client.get(BASE + address)
        assert answer.status_code == 404, address
        page = body_text(answer)
        assert "Page introuvable" in page and 'lang="fr"' in page, address


def test_the_network_lists_its_perimeters_at_its_root(perimeters):
    page = body_text(perimeters.client().get(BASE + "/"))
    assert "Coop-ère des Lilas" in page and "Coop-ère Tilleuls" in page
    assert f"{BASE}/a/" in page and f"{BASE}/b/" in page


def test_a_perimeter_address_without_its_final_slash_is_redirected(perimeters):
    client = perimeters.client()
    answer = client.get(BASE + "/a")
    assert answer.status_code == 308 and answer.headers["Location"] == "/a/"
    answer = client.get(BASE + "/a?source=lettre")
    assert answer.status_code == 308 and answer.headers["Location"] == "/a/?source=lettre"


@pytest.mark.parametrize("word", ["static", "admin", "connexion", "membres", "annonces", ""])
def test_a_reserved_word_cannot_name_a_perimeter(perimeters, word):
    with pytest.raises(SlugError):
        check_slug(word)
    with pytest.raises(SlugError):
        create_perimeter(
            perimeters.network,
            new_perimeter(word, "Réservé", "Jean", "Réservé", "jean@example.org"),
            letter=False,
        )
    assert not perimeters.network.instance_path(word or "x").exists()


def test_no_perimeter_route_starts_with_a_word_a_slug_could_be(perimeters):
    """A path from a perimeter's root is never read as another perimeter's address."""
    firsts = {
        rule.rule.split("/")[1].split("<")[0] for rule in perimeters.app("a").url_map.iter_rules()
    } - {""}
    allowed = []
    for first in sorted(firsts):
        try:
            check_slug(first)
            allowed.append(first)
        except SlugError:
            pass
    assert allowed == [], "add these words to coopere/network/slugs.py RESERVED"


def test_a_perimeter_behind_the_code_gets_the_maintenance_page_while_others_serve(perimeters):
    network = perimeters.network
    create_perimeter(
        network,
        new_perimeter("c", "Coop-ère C", "Céleste", "Cerisier", "c@example.org"),
        letter=False,
    )
    if database_url(network, "c").startswith("postgresql"):
        perimeters.databases.append(database_url(network, "c"))
    app = perimeters.app("c")
    with app.app_context():
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.execute(text("UPDATE alembic_version SET version_num = 'bf1ccd8a996c'"))
        db.session.commit()
    warm_apps(network).drop("c")
    dispatcher = NetworkDispatcher(network)  # a worker started after the failed upgrade
    client = perimeters.client()
    client.application = dispatcher
    try:
        answer = client.get(f"{BASE}/c/connexion")
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "600"
        page = body_text(answer)
        assert "en travaux" in page and 'lang="fr"' in page
        assert "c" not in warm_apps(network), "the app of a perimeter behind is never built"
        assert client.get(f"{BASE}/a/connexion").status_code == 200
        assert client.get(f"{BASE}/b/").status_code == 200
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()
        dispose(app)
    fresh = NetworkDispatcher(network)
    client.application = fresh
    assert client.get(f"{BASE}/c/connexion").status_code == 200


def test_the_session_cookie_is_scoped_to_the_perimeter(perimeters):
    client = perimeters.client()
    client.get(f"{BASE}/a/connexion")
    answer = client.post(
        f"{BASE}/a/connexion",
        data={
            "csrf_token": csrf_token(client, f"{BASE}/a/connexion"),
            "login": perimeters.logins["a"],
            "password": PASSWORD,
        },
    )
    cookies = answer.headers.getlist("Set-Cookie")
    assert cookies, answer.headers
    for cookie in cookies:
        attributes = [part.strip() for part in cookie.split(";")]
        assert "Path=/a/" in attributes, cookie
        assert "Secure" in attributes and "HttpOnly" in attributes, cookie
        assert not any(part.startswith("Domain=") for part in attributes), cookie
    # A browser's jar: the cookie goes to /a/ only.
    assert client.get_cookie("session", domain="reseau.example.org", path="/a/") is not None
    assert client.get(f"{BASE}/b/membres/").status_code == 302


def test_the_least_recently_used_app_is_dropped_and_built_again_with_the_session_valid(
    perimeters,
):
    network = perimeters.network
    warm = WarmApps(network, size=1)
    dispatcher = NetworkDispatcher(network)
    dispatcher.apps = warm
    client = perimeters.login("a")
    client.application = dispatcher
    assert client.get(f"{BASE}/a/membres/").status_code == 200
    first = warm.get("a")
    engine = _engine(first)
    assert client.get(f"{BASE}/b/").status_code == 200
    assert "a" not in warm and "b" in warm and len(warm) == 1
    assert engine.pool.checkedin() == 0, "the dropped app's connections are closed"
    answer = client.get(f"{BASE}/a/membres/")
    assert answer.status_code == 200, "the session stays valid when the app is built again"
    assert warm.get("a") is not first and warm.built == 3
    warm.clear()


def _engine(app):
    with app.app_context():
        return db.engine


@pytest.fixture(scope="module")
def hosted(tmp_path_factory, perimeters):
    """A network whose perimeter A is served on a host name of its own (HOSTS in network.py)."""
    root = tmp_path_factory.mktemp("hosted")
    if perimeters.network.template_dir.exists():  # SQLite: no migrations again
        shutil.copytree(perimeters.network.template_dir, root / "template")
    made = make_network(
        root,
        {
            "HOSTS": {HOST: "a"},
            "RATELIMIT_LOGIN": "4 per hour",
            "RATELIMIT_ACTIVATION_GLOBAL": "3 per hour",
        },
    )
    try:
        seed_perimeter(made.app("a"), "a")
        seed_perimeter(made.app("b"), "b")
        yield made
    finally:
        close_network(made)


def test_a_perimeter_on_its_own_host_name_is_served_at_its_root(hosted):
    app = hosted.app("a")
    assert app.config["PUBLIC_URL"] == f"https://{HOST}"
    assert app.config["SESSION_COOKIE_PATH"] == "/"
    client = hosted.client()
    page = client.get(f"https://{HOST}/")
    assert page.status_code == 200
    assert "Coop-ère des Lilas" in body_text(page)
    answer = client.post(
        f"https://{HOST}/connexion",
        data={
            "csrf_token": csrf_token(client, f"https://{HOST}/connexion"),
            "login": hosted.logins["a"],
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/")
    assert any("Path=/;" in c or c.endswith("Path=/") for c in answer.headers.getlist("Set-Cookie"))
    assert client.get(f"https://{HOST}/membres/").status_code == 200
    # The host serves A only: /b/ there is A's own 404, not B.
    other = client.get(f"https://{HOST}/b/")
    assert other.status_code == 404 and "Tilleuls" not in body_text(other)


@pytest.mark.parametrize(
    "path, target",
    [
        ("/a/", f"https://{HOST}/"),
        ("/a", f"https://{HOST}/"),
        ("/a/membres/?page=2", f"https://{HOST}/membres/?page=2"),
        ("/a/connexion?next=/membres/", f"https://{HOST}/connexion?next=/membres/"),
        ("/a/annonces/caf%C3%A9", f"https://{HOST}/annonces/caf%C3%A9"),
    ],
)
def test_the_path_form_of_a_hosted_perimeter_leads_to_its_host(hosted, path, target):
    # Behind a proxy that speaks plain HTTP to the workers: the public scheme is PUBLIC_URL's.
    answer = hosted.client().get(BASE.replace("https://", "http://") + path)
    assert answer.status_code == 308
    assert answer.headers["Location"] == target


def test_the_other_perimeter_is_still_served_by_path_on_the_main_host(hosted):
    assert hosted.app("b").config["PUBLIC_URL"] == f"{BASE}/b"
    assert hosted.client().get(f"{BASE}/b/").status_code == 200


def _refused_attempts(client, url: str, field: dict, times: int) -> list[int]:
    statuses = []
    for _ in range(times):
        token = csrf_token(client, url)
        statuses.append(client.post(url, data={"csrf_token": token, **field}).status_code)
    return statuses


def test_the_rate_limits_of_one_perimeter_are_not_spent_by_another(hosted):
    """One worker's limiter serves every perimeter: attempts on B never use up A's allowance,
    neither the login's (per address) nor the activation codes' (for the whole site)."""
    client = hosted.client()
    wrong = {"login": "personne@example.org", "password": "pas-le-bon-mot"}
    assert 429 not in _refused_attempts(client, f"{BASE}/b/connexion", wrong, 4)
    assert _refused_attempts(client, f"{BASE}/b/connexion", wrong, 1) == [429]
    assert 429 not in _refused_attempts(client, f"https://{HOST}/connexion", wrong, 1)

    code = {"code": "ZZZZZZZZZZ"}
    assert 429 not in _refused_attempts(client, f"{BASE}/b/activer", code, 3)
    assert _refused_attempts(client, f"{BASE}/b/activer", code, 1) == [429]
    assert 429 not in _refused_attempts(client, f"https://{HOST}/activer", code, 1)
