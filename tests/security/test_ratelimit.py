"""Rate limits hold across server processes: the default store (coopere-db://) keeps the counters in
the app's database, so two app instances (two gunicorn workers) count together; redis:// when
several machines serve."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from helpers import csrf_token, redis_reachable, text
from coopere.ratelimit import DatabaseStorage, RateLimitCounter, counters_engine

SHARED = {"RATELIMIT_STORAGE_URI": "coopere-db://"}


def failed_login(client, token):
    return client.post(
        "/connexion",
        data={"csrf_token": token, "login": "x@example.org", "password": "whatever-pass"},
    ).status_code


def test_login_limit_is_counted_once_for_two_server_processes(make_app):
    """Each app instance has its own engine and storage object, as two gunicorn workers do; the
    second one is built after the first counted, so an in-memory count would start again."""
    first = make_app(RATELIMIT_LOGIN="3 per minute", **SHARED)
    one = first.test_client()
    token_one = csrf_token(one)
    assert [failed_login(one, token_one) for _ in range(2)] == [422, 422]
    second = make_app(RATELIMIT_LOGIN="3 per minute", **SHARED)
    other = second.test_client()  # the same address (127.0.0.1), served by the other process
    token_other = csrf_token(other)
    assert failed_login(other, token_other) == 422
    refused = other.post("/connexion", data={"csrf_token": token_other})
    assert refused.status_code == 429 and "Trop d'essais" in text(refused)
    assert failed_login(one, token_one) == 429


def test_a_get_page_limit_is_shared_too(make_app, create_perimeter):
    """The activation link is limited on GET: its count is written even on a read-only page."""
    first = make_app(RATELIMIT_ACTIVATION="3 per hour", **SHARED)
    create_perimeter()
    second = make_app(RATELIMIT_ACTIVATION="3 per hour", **SHARED)
    clients = [first.test_client(), second.test_client()]
    statuses = [clients[n % 2].get("/activer/PQRSTUVWXY").status_code for n in range(5)]
    assert statuses == [303, 303, 303, 429, 429]  # sent on to the form, then refused


def test_a_count_never_waits_for_the_request_s_own_transaction(make_app, create_user):
    """A logged-in member posting with an idempotency key: the request's session holds the write
    transaction (SQLite: the database's write lock) before the view's limit is counted."""
    from helpers import login

    app = make_app(RATELIMIT_LOGIN="4 per minute", SQLITE_BUSY_TIMEOUT_MS=2000, **SHARED)
    member = create_user()
    client = app.test_client()
    assert login(client, member).status_code == 302  # the first of the 4
    token = csrf_token(client)
    codes = [
        client.post(
            "/connexion", data={"csrf_token": token, "idempotency_key": f"key-{n}"}
        ).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]  # already logged in: sent home, and counted


def test_other_addresses_keep_their_own_count(make_app):
    app = make_app(RATELIMIT_LOGIN="2 per minute", **SHARED)
    near, far = app.test_client(), app.test_client()
    far.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    token_near, token_far = csrf_token(near), csrf_token(far)
    assert [failed_login(near, token_near) for _ in range(3)] == [422, 422, 429]
    assert failed_login(far, token_far) == 422


@pytest.mark.parametrize("store", ["memory://", "coopere-db://"])
def test_an_ipv6_network_counts_as_one_client(make_app, store):
    """One subscriber has a whole /64: a new address in it for every try gets no new tries."""
    app = make_app(RATELIMIT_LOGIN="2 per minute", RATELIMIT_STORAGE_URI=store)
    codes = []
    for n in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:5:6::{n + 1}"
        codes.append(failed_login(client, csrf_token(client)))
    assert codes == [422, 422, 429]
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "2001:db8:5:7::1"
    assert failed_login(elsewhere, csrf_token(elsewhere)) == 422


def test_the_table_keeps_no_address(make_app):
    app = make_app(RATELIMIT_LOGIN="5 per minute", **SHARED)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    failed_login(client, csrf_token(client))
    with app.app_context(), counters_engine().connect() as connection:
        keys = connection.scalars(select(RateLimitCounter.key)).all()
    assert len(keys) == 1 and "203.0.113" not in keys[0] and len(keys[0]) == 64


def test_a_window_ends_and_counting_starts_again(app, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr("coopere.ratelimit.time.time", lambda: clock[0])
    monkeypatch.setattr("coopere.ratelimit.PRUNE_ONE_IN", 10**9)  # no pruning by chance here
    storage = DatabaseStorage("coopere-db://")
    with app.test_request_context():
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get("k") == 3 and storage.get_expiry("k") == 1_000_060.0
        assert storage.incr("other", 60, amount=5) == 5
        clock[0] += 60
        assert storage.get("k") == 0  # the window ended
        assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == 1_000_120.0
        storage.clear("k")
        assert storage.get("k") == 0 and storage.get("other") == 0  # "other" ended too
        assert storage.prune() == 1  # only "other", whose window ended, was left
        storage.incr("k", 60)
        assert storage.reset() == 1 and storage.check()


def test_redis_store_for_several_machines(make_app):
    pytest.importorskip(
        "redis", reason="redis:// needs the redis package: pip install -e '.[redis]'"
    )
    if not redis_reachable():
        pytest.skip("no Redis server at 127.0.0.1:6379: the redis:// store is not tried")
    uri = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "RATELIMIT_LOGIN": "2 per minute",
        "RATELIMIT_KEY_PREFIX": f"coopere-test-{uuid.uuid4().hex}",
    }  # a fresh count each run
    first = make_app(**uri)
    one = first.test_client()
    assert [failed_login(one, csrf_token(one)) for _ in range(2)] == [422, 422]
    second = make_app(**uri)
    other = second.test_client()
    assert failed_login(other, csrf_token(other)) == 429
