"""Idempotency keys: a write sent twice with the same key (a retry after a lost answer) is carried
out once; other keys and no key work as usual; a bad or someone else's key is refused in French;
two concurrent requests with the same key make one row and no server error (PostgreSQL too)."""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coopere.auth.models import User
from coopere.cafe.models import CheckIn
from coopere.dwellings.models import Dwelling
from coopere.exchanges.models import Exchange, Message
from coopere.extensions import db
from coopere.idempotency import KEEP_DAYS, IdempotencyKey, prune_keys
from coopere.listings import services as listing_services
from coopere.listings.models import Listing
from coopere.members.models import Consent
from coopere.timeutil import utcnow
from factories import make_listing, todays_cafe
from helpers import csrf_token, form_fields, login, text


def key() -> str:
    return uuid.uuid4().hex


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def send(client, path: str, data: dict, idem: str | None = None, token_from: str = "/"):
    data = {"csrf_token": csrf_token(client, token_from), **data}
    headers = {"Idempotency-Key": idem} if idem is not None else {}
    return client.post(path, data=data, headers=headers)


def new_listing(client, themes, title: str, idem: str | None = None):
    return send(
        client,
        "/mes-annonces/nouvelle",
        {
            "kind": "offer",
            "theme_id": str(themes["dons-prets"]),
            "title": title,
            "description": "",
            "confirmed": "1",
        },
        idem,
        token_from="/mes-annonces/nouvelle",
    )


@pytest.fixture
def member(client_as):
    return client_as("member")


# --- listings -----------------------------------------------------------------------------------


def test_the_same_listing_sent_twice_with_one_key_is_created_once(app, member, themes, users):
    idem = key()
    first = new_listing(member, themes, "Je prête ma perceuse", idem)
    assert first.status_code == 302 and first.headers["Location"].endswith("/mes-annonces")
    again = new_listing(member, themes, "Je prête ma perceuse", idem)
    assert again.status_code == 303 and again.headers["Location"] == "/mes-annonces"
    assert "Déjà enregistré." in text(member.get("/mes-annonces"))
    assert count(app, Listing) == 1
    with app.app_context():
        stored = db.session.get(IdempotencyKey, idem)
        assert (stored.user_id, stored.method, stored.path) == (
            users["member"].id,
            "POST",
            "/mes-annonces/nouvelle",
        )
        assert (stored.status_code, stored.location) == (302, "/mes-annonces")


def test_different_keys_or_no_key_make_two_listings(app, member, themes):
    assert new_listing(member, themes, "Je prête ma perceuse", key()).status_code == 302
    assert new_listing(member, themes, "Je prête ma perceuse", key()).status_code == 302
    assert count(app, Listing) == 2
    assert new_listing(member, themes, "Je prête mon escabeau").status_code == 302
    assert new_listing(member, themes, "Je prête mon escabeau").status_code == 302
    assert count(app, Listing) == 4 and count(app, IdempotencyKey) == 2


def test_the_hidden_form_field_works_like_the_header(app, member, themes):
    idem = key()
    for _ in range(2):
        response = send(
            member,
            "/mes-annonces/nouvelle",
            {
                "kind": "offer",
                "theme_id": str(themes["dons-prets"]),
                "title": "Je prête ma perceuse",
                "description": "",
                "confirmed": "1",
                "idempotency_key": idem,
            },
            token_from="/mes-annonces/nouvelle",
        )
        assert response.status_code in (302, 303)
    assert count(app, Listing) == 1


def test_the_site_forms_carry_a_key_so_a_double_tap_publishes_once(app, member, themes):
    """A resident on a slow phone taps « Publier » twice: the form the page gave them is sent
    twice."""

    def rendered_key() -> str:
        found = re.findall(
            r'name="idempotency_key" value="([0-9a-f]{32})"',
            text(member.get("/mes-annonces/nouvelle")),
        )
        assert len(found) == 1
        return found[0]

    fields = {
        "csrf_token": csrf_token(member, "/mes-annonces/nouvelle"),
        "idempotency_key": rendered_key(),
        "kind": "offer",
        "theme_id": str(themes["dons-prets"]),
        "title": "Je prête ma perceuse",
        "confirmed": "1",
    }
    assert member.post("/mes-annonces/nouvelle", data=fields).status_code == 302
    assert member.post("/mes-annonces/nouvelle", data=fields).status_code == 303
    assert count(app, Listing) == 1
    assert rendered_key() != fields["idempotency_key"]  # a new page, a new key


def test_a_refused_form_stores_no_key_and_the_corrected_one_goes_through(app, member, themes):
    idem = key()
    refused = new_listing(member, themes, "", idem)
    assert refused.status_code == 422
    assert count(app, IdempotencyKey) == 0
    assert new_listing(member, themes, "Je prête ma perceuse", idem).status_code == 302
    assert count(app, Listing) == 1 and count(app, IdempotencyKey) == 1


@pytest.mark.parametrize("bad", ["a" * 65, "clé-accentuée", "deux mots", "a/b", "x;drop"])
def test_a_bad_key_is_refused_in_french_and_changes_nothing(app, member, themes, bad):
    response = new_listing(member, themes, "Je prête ma perceuse", bad)
    assert response.status_code == 400
    assert "clé d'envoi invalide" in text(response) and "rien n'a été enregistré" in text(response)
    assert count(app, Listing) == 0 and count(app, IdempotencyKey) == 0


def test_someone_elses_key_is_not_theirs(app, member, client_as, themes):
    idem = key()
    assert new_listing(member, themes, "Je prête ma perceuse", idem).status_code == 302
    other = client_as("animator")
    response = new_listing(other, themes, "Je répare les vélos", idem)
    assert response.status_code == 409 and "déjà servi pour une autre demande" in text(response)
    # Nor is a key of one form good for another form of the same person.
    response = send(member, "/compte/langue", {"locale": "en"}, idem, token_from="/compte")
    assert response.status_code == 409
    assert count(app, Listing) == 1


def test_read_only_requests_and_anonymous_forms_ignore_the_key(app, users, client):
    assert client.get("/", headers={"Idempotency-Key": key()}).status_code == 200
    idem = key()
    for _ in range(2):
        response = send(
            client,
            "/connexion",
            {"login": users["member"].email, "password": "faux"},
            idem,
            token_from="/connexion",
        )
        assert response.status_code != 303
    assert count(app, IdempotencyKey) == 0


# --- exchange messages --------------------------------------------------------------------------


@pytest.fixture
def exchange(app, users, themes) -> int:
    """The animator answered the member's offer: a thread of one message."""
    listing_id = make_listing(app, users["member"], themes["dons-prets"])
    client = app.test_client()
    login(client, users["animator"])
    response = send(
        client, f"/annonces/{listing_id}/repondre", {"body": "Bonjour, je peux passer samedi."}
    )
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(select(Exchange.id))


def test_a_message_sent_twice_with_one_key_is_written_once(app, member, exchange):
    path = f"/echanges/{exchange}/repondre"
    idem = key()
    for _ in range(2):
        assert send(member, path, {"body": "Avec plaisir, samedi 10 h ?"}, idem).status_code in (
            302,
            303,
        )
    assert count(app, Message, exchange_id=exchange) == 2  # the first answer and one reply
    send(member, path, {"body": "Ou dimanche ?"}, key())
    send(member, path, {"body": "Ou lundi ?"})
    assert count(app, Message, exchange_id=exchange) == 4


# --- café check-ins ----------------------------------------------------------------------------


@pytest.fixture
def today(app, users) -> int:
    return todays_cafe(app)


def test_a_check_in_sent_twice_with_one_key_is_recorded_once(app, client_as, today, create_user):
    desk = client_as("animator")
    person = create_user(first_name="Élodie", last_name="Martin")
    idem = key()
    path = f"/cafe/{today}/accueil/present"
    first = send(
        desk, path, {"person_id": str(person.id)}, idem, token_from=f"/cafe/{today}/accueil"
    )
    again = send(
        desk, path, {"person_id": str(person.id)}, idem, token_from=f"/cafe/{today}/accueil"
    )
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    page = text(desk.get(again.headers["Location"]))
    assert "Déjà enregistré." in page and "déjà noté" not in page
    assert count(app, CheckIn) == 1


# --- registration at the desk ---------------------------------------------------------------------


def test_a_registration_sent_twice_with_one_key_is_recorded_once(app, client_as, users, themes):
    with app.app_context():
        db.session.add(
            Dwelling(
                number=3,
                street="allée des Roses",
                postcode="44300",
                city="Nantes",
                address_key="3 allee des roses",
            )
        )
        db.session.commit()
    desk = client_as("animator")
    idem = key()  # the browser's form carries the same key over the three screens
    page = desk.get("/inscription")
    data = form_fields(page, "/inscription")
    data.update(
        {
            "first_name": "Élodie",
            "last_name": "Martin",
            "address": "3 allée des Roses",
            "phone": "06 12 34 56 78",
            "has_internet": "yes",
            "contact_preference": "phone",
            "go": "next",
        }
    )
    headers = {"Idempotency-Key": idem}
    response = desk.post("/inscription", data=data, headers=headers)
    assert "2. Ce qu'on peut s'apporter" in text(response)
    data = form_fields(response, "/inscription") | {"go": "next"}
    response = desk.post("/inscription", data=data, headers=headers)
    assert "3. Charte et accords" in text(response)
    data = form_fields(response, "/inscription") | {
        "charter": "y",
        "privacy": "y",
        "method": "tablet",
        "go": "save",
    }
    assert count(app, IdempotencyKey) == 0  # the first two screens wrote nothing
    first = desk.post("/inscription", data=data, headers=headers)
    again = desk.post("/inscription", data=data, headers=headers)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert count(app, User, last_name="Martin") == 1
    with app.app_context():
        person_id = db.session.scalar(select(User.id).where(User.last_name == "Martin"))
    assert count(app, Consent, user_id=person_id, kind="charter") == 1


# --- two requests at once -------------------------------------------------------------------------


@pytest.mark.parametrize("slow", [True, False])
def test_concurrent_duplicates_make_one_row_and_no_server_error(
    app, users, themes, monkeypatch, slow
):
    """Two tablets (or a retry racing the first try) send the same key at the same moment: the
    second waits for the first and answers « déjà enregistré », never a 500."""
    if slow:  # widen the window: the first request is still in its view when the second arrives
        create = listing_services.create_listing

        def slow_create(*args, **kwargs):
            time.sleep(0.3)
            return create(*args, **kwargs)

        monkeypatch.setattr(listing_services, "create_listing", slow_create)
    clients = []
    for _ in range(2):
        client = app.test_client()
        login(client, users["member"])
        clients.append((client, csrf_token(client, "/mes-annonces/nouvelle")))
    idem, barrier, statuses = key(), threading.Barrier(2), []

    def post(client, token):
        barrier.wait()
        response = client.post(
            "/mes-annonces/nouvelle",
            headers={"Idempotency-Key": idem},
            data={
                "csrf_token": token,
                "kind": "offer",
                "theme_id": str(themes["dons-prets"]),
                "title": "Je prête ma perceuse",
                "description": "",
                "confirmed": "1",
            },
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 2 and all(status < 500 for status in statuses), statuses
    assert 302 in statuses and set(statuses) <= {200, 302, 303}
    assert count(app, Listing) == 1 and count(app, IdempotencyKey) == 1


def test_keys_older_than_a_month_are_forgotten(app, users):

    with app.app_context():
        db.session.add_all(
            [
                IdempotencyKey(
                    key="ancienne",
                    user_id=users["member"].id,
                    method="POST",
                    path="/x",
                    created_at=utcnow() - timedelta(days=KEEP_DAYS + 1),
                ),
                IdempotencyKey(
                    key="recente",
                    user_id=users["member"].id,
                    method="POST",
                    path="/x",
                    created_at=utcnow() - timedelta(days=KEEP_DAYS - 1),
                ),
            ]
        )
        db.session.commit()
        prune_keys()
        db.session.commit()
        assert db.session.scalars(select(IdempotencyKey.key)).all() == ["recente"]
