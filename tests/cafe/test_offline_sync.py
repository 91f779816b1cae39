"""The offline café desk's sending (cafe.offline, /cafe/<id>/accueil/envoi): every queued action
carried out once whatever the retries, a person checked in from two tablets counted once, a
possible duplicate left to an animator, a cancelled café refusing the whole queue (kept on the
tablet), pre-printed cards bound once and refused when used or expired, and only animators."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coopere.auth.models import User
from coopere.cafe.models import CheckIn
from coopere.dwellings.models import Dwelling
from coopere.events.models import Event
from coopere.extensions import db
from coopere.idempotency import IdempotencyKey
from coopere.listings.models import Listing
from coopere.listings.themes import seed_themes
from coopere.members.activation import check_code
from coopere.members.models import ActivationCode, PreparedCard
from coopere.members.prepared_cards import mint_cards
from coopere.timeutil import utcnow
from factories import todays_cafe
from helpers import csrf_token


@pytest.fixture
def cafe(app, users) -> int:
    with app.app_context():
        seed_themes()
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
    return todays_cafe(app)


@pytest.fixture
def animator(client_as):
    return client_as("animator")


@pytest.fixture
def cards(app, users) -> list[tuple[int, str]]:
    """Ten pre-printed cards: (number, code)."""
    with app.app_context():
        actor = db.session.get(User, users["animator"].id)
        made = [(card.number, code) for card, code in mint_cards(10, actor=actor)]
        db.session.commit()
        return made


def key() -> str:
    return uuid.uuid4().hex


def registration(first="Élodie", last="Martin", phone="06 12 34 56 78", **extra) -> dict:
    fields = {
        "first_name": first,
        "last_name": last,
        "address": "12 rue des Lilas",
        "phone": phone,
        "has_internet": "yes",
        "contact_preference": "phone",
        "offer_1": "y",
        "details_1": "Je prête ma perceuse",
        "need_2": "y",
        "charter": "y",
        "privacy": "y",
        "method": "tablet",
        **extra,
    }
    return {"key": key(), "type": "registration", "fields": fields}


def send(client, event_id: int, actions: list, token: str | None = None):
    token = token or csrf_token(client, f"/cafe/{event_id}/accueil/hors-ligne")
    return client.post(
        f"/cafe/{event_id}/accueil/envoi",
        data=json.dumps({"actions": actions}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [result["status"] for result in response.get_json()["results"]]


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_queue_is_carried_out_once_and_sending_it_again_changes_nothing(
    app, animator, cafe, users, create_user, cards
):
    anna = create_user(first_name="Anna", last_name="Lefèvre")
    bruno = create_user(first_name="Bruno", last_name="Petit")
    number, code = cards[0]
    queue = [
        {"key": key(), "type": "check_in", "person": anna.id},
        {"key": key(), "type": "check_in", "person": bruno.id},
        {"key": key(), "type": "visitor"},
        {**registration(), "card": str(number)},
    ]
    response = send(animator, cafe, queue)
    assert statuses(response) == ["accepted"] * 4
    answers = response.get_json()
    assert "Élodie Martin est inscrit(e) et noté(e) présent(e)" in answers["results"][3]["message"]
    assert "carte n° 0001" in answers["results"][3]["message"]
    assert answers["counts"] == {"present": 3, "newcomers": 1, "visitors": 1, "attendance": 4}
    again = send(animator, cafe, queue)
    assert statuses(again) == ["already"] * 4
    assert "rien n'a été fait en double" in again.get_json()["results"][0]["message"]
    assert again.get_json()["results"][3]["link"].startswith("/membres/")
    assert count(app, CheckIn, CheckIn.event_id == cafe) == 3
    assert count(app, User, User.first_name == "Élodie") == 1
    with app.app_context():
        newcomer = db.session.scalar(select(User).where(User.first_name == "Élodie"))
        assert db.session.get(Event, cafe).visitors == 1
        owned = select(func.count()).select_from(Listing).where(Listing.owner_id == newcomer.id)
        assert db.session.scalar(owned) == 2  # the questionnaire's answers, as drafts
        card = db.session.scalar(select(PreparedCard).where(PreparedCard.number == number))
        assert card.used_by_id == newcomer.id
        assert check_code(code).user_id == newcomer.id  # the card's code activates her account


def test_the_same_member_checked_in_on_two_tablets_counts_once(
    app, client_as, cafe, users, create_user
):
    anna = create_user(first_name="Anna", last_name="Lefèvre")
    first, second = client_as("animator"), client_as("admin")
    assert statuses(send(first, cafe, [{"key": key(), "type": "check_in", "person": anna.id}])) == [
        "accepted"
    ]
    response = send(second, cafe, [{"key": key(), "type": "check_in", "person": anna.id}])
    assert statuses(response) == ["already"]
    assert "compté(e) une fois" in response.get_json()["results"][0]["message"]
    assert count(app, CheckIn, CheckIn.user_id == anna.id) == 1


def test_a_registration_whose_phone_exists_is_left_to_an_animator(app, animator, cafe, create_user):
    known = create_user(first_name="Élise", last_name="Martin", phone="+33612345678")
    response = send(animator, cafe, [registration()])
    result = response.get_json()["results"][0]
    assert result["status"] == "refused"
    assert "Doublon possible" in result["message"] and "Élise Martin" in result["message"]
    assert result["link"] == f"/membres/{known.id}"
    assert count(app, User, User.first_name == "Élodie") == 0
    assert count(app, IdempotencyKey) == 0  # refused: the tablet may send it again once resolved


def test_same_name_and_dwelling_is_a_possible_duplicate_until_the_animator_says_not(
    app, animator, cafe
):
    first = registration(phone="", email="elodie@example.org", contact_preference="email")
    assert statuses(send(animator, cafe, [first])) == ["accepted"]
    twin = registration(phone="", email="elodie.m@example.org", contact_preference="email")
    assert statuses(send(animator, cafe, [twin])) == ["refused"]
    twin["fields"]["not_duplicate"] = "y"  # « Ce n'est pas la même personne : renvoyer »
    assert statuses(send(animator, cafe, [twin])) == ["accepted"]
    assert count(app, User, User.first_name == "Élodie") == 2


def test_a_cafe_cancelled_meanwhile_refuses_the_whole_queue_clearly(
    app, animator, cafe, users, create_user
):
    anna = create_user(first_name="Anna", last_name="Lefèvre")
    token = csrf_token(animator, f"/cafe/{cafe}/accueil/hors-ligne")
    with app.app_context():
        db.session.get(Event, cafe).cancelled = True
        db.session.commit()
    queue = [
        {"key": key(), "type": "check_in", "person": anna.id},
        {"key": key(), "type": "visitor"},
        registration(),
    ]
    response = send(animator, cafe, queue, token)
    assert statuses(response) == ["refused"] * 3
    assert all("annulé" in result["message"] for result in response.get_json()["results"])
    assert count(app, CheckIn) == 0 and count(app, IdempotencyKey) == 0
    assert count(app, User, User.first_name == "Élodie") == 0


def test_a_card_serves_once_and_an_unknown_or_expired_one_is_refused(app, animator, cafe, cards):
    number, _code = cards[1]
    assert statuses(send(animator, cafe, [{**registration(), "card": f"{number:04d}"}])) == [
        "accepted"
    ]
    other = {**registration(first="Paul", phone="06 11 22 33 44"), "card": str(number)}
    result = send(animator, cafe, [other]).get_json()["results"][0]
    assert result["status"] == "refused" and "0002 a déjà servi" in result["message"]
    unknown = {**registration(first="Paul", phone="06 11 22 33 44"), "card": "9999"}
    result = send(animator, cafe, [unknown]).get_json()["results"][0]
    assert result["status"] == "refused" and "n'existe pas" in result["message"]
    with app.app_context():
        card = db.session.scalar(select(PreparedCard).where(PreparedCard.number == cards[2][0]))
        card.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    expired = {**registration(first="Paul", phone="06 11 22 33 44"), "card": "3"}
    result = send(animator, cafe, [expired]).get_json()["results"][0]
    assert result["status"] == "refused" and "0003 a expiré" in result["message"]
    assert count(app, User, User.first_name == "Paul") == 0
    assert count(app, ActivationCode) == 1


def test_only_animators_send_with_a_csrf_token_and_bad_input_changes_nothing(
    app, client_as, cafe, users
):
    member = client_as("member")
    token = csrf_token(member, "/")
    response = send(member, cafe, [{"key": key(), "type": "visitor"}], token)
    assert response.status_code == 403
    anonymous = client_as(None)
    response = anonymous.post(
        f"/cafe/{cafe}/accueil/envoi", json={"actions": []}, headers={"X-CSRFToken": "x"}
    )
    assert response.status_code in (302, 400) and count(app, IdempotencyKey) == 0
    animator = client_as("animator")
    response = animator.post(f"/cafe/{cafe}/accueil/envoi", json={"actions": []})
    assert response.status_code == 400  # no CSRF token
    response = send(animator, cafe, "not a list")  # type: ignore[arg-type]
    assert response.status_code == 422 and "illisible" in response.get_json()["error"]
    results = send(
        animator,
        cafe,
        [{"key": "bad key!", "type": "visitor"}, {"key": key(), "type": "dance"}, 3],
    ).get_json()["results"]
    assert [result["status"] for result in results] == ["refused"] * 3
    with app.app_context():
        assert db.session.get(Event, cafe).visitors == 0


def test_the_tablet_gets_only_names_and_streets(app, animator, cafe, create_user):
    create_user(first_name="Anna", last_name="Lefèvre", phone="+33699887766")
    data = animator.get(f"/cafe/{cafe}/accueil/donnees.json")
    assert data.headers["Cache-Control"].startswith("no-store")
    payload = data.get_json()
    assert payload["people"] and all(
        set(person) == {"id", "first_name", "last_name", "street"} for person in payload["people"]
    )
    assert "699887766" not in data.get_data(as_text=True) and "@" not in json.dumps(payload)
    page = animator.get(f"/cafe/{cafe}/accueil/hors-ligne").get_data(as_text=True)
    assert "Lefèvre" not in page  # the page the tablet keeps holds no resident's data
    assert "prénom, leur nom et leur rue" in page and "desk-offline.js" in page
    worker = animator.get("/cafe/hors-ligne.js")
    assert worker.status_code == 200 and "serviceWorker" not in worker.get_data(as_text=True)
    assert worker.mimetype == "text/javascript"


def test_a_sheet_of_ten_numbered_cards_tied_to_nobody(app, animator, cafe):
    response = animator.post(
        "/cafe/cartes-numerotees",
        data={"csrf_token": csrf_token(animator, f"/cafe/{cafe}/accueil/hors-ligne")},
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1
    for number in range(1, 11):
        assert f"Carte n° {number:04d}" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PreparedCard)) == 10
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0


def test_logout_erases_the_tablets_copy(app, client_as, users):
    client = client_as("animator")
    response = client.post("/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_members_cannot_print_cards(app, client_as, users):
    member = client_as("member")
    response = member.post("/cafe/cartes-numerotees", data={"csrf_token": csrf_token(member)})
    assert response.status_code == 403 and count(app, PreparedCard) == 0
