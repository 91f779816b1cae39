"""The yearly Fête de la Coopération: its poster and invitation letters to every dwelling (the
letters engine, with the fête's own wording), and the « Nos réalisations » panels."""

from __future__ import annotations

import io
import re
from datetime import time as clock

from pypdf import PdfReader
from sqlalchemy import select

from coopere.auth.models import User
from coopere.dwellings.services import import_file
from coopere.exchanges.models import Exchange
from coopere.extensions import db
from coopere.timeutil import utcnow
from factories import make_event
from helpers import flat, post_form, text, words

ADDRESSES = (
    "numero;rep;voie;complement;code_postal;commune\r\n"
    "1;;Rue des Lilas;;44300;Nantes\r\n"
    "3;bis;Rue des Lilas;;44300;Nantes\r\n"
    "2;;Allée des Roses;;44300;Nantes\r\n"
)


def pdf_words(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_the_fete_has_its_poster_and_letters_to_every_dwelling_with_its_own_wording(
    app, client_as, users
):
    with app.app_context():
        assert import_file(ADDRESSES.encode()).ok
        db.session.commit()
    fete = make_event(
        app, days=30, kind="fete", start=clock(15), end=clock(19), place="Square des Lilas"
    )
    animator = client_as("animator")
    page = words(animator.get("/fete/"))
    assert "Affiche (PDF)" in page and "Imprimer les lettres d'invitation à chaque logement" in page

    poster = animator.get(f"/impressions/rendez-vous/{fete}/affiche.pdf")
    assert poster.mimetype == "application/pdf"
    assert "fête de la coopération" in pdf_words(poster.data).casefold()

    response = post_form(
        animator,
        "/impressions/lettres",
        {"event": str(fete), "addressed": "y", "unaddressed": "0"},
        token_from="/impressions/lettres",
    )
    assert response.status_code == 302, text(response)
    run_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    letters = animator.get(f"/impressions/{run_id}/lettres.pdf")
    pages = [flat(p.extract_text()) for p in PdfReader(io.BytesIO(letters.data)).pages]
    letters.close()
    assert len(pages) == 1 + 3  # the summary, then one letter per dwelling
    for letter in pages[1:]:
        assert "vous invitent à la Fête de la Coopération" in letter
        assert "lancent" not in letter  # not the launch letter's wording


def test_the_achievements_panels_show_the_year_and_no_personal_data(
    app, client_as, users, create_listing
):
    member, animator = users["member"], users["animator"]
    offer = create_listing(animator, "Je prête mon escabeau", theme="dons-prets")
    create_listing(
        member, "Un composteur au pied de l'immeuble", theme="eco-projets", kind="project"
    )
    with app.app_context():
        db.session.add(
            Exchange(
                listing_id=offer,
                owner_id=animator.id,
                requester_id=member.id,
                status="done",
                decided_at=utcnow(),
                done_at=utcnow(),
            )
        )
        db.session.commit()
        people = db.session.scalars(select(User)).all()
        personal = [
            value for person in people for value in (person.last_name, person.email) if value
        ]

    client = client_as("animator")
    assert client_as("member").get("/fete/realisations-a4.pdf").status_code == 403
    for size, width_mm in (("a4", 210), ("a3", 297)):
        response = client.get(f"/fete/realisations-{size}.pdf")
        assert response.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(response.data))
        assert round(float(reader.pages[0].mediabox.width) * 25.4 / 72) == width_mm
        panel = pdf_words(response.data)
        assert "Nos réalisations" in panel
        assert re.search(r"\b1\s?coup de main rendu entre voisins", panel)
        assert "Donner et prêter des objets" in panel  # exchanges by theme
        assert "Un composteur au pied de l'immeuble" in panel  # the project's title
        for value in personal:
            assert value not in panel
    refused = client.get("/fete/realisations-a4.pdf?annee=1990", follow_redirects=True)
    assert "Choisissez une année entre 2000" in words(refused)
