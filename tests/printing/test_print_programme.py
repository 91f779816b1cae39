"""The month's programme: every event in the given (date) order with day, time, place and
bad-weather place, cancelled ones marked « Annulé », the contact and a QR code to the site,
« page n/N », large print; and the animators' route that prints it from the events of a month."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import time, timedelta

import pytest

from coopere.printing import Perimeter, Programme, ProgrammeEvent, render_programme

MM = 72 / 25.4

EVENTS = (
    ProgrammeEvent(
        "samedi 5 décembre",
        "de 10 h à 12 h",
        "Café-rencontre",
        "Place de la Bottière, devant la boulangerie",
        "Salle polyvalente du Pin Sec",
        "Café, thé et gâteaux. Venez avec vos idées de coups de main !",
    ),
    ProgrammeEvent(
        "mercredi 9 décembre",
        "de 18 h 30 à 20 h",
        "Apéro-info",
        "Salle polyvalente du Pin Sec",
        description="Découvrir le réseau d’entraide.",
    ),
    ProgrammeEvent(
        "samedi 12 décembre",
        "de 14 h à 17 h",
        "Action collective",
        "Jardin partagé",
        description="Plantation des bulbes.",
        cancelled=True,
    ),
    ProgrammeEvent(
        "samedi 19 décembre",
        "de 15 h à 19 h",
        "Fête de la Coopération",
        "Place de la Bottière",
        "Gymnase du Pin Sec",
        "Goûter partagé, musique.",
    ),
)


@pytest.fixture(scope="module")
def programme(perimeter: Perimeter) -> Programme:
    return Programme(
        perimeter=perimeter,
        month_text="décembre 2026",
        events=EVENTS,
        public_url="https://bottiere.example.org/",
    )


@pytest.fixture(scope="module")
def programme_pdf(programme: Programme) -> bytes:
    return render_programme(programme)


def test_every_event_in_order_with_its_places(programme_pdf: bytes, flat_pages: Callable) -> None:
    pages = flat_pages(programme_pdf)
    assert len(pages) == 1  # a usual month fits one sheet to pin up
    text = pages[0]
    assert "Bottière – Pin Sec" in text and "Programme de décembre 2026" in text
    wanted = [
        "Samedi 5 décembre de 10 h à 12 h",
        "Café-rencontre",
        "Lieu : Place de la Bottière, devant la boulangerie",
        "En cas de pluie : Salle polyvalente du Pin Sec",
        "Café, thé et gâteaux.",
        "Mercredi 9 décembre de 18 h 30 à 20 h",
        "Apéro-info",
        "Lieu : Salle polyvalente du Pin Sec",
        "Annulé",
        "Samedi 12 décembre de 14 h à 17 h",
        "Action collective",
        "Lieu : Jardin partagé",
        "Samedi 19 décembre de 15 h à 19 h",
        "Fête de la Coopération",
        "En cas de pluie : Gymnase du Pin Sec",
        "Pour nous joindre : Le Groupe d’Animation de la Bottière",
        "06 12 34 56 78 · bonjour@bottiere-entraide.fr",
        "Sur internet : https://bottiere.example.org/",
        "page 1/1",
    ]
    position = 0
    for piece in wanted:
        found = text.find(piece, position)
        assert found >= 0, f"{piece!r} missing or out of order in {text!r}"
        position = found + len(piece)
    # « Annulé » (the word, upper-cased by the style) only for the cancelled date.
    assert text.upper().count("ANNULÉ") == 1


def test_the_qr_code_opens_the_site(programme_pdf: bytes, decode_qr_codes: Callable) -> None:
    assert decode_qr_codes(programme_pdf) == [["https://bottiere.example.org/"]]


def test_no_qr_code_without_an_address(
    programme: Programme, flat_pages: Callable, decode_qr_codes: Callable
) -> None:
    pdf = render_programme(dataclasses.replace(programme, public_url=""))
    assert decode_qr_codes(pdf) == [[]]
    assert "Sur internet" not in flat_pages(pdf)[0]


def test_an_empty_month_says_so(programme: Programme, flat_pages: Callable) -> None:
    text = flat_pages(render_programme(dataclasses.replace(programme, events=())))[0]
    assert "Pas de rendez-vous prévu ce mois-ci." in text and "Pour nous joindre" in text


def test_a_long_month_numbers_its_pages(programme: Programme, flat_pages: Callable) -> None:
    many = [dataclasses.replace(EVENTS[0], date_text=f"jour {n}") for n in range(1, 13)]
    pages = flat_pages(render_programme(dataclasses.replace(programme, events=many)))
    assert len(pages) >= 2
    assert all(f"page {n}/{len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "Jour 12" in pages[-1] and "Pour nous joindre" in pages[-1]


def test_texts_are_escaped(programme: Programme, flat_pages: Callable) -> None:
    markup = "<b>Gras</b> & <script>x</script>"
    pdf = render_programme(
        dataclasses.replace(
            programme,
            events=[dataclasses.replace(EVENTS[0], place=f"Place {markup}", description=markup)],
        )
    )
    assert f"Lieu : Place {markup}" in flat_pages(pdf)[0]


def test_print_is_large(programme_pdf: bytes, pdf_reader: Callable) -> None:
    runs = []
    for page in pdf_reader(programme_pdf).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                a, b, c, d = (
                    tm[0] * cm[0] + tm[1] * cm[2],
                    tm[0] * cm[1] + tm[1] * cm[3],
                    tm[2] * cm[0] + tm[3] * cm[2],
                    tm[2] * cm[1] + tm[3] * cm[3],
                )
                runs.append(
                    (
                        text.strip(),
                        size * math.sqrt(abs(a * d - b * c)),
                        (tm[4] * cm[1] + tm[5] * cm[3] + cm[5]) / MM,
                    )
                )

        page.extract_text(visitor_text=visit)
    body = [(text, size) for text, size, height in runs if height >= 22]
    footer = [(text, size) for text, size, height in runs if height < 22]
    assert min(size for _, size in body) >= 16 - 0.01, min(body, key=lambda run: run[1])
    assert min(size for _, size in footer) >= 14 - 0.01
    sizes = dict(body)
    assert sizes["Programme de décembre 2026"] >= 26 and sizes["Samedi 5 décembre"] >= 20 - 0.01


def test_refusals(programme: Programme) -> None:
    with pytest.raises(ValueError, match="il manque le mois"):
        render_programme(dataclasses.replace(programme, month_text=" "))
    with pytest.raises(ValueError, match="il manque le lieu"):
        render_programme(
            dataclasses.replace(programme, events=[dataclasses.replace(EVENTS[0], place="")])
        )


# --- the animators' route: /evenements/programme.pdf?mois=… ----------------------------------


def test_the_route_prints_the_months_public_events(
    app, client_as, users, flat_pages: Callable
) -> None:
    from coopere.events.services import save_event
    from coopere.timeutil import add_months, paris_today
    from coopere.extensions import db

    month = add_months(paris_today().replace(day=1), 1)
    with app.app_context():

        def add(
            day: int,
            kind: str,
            title: str = "",
            cancelled: bool = False,
            place: str = "Place des Lilas",
        ):
            event = save_event(
                None,
                {
                    "kind": kind,
                    "title": title,
                    "day": month + timedelta(days=day - 1),
                    "start": time(10),
                    "end": time(12),
                    "place": place,
                    "rain_place": "Salle de quartier",
                    "description": "",
                    "max_places": None,
                },
            )
            event.cancelled = cancelled

        add(20, "fete")
        add(3, "cafe")
        add(10, "group_meeting", title="Réunion du groupe")
        add(14, "collective_action", cancelled=True, place="Jardin partagé")
        save_event(
            None,
            {
                "kind": "cafe",
                "title": "Café du mois suivant",
                "day": add_months(month, 1) + timedelta(days=2),
                "start": time(10),
                "end": time(12),
                "place": "Place des Lilas",
                "rain_place": "",
                "description": "",
                "max_places": None,
            },
        )
        db.session.commit()
    animator = client_as("animator")
    response = animator.get(f"/evenements/programme.pdf?mois={month:%Y-%m}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"programme-{month:%Y-%m}.pdf" in response.headers["Content-Disposition"]
    text = " ".join(flat_pages(response.data))
    response.close()
    assert (
        text.index("Café-rencontre")
        < text.index("Action collective")
        < text.index("Fête de la Coopération")
    )
    assert "Réunion du groupe" not in text and "Café du mois suivant" not in text
    assert "Lieu : Jardin partagé" in text and "En cas de pluie : Salle de quartier" in text
    assert text.upper().count("ANNULÉ") == 1
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assert f"Programme de {months[month.month - 1]} {month.year}" in text


def test_the_route_refuses_a_malformed_month_and_members(app, client_as, users) -> None:
    animator = client_as("animator")
    response = animator.get("/evenements/programme.pdf?mois=2026-13")
    assert response.status_code == 302
    assert "Mois inconnu" in animator.get(response.headers["Location"]).get_data(as_text=True)
    assert client_as("member").get("/evenements/programme.pdf").status_code == 403
    this_month = animator.get("/evenements/programme.pdf")  # no month: this month
    assert this_month.status_code == 200 and this_month.mimetype == "application/pdf"
    this_month.close()
