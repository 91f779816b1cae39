"""« Je viendrai »: members say they will come (a sponsor for their sponsee, never for someone
else's), refused with nothing changed when the event is full, cancelled or past; group meetings
stay among animators; animators see who is coming; the member's home lists their next events."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from factories import make_event
from helpers import page_queries, post_form, text
from coopere.audit.models import AuditEvent
from coopere.events.models import Event, EventSignup
from coopere.extensions import db


def signups(app, event_id: int) -> list[tuple[int, int | None]]:
    with app.app_context():
        return list(
            db.session.execute(
                select(EventSignup.user_id, EventSignup.created_by_id)
                .where(EventSignup.event_id == event_id)
                .order_by(EventSignup.user_id)
            )
        )


def come(client, event_id: int):
    return post_form(client, f"/rendez-vous/{event_id}/je-viens", token_from="/rendez-vous")


def not_come(client, event_id: int):
    return post_form(client, f"/rendez-vous/{event_id}/annuler-venue", token_from="/rendez-vous")


def after(client, response) -> str:
    assert response.status_code == 302
    return text(client.get(response.headers["Location"]))


def test_a_member_says_they_will_come_then_that_they_will_not(app, client_as, users):
    event_id = make_event(app, max_places=10, rain_place="Salle de la Maison de quartier")
    member = client_as("member")
    page = text(member.get("/rendez-vous"))
    assert "Café-rencontre" in page and "Place des Lilas" in page
    assert "En cas de pluie : Salle de la Maison de quartier" in page
    assert "Places libres : 10 sur 10" in page and "Je viendrai" in page
    assert f'href="/rendez-vous/{event_id}.ics"' in page and 'href="/calendrier.ics"' in page

    page = after(member, come(member, event_id))
    assert "C'est noté : vous viendrez le" in page and "Vous avez dit que vous viendrez." in page
    assert "Places libres : 9 sur 10" in page and "Je ne viendrai plus" in page
    assert signups(app, event_id) == [(users["member"].id, users["member"].id)]
    # Twice is once.
    come(member, event_id)
    assert len(signups(app, event_id)) == 1

    page = after(member, not_come(member, event_id))
    assert "C'est noté : vous ne viendrez pas le" in page and "Places libres : 10 sur 10" in page
    assert signups(app, event_id) == []
    with app.app_context():
        actions = list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("event.%"))
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["event.signed_up", "event.signup_withdrawn"]


def test_a_sponsor_signs_up_their_sponsee(app, client_as, users, sponsee):
    event_id = make_event(app)
    sponsor = client_as("member")
    assert (
        post_form(sponsor, f"/parrainage/{sponsee.id}/agir", token_from="/parrainage").status_code
        == 302
    )
    page = text(sponsor.get("/rendez-vous"))
    assert "Vous agissez pour Odette Lambert" in page and "Dites si Odette viendra" in page
    page = after(sponsor, come(sponsor, event_id))
    assert "C'est noté : Odette viendra le" in page and "C'est noté : Odette viendra." in page
    assert signups(app, event_id) == [
        (sponsee.id, users["member"].id)
    ]  # Odette's, typed by her sponsor
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "event.signed_up")
        ).one()
        assert (entry.actor_id, entry.target_user_id) == (users["member"].id, sponsee.id)
        assert json.loads(entry.details)["on_behalf_of"] == "Odette Lambert"
    # The animators see who said so, and who typed it.
    page = text(client_as("animator").get(f"/evenements/{event_id}"))
    assert "Odette Lambert" in page and f"Inscrit(e) par {users['member'].full_name}" in page
    assert "Sans internet" in page and "Personnes : 1" in page
    # Back to their own account, the sponsor is not signed up themself.
    post_form(sponsor, "/parrainage/arreter", token_from="/rendez-vous")
    assert "Je viendrai" in text(sponsor.get("/rendez-vous"))


def test_a_member_cannot_sign_up_someone_elses_sponsee(app, client_as, users, sponsee, create_user):
    event_id = make_event(app)
    other = create_user(first_name="Paul", last_name="Autre")
    client = client_as(None)
    from helpers import login

    login(client, other)
    refused = post_form(client, f"/parrainage/{sponsee.id}/agir", token_from="/parrainage")
    assert refused.status_code == 403
    come(client, event_id)
    assert signups(app, event_id) == [(other.id, other.id)]  # themself, never Odette


def test_a_full_event_refuses_with_nothing_changed(app, client_as, users, create_user):
    event_id = make_event(app, max_places=1)
    first = create_user(first_name="Jeanne", last_name="Morel")
    with app.app_context():
        db.session.add(EventSignup(event_id=event_id, user_id=first.id, created_by_id=first.id))
        db.session.commit()
    member = client_as("member")
    assert "Complet" in text(member.get("/rendez-vous"))
    page = after(member, come(member, event_id))
    assert "Ce rendez-vous est complet : il n'y a plus de place." in page
    assert signups(app, event_id) == [(first.id, first.id)]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "event.signed_up")
            )
            == 0
        )


def test_a_cancelled_or_past_event_refuses_with_nothing_changed(app, client_as, users):
    cancelled_id = make_event(app, cancelled=True)
    past_id = make_event(app, days=-2)
    member = client_as("member")
    page = text(member.get("/rendez-vous"))
    assert (
        "Ce rendez-vous est annulé." in page
        and f'action="/rendez-vous/{cancelled_id}/je-viens"' not in page
    )
    assert "Ce rendez-vous est annulé : on ne peut plus s'y inscrire." in after(
        member, come(member, cancelled_id)
    )
    assert "déjà commencé ou est passé" in after(member, come(member, past_id))
    assert signups(app, cancelled_id) == [] and signups(app, past_id) == []
    # Saying one will not come to a past event changes nothing either.
    with app.app_context():
        db.session.add(EventSignup(event_id=past_id, user_id=users["member"].id))
        db.session.commit()
    assert "rien à changer" in after(member, not_come(member, past_id))
    assert len(signups(app, past_id)) == 1


def test_group_meetings_are_for_animators_only(app, client_as, users):
    meeting_id = make_event(app, kind="group_meeting", title="Réunion du groupe")
    cafe_id = make_event(app, days=12)
    member = client_as("member")
    page = text(member.get("/rendez-vous"))
    assert "Réunion du groupe" not in page and f"rdv-{cafe_id}" in page
    assert come(member, meeting_id).status_code == 404
    assert signups(app, meeting_id) == []
    animator = client_as("animator")
    assert "Réunion du groupe" in text(animator.get("/rendez-vous"))
    after(animator, come(animator, meeting_id))
    assert signups(app, meeting_id) == [(users["animator"].id, users["animator"].id)]


def test_anonymous_visitors_cannot_sign_up(app, client_as, users):
    event_id = make_event(app)
    anonymous = client_as(None)
    assert anonymous.get("/rendez-vous").headers["Location"].startswith("/connexion")
    response = post_form(anonymous, f"/rendez-vous/{event_id}/je-viens", token_from="/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert signups(app, event_id) == []


def test_the_member_home_lists_their_next_events_cancelled_ones_marked(app, client_as, users):
    coming = make_event(app, days=5, title="Café de la rentrée")
    cancelled = make_event(app, days=8, title="Café d'automne")
    not_mine = make_event(app, days=9, title="Café d'hiver")
    member = client_as("member")
    page = text(member.get("/accueil"))
    assert (
        "Vos prochains rendez-vous" in page
        and "Vous n'avez encore dit venir à aucun rendez-vous." in page
    )
    come(member, coming)
    come(member, cancelled)
    with app.app_context():
        db.session.get(Event, cancelled).cancelled = True
        db.session.commit()
    page = text(member.get("/accueil"))
    assert "Café de la rentrée" in page and "Café d'automne" in page and "Café d'hiver" not in page
    assert page.index("Café de la rentrée") < page.index("Café d'automne")
    assert page.count("Annulé") == 1
    assert not_mine


def test_the_menu_has_the_members_events_page(client_as):
    member = client_as("member")
    page = text(member.get("/accueil"))
    assert 'href="/rendez-vous"' in page
    assert 'href="/evenements/"' not in page  # the animators' page is not theirs
    assert 'href="/evenements/"' in text(client_as("animator").get("/accueil"))


def test_when_an_event_is_cancelled_an_offline_sponsees_sponsor_is_told(
    app, client_as, users, sponsee
):
    from coopere.notifications.models import Notification

    event_id = make_event(app)
    sponsor = client_as("member")
    post_form(sponsor, f"/parrainage/{sponsee.id}/agir", token_from="/parrainage")
    come(sponsor, event_id)
    animator = client_as("animator")
    post_form(
        animator, f"/evenements/{event_id}/annuler", token_from=f"/evenements/{event_id}/annuler"
    )
    with app.app_context():
        notices = {
            user_id: text_
            for user_id, text_ in db.session.execute(
                select(Notification.user_id, Notification.text)
            )
        }
    assert set(notices) == {sponsee.id, users["member"].id}
    assert notices[sponsee.id].startswith("Le café-rencontre du ") and notices[sponsee.id].endswith(
        " est annulé."
    )
    assert (
        notices[users["member"].id] == notices[sponsee.id] + " Vous aviez inscrit Odette Lambert."
    )
    post_form(sponsor, "/parrainage/arreter", token_from="/rendez-vous")
    assert "Notifications (1)" in text(sponsor.get("/accueil"))


def test_the_events_pages_cost_the_same_queries_with_more_events(
    app, client_as, users, create_user
):

    member, animator = client_as("member"), client_as("animator")

    def queries(client, path: str) -> int:
        return page_queries(app, client, path)

    def add_events(first_day: int, count: int) -> None:
        people = [create_user() for _ in range(2)]
        for day in range(first_day, first_day + count):
            event_id = make_event(app, days=day, max_places=20)
            with app.app_context():
                db.session.add_all(
                    [EventSignup(event_id=event_id, user_id=person.id) for person in people]
                )
                db.session.add(EventSignup(event_id=event_id, user_id=users["member"].id))
                db.session.commit()

    add_events(2, 2)
    small = {
        path: queries(client, path)
        for client, path in (
            (member, "/rendez-vous"),
            (member, "/accueil"),
            (animator, "/evenements/"),
        )
    }
    add_events(10, 12)
    large = {
        path: queries(client, path)
        for client, path in (
            (member, "/rendez-vous"),
            (member, "/accueil"),
            (animator, "/evenements/"),
        )
    }
    assert small == large
    assert max(large.values()) <= 12, large
