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
    app, client_as, users, create_listing, create_user
):
    """Figures, themes, projects, and the stories both people agreed to have told (first names
    only): a thank-you from someone who did not agree never reaches the panels."""
    from coopere.dwellings.models import Dwelling
    from coopere.members.consent_records import add_consent
    from coopere.members.models import ConsentKind, Method
    from coopere.perimeter.models import get_perimeter

    member, animator = users["member"], users["animator"]
    silent = create_user(first_name="Gisèle", last_name="Quentinier", phone="0698765432")
    offer = create_listing(animator, "Je prête mon escabeau", theme="dons-prets")
    other_offer = create_listing(animator, "Je répare les vélos", theme="dons-prets")
    create_listing(
        member, "Un composteur au pied de l'immeuble", theme="eco-projets", kind="project"
    )
    with app.app_context():
        home = Dwelling(
            number=27,
            street="rue des Glycines",
            postcode="44300",
            city="Nantes",
            address_key="27|rue des Glycines",
        )
        db.session.add(home)
        db.session.flush()
        for person in (member, animator, silent):
            db.session.get(User, person.id).dwelling_id = home.id
        for person, given in ((member, True), (animator, True), (silent, False)):
            add_consent(
                db.session.get(User, person.id),
                ConsentKind.QUOTE_STORY,
                given,
                actor=None,
                method=Method.ONLINE,
                perimeter=get_perimeter(),
            )
        for listing, requester, thanks in (
            (offer, member, "Merci, l'escabeau m'a sauvé la journée !"),
            (other_offer, silent, "Merci pour le vélo, appelez-moi au 06 98 76 54 32"),
        ):
            db.session.add(
                Exchange(
                    listing_id=listing,
                    owner_id=animator.id,
                    requester_id=requester.id,
                    status="done",
                    decided_at=utcnow(),
                    done_at=utcnow(),
                    requester_thanks=thanks,
                )
            )
        db.session.commit()
        people = db.session.scalars(select(User)).all()
        personal = [
            value
            for person in people
            for value in (person.last_name, person.email, person.phone)
            if value
        ] + ["06 98 76 54 32", "27 rue des Glycines", "27, rue"]

    client = client_as("animator")
    assert client_as("member").get("/fete/realisations-a4.pdf").status_code == 403
    for size, width_mm in (("a4", 210), ("a3", 297)):
        response = client.get(f"/fete/realisations-{size}.pdf")
        assert response.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(response.data))
        assert round(float(reader.pages[0].mediabox.width) * 25.4 / 72) == width_mm
        panel = pdf_words(response.data)
        assert "Nos réalisations" in panel
        assert re.search(r"\b2\s?coups de main rendus entre voisins", panel)
        assert "Donner et prêter des objets" in panel  # exchanges by theme
        assert "Un composteur au pied de l'immeuble" in panel  # the project's title
        # The story both agreed to, with first names; not the one Gisèle did not agree to.
        assert "l'escabeau m'a sauvé la journée" in panel
        assert f"{member.first_name} et {animator.first_name}" in panel
        assert "vélo" not in panel and "Gisèle" not in panel
        for value in personal:
            assert value not in panel
    refused = client.get("/fete/realisations-a4.pdf?annee=1990", follow_redirects=True)
    assert "Choisissez une année entre 2000" in words(refused)
