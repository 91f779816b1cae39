"""Each event's roster of tasks: opened on first view for cafés, apéro-info and fêtes, on demand
for meetings; taking, giving back and handing out tasks; conflicts and closed events refused with
nothing changed; the next rosters at a glance in a bounded number of queries; the printed roster."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from factories import give_task, make_event
from helpers import csrf_token, flat, page_queries, post_form, text, words
from coopere.auth.models import Role, User
from coopere.extensions import db
from coopere.group.models import RosterSlot
from coopere.timeutil import utcnow

TASKS = ["setup", "coffee", "welcome", "desk", "posters", "tidy"]


def roster_of(app, event_id: int) -> dict[str, int | None]:
    with app.app_context():
        return {
            slot.task: slot.volunteer_id
            for slot in db.session.scalars(
                select(RosterSlot).where(RosterSlot.event_id == event_id)
            )
        }


def act(client, event_id: int, task: str, action: str, **data):
    return post_form(
        client,
        f"/groupe/tableau/{event_id}/{task}/{action}",
        data,
        token_from=f"/groupe/tableau/{event_id}",
        follow_redirects=True,
    )


def make_pilote(app, user) -> None:
    with app.app_context():
        db.session.get(User, user.id).group_role = "pilote"
        db.session.commit()


# --- opening a roster ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["cafe", "apero_info", "fete"])
def test_a_cafe_apero_or_fete_roster_opens_with_its_six_tasks_on_first_view(app, client_as, kind):
    event_id = make_event(app, kind=kind)
    client = client_as("animator")
    page = text(client.get(f"/groupe/tableau/{event_id}"))
    assert roster_of(app, event_id) == dict.fromkeys(TASKS)
    for label in (
        "Installer la table et le parasol",
        "Apporter le café",
        "Accueillir",
        "Tenir le bureau des inscriptions",
        "Affiches et tracts",
        "Ranger",
    ):
        assert label in page
    assert page.count("À prendre") == 6 and page.count("Je m'en charge") == 6
    assert "Tâches à prendre : 6 sur 6" in page
    client.get(f"/groupe/tableau/{event_id}")  # a second view adds nothing
    assert len(roster_of(app, event_id)) == 6


@pytest.mark.parametrize("kind", ["group_meeting", "collective_action"])
def test_a_meeting_gets_its_tasks_only_on_demand(app, client_as, kind):
    event_id = make_event(app, kind=kind)
    client = client_as("animator")
    page = text(client.get(f"/groupe/tableau/{event_id}"))
    assert "Ce rendez-vous n'a pas encore de tâches." in page and "Ajouter les tâches" in page
    assert roster_of(app, event_id) == {}
    response = act(client, event_id, "coffee", "prendre")
    assert "pas encore de tâches : ajoutez-les d'abord" in text(response)
    assert roster_of(app, event_id) == {}
    response = post_form(
        client,
        f"/groupe/tableau/{event_id}/taches",
        token_from=f"/groupe/tableau/{event_id}",
        follow_redirects=True,
    )
    assert "Les tâches sont ajoutées" in text(response)
    assert roster_of(app, event_id) == dict.fromkeys(TASKS)
    post_form(
        client, f"/groupe/tableau/{event_id}/taches", token_from=f"/groupe/tableau/{event_id}"
    )
    assert len(roster_of(app, event_id)) == 6


def test_past_and_cancelled_events_keep_their_roster_closed(app, client_as, users):
    client = client_as("animator")
    past = make_event(app, days=-3)
    cancelled = make_event(app, cancelled=True)
    meeting = make_event(app, days=-3, kind="group_meeting")
    give_task(app, past, "coffee", users["admin"].id)
    give_task(app, cancelled, "tidy", users["admin"].id)
    for event_id, sentence in (
        (past, "Ce rendez-vous est passé"),
        (cancelled, "Ce rendez-vous est annulé"),
    ):
        before = roster_of(app, event_id)
        page = text(client.get(f"/groupe/tableau/{event_id}"))
        assert sentence in page and "Je m'en charge" not in page
        for task, action in (("setup", "prendre"), ("tidy", "laisser"), ("coffee", "laisser")):
            assert sentence in text(act(client, event_id, task, action))
        assert roster_of(app, event_id) == before
    admin = client_as("admin")
    assert "Ce rendez-vous est passé" in text(
        act(admin, past, "setup", "confier", volunteer_id=users["admin"].id)
    )
    assert "Ce rendez-vous est passé" in text(
        post_form(
            admin, f"/groupe/tableau/{meeting}/taches", token_from="/groupe", follow_redirects=True
        )
    )
    assert roster_of(app, past) == {"coffee": users["admin"].id}
    assert roster_of(app, meeting) == {}


def test_an_unknown_event_or_task_is_not_found(client_as):
    client = client_as("animator")
    assert client.get("/groupe/tableau/999").status_code == 404
    assert client.get("/groupe/tableau/999.pdf").status_code == 404
    token = csrf_token(client, "/groupe")
    assert (
        client.post("/groupe/tableau/999/coffee/prendre", data={"csrf_token": token}).status_code
        == 404
    )
    event_id = make_event(client.application)
    assert (
        client.post(
            f"/groupe/tableau/{event_id}/vaisselle/prendre", data={"csrf_token": token}
        ).status_code
        == 404
    )


# --- taking, giving back, handing out ---------------------------------------------------------


def test_an_animator_takes_a_task_and_gives_it_back(app, client_as, users):
    event_id = make_event(app)
    client = client_as("animator")
    response = act(client, event_id, "coffee", "prendre")
    page = text(response)
    assert "Merci ! Vous vous chargez de « Apporter le café »." in page
    assert roster_of(app, event_id)["coffee"] == users["animator"].id
    assert users["animator"].full_name in page and "(vous)" in page and "Je laisse" in page
    assert "Tâches à prendre : 5 sur 6" in page
    with app.app_context():
        slot = db.session.scalar(
            select(RosterSlot).where(RosterSlot.event_id == event_id, RosterSlot.task == "coffee")
        )
        assert slot.taken_at is not None
    # Taking it again (a double click) changes nothing.
    act(client, event_id, "coffee", "prendre")
    assert roster_of(app, event_id)["coffee"] == users["animator"].id
    response = act(client, event_id, "coffee", "laisser")
    assert "« Apporter le café » est de nouveau à prendre." in text(response)
    assert roster_of(app, event_id)["coffee"] is None


def test_a_task_taken_by_someone_else_cannot_be_taken_nor_given_back(app, client_as, users):
    event_id = make_event(app)
    admin = client_as("admin")
    act(admin, event_id, "welcome", "prendre")
    animator = client_as("animator")
    page = text(animator.get(f"/groupe/tableau/{event_id}"))
    assert page.count("Je m'en charge") == 5  # no button on the taken task
    response = act(animator, event_id, "welcome", "prendre")
    assert (
        f"« Accueillir » est déjà pris en charge par {users['admin'].full_name} : "
        "rien n'a été changé." in text(response)
    )
    response = act(animator, event_id, "welcome", "laisser")
    assert "Vous ne vous chargez pas de « Accueillir » : rien n'a été changé." in text(response)
    response = act(animator, event_id, "tidy", "laisser")  # an open one is not theirs either
    assert "Vous ne vous chargez pas de « Ranger »" in text(response)
    assert roster_of(app, event_id)["welcome"] == users["admin"].id
    assert roster_of(app, event_id)["tidy"] is None


def test_the_pilote_and_admins_hand_tasks_to_any_animator(app, client_as, users, create_user):
    event_id = make_event(app)
    colleague = create_user(Role.ANIMATOR, first_name="Awa", last_name="Diallo")
    make_pilote(app, users["animator"])
    pilote = client_as("animator")
    page = text(pilote.get(f"/groupe/tableau/{event_id}"))
    assert "Confier « Apporter le café » à" in page and "Awa Diallo" in page
    response = act(pilote, event_id, "coffee", "confier", volunteer_id=colleague.id)
    assert "« Apporter le café » est confié à Awa Diallo." in text(response)
    assert roster_of(app, event_id)["coffee"] == colleague.id
    # The pilote may hand a taken task to someone else, or free it.
    act(pilote, event_id, "coffee", "confier", volunteer_id=users["admin"].id)
    assert roster_of(app, event_id)["coffee"] == users["admin"].id
    response = act(pilote, event_id, "coffee", "confier", volunteer_id="")
    assert "« Apporter le café » est de nouveau à prendre." in text(response)
    assert roster_of(app, event_id)["coffee"] is None
    admin = client_as("admin")
    act(admin, event_id, "desk", "confier", volunteer_id=colleague.id)
    assert roster_of(app, event_id)["desk"] == colleague.id


def test_a_task_cannot_be_handed_to_someone_outside_the_group(app, client_as, users, create_user):
    event_id = make_event(app)
    gone = create_user(Role.ANIMATOR, first_name="Henri", last_name="Petit", left_at=utcnow())
    admin = client_as("admin")
    give_task(app, event_id, "posters", users["animator"].id)
    for volunteer_id, sentence in (
        (
            users["member"].id,
            f"{users['member'].full_name} ne fait pas partie du groupe "
            "d'animation : rien n'a été changé.",
        ),
        (gone.id, "Henri Petit ne fait pas partie du groupe d'animation"),
        (9999, "Cette personne ne fait pas partie du groupe d'animation"),
        ("Paul", "Cette personne ne fait pas partie du groupe d'animation"),
    ):
        response = act(admin, event_id, "posters", "confier", volunteer_id=volunteer_id)
        assert sentence in text(response)
        assert roster_of(app, event_id)["posters"] == users["animator"].id


def test_a_plain_animator_cannot_hand_tasks_out(app, client_as, users):
    event_id = make_event(app)
    client = client_as("animator")
    client.get(f"/groupe/tableau/{event_id}")
    assert "Confier" not in text(client.get(f"/groupe/tableau/{event_id}"))
    response = client.post(
        f"/groupe/tableau/{event_id}/coffee/confier",
        data={"csrf_token": csrf_token(client, "/groupe"), "volunteer_id": users["animator"].id},
    )
    assert response.status_code == 403
    assert roster_of(app, event_id)["coffee"] is None


def test_two_animators_racing_for_one_task_leave_it_to_the_first(
    app, client_as, users, create_user
):
    """The second one's page still shows « Je m'en charge »; their click is refused."""
    event_id = make_event(app)
    first, second = client_as("animator"), client_as("admin")
    token = csrf_token(second, f"/groupe/tableau/{event_id}")  # page loaded: the task is open
    act(first, event_id, "setup", "prendre")
    response = second.post(
        f"/groupe/tableau/{event_id}/setup/prendre",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "est déjà pris en charge par" in text(response)
    assert roster_of(app, event_id)["setup"] == users["animator"].id


# --- the next rosters at a glance ---------------------------------------------------------------


def test_the_next_rosters_show_open_tasks_at_a_glance(app, client_as, users):
    cafe = make_event(app, days=3, place="Place des Lilas")
    meeting = make_event(app, days=5, kind="group_meeting", place="Chez Paul")
    make_event(app, days=6, kind="fete", place="Parc de la Moutonnerie")
    make_event(app, days=4, cancelled=True, place="Square annulé")
    make_event(app, days=-4, place="Square passé")
    give_task(app, cafe, "coffee", users["admin"].id)
    response = client_as("animator").get("/groupe/tableaux")
    page = text(response)
    assert "Place des Lilas" in page and "Chez Paul" in page
    assert "Square annulé" not in page and "Square passé" not in page
    assert page.index("Place des Lilas") < page.index("Chez Paul")
    assert "Tâches à prendre : 5" in page  # the café's coffee is taken
    assert "Tâches à prendre : 6" in page  # the fête has six tasks even before anyone opened it
    assert f"Apporter le café : {users['admin'].full_name}" in words(response)
    assert "Pas encore de tâches pour ce rendez-vous." in page
    assert f'href="/groupe/tableau/{meeting}"' in page
    assert roster_of(app, meeting) == {}  # looking does not open anything


def test_the_next_rosters_cost_the_same_queries_whatever_their_number(
    app, client_as, users, create_user
):
    client = client_as("animator")

    def count() -> int:
        return page_queries(app, client, "/groupe/tableaux")

    first = make_event(app, days=2)
    give_task(app, first, "coffee", users["admin"].id)
    small = count()
    for n in range(8):
        event_id = make_event(app, days=3 + n, kind="group_meeting" if n % 2 else "cafe")
        helper = create_user(Role.ANIMATOR)
        for task in TASKS[: n % 6 + 1]:
            give_task(app, event_id, task, helper.id if n % 2 else users["animator"].id)
    large = count()
    assert small == large, f"{small} queries with 1 event, {large} with 9"
    assert large <= 8


# --- the printed roster -------------------------------------------------------------------------


def test_the_printed_roster_names_the_volunteers_and_leaves_lines_for_the_rest(
    app, client_as, users, create_user
):
    event_id = make_event(app, place="Place des Lilas")
    pilote = create_user(Role.ANIMATOR, first_name="Awa", last_name="Diallo", group_role="pilote")
    give_task(app, event_id, "coffee", users["admin"].id)
    response = client_as("animator").get(f"/groupe/tableau/{event_id}.pdf")
    try:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        pdf = response.get_data()
    finally:
        response.close()
    words = flat(
        subprocess.run(
            ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    )
    assert (
        "Tableau des tâches" in words and "Café-rencontre" in words and "Place des Lilas" in words
    )
    assert f"Apporter le café {users['admin'].full_name}" in words
    assert words.count("à prendre :") == 5
    assert f"Pilote : {pilote.full_name}" in words and "lilas@example.org" in words
    assert roster_of(app, event_id) == {"coffee": users["admin"].id}  # printing opens nothing
