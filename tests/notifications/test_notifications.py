"""A member's notices: newest first, unread ones highlighted, « Tout marquer comme lu », the
« Notifications (n) » menu link when there are unread ones (one query per page at most), and
nobody reads another person's notices."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from helpers import QueryCounter, post_form, text
from coopere.extensions import db
from coopere.notifications.models import Notification
from coopere.timeutil import utcnow


def add_notice(
    app, user, text_: str, *, minutes_ago: int = 0, read: bool = False, link: str = "/rendez-vous"
):
    with app.app_context():
        db.session.add(
            Notification(
                user_id=user.id,
                kind="event.cancelled",
                text=text_,
                link=link,
                created_at=utcnow() - timedelta(minutes=minutes_ago),
                read_at=utcnow() if read else None,
            )
        )
        db.session.commit()


def test_notices_newest_first_unread_highlighted(app, client_as, users):
    member = users["member"]
    add_notice(
        app, member, "Le café-rencontre du samedi 7 mars est annulé.", minutes_ago=60, read=True
    )
    add_notice(app, member, "Le café-rencontre du samedi 4 avril est annulé.", minutes_ago=5)
    add_notice(app, users["animator"], "Une notice pour quelqu'un d'autre.")
    client = client_as("member")
    page = text(client.get("/notifications"))
    assert page.index("samedi 4 avril") < page.index("samedi 7 mars")
    assert "Une notice pour quelqu'un d'autre." not in page
    assert (
        "Non lues : 1" in page and page.count("Nouveau") == 1 and page.count("notice-unread") == 1
    )
    assert 'href="/rendez-vous"' in page and "Tout marquer comme lu" in page


def test_the_menu_shows_the_unread_count_until_all_are_marked_read(app, client_as, users):
    member = users["member"]
    add_notice(app, member, "Premier avis.")
    add_notice(app, member, "Deuxième avis.")
    client = client_as("member")
    page = text(client.get("/compte"))
    assert "Notifications (2)" in page and 'href="/notifications"' in page
    response = post_form(client, "/notifications/tout-lu", token_from="/notifications")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Toutes vos notifications sont marquées comme lues." in page
    assert "Non lues : 0" in page and "Nouveau" not in page and "Tout marquer comme lu" not in page
    assert "Notifications (" not in text(client.get("/compte"))
    with app.app_context():
        assert all(
            notice.read_at is not None for notice in db.session.scalars(select(Notification))
        )


def test_marking_read_touches_only_ones_own_notices(app, client_as, users):
    add_notice(app, users["animator"], "Pour l'animateur.")
    client = client_as("member")
    post_form(client, "/notifications/tout-lu", token_from="/notifications")
    with app.app_context():
        assert db.session.scalars(select(Notification)).one().read_at is None


def test_the_count_costs_one_query_per_page(app, client_as, users):
    add_notice(app, users["member"], "Un avis.")
    client = client_as("member")
    with QueryCounter(app) as queries:
        page = text(client.get("/accueil"))  # the menu and the home page both show the count
    assert "Notifications (1)" in page and "Mes notifications (1)" in page
    assert queries.naming("notifications") == 1


def test_nothing_yet(client_as):
    page = text(client_as("member").get("/notifications"))
    assert "Aucune notification pour l'instant." in page


def test_anonymous_visitors_are_sent_to_log_in(client_as):
    anonymous = client_as(None)
    assert anonymous.get("/notifications").headers["Location"].startswith("/connexion")
    response = post_form(anonymous, "/notifications/tout-lu", token_from="/")
    assert response.headers["Location"].startswith("/connexion")
