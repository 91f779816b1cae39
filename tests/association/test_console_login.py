"""Logging in to the console with the production settings: counters in the network's own file
(coopere-db://, the default), a lock after repeated failures."""

from __future__ import annotations

from coopere.association import accounts
from coopere.association.accounts import LOCK_AFTER
from coopere.association.store import db_session
from coopere.network import Network, create_network_app
from helpers import PASSWORD, csrf_token


def network_app(tmp_path):
    (tmp_path / "network.py").write_text(
        "PUBLIC_URL = 'https://reseau.example.org'\n"
        "ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 1024\nARGON2_PARALLELISM = 1\n"
    )
    app = create_network_app(Network(tmp_path))
    with app.test_request_context():
        accounts.create_account("coord@example.org", "Claire", "coordination", PASSWORD)
        db_session().commit()
    return app


def log_in(client, password):
    token = csrf_token(client, "/association/connexion")
    return client.post(
        "/association/connexion",
        data={"csrf_token": token, "email": "coord@example.org", "password": password},
    )


def test_the_default_rate_limit_store_counts_in_the_networks_folder(tmp_path):
    app = network_app(tmp_path)
    assert app.config["RATELIMIT_STORAGE_URI"] == "coopere-db://"
    response = log_in(app.test_client(), PASSWORD)
    assert response.status_code == 302
    assert (tmp_path / "ratelimit.sqlite3").exists()


def test_ten_failures_lock_the_account_even_with_the_right_password(tmp_path):
    app = network_app(tmp_path)
    client = app.test_client()
    for _ in range(LOCK_AFTER):
        refused = log_in(client, "pas le bon mot de passe")
        assert "Adresse e-mail ou mot de passe incorrect." in refused.get_data(as_text=True)
    locked = log_in(client, PASSWORD)
    assert locked.status_code == 200
    assert "Trop d'essais manqués" in locked.get_data(as_text=True).replace("&#39;", "'")


def test_the_consoles_cookie_is_never_sent_to_a_perimeters_pages(tmp_path):
    app = network_app(tmp_path)
    response = log_in(app.test_client(), PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("coopere_association=") and "Path=/association/" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
