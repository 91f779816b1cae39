"""The café's paper attendance sheet: A4 landscape, the event on top and in the footer, the
columns to fill, the people expected pre-filled in order, at least 20 blank rows numbered on,
the last page filled, the visitors' tally box, « page n/N » everywhere; refusals in French;
and the animators' route, which pre-fills the people who said they would come."""

from __future__ import annotations

import dataclasses
import re
from datetime import time, timedelta

import pytest

from coopere.printing import AttendanceRow, AttendanceSheet, Perimeter, render_attendance_sheet
from coopere.printing.attendance import FIRST_PAGE_ROWS, NEXT_PAGE_ROWS

COLUMNS = "N° Nom Prénom Rue / bâtiment Nouveau ? Signature"
EXPECTED = (
    AttendanceRow("Lefèvre", "Marie-Thérèse", "rue des Lilas, Bât. C"),
    AttendanceRow("Ben Saïd", "Yasmina", "allée des Érables"),
    AttendanceRow("Dupont", "Jean"),
)


@pytest.fixture(scope="module")
def sheet(perimeter: Perimeter) -> AttendanceSheet:
    return AttendanceSheet(
        perimeter=perimeter,
        event_title="Café-rencontre",
        date_text="samedi 12 mars 2026",
        time_text="de 10 h à 12 h",
        place="Place de la Bottière",
        rows=EXPECTED,
    )


@pytest.fixture(scope="module")
def pdf(sheet: AttendanceSheet) -> bytes:
    return render_attendance_sheet(sheet)


def numbers(page: str) -> list[int]:
    """The row numbers of a page: « N° … Signature » then one number per row."""
    body = page.split("Signature", 1)[1].split("Feuille de présence ·", 1)[0]
    return [int(n) for n in re.findall(r"(?<![\w°])(\d{1,3})(?![\w:])", body)]


def test_landscape_a4_with_the_event_and_the_columns(pdf, pdf_reader, flat_pages):
    reader = pdf_reader(pdf)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)
    pages = flat_pages(pdf)
    first = pages[0]
    assert "Bottière – Pin Sec" in first and "Feuille de présence — Café-rencontre" in first
    assert "samedi 12 mars 2026, de 10 h à 12 h · Place de la Bottière" in first
    assert "Visiteurs :" in first and "un trait par personne" in first and "Total :" in first
    for number, page in enumerate(pages, start=1):
        assert COLUMNS in page, f"the header repeats on page {number}"
        assert (
            f"Feuille de présence · Café-rencontre · samedi 12 mars 2026 page {number}/{len(pages)}"
            in page
        )
    assert reader.metadata.title == "Feuille de présence — Café-rencontre — samedi 12 mars 2026"


def test_people_expected_are_pre_filled_then_blank_rows_to_the_foot_of_the_page(pdf, flat_pages):
    pages = flat_pages(pdf)
    first = pages[0]
    assert (
        "1 Lefèvre Marie-Thérèse rue des Lilas, Bât. C "
        "2 Ben Saïd Yasmina allée des Érables 3 Dupont Jean 4" in first
    )
    rows = [n for page in pages for n in numbers(page)]
    assert rows == list(range(1, len(rows) + 1))
    blank = len(rows) - len(EXPECTED)
    assert blank >= 20
    # The last page is full: as many rows as the first page and the next ones hold.
    assert len(rows) == FIRST_PAGE_ROWS + (len(pages) - 1) * NEXT_PAGE_ROWS
    assert len(numbers(pages[-1])) == NEXT_PAGE_ROWS


def test_at_least_twenty_blank_rows_even_when_asked_fewer(sheet, flat_pages):
    pages = flat_pages(render_attendance_sheet(dataclasses.replace(sheet, rows=(), blank_rows=5)))
    rows = [n for page in pages for n in numbers(page)]
    assert len(rows) >= 20 and "Lefèvre" not in " ".join(pages)


def test_many_people_expected_run_over_several_pages(sheet, flat_pages):
    many = tuple(AttendanceRow(f"Voisin{n:02d}", "Paul", "rue des Lilas") for n in range(1, 31))
    pages = flat_pages(render_attendance_sheet(dataclasses.replace(sheet, rows=many)))
    text = " ".join(pages)
    assert all(f"Voisin{n:02d}" in text for n in range(1, 31))
    assert text.index("Voisin01") < text.index("Voisin30")
    rows = [n for page in pages for n in numbers(page)]
    assert len(rows) - 30 >= 20 and rows == list(range(1, len(rows) + 1))


def test_a_very_long_place_still_prints_every_row(sheet, flat_pages):
    long_place = "Salle polyvalente du Pin Sec, " * 8
    pages = flat_pages(render_attendance_sheet(dataclasses.replace(sheet, place=long_place)))
    rows = [n for page in pages for n in numbers(page)]
    assert rows == list(range(1, len(rows) + 1)) and len(rows) >= 23


def test_text_is_escaped(sheet, flat_pages):
    row = AttendanceRow("<b>Durand</b>", "Jean & Marie")
    pages = flat_pages(render_attendance_sheet(dataclasses.replace(sheet, rows=(row,))))
    assert "<b>Durand</b> Jean & Marie" in pages[0]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"date_text": " "}, "il manque la date"),
        ({"event_title": ""}, "il manque le rendez-vous"),
        ({"blank_rows": 500}, "Feuille de présence trop longue"),
    ],
)
def test_incomplete_or_absurd_sheets_are_refused_in_french(sheet, change, message):
    with pytest.raises(ValueError, match=message):
        render_attendance_sheet(dataclasses.replace(sheet, **change))


# --- the route: /cafe/<id>/feuille.pdf ------------------------------------------------------


def test_the_route_prefills_who_said_they_would_come(
    app, client_as, users, create_user, flat_pages
):
    from coopere.dwellings.models import Dwelling
    from coopere.events.models import Event, EventSignup
    from coopere.timeutil import to_utc
    from coopere.extensions import db
    from coopere.timeutil import paris_today
    from coopere.timeutil import utcnow

    with app.app_context():
        dwelling = Dwelling(
            number=12,
            rep="bis",
            street="rue des Lilas",
            complement="Bât. C",
            postcode="44300",
            city="Nantes",
            address_key="12 bis rue des lilas bat c",
        )
        db.session.add(dwelling)
        db.session.commit()
        dwelling_id = dwelling.id
    coming = create_user(first_name="Élodie", last_name="Martin", dwelling_id=dwelling_id)
    gone = create_user(first_name="Gaston", last_name="Parti", left_at=utcnow())
    create_user(first_name="Quentin", last_name="Absent")
    with app.app_context():
        day = paris_today() + timedelta(days=4)
        event = Event(
            kind="cafe",
            starts_at=to_utc(day, time(10)),
            ends_at=to_utc(day, time(12)),
            place="Place des Lilas",
        )
        db.session.add(event)
        db.session.flush()
        db.session.add_all(
            [
                EventSignup(event_id=event.id, user_id=user_id)
                for user_id in (coming.id, gone.id, users["member"].id)
            ]
        )
        db.session.commit()
        event_id = event.id
    animator = client_as("animator")
    response = animator.get(f"/cafe/{event_id}/feuille.pdf")
    try:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        pages = flat_pages(response.data)
    finally:
        response.close()
    text = " ".join(pages)
    assert "Feuille de présence — Café-rencontre" in text and "Place des Lilas" in text
    assert "Martin Élodie rue des Lilas, Bât. C" in text
    assert "12 bis" not in text  # the street and building, never the door
    assert users["member"].last_name in text
    assert "Parti" not in text and "Absent" not in text
    member = client_as("member")
    refused = member.get(f"/cafe/{event_id}/feuille.pdf")
    assert refused.status_code == 403 and refused.mimetype != "application/pdf"
    refused.close()
