"""The coaching log: a session noted with its date, duration, form, topics, attendees and notes,
listed on the perimeter's page; hours per month against 2 h a week (8 h 40 a month); a session
deleted by its author or the coordination only; « Charge des accompagnateurs » per role; bad input
refused in French with nothing saved. Each test uses its own month of perimeter A."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coopere.association import coaching
from coopere.association.models import AuditEntry, CoachingSession
from coopere.association.store import db_session
from coopere.timeutil import add_months, paris_today
from console_support import COACH, CONSOLE, COORD, OTHER, post_form
from helpers import text, words

PAGE_A = f"{CONSOLE}/perimetres/a"
NEW_A = f"{PAGE_A}/seances/nouvelle"


def month_ago(months: int, day: int = 1) -> date:
    return add_months(paris_today().replace(day=1), -months).replace(day=day)


def count(console, *where) -> int:
    with console.app.test_request_context():
        return db_session().scalar(select(func.count()).select_from(CoachingSession).where(*where))


def row_of(response, month_label: str) -> str:
    """The words of a month's row in the hours table, after its label."""
    match = re.search(rf'<th scope="row">{month_label}</th>(.*?)</tr>', text(response), re.S)
    assert match, month_label
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def session(client, day: date, **fields):
    data = {"held_on": day.isoformat(), "form": "reunion", **fields}
    return post_form(client, NEW_A, data)


@dataclass
class Row:
    held_on: date
    minutes: int


@pytest.mark.no_database
def test_hours_per_month_against_two_hours_a_week():
    assert coaching.REFERENCE_MINUTES == 520  # 2 h × 52 weeks ÷ 12 months = 8 h 40
    assert coaching.duration_label(520) == "8\u00a0h\u00a040"
    assert coaching.duration_label(45) == "45\u00a0min"
    assert coaching.duration_label(120) == "2\u00a0h"
    today = date(2026, 3, 14)
    months = coaching.per_month(
        [
            Row(date(2026, 3, 2), 90),
            Row(date(2026, 3, 10), 430),  # March: 520 minutes, the reference exactly
            Row(date(2026, 1, 31), 60),
            Row(date(2025, 3, 31), 600),  # 12 months ago and more: left out
            Row(date(2025, 4, 1), 30),  # the oldest month shown
        ],
        today,
    )
    assert [month.key for month in months][0] == "2025-04"
    assert [month.key for month in months][-1] == "2026-03"
    assert len(months) == 12
    by_key = {month.key: month for month in months}
    assert (by_key["2026-03"].minutes, by_key["2026-03"].gap, by_key["2026-03"].share) == (
        520,
        0,
        100,
    )
    assert (by_key["2026-01"].minutes, by_key["2026-01"].gap, by_key["2026-01"].share) == (
        60,
        -460,
        12,
    )
    assert by_key["2025-04"].minutes == 30
    assert by_key["2026-02"].minutes == 0
    assert coaching.total_minutes(1, 30) == 90
    assert coaching.total_minutes(None, 90) == 90
    with pytest.raises(coaching.CoachingError):
        coaching.total_minutes(0, 0)
    with pytest.raises(coaching.CoachingError):
        coaching.total_minutes(12, 1)


def test_a_session_is_noted_and_listed_with_the_months_hours(console):
    client = console.login(COACH)
    held_on = month_ago(5, 3)
    answer = session(
        client,
        held_on,
        hours="1",
        minutes="30",
        form="telephone",
        topics=["cafes", "communication"],
        attendees="Nadia, Jean",
        notes="Préparer le café de mai",
    )
    assert answer.status_code == 302, words(answer)[:500]
    session(client, month_ago(5, 20), hours="7", minutes="40")  # the month: 9 h 10
    response = client.get(PAGE_A)
    page = words(response)
    assert "1 h 30, Téléphone" in page
    assert "Thèmes : Les cafés-rencontres mensuels, Communication" in page
    assert "Présents : Nadia, Jean" in page
    assert "Préparer le café de mai" in page
    assert "Par Bruno Accompagne." in page
    assert "2 h × 52 semaines ÷ 12 mois = 8 h 40 par mois" in page
    with console.app.test_request_context():
        label = coaching.month_label(month_ago(5))
    assert row_of(response, label) == "9 h 10 106 % + 30 min"
    with console.app.test_request_context():
        logged = db_session().scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "coaching.logged", AuditEntry.target == "a")
        )
    assert logged >= 2


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"hours": "0", "minutes": "0"},
            "Indiquez la durée de la séance, en heures et/ou en minutes.",
        ),
        (
            {"hours": "", "minutes": ""},
            "Indiquez la durée de la séance, en heures et/ou en minutes.",
        ),
        ({"hours": "12", "minutes": "30"}, "Une séance dure 12 heures au plus."),
        ({"hours": "13"}, "Indiquez un nombre d'heures de 0 à 12."),
        ({"minutes": "une heure"}, "Indiquez un nombre de minutes de 0 à 720."),
        ({"minutes": "60", "form": "pigeon"}, "Choisissez la forme de la séance."),
        ({"minutes": "60", "topics": ["astrologie"]}, "Choisissez les thèmes dans la liste."),
        (
            {"minutes": "60", "held_on": "demain"},
            "Indiquez une date valide, par exemple 12/03/2026.",
        ),
    ],
)
def test_a_bad_session_is_refused_in_french_and_nothing_is_saved(console, fields, message):
    client = console.login(COACH)
    before = count(console, CoachingSession.slug == "a")
    answer = session(client, month_ago(1, 2), **fields)
    assert answer.status_code == 200
    assert message in words(answer)
    assert "Rien n'a été enregistré" in words(answer)
    assert count(console, CoachingSession.slug == "a") == before


def test_a_session_in_the_future_is_refused(console):
    client = console.login(COACH)
    before = count(console)
    answer = session(client, paris_today() + timedelta(days=1), minutes="60")
    assert "La date ne peut pas être dans le futur." in words(answer)
    assert count(console) == before


def test_a_session_is_deleted_by_its_author_or_the_coordination_only(console):
    coach, coord, other = console.login(COACH), console.login(COORD), console.login(OTHER)
    held_on = month_ago(9, 4)
    session(coach, held_on, minutes="50", notes="Séance de Bruno")
    session(coord, held_on, minutes="25", notes="Séance de Claire")
    with console.app.test_request_context():
        rows = {
            row.notes: row.id
            for row in db_session().scalars(
                select(CoachingSession).where(CoachingSession.held_on == held_on)
            )
        }
    bruno, claire = rows["Séance de Bruno"], rows["Séance de Claire"]
    # the coach may not delete the coordination's session; another coach does not see A at all
    refused = post_form(coach, f"{PAGE_A}/seances/{claire}/supprimer", {}, form_url=PAGE_A)
    assert refused.status_code == 403
    account = f"{CONSOLE}/compte"
    hidden = post_form(other, f"{PAGE_A}/seances/{bruno}/supprimer", {}, form_url=account)
    assert hidden.status_code == 404
    wrong = post_form(
        coord, f"{CONSOLE}/perimetres/b/seances/{bruno}/supprimer", {}, form_url=account
    )
    assert wrong.status_code == 404  # a session of A is not deleted through B's address
    assert count(console, CoachingSession.held_on == held_on) == 2
    # the coach's page offers « Supprimer » for their own session only
    page = words(coach.get(PAGE_A))
    assert "Séance de Bruno Supprimer" in page
    assert "Séance de Claire Supprimer" not in page

    assert (
        post_form(coach, f"{PAGE_A}/seances/{bruno}/supprimer", {}, form_url=PAGE_A).status_code
        == 302
    )
    assert (
        post_form(coord, f"{PAGE_A}/seances/{claire}/supprimer", {}, form_url=PAGE_A).status_code
        == 302
    )
    assert count(console, CoachingSession.held_on == held_on) == 0
    with console.app.test_request_context():
        deleted = db_session().scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "coaching.deleted")
        )
    assert deleted == 2


def test_the_workload_page_per_role(console):
    coach = console.login(COACH)
    session(coach, month_ago(7, 11), hours="2", minutes="15")
    with console.app.test_request_context():
        label = coaching.month_label(month_ago(7))

    response = coach.get(f"{CONSOLE}/charge")
    mine = words(response)
    assert "Vos heures d'accompagnement" in mine
    assert "Bruno Accompagne" in mine
    assert "Odile Ailleurs" not in mine
    assert row_of(response, label) == "2 h 15"  # one column: theirs
    assert "8 h 40 par mois et par périmètre" in mine

    everyone = words(console.login(COORD).get(f"{CONSOLE}/charge"))
    assert "Bruno Accompagne" in everyone and "Odile Ailleurs" in everyone
    # Bruno coaches A, Odile nothing
    assert re.search(r"Bruno Accompagne 1 \d+ [^A-Z]*a \(", everyone)
    assert re.search(r"Odile Ailleurs 0 0 0 0 —", everyone)

    odile = words(console.login(OTHER).get(f"{CONSOLE}/charge"))
    assert "Odile Ailleurs 0 0 0 0 —" in odile
    assert "Bruno Accompagne" not in odile
