"""The report after a café: attendance and newcomers counted at the desk (never typed), offers
and needs collected proposed from the newcomers' registrations and editable, notes; only once
the event has started; the list of past events with their figures, at a constant query cost."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from coopere.cafe import report as report_rules
from coopere.cafe.models import CheckIn, EventReport
from coopere.events.models import Event
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.listings.themes import seed_themes
from factories import make_event
from helpers import page_queries, post_form
from helpers import text as html_text


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html_text(response)).split())


def report_of(app, event_id: int) -> EventReport | None:
    with app.app_context():
        report = db.session.scalar(select(EventReport).where(EventReport.event_id == event_id))
        if report is not None:
            db.session.expunge(report)
        return report


@pytest.fixture
def animator(client_as):
    return client_as("animator")


@pytest.fixture
def past_cafe(app, users, create_user) -> int:
    """Last week's café: three people checked in (one newcomer), two visitors. The newcomer's
    registration drafted two offers and a need; other listings of that day do not count."""
    event_id = make_event(app, days=-7, visitors=2)
    newcomer = create_user(first_name="Nina", last_name="Nouvelle")
    regular = create_user(first_name="Rémi", last_name="Habitué")
    with app.app_context():
        seed_themes()
        event = db.session.get(Event, event_id)
        registered_at = event.starts_at + timedelta(minutes=30)
        for kind in ("offer", "offer", "need"):
            db.session.add(
                Listing(
                    owner_id=newcomer.id,
                    theme_id=1,
                    kind=kind,
                    title="Au café",
                    status="draft",
                    created_by_id=users["animator"].id,
                    created_at=registered_at,
                )
            )
        # Written later by the newcomer herself, and by a regular the same morning: not collected.
        db.session.add(
            Listing(
                owner_id=newcomer.id,
                theme_id=1,
                kind="offer",
                title="Plus tard",
                status="open",
                created_at=registered_at + timedelta(days=2),
            )
        )
        db.session.add(
            Listing(
                owner_id=regular.id,
                theme_id=1,
                kind="need",
                title="Habitué",
                status="open",
                created_at=registered_at,
            )
        )
        # Before the event's day: not from this café.
        db.session.add(
            Listing(
                owner_id=newcomer.id,
                theme_id=1,
                kind="need",
                title="Avant",
                status="draft",
                created_at=event.starts_at - timedelta(days=2),
            )
        )
        db.session.add_all(
            [
                CheckIn(
                    event_id=event_id,
                    user_id=newcomer.id,
                    newcomer=True,
                    at=registered_at + timedelta(seconds=1),
                ),
                CheckIn(event_id=event_id, user_id=regular.id, at=event.starts_at),
                CheckIn(event_id=event_id, user_id=users["member"].id, at=event.starts_at),
            ]
        )
        db.session.commit()
    return event_id


def test_the_report_counts_attendance_and_proposes_what_was_collected(app, animator, past_cafe):
    response = animator.get(f"/cafe/{past_cafe}/bilan")
    page = text(response)
    assert response.status_code == 200
    assert "Présences : 5" in page and "Personnes notées à l'accueil : 3" in page
    assert "Visiteurs : 2" in page and "Nouvelles personnes : 1" in page
    assert "offres : 2, demandes : 1" in page
    html = html_text(response)
    fields = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html)
    }
    assert (fields["offers_collected"], fields["needs_collected"]) == ("2", "1")
    # Attendance and newcomers are not fields: they come from the desk.
    assert 'name="attendance"' not in html and 'name="newcomers"' not in html


def test_the_report_is_saved_then_corrected(app, animator, users, past_cafe):
    path = f"/cafe/{past_cafe}/bilan"
    response = post_form(
        animator,
        path,
        {
            "offers_collected": "4",
            "needs_collected": "1",
            "notes": "  Beau soleil, 3 voisins de la résidence.  ",
        },
        token_from=path,
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cafe/bilans"
    report = report_of(app, past_cafe)
    assert (report.offers_collected, report.needs_collected) == (4, 1)
    assert (
        report.notes == "Beau soleil, 3 voisins de la résidence."
        and report.written_by_id == users["animator"].id
    )
    page = text(animator.get(path))
    assert "Bilan enregistré le" in page and users["animator"].full_name in page
    assert "Beau soleil" in page
    post_form(
        animator,
        path,
        {"offers_collected": "5", "needs_collected": "0", "notes": ""},
        token_from=path,
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventReport)) == 1
    assert report_of(app, past_cafe).offers_collected == 5


@pytest.mark.parametrize(
    "data, message",
    [
        ({"offers_collected": "-1", "needs_collected": "0"}, "Indiquez un nombre de 0 à 999."),
        ({"offers_collected": "1000", "needs_collected": "0"}, "Indiquez un nombre de 0 à 999."),
        ({"offers_collected": "", "needs_collected": "0"}, "Indiquez un nombre de 0 à 999."),
        (
            {"offers_collected": "1", "needs_collected": "0", "notes": "x" * 4001},
            "Les notes sont trop longues",
        ),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_saved(app, animator, past_cafe, data, message):
    path = f"/cafe/{past_cafe}/bilan"
    response = post_form(animator, path, data, token_from=path)
    assert response.status_code == 422 and message in text(response)
    assert "Rien n'a été enregistré" in text(response)
    assert report_of(app, past_cafe) is None


def test_no_report_before_the_event_started_nor_for_a_cancelled_one(app, animator, users):
    coming = make_event(app, days=2)
    path = f"/cafe/{coming}/bilan"
    page = text(animator.get(path))
    assert (
        "Le bilan s'écrit une fois le rendez-vous commencé." in page
        and "Enregistrer le bilan" not in page
    )
    response = post_form(
        animator, path, {"offers_collected": "1", "needs_collected": "1"}, token_from=path
    )
    assert (
        response.status_code == 422
        and "Le bilan s'écrit une fois le rendez-vous commencé." in text(response)
    )
    assert report_of(app, coming) is None
    cancelled = make_event(app, days=-2, cancelled=True)
    path = f"/cafe/{cancelled}/bilan"
    response = post_form(
        animator, path, {"offers_collected": "1", "needs_collected": "1"}, token_from=path
    )
    assert response.status_code == 422 and "il n'a pas de bilan" in text(response)
    assert report_of(app, cancelled) is None


def test_the_reports_list_shows_each_past_event_with_its_figures(app, animator, past_cafe):
    empty = make_event(app, days=-40)
    make_event(app, days=-20, cancelled=True)
    make_event(app, days=3)  # to come: not in the list
    path = f"/cafe/{past_cafe}/bilan"
    post_form(
        animator,
        path,
        {"offers_collected": "4", "needs_collected": "2", "notes": ""},
        token_from=path,
    )
    response = animator.get("/cafe/bilans")
    page = text(response)
    assert (
        "Rendez-vous passés : 2" in page
        and "Présences : 5" in page
        and "Nouvelles personnes : 1" in page
    )
    cards = [
        " ".join(re.sub(r"<[^>]+>", " ", card).split())
        for card in re.findall(
            r'<li class="card report-row">(.*?)</p>\s*</li>', html_text(response), re.S
        )
    ]
    assert len(cards) == 2
    assert (
        "Présences : 5 dont visiteurs : 2 Nouvelles personnes : 1 Offres : 4 Demandes : 2 "
        "Voir le bilan"
    ) in cards[0]
    assert "Présences : 0 dont visiteurs : 0 Nouvelles personnes : 0 Écrire le bilan" in cards[1]
    assert f"/cafe/{empty}/bilan" in html_text(response)


def test_the_reports_list_costs_the_same_queries_with_more_events(
    app, animator, users, create_user
):
    def queries() -> int:
        return page_queries(app, animator, "/cafe/bilans")

    def add(first: int, number: int) -> None:
        for n in range(first, first + number):
            event_id = make_event(app, days=-n)
            with app.app_context():
                db.session.add(
                    CheckIn(event_id=event_id, user_id=users["member"].id, newcomer=bool(n % 2))
                )
                db.session.add(EventReport(event_id=event_id, offers_collected=n, notes="ok"))
                db.session.commit()

    add(1, 2)
    small = queries()
    add(10, 12)
    assert queries() == small


def test_collected_listings_are_computed_in_the_database(app, past_cafe):
    with app.app_context():
        assert report_rules.collected_listings(db.session.get(Event, past_cafe)) == (2, 1)
        figures = report_rules.report_figures(db.session.get(Event, past_cafe))
        assert (figures.present, figures.newcomers, figures.visitors, figures.attendance) == (
            3,
            1,
            2,
            5,
        )
        assert isinstance(db.session.get(Event, past_cafe).starts_at, datetime)
