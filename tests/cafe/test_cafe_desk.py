"""The café desk on the day: search by name (accents ignored), one-tap check-in and its undo,
sponsored neighbours at the top, the visitors' counter, newcomers registered at the desk and
back, and everything refused (twice, before the day, cancelled, members) changing nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from coopere.auth.models import User
from coopere.cafe import desk as desk_rules
from coopere.cafe import services
from coopere.cafe.models import Call, CheckIn, EventReport
from coopere.dwellings.models import Dwelling
from coopere.events.models import Event
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.listings.themes import seed_themes
from coopere.members.models import Sponsorship
from factories import make_event, todays_cafe
from helpers import csrf_token, form_fields, page_queries, post_form, search_people
from helpers import text as html_text


def text(response) -> str:
    """The page's words as read: tags dropped, whitespace collapsed (« Présents : 1 »)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html_text(response)).split())


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def visitors_of(app, event_id: int) -> int:
    with app.app_context():
        return db.session.get(Event, event_id).visitors


@pytest.fixture
def desk(client_as):
    return client_as("animator")


@pytest.fixture
def today(app, users) -> int:
    return todays_cafe(app)


def tap(client, event_id: int, action: str, **data):
    """A button of the desk, pressed from the desk's page."""
    return post_form(
        client, f"/cafe/{event_id}/accueil/{action}", data, token_from=f"/cafe/{event_id}/accueil"
    )


def test_search_finds_people_whatever_the_accents_and_case(app, desk, today, create_user):
    elodie = create_user(first_name="Élodie", last_name="Martin-Lefèvre")
    create_user(first_name="Paul", last_name="Durand")
    for q in ("elodie", "ELODIE lefevre", "martin", "Élo"):
        response = search_people(desk, f"/cafe/{today}/accueil", q)
        assert (
            response.request.path == f"/cafe/{today}/accueil" and not response.request.query_string
        )
        page = text(response)
        assert "Élodie Martin-Lefèvre" in page, q
        assert "Durand" not in page
        assert (
            f'name="person_id" value="{elodie.id}"' in html_text(response) and "Présent(e)" in page
        )
    page = text(search_people(desk, f"/cafe/{today}/accueil", "zzz"))
    assert "Personne ne porte ce nom" in page
    page = text(search_people(desk, f"/cafe/{today}/accueil", " - "))  # a search for nothing
    assert "Durand" not in page and "Martin-Lefèvre" not in page


def test_someone_who_left_is_not_found_nor_checked_in(app, desk, today, create_user):
    from coopere.timeutil import utcnow

    gone = create_user(first_name="Gaston", last_name="Parti", left_at=utcnow())
    assert "Gaston Parti" not in text(search_people(desk, f"/cafe/{today}/accueil", "gaston"))
    response = tap(desk, today, "present", person_id=gone.id)
    assert "parti(e) du périmètre" in text(desk.get(response.headers["Location"]))
    assert count(app, CheckIn) == 0


def test_check_in_then_undo_a_mistake(app, desk, today, users, create_user):
    person = create_user(first_name="Élodie", last_name="Martin")
    response = tap(desk, today, "present", person_id=person.id)
    assert response.status_code == 302
    page = text(desk.get(response.headers["Location"]))
    assert "Élodie Martin est noté(e) présent(e)." in page
    assert "Présents : 1" in page and "Nouvelles personnes : 0" in page
    with app.app_context():
        row = db.session.scalar(select(CheckIn))
        assert (row.event_id, row.user_id, row.newcomer) == (today, person.id, False)
        assert row.checked_by_id == users["animator"].id
    # Found again by a search: « Déjà présent(e) », no second button.
    page = text(search_people(desk, f"/cafe/{today}/accueil", "elodie"))
    assert "Déjà présent(e)" in page
    response = tap(desk, today, "retirer", person_id=person.id)
    page = text(desk.get(response.headers["Location"]))
    assert "Élodie Martin n'est plus noté(e) présent(e)." in page and "Présents : 0" in page
    assert count(app, CheckIn) == 0
    # Undoing again: nothing to undo, said in French.
    response = tap(desk, today, "retirer", person_id=person.id)
    assert "n'était pas noté(e) présent(e)" in text(desk.get(response.headers["Location"]))


def test_checking_in_twice_is_refused_and_changes_nothing(app, desk, today, create_user):
    person = create_user(first_name="Élodie", last_name="Martin")
    tap(desk, today, "present", person_id=person.id)
    with app.app_context():
        first = db.session.scalar(select(CheckIn))
        first_at, first_id = first.at, first.id
    response = tap(desk, today, "present", person_id=person.id)
    assert response.status_code == 302
    page = text(desk.get(response.headers["Location"]))
    assert "Élodie Martin est déjà noté(e) présent(e) : rien n'a changé." in page
    with app.app_context():
        rows = db.session.scalars(select(CheckIn)).all()
        assert [(r.id, r.at) for r in rows] == [(first_id, first_at)]


def test_two_tablets_at_the_same_moment_hit_the_constraint_not_a_500(
    app, users, today, create_user, monkeypatch
):
    """The second tablet's check before writing saw nobody: the unique constraint refuses the
    row inside a savepoint, the transaction stays usable (PostgreSQL too)."""
    person = create_user(first_name="Élodie", last_name="Martin")
    with app.app_context():
        event, who = db.session.get(Event, today), db.session.get(User, person.id)
        animator = db.session.get(User, users["animator"].id)
        desk_rules.check_in(event, who, actor=animator)
        db.session.commit()
        monkeypatch.setattr(desk_rules, "is_checked_in", lambda *_args: False)
        with pytest.raises(services.CafeError, match="déjà noté"):
            desk_rules.check_in(event, who, actor=animator)
        assert (
            db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
        )  # the session still works
        db.session.commit()
    assert count(app, CheckIn) == 1


def test_sponsored_neighbours_are_listed_first_for_one_tap(app, desk, today, users, create_user):
    odette = create_user(
        first_name="Odette",
        last_name="Lambert",
        password=None,
        has_internet=False,
        contact_preference="sponsor",
    )
    with app.app_context():
        db.session.add(
            Sponsorship(
                sponsee_id=odette.id, sponsor_id=users["member"].id, consent_reference="P-1"
            )
        )
        db.session.commit()
    page = text(desk.get(f"/cafe/{today}/accueil"))
    assert "Voisins parrainés" in page and "Odette Lambert" in page
    assert f"parrain ou marraine : {users['member'].full_name}" in page
    assert page.index("Odette Lambert") < page.index("Personne n'est encore noté(e) présent(e).")
    tap(desk, today, "present", person_id=odette.id)
    page = text(desk.get(f"/cafe/{today}/accueil"))
    assert "Voisins parrainés" not in page  # she is in the list of those present now
    assert "Présents : 1" in page and "Odette Lambert" in page


def test_visitors_counter_goes_up_and_down_but_never_below_zero(app, desk, today):
    for _ in range(2):
        tap(desk, today, "visiteurs", change="1")
    assert visitors_of(app, today) == 2
    page = text(desk.get(f"/cafe/{today}/accueil"))
    assert "Visiteurs : 2" in page and "Total : 2" in page
    for _ in range(2):
        tap(desk, today, "visiteurs", change="-1")
    response = tap(desk, today, "visiteurs", change="-1")
    assert "déjà à zéro : rien n'a changé" in text(desk.get(response.headers["Location"]))
    assert visitors_of(app, today) == 0
    response = tap(desk, today, "visiteurs", change="5")
    assert "un visiteur à la fois" in text(desk.get(response.headers["Location"]))
    assert visitors_of(app, today) == 0


def test_nothing_is_checked_in_before_the_events_day(app, desk, users, create_user):
    tomorrow = make_event(app, days=1)
    person = create_user(first_name="Élodie", last_name="Martin")
    page = text(search_people(desk, f"/cafe/{tomorrow}/accueil", "elodie"))
    assert "L'accueil ouvre le jour du rendez-vous" in page
    assert "Présent(e)" not in page and "+ 1 visiteur" not in page
    response = tap(desk, tomorrow, "present", person_id=person.id)
    assert "L'accueil ouvre le jour du rendez-vous" in text(desk.get(response.headers["Location"]))
    tap(desk, tomorrow, "visiteurs", change="1")
    assert count(app, CheckIn) == 0 and visitors_of(app, tomorrow) == 0


def test_the_paper_sheet_is_typed_in_after_the_day(app, desk, users, create_user):
    last_week = make_event(app, days=-7)
    person = create_user(first_name="Élodie", last_name="Martin")
    tap(desk, last_week, "present", person_id=person.id)
    tap(desk, last_week, "visiteurs", change="1")
    assert count(app, CheckIn, event_id=last_week) == 1 and visitors_of(app, last_week) == 1


def test_a_cancelled_event_has_no_check_in(app, desk, users, create_user):
    cancelled = todays_cafe(app, cancelled=True)
    person = create_user(first_name="Élodie", last_name="Martin")
    assert "annulé" in text(desk.get(f"/cafe/{cancelled}/accueil"))
    response = tap(desk, cancelled, "present", person_id=person.id)
    assert "Ce rendez-vous est annulé" in text(desk.get(response.headers["Location"]))
    tap(desk, cancelled, "visiteurs", change="1")
    assert count(app, CheckIn) == 0 and visitors_of(app, cancelled) == 0


def test_unknown_event_or_person(app, desk, today):
    assert desk.get("/cafe/999/accueil").status_code == 404
    response = tap(desk, today, "present", person_id="999")
    assert "Cette personne n'existe pas" in text(desk.get(response.headers["Location"]))
    response = tap(desk, today, "present", person_id="")
    assert "Choisissez une personne." in text(desk.get(response.headers["Location"]))
    assert count(app, CheckIn) == 0


# --- a newcomer: registered at the desk, then back, checked in ----------------------------------


@pytest.fixture
def register(app):
    with app.app_context():
        seed_themes()
        db.session.add(
            Dwelling(
                number=12,
                rep="bis",
                street="rue des Lilas",
                complement="Bât. C",
                postcode="44300",
                city="Nantes",
                address_key="12 bis rue des lilas bat c",
            )
        )
        db.session.commit()


def walk_registration(client, start: str, *, answers: dict | None = None):
    """The three screens of the registration desk, as a browser sends them from `start`."""
    page = client.get(start)
    assert page.status_code == 200
    data = form_fields(page, "/inscription")
    data.update(
        {
            "first_name": "Élodie",
            "last_name": "Nouvelle",
            "address": "12 bis rue des Lilas, Bât. C",
            "phone": "06 12 34 56 78",
            "has_internet": "yes",
            "contact_preference": "phone",
            "go": "next",
        }
    )
    response = client.post("/inscription", data=data)
    assert "2. Ce qu'on peut s'apporter" in text(response), text(response)
    data = form_fields(response, "/inscription")
    data.update(answers or {})
    data["go"] = "next"
    response = client.post("/inscription", data=data)
    assert "3. Charte et accords" in text(response)
    data = form_fields(response, "/inscription")
    data.update({"charter": "y", "privacy": "y", "method": "tablet", "go": "save"})
    return client.post("/inscription", data=data)


def test_a_newcomer_is_registered_and_comes_back_checked_in(app, desk, today, register):
    page = html_text(desk.get(f"/cafe/{today}/accueil"))
    assert f'href="/inscription?cafe={today}"' in page and "Nouvelle personne : l'inscrire" in page
    start = desk.get(f"/inscription?cafe={today}")
    assert f'name="cafe" value="{today}"' in html_text(start)
    assert "la personne y sera notée présente" in text(start)
    response = walk_registration(
        desk, f"/inscription?cafe={today}", answers={"offer_1": "y", "need_2": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(User).where(User.last_name == "Nouvelle"))
        assert response.headers["Location"] == f"/cafe/{today}/accueil?nouveau={person.id}"
        row = db.session.scalar(select(CheckIn).where(CheckIn.user_id == person.id))
        assert row.event_id == today and row.newcomer is True
        assert (
            db.session.scalar(
                select(func.count()).select_from(Listing).where(Listing.owner_id == person.id)
            )
            == 2
        )
        person_id = person.id
    back = desk.get(response.headers["Location"])
    page = text(back)
    assert "Élodie Nouvelle est inscrit(e) et noté(e) présent(e) comme nouvelle personne." in page
    assert (
        "Présents : 1" in page and "Nouvelles personnes : 1" in page and "Nouvelle personne" in page
    )
    assert f"/membres/{person_id}?nouveau=1" in html_text(back)  # the welcome card is one tap away


def test_a_newcomer_registered_before_the_day_is_registered_but_not_checked_in(
    app, desk, users, register
):
    later = make_event(app, days=3)
    response = walk_registration(desk, f"/inscription?cafe={later}")
    assert response.status_code == 302 and response.headers["Location"] == f"/cafe/{later}/accueil"
    assert "est inscrit(e), mais pas noté(e) présent(e)" in text(
        desk.get(response.headers["Location"])
    )
    assert count(app, User, last_name="Nouvelle") == 1 and count(app, CheckIn) == 0


def test_registration_without_a_cafe_still_opens_the_new_members_page(app, desk, today, register):
    response = walk_registration(desk, "/inscription?cafe=abc")
    assert response.status_code == 302 and response.headers["Location"].startswith("/membres/")
    assert count(app, CheckIn) == 0


# --- only animators ---------------------------------------------------------------------------


def test_members_are_refused_everywhere_and_nothing_changes(app, client_as, today, users):
    member = client_as("member")
    token = csrf_token(member, "/compte")
    person = users["member"].id
    for path in (
        f"/cafe/{today}/appels",
        f"/cafe/{today}/accueil",
        f"/cafe/{today}/feuille.pdf",
        f"/cafe/{today}/bilan",
        "/cafe/bilans",
    ):
        response = member.get(path)
        assert response.status_code == 403, path
        assert "Accès refusé" in text(response)
    for path, data in (
        (f"/cafe/{today}/accueil/present", {"person_id": person}),
        (f"/cafe/{today}/accueil/retirer", {"person_id": person}),
        (f"/cafe/{today}/accueil/visiteurs", {"change": "1"}),
        (f"/cafe/{today}/appels/{person}", {"outcome": "reached"}),
        (f"/cafe/{today}/bilan", {"offers_collected": "3", "needs_collected": "1", "notes": "x"}),
    ):
        assert member.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert count(app, CheckIn) == 0 and count(app, Call) == 0 and count(app, EventReport) == 0
    assert visitors_of(app, today) == 0
    anonymous = app.test_client()
    assert anonymous.get(f"/cafe/{today}/accueil").headers["Location"].startswith("/connexion")


def test_the_desk_costs_the_same_queries_with_more_people(app, desk, today, users, create_user):
    def queries() -> int:
        search_people(desk, f"/cafe/{today}/accueil", "martin")  # the name is kept in the session
        return page_queries(app, desk, f"/cafe/{today}/accueil")

    def add_people(first: int, number: int) -> None:
        for n in range(first, first + number):
            person = create_user(
                first_name=f"Jean{n}",
                last_name="Martin",
                password=None,
                has_internet=False,
                contact_preference="sponsor",
            )
            with app.app_context():
                db.session.add(Sponsorship(sponsee_id=person.id, sponsor_id=users["member"].id))
                if n % 2:
                    db.session.add(CheckIn(event_id=today, user_id=person.id))
                db.session.commit()

    add_people(1, 2)
    small = queries()
    add_people(10, 12)
    assert queries() == small
