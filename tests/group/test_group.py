"""The animation group: its members and task families, handover notes, the fair-share view, the
reminders before an event, what happens when a volunteer steps back, and members kept out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from factories import give_task, make_event
from helpers import csrf_token, page_queries, post_form, text, words
from coopere.audit.models import AuditEvent
from coopere.auth.models import Role, User
from coopere.timeutil import to_paris, to_utc
from coopere.extensions import db
from coopere.group.models import FamilyMember, HandoverNote, RosterSlot
from coopere.timeutil import months_before
from coopere.notifications.models import Notification
from coopere.timeutil import utcnow

TASKS = ["setup", "coffee", "welcome", "desk", "posters", "tidy"]


def volunteer_of(app, event_id: int, task: str) -> int | None:
    with app.app_context():
        return db.session.scalar(
            select(RosterSlot.volunteer_id).where(
                RosterSlot.event_id == event_id, RosterSlot.task == task
            )
        )


def families_of(app, user_id: int) -> set[str]:
    with app.app_context():
        return set(
            db.session.scalars(select(FamilyMember.family).where(FamilyMember.user_id == user_id))
        )


def join(app, user_id: int, *families: str) -> None:
    with app.app_context():
        for family in families:
            db.session.add(FamilyMember(user_id=user_id, family=family))
        db.session.commit()


def update_user(app, user_id: int, **columns) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        for name, value in columns.items():
            setattr(user, name, value)
        db.session.commit()


# --- members are kept out ------------------------------------------------------------------------


def test_members_are_refused_every_group_page_and_action_and_nothing_changes(app, client_as, users):
    event_id = make_event(app)
    give_task(app, event_id, "coffee", users["animator"].id)
    member = client_as("member")
    for path in (
        "/groupe",
        "/groupe/tableaux",
        "/groupe/partage",
        f"/groupe/tableau/{event_id}",
        f"/groupe/tableau/{event_id}.pdf",
    ):
        response = member.get(path)
        assert response.status_code == 403 and "Accès refusé" in text(response), path
        response.close()
    token = csrf_token(member, "/")
    for path, data in (
        (f"/groupe/tableau/{event_id}/setup/prendre", {}),
        (f"/groupe/tableau/{event_id}/coffee/laisser", {}),
        (f"/groupe/tableau/{event_id}/coffee/confier", {"volunteer_id": users["member"].id}),
        (f"/groupe/tableau/{event_id}/taches", {}),
        ("/groupe/familles/registrations", {"members": users["member"].id}),
        ("/groupe/familles/registrations/note", {"registrations-text": "Je prends la suite."}),
    ):
        response = member.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, path
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RosterSlot)) == 1
        assert db.session.scalar(select(func.count()).select_from(FamilyMember)) == 0
        assert db.session.scalar(select(func.count()).select_from(HandoverNote)) == 0
    assert volunteer_of(app, event_id, "coffee") == users["animator"].id
    assert "/groupe" not in text(member.get("/accueil"))  # no « Groupe » link for them
    assert 'href="/groupe"' in text(client_as("animator").get("/accueil"))


# --- the group page -----------------------------------------------------------------------------


def test_the_group_page_lists_the_animators_with_pilote_copilote_and_families(
    app, client_as, users, create_user
):
    awa = create_user(Role.ANIMATOR, first_name="Awa", last_name="Diallo", group_role="copilote")
    create_user(Role.ANIMATOR, first_name="Henri", last_name="Petit", left_at=utcnow())
    update_user(app, users["admin"].id, group_role="pilote")
    join(app, awa.id, "communication", "registrations")
    response = client_as("animator").get("/groupe")
    page = words(response)
    assert "Membres du groupe : 3" in page
    assert f"{users['admin'].full_name} Pilote" in page and "Awa Diallo Copilote" in page
    assert (
        page.index(users["admin"].full_name)
        < page.index("Awa Diallo")
        < page.index(users["animator"].full_name)
    )
    assert "S'occupe de : Inscriptions, Communication" in page  # the method's order
    assert "Henri Petit" not in page and users["member"].full_name not in page
    assert "moins de 4 personnes" in page  # three: below the method's advice


def test_the_group_size_follows_the_method_advice(app, client_as, users, create_user):
    client = client_as("animator")
    assert "moins de 4 personnes" in words(client.get("/groupe"))  # the animator and the admin
    for _ in range(2):
        create_user(Role.ANIMATOR)
    page = words(client.get("/groupe"))
    assert "moins de 4 personnes" not in page and "au moins 6" in page
    for _ in range(2):
        create_user(Role.ANIMATOR)
    assert "dans ce que conseille la méthode (de 4 à 12)" in words(client.get("/groupe"))
    for _ in range(7):
        create_user(Role.ANIMATOR)
    assert "Au-delà de 12 personnes" in words(client.get("/groupe"))


def test_animators_choose_who_looks_after_each_family(app, client_as, users, create_user):
    awa = create_user(Role.ANIMATOR, first_name="Awa", last_name="Diallo")
    client = client_as("animator")
    response = post_form(
        client,
        "/groupe/familles/cafes",
        {"members": [users["animator"].id, awa.id]},
        token_from="/groupe",
        follow_redirects=True,
    )
    assert "« Animation des cafés » : Awa Diallo, " in text(response)
    assert families_of(app, awa.id) == {"cafes"} and families_of(app, users["animator"].id) == {
        "cafes"
    }
    page = words(response)
    assert f"S'en occupe(nt) : Awa Diallo, {users['animator'].full_name}" in page
    # Unticking someone takes them off; the other family is untouched.
    post_form(client, "/groupe/familles/site", {"members": [awa.id]}, token_from="/groupe")
    post_form(
        client, "/groupe/familles/cafes", {"members": [users["animator"].id]}, token_from="/groupe"
    )
    assert families_of(app, awa.id) == {"site"} and families_of(app, users["animator"].id) == {
        "cafes"
    }
    response = post_form(
        client, "/groupe/familles/cafes", {}, token_from="/groupe", follow_redirects=True
    )
    assert "« Animation des cafés » : personne ne s'en occupe pour l'instant." in text(response)
    assert families_of(app, users["animator"].id) == set()


def test_only_animators_can_look_after_a_family(app, client_as, users, create_user):
    gone = create_user(Role.ANIMATOR, first_name="Henri", last_name="Petit", left_at=utcnow())
    join(app, users["animator"].id, "events")
    client = client_as("admin")
    for ids, message in (
        (
            [users["animator"].id, users["member"].id],
            f"{users['member'].full_name} ne fait pas partie du groupe d'animation : "
            "rien n'a été changé.",
        ),
        ([gone.id], "Henri Petit ne fait pas partie du groupe d'animation"),
        ([9999], "Cette personne ne fait pas partie du groupe d'animation"),
        (["Paul"], "Cette personne ne fait pas partie du groupe d'animation"),
    ):
        response = post_form(
            client,
            "/groupe/familles/events",
            {"members": ids},
            token_from="/groupe",
            follow_redirects=True,
        )
        assert message in text(response)
    assert families_of(app, users["animator"].id) == {"events"}
    assert families_of(app, users["member"].id) == set() and families_of(app, gone.id) == set()
    token = csrf_token(client, "/groupe")
    assert client.post("/groupe/familles/jardinage", data={"csrf_token": token}).status_code == 404


def test_handover_notes_are_listed_newest_first(app, client_as, users):
    client = client_as("animator")
    for note in ("Les clés du local sont chez Mme Martin.", "Le parasol est dans la cave de Paul."):
        response = post_form(
            client,
            "/groupe/familles/cafes/note",
            {"cafes-text": note},
            token_from="/groupe",
            follow_redirects=True,
        )
        assert "La note de passation de « Animation des cafés » est enregistrée." in text(response)
    with app.app_context():
        notes = db.session.scalars(select(HandoverNote).order_by(HandoverNote.id)).all()
        assert [(n.family, n.author_id) for n in notes] == [("cafes", users["animator"].id)] * 2
        notes[0].created_at -= timedelta(days=3)
        db.session.commit()
    page = text(client.get("/groupe"))
    section = page[page.index('id="famille-cafes"') : page.index('id="famille-site"')]
    assert section.index("Le parasol est dans la cave") < section.index("Les clés du local")
    assert users["animator"].full_name in section
    other = page[page.index('id="famille-site"') :]
    assert "Le parasol" not in other


def test_an_empty_or_too_long_note_is_refused_in_french(app, client_as):
    client = client_as("animator")
    response = post_form(
        client, "/groupe/familles/reporting/note", {"reporting-text": "   "}, token_from="/groupe"
    )
    assert response.status_code == 422
    assert "Écrivez la note avant de l'enregistrer." in text(response)
    response = post_form(
        client,
        "/groupe/familles/reporting/note",
        {"reporting-text": "x" * 2001},
        token_from="/groupe",
    )
    assert response.status_code == 422
    assert "Cette note est trop longue (2000 caractères au plus)." in text(response)
    assert "x" * 2001 in text(response)  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HandoverNote)) == 0


# --- fair share ---------------------------------------------------------------------------------


def test_fair_share_counts_the_tasks_of_the_last_six_months_least_loaded_first(
    app, client_as, users, create_user
):
    awa = create_user(Role.ANIMATOR, first_name="Awa", last_name="Diallo")
    paul, claire = users["animator"], users["admin"]
    update_user(app, paul.id, first_name="Paul", last_name="Bernard")
    update_user(app, claire.id, first_name="Claire", last_name="Moreau")
    recent = make_event(app, days=-10)
    older = make_event(app, days=-60, kind="group_meeting")
    for task in ("coffee", "setup", "tidy"):
        give_task(app, recent, task, claire.id)
    give_task(app, recent, "welcome", paul.id)
    give_task(app, older, "coffee", claire.id)
    give_task(app, older, "posters", paul.id)
    # Not counted: more than six months ago, cancelled, still to come, or not in the group any more.
    give_task(app, make_event(app, days=-200), "coffee", awa.id)
    give_task(app, make_event(app, days=-5, cancelled=True), "coffee", awa.id)
    give_task(app, make_event(app, days=3), "coffee", awa.id)
    give_task(app, recent, "desk", users["member"].id)
    response = client_as("animator").get("/groupe/partage")
    page = words(response)
    assert page.index("Awa Diallo") < page.index("Paul Bernard") < page.index("Claire Moreau")
    assert "Awa Diallo Tâches prises : 0" in page
    assert "Paul Bernard (vous) Tâches prises : 2 Accueillir : 1 Affiches et tracts : 1" in page
    assert (
        "Claire Moreau Tâches prises : 4 Installer la table et le parasol : 1 Apporter le café : 2 "
        "Ranger : 1"
    ) in page
    assert users["member"].full_name not in page
    assert "proposez les prochaines tâches d'abord à Awa, et laissez souffler Claire." in page


def test_fair_share_says_when_the_load_is_shared(app, client_as, users):
    client = client_as("animator")
    assert "Aucune tâche n'a encore été prise" in words(client.get("/groupe/partage"))
    past = make_event(app, days=-3)
    give_task(app, past, "coffee", users["animator"].id)
    give_task(app, past, "tidy", users["admin"].id)
    assert "Les tâches sont bien partagées" in words(client.get("/groupe/partage"))


def test_six_months_back_keeps_to_the_calendar():
    assert months_before(datetime(2026, 8, 31, 9), 6) == datetime(2026, 2, 28, 9)
    assert months_before(datetime(2028, 8, 31, 9), 6) == datetime(2028, 2, 29, 9)
    assert months_before(datetime(2026, 3, 15), 6) == datetime(2025, 9, 15)


# --- reminders ------------------------------------------------------------------------------------


def paris_tomorrow_at(hour: int) -> tuple[date, datetime]:
    day = to_paris(utcnow()).date() + timedelta(days=1)
    return day, to_utc(day, time(hour))


def french_day(day: date) -> str:
    text_ = format_date(day, "EEEE d MMMM", locale="fr")
    return text_.replace(" 1 ", " 1er ", 1) if day.day == 1 else text_


def notices(app) -> list[tuple[int, str, str, str]]:
    with app.app_context():
        return [
            (n.user_id, n.kind, n.text, n.link)
            for n in db.session.scalars(select(Notification).order_by(Notification.id))
        ]


def test_reminders_reach_each_volunteer_once_in_their_language(app, runner, users, create_user):
    day, start = paris_tomorrow_at(10)
    cafe = make_event(app, starts_at=start, place="Place des Lilas")
    anglophone = create_user(Role.ANIMATOR, first_name="Amy", last_name="Smith", locale="en")
    give_task(app, cafe, "coffee", users["animator"].id)
    give_task(app, cafe, "welcome", anglophone.id)
    give_task(app, cafe, "tidy", None)  # an open task reminds nobody
    # Not reminded: too far ahead, cancelled, already past.
    give_task(app, make_event(app, days=5), "coffee", users["admin"].id)
    give_task(app, make_event(app, starts_at=start, cancelled=True), "setup", users["admin"].id)
    give_task(app, make_event(app, days=-1), "setup", users["admin"].id)

    result = runner.invoke(args=["roster", "remind", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert "Rappels envoyés : 2" in result.output
    sent = notices(app)
    assert [(user_id, kind, link) for user_id, kind, _text, link in sent] == [
        (users["animator"].id, "roster.reminder", f"/groupe/tableau/{cafe}"),
        (anglophone.id, "roster.reminder", f"/groupe/tableau/{cafe}"),
    ]
    assert sent[0][2] == (
        f"Rappel : vous vous êtes chargé(e) de « Apporter le café » au café-rencontre du "
        f"{french_day(day)}, 10 h, Place des Lilas."
    )
    english = sent[1][2]
    assert format_date(day, "EEEE d MMMM", locale="en") in english and "10:00" in english
    assert french_day(day) not in english

    result = runner.invoke(args=["roster", "remind"])  # --days 2 by default; nothing new
    assert "Rappels envoyés : 0" in result.output
    assert len(notices(app)) == 2


def test_a_task_handed_to_someone_else_is_reminded_to_them(
    app, runner, client_as, users, create_user
):
    _day, start = paris_tomorrow_at(18)
    meeting = make_event(
        app, starts_at=start, kind="group_meeting", place="Chez Paul", title="Préparer la fête"
    )
    give_task(app, meeting, "coffee", users["animator"].id)
    runner.invoke(args=["roster", "remind"])
    assert (
        "pour « Préparer la fête », le " in notices(app)[0][2]
        and ", 18 h, Chez Paul." in notices(app)[0][2]
    )
    admin = client_as("admin")
    post_form(
        admin,
        f"/groupe/tableau/{meeting}/coffee/confier",
        {"volunteer_id": users["admin"].id},
        token_from="/groupe",
    )
    result = runner.invoke(args=["roster", "remind"])
    assert "Rappels envoyés : 1" in result.output
    assert [n[0] for n in notices(app)] == [users["animator"].id, users["admin"].id]


def test_remind_has_help_and_refuses_a_negative_number_of_days(runner):
    result = runner.invoke(args=["roster", "remind", "--help"])
    assert result.exit_code == 0 and "--days" in result.output and "cron" in result.output
    assert runner.invoke(args=["roster", "remind", "--days", "-1"]).exit_code != 0


# --- a volunteer steps back -----------------------------------------------------------------------


def steps_back_setup(app, volunteer_id: int) -> tuple[int, int]:
    past, future = make_event(app, days=-7), make_event(app, days=10)
    give_task(app, past, "coffee", volunteer_id)
    give_task(app, future, "coffee", volunteer_id)
    give_task(app, future, "tidy", volunteer_id)
    join(app, volunteer_id, "communication", "reporting")
    return past, future


def test_becoming_a_member_again_frees_the_volunteer_tasks_and_asks_for_handover_notes(
    app, client_as, users, create_user
):
    paul = create_user(Role.ANIMATOR, first_name="Paul", last_name="Bernard")
    past, future = steps_back_setup(app, paul.id)
    admin = client_as("admin")
    response = post_form(
        admin, f"/admin/groupe/{paul.id}/role", {"role": "member"}, token_from="/admin/groupe"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, paul.id).role == "member"
    assert volunteer_of(app, future, "coffee") is None and volunteer_of(app, future, "tidy") is None
    assert volunteer_of(app, past, "coffee") == paul.id  # what they did stays in the fair share
    assert families_of(app, paul.id) == set()

    client = client_as("animator")
    page = words(client.get("/groupe"))
    assert "Paul Bernard a quitté le groupe" in page
    assert "Écrire la note de passation : Communication" in page
    assert "Écrire la note de passation : Bilans" in page
    post_form(
        client,
        "/groupe/familles/communication/note",
        {"communication-text": "Le fichier des contacts est sur la clé USB du local."},
        token_from="/groupe",
    )
    page = words(client.get("/groupe"))
    assert "Écrire la note de passation : Communication" not in page
    assert "Écrire la note de passation : Bilans" in page
    post_form(
        client,
        "/groupe/familles/reporting/note",
        {"reporting-text": "Bilan annuel en juin."},
        token_from="/groupe",
    )
    assert "Paul Bernard a quitté le groupe" not in words(client.get("/groupe"))
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "group.stepped_back")
        )
        assert entry.target_user_id == paul.id and entry.actor_id == users["admin"].id
    page = words(admin.get("/admin/journal"))
    assert "A quitté le groupe d'animation (tâches libérées)" in page


def test_leaving_the_perimeter_frees_the_volunteer_tasks(app, client_as, users, create_user):
    paul = create_user(Role.ANIMATOR, first_name="Paul", last_name="Bernard")
    past, future = steps_back_setup(app, paul.id)
    client = client_as("animator")
    response = post_form(
        client, f"/membres/{paul.id}/depart", {"confirm": "yes"}, token_from=f"/membres/{paul.id}"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, paul.id).left_at is not None
    assert volunteer_of(app, future, "coffee") is None and volunteer_of(app, future, "tidy") is None
    assert volunteer_of(app, past, "coffee") == paul.id
    assert families_of(app, paul.id) == set()
    page = words(client.get("/groupe"))
    assert "Paul Bernard a quitté le groupe" in page and "Membres du groupe : 2" in page
    assert "Tâches à prendre : 6 sur 6" in words(client.get(f"/groupe/tableau/{future}"))


def test_a_refused_role_change_frees_nothing(app, client_as, users):
    """The last admin cannot become a member: their tasks stay theirs."""
    _past, future = steps_back_setup(app, users["admin"].id)
    admin = client_as("admin")
    response = post_form(
        admin,
        f"/admin/groupe/{users['admin'].id}/role",
        {"role": "member"},
        token_from="/admin/groupe",
        follow_redirects=True,
    )
    assert "au moins un administrateur" in text(response)
    assert volunteer_of(app, future, "coffee") == users["admin"].id
    assert families_of(app, users["admin"].id) == {"communication", "reporting"}


def test_a_plain_member_leaving_leaves_no_trace_in_the_group(app, client_as, users):
    client = client_as("animator")
    post_form(
        client,
        f"/membres/{users['member'].id}/depart",
        {"confirm": "yes"},
        token_from=f"/membres/{users['member'].id}",
    )
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "group.stepped_back")
            )
            == 0
        )
    assert "a quitté le groupe" not in words(client.get("/groupe"))


@pytest.mark.parametrize("path", ["/groupe", "/groupe/partage", "/groupe/tableaux"])
def test_group_pages_cost_the_same_queries_whatever_the_group_size(
    app, client_as, users, create_user, path
):

    client = client_as("animator")

    def count() -> int:
        return page_queries(app, client, path)

    past = make_event(app, days=-3)
    small = count()
    for n in range(6):
        person = create_user(Role.ANIMATOR)
        join(app, person.id, ["registrations", "cafes", "site"][n % 3])
        give_task(app, past, TASKS[n], person.id)
        with app.app_context():
            db.session.add(HandoverNote(family="cafes", author_id=person.id, text=f"Note {n}"))
            db.session.commit()
    large = count()
    assert small == large and large <= 10, (small, large)
