"""The call list before a café: who is on it (and who is not, by their own choice), phones
written the French way, the outcome of each call, counts, and everything refused changing
nothing. « Appelez-moi avant chaque café » is set by the person or by an animator."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.cafe.models import Call
from coopere.extensions import db
from coopere.members.models import Sponsorship
from coopere.timeutil import utcnow
from factories import make_event
from helpers import form_fields, page_queries, post_form
from helpers import text as html_text


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html_text(response)).split())


def calls_of(app, **where) -> list[Call]:
    with app.app_context():
        query = select(Call).order_by(Call.id)
        for name, value in where.items():
            query = query.where(getattr(Call, name) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def cafe(app, users) -> int:
    return make_event(app, days=5)


@pytest.fixture
def animator(client_as):
    return client_as("animator")


@pytest.fixture
def neighbours(app, users, create_user) -> dict[str, User]:
    """Every case of the call list's rules."""
    people = {
        # offline, reached by phone: called
        "irene": create_user(
            first_name="Irène",
            last_name="Offline",
            password=None,
            has_internet=False,
            contact_preference="phone",
            phone="+33612345678",
        ),
        # offline, prefers her sponsor although she has a phone: told by the sponsor
        "odette": create_user(
            first_name="Odette",
            last_name="Lambert",
            password=None,
            has_internet=False,
            contact_preference="sponsor",
            phone="+33199000077",
        ),
        # offline, no phone, no sponsor: a note in the letterbox
        "marcel": create_user(
            first_name="Marcel",
            last_name="Sansfil",
            password=None,
            has_internet=False,
            contact_preference="sponsor",
        ),
        # online, asked to be called
        "paulette": create_user(
            first_name="Paulette", last_name="Appel", phone="+33623456789", call_before_cafes=True
        ),
        # online, asked to be called, but no phone
        "yves": create_user(
            first_name="Yves", last_name="Sanstel", email="yves@example.org", call_before_cafes=True
        ),
        # online, did not ask: never called
        "quentin": create_user(first_name="Quentin", last_name="Tranquille", phone="+33634567890"),
        # offline but left the perimeter
        "gaston": create_user(
            first_name="Gaston",
            last_name="Parti",
            password=None,
            has_internet=False,
            contact_preference="phone",
            phone="+33645678901",
            left_at=utcnow(),
        ),
    }
    with app.app_context():
        db.session.add(
            Sponsorship(
                sponsee_id=people["odette"].id,
                sponsor_id=users["member"].id,
                consent_reference="P-1",
            )
        )
        db.session.commit()
    return people


def section(page: str, title: str, until: str | None = None) -> str:
    start = page.index(title)
    return page[start : page.index(until, start) if until else None]


def test_who_is_on_the_call_list_and_who_is_not(app, animator, cafe, users, neighbours):
    page = text(animator.get(f"/cafe/{cafe}/appels"))
    to_call = section(page, "À appeler", "À prévenir autrement : par")
    apart = section(page, "À prévenir autrement : par", "Accueil du café")
    assert "Irène Offline" in to_call and "06 12 34 56 78" in to_call
    assert "Paulette Appel" in to_call and "06 23 45 67 89" in to_call
    for name in ("Odette Lambert", "Marcel Sansfil", "Yves Sanstel"):
        assert name not in to_call and name in apart
    assert (
        "Préfère être prévenu(e) par son parrain ou sa marraine. À prévenir par "
        f"{users['member'].full_name} (parrain ou marraine)." in apart
    )
    assert "06 99 00 00 77" not in page  # her phone is not what the group uses
    assert (
        "Marcel Sansfil Pas de téléphone. "
        "Pas de parrain ni de marraine : un mot dans la boîte aux lettres." in apart
    )
    # Who asked for nothing, and who left, are nowhere.
    assert "Tranquille" not in page and "06 34 56 78 90" not in page
    assert "Parti" not in page
    assert (
        "À appeler : 2" in page and "Joint(e)s : 0" in page and "Pas encore appelé(e)s : 2" in page
    )
    assert "À prévenir autrement : 3" in page
    html = html_text(animator.get(f"/cafe/{cafe}/appels"))
    assert 'href="tel:+33612345678"' in html


def test_names_are_written_first_name_first_in_last_name_order(app, animator, cafe, neighbours):
    """« Paulette Appel » as everywhere on the site, not « Appel Paulette »; the list stays in the
    order of last names (Appel before Offline), as the paper lists are."""
    page = text(animator.get(f"/cafe/{cafe}/appels"))
    for name in (
        "Paulette Appel",
        "Irène Offline",
        "Odette Lambert",
        "Marcel Sansfil",
        "Yves Sanstel",
    ):
        assert name in page
    for turned in (
        "Appel Paulette",
        "Offline Irène",
        "Lambert Odette",
        "Sansfil Marcel",
        "Sanstel Yves",
    ):
        assert turned not in page
    assert page.index("Paulette Appel") < page.index("Irène Offline")
    assert page.index("Odette Lambert") < page.index("Marcel Sansfil") < page.index("Yves Sanstel")


def test_those_who_said_they_would_come_are_marked(app, animator, cafe, neighbours):
    from coopere.events.models import EventSignup

    with app.app_context():
        db.session.add(EventSignup(event_id=cafe, user_id=neighbours["paulette"].id))
        db.session.commit()
    page = text(animator.get(f"/cafe/{cafe}/appels"))
    assert "Paulette Appel A dit qu'il ou elle viendra" in page
    assert "Irène Offline A dit" not in page


def test_outcomes_are_recorded_and_the_last_one_shown(app, animator, cafe, users, neighbours):
    irene = neighbours["irene"]
    path = f"/cafe/{cafe}/appels/{irene.id}"
    response = post_form(
        animator,
        path,
        {"outcome": "no_answer", "note": "  rappeler ce soir "},
        token_from=f"/cafe/{cafe}/appels",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"#personne-{irene.id}"
    )
    page = text(animator.get(response.headers["Location"]))
    assert "Appel à Irène Offline noté : Pas de réponse." in page
    assert "Dernier appel : Pas de réponse" in page and "« rappeler ce soir »" in page
    assert f"par {users['animator'].full_name}" in page
    assert "Joint(e)s : 0" in page and "Pas encore appelé(e)s : 1" in page
    post_form(animator, path, {"outcome": "reached"}, token_from=f"/cafe/{cafe}/appels")
    page = text(animator.get(f"/cafe/{cafe}/appels"))
    assert (
        "Dernier appel : Joint(e)" in page
        and "Appels notés : 2" in page
        and "Joint(e)s : 1" in page
    )
    rows = calls_of(app, user_id=irene.id)
    assert [(c.outcome, c.note, c.event_id, c.called_by_id) for c in rows] == [
        ("no_answer", "rappeler ce soir", cafe, users["animator"].id),
        ("reached", "", cafe, users["animator"].id),
    ]
    # The outcomes are the event's own: another café's list starts afresh.
    other = make_event(app, days=12)
    assert "Pas encore appelé(e)s : 2" in text(animator.get(f"/cafe/{other}/appels"))


def test_message_left_for_someone_who_asked_to_be_called(app, animator, cafe, neighbours):
    paulette = neighbours["paulette"]
    post_form(
        animator,
        f"/cafe/{cafe}/appels/{paulette.id}",
        {"outcome": "message_left"},
        token_from=f"/cafe/{cafe}/appels",
    )
    assert [c.outcome for c in calls_of(app)] == ["message_left"]


@pytest.mark.parametrize(
    "who, data, message",
    [
        ("irene", {"outcome": "busy"}, "Choisissez ce qu'a donné l'appel"),
        ("irene", {"outcome": ""}, "Choisissez ce qu'a donné l'appel"),
        ("irene", {"outcome": "reached", "note": "x" * 301}, "La note est trop longue"),
        ("quentin", {"outcome": "reached"}, "n'est pas sur la liste d'appels"),
        ("odette", {"outcome": "reached"}, "n'est pas sur la liste d'appels"),
        ("gaston", {"outcome": "reached"}, "n'est pas sur la liste d'appels"),
    ],
)
def test_refused_calls_record_nothing(app, animator, cafe, neighbours, who, data, message):
    person = neighbours[who]
    response = post_form(
        animator, f"/cafe/{cafe}/appels/{person.id}", data, token_from=f"/cafe/{cafe}/appels"
    )
    assert message in text(animator.get(response.headers["Location"]))
    assert calls_of(app) == []


def test_no_call_is_recorded_once_the_event_is_over(app, animator, users, neighbours):
    past = make_event(app, days=-3)
    page = text(animator.get(f"/cafe/{past}/appels"))
    assert (
        "Ce rendez-vous est passé : les appels ne se notent plus." in page
        and "Pas de réponse" not in page
    )
    response = post_form(
        animator,
        f"/cafe/{past}/appels/{neighbours['irene'].id}",
        {"outcome": "reached"},
        token_from=f"/cafe/{past}/appels",
    )
    assert "les appels ne se notent plus" in text(animator.get(response.headers["Location"]))
    assert calls_of(app) == []
    assert animator.get("/cafe/999/appels").status_code == 404


def test_members_never_see_the_call_list(app, client_as, cafe, neighbours):
    member = client_as("member")
    response = member.get(f"/cafe/{cafe}/appels")
    assert response.status_code == 403 and "06 12 34 56 78" not in text(response)
    response = post_form(
        member,
        f"/cafe/{cafe}/appels/{neighbours['irene'].id}",
        {"outcome": "reached"},
        token_from="/compte",
    )
    assert response.status_code == 403 and calls_of(app) == []


def test_a_resident_asks_to_be_called_from_their_profile(app, client_as, cafe, users):
    with app.app_context():
        db.session.get(User, users["member"].id).phone = "+33656565656"
        db.session.commit()
    member = client_as("member")
    page = member.get("/compte/profil")
    assert "Appelez-moi avant chaque café" in text(page)
    data = form_fields(page, "/compte/profil")
    data["call_before_cafes"] = "y"
    assert member.post("/compte/profil", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(User, users["member"].id).call_before_cafes is True
    animator = client_as("animator")
    assert "06 56 56 56 56" in text(animator.get(f"/cafe/{cafe}/appels"))
    # And changes their mind: off the list.
    data.pop("call_before_cafes")
    member.post("/compte/profil", data=data)
    assert "06 56 56 56 56" not in text(animator.get(f"/cafe/{cafe}/appels"))


def test_an_animator_ticks_it_on_the_members_record(app, animator, cafe, users, create_user):
    person = create_user(
        first_name="Rose",
        last_name="Téléphone",
        phone="+33678787878",
        email=None,
        password=None,
        address_note="Maison neuve",
    )
    page = animator.get(f"/membres/{person.id}/modifier")
    assert "Appelez-moi avant chaque café" in text(page)
    assert 'name="call_before_cafes" type="checkbox" value="y">' in html_text(
        page
    )  # not ticked yet
    data = {
        "csrf_token": form_fields(page)["csrf_token"],
        "first_name": "Rose",
        "last_name": "Téléphone",
        "not_in_register": "y",
        "address_note": "Maison neuve",
        "phone": "06 78 78 78 78",
        "has_internet": "yes",
        "contact_preference": "phone",
        "call_before_cafes": "y",
    }
    response = animator.post(f"/membres/{person.id}/modifier", data=data)
    assert response.status_code == 302, text(response)
    with app.app_context():
        assert db.session.get(User, person.id).call_before_cafes is True
        entry = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.target_user_id == person.id, AuditEvent.action == "member.updated"
            )
        )
        assert "call_before_cafes" in entry.details and entry.actor_id == users["animator"].id
    assert "Rose Téléphone" in section(
        text(animator.get(f"/cafe/{cafe}/appels")), "À appeler", "Accueil du café"
    )


def test_the_call_list_costs_the_same_queries_with_more_people(
    app, animator, cafe, users, create_user
):
    def queries() -> int:
        return page_queries(app, animator, f"/cafe/{cafe}/appels")

    def add(first: int, number: int) -> None:
        for n in range(first, first + number):
            person = create_user(
                first_name=f"P{n}",
                last_name="Voisin",
                password=None,
                has_internet=False,
                contact_preference="phone",
                phone=f"+336{n:08d}",
            )
            with app.app_context():
                db.session.add(Sponsorship(sponsee_id=person.id, sponsor_id=users["member"].id))
                db.session.add(
                    Call(
                        event_id=cafe,
                        user_id=person.id,
                        outcome="reached",
                        called_by_id=users["animator"].id,
                    )
                )
                db.session.commit()

    add(1, 2)
    small = queries()
    add(10, 12)
    assert queries() == small
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Call)) == 14
