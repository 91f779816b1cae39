"""The catalogue of listings (A4, large print): open offers, needs and projects grouped by theme,
first names and a contact route only, the next café, reply slips; and the members' route that
builds it from the database."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from pypdf import PdfReader

from helpers import flat
from coopere.printing import NextCafe, Perimeter
from coopere.printing.catalogue import Catalogue, CatalogueListing, render_catalogue
from test_print_digest import text_sizes

LISTINGS = (
    CatalogueListing(
        "offer",
        "Coups de main",
        "Monter vos courses à l’étage",
        "n° 12",
        "Paul",
        "par le groupe d’animation",
        "Je peux monter vos packs d’eau le samedi matin.",
        availability="le samedi matin ; samedi",
    ),
    CatalogueListing(
        "need",
        "Covoiturage",
        "Aller à l’hôpital Nord",
        "n° 14",
        "Odette",
        "par son parrain ou sa marraine (le groupe d’animation fait le lien)",
        details=(("Départ", "rue des Lilas"), ("Arrivée", "hôpital Nord")),
    ),
    CatalogueListing(
        "need",
        "Coups de main",
        "Changer une ampoule au plafond",
        "n° 15",
        "Jeanne",
        "par le groupe d’animation",
    ),
    CatalogueListing(
        "project",
        "Achats groupés",
        "Achat groupé de pommes",
        "n° 16",
        "Awa",
        "par le groupe d’animation",
        "Une caisse du verger de Clisson.",
        project="3 participants sur 10 au plus · le samedi 12 décembre 2026",
    ),
)


@pytest.fixture(scope="module")
def catalogue(perimeter: Perimeter) -> Catalogue:
    return Catalogue(
        perimeter=perimeter,
        date_text="samedi 12 mars 2026",
        listings=LISTINGS,
        next_cafe=NextCafe("samedi 19 mars", "de 10 h à 12 h", "Place des Lilas"),
    )


@pytest.fixture(scope="module")
def catalogue_pdf(catalogue: Catalogue) -> bytes:
    return render_catalogue(catalogue)


def test_catalogue_groups_listings_by_theme_with_slips(
    catalogue_pdf: bytes, flat_pages: Callable
) -> None:
    content = " ".join(flat_pages(catalogue_pdf))
    order = [
        "Catalogue des annonces",
        "samedi 12 mars 2026",
        "Prochain café-rencontre",
        "samedi 19 mars",
        "de 10 h à 12 h",
        "Place des Lilas",
        "Coups de main",
        "Propose Monter vos courses à l’étage",
        "Disponibilités : le samedi matin ; samedi",
        "Annonce n° 12 · de Paul, à contacter par le groupe d’animation",
        "Cherche Changer une ampoule au plafond",
        "Annonce n° 15",
        "Covoiturage",
        "Cherche Aller à l’hôpital Nord",
        "Départ : rue des Lilas",
        "Arrivée : hôpital Nord",
        "d’Odette, à contacter par son parrain ou sa marraine",
        "Achats groupés",
        "Projet collectif Achat groupé de pommes",
        "3 participants sur 10 au plus · le samedi 12 décembre 2026",
        "organisé par Awa",
        "Coupon-réponse",
        "Je réponds à l’annonce n°",
        "Coupon-réponse",
    ]
    position = 0
    for part in order:
        found = content.find(part, position)
        assert found >= 0, f"{part!r} missing or out of order"
        position = found + len(part)
    assert content.count("Coupon-réponse") == 2 and content.count("à découper") == 2
    assert content.count("Coups de main") == 1  # one heading for the theme's two listings
    assert "4 annonces en ce moment." in content
    # The only phone number is the animation group's own contact, on the slips.
    assert content.count("06 12 34 56 78") == 2


def test_print_is_large(catalogue_pdf: bytes, pdf_reader: Callable) -> None:
    pages = text_sizes(catalogue_pdf, pdf_reader)
    runs = [run for page in pages for run in page]
    footer = [(text, size) for text, size, height in runs if height < 22]
    body = [(text, size) for text, size, height in runs if height >= 22]
    assert min(size for _, size in footer) >= 14 - 0.01
    assert min(size for _, size in body) >= 16 - 0.01, min(body, key=lambda run: run[1])
    size_of = dict(body)
    assert size_of["Catalogue des annonces"] >= 24
    assert size_of["Coups de main"] >= 20


def test_empty_catalogue_and_refusals(catalogue: Catalogue, flat_pages: Callable) -> None:
    empty = " ".join(
        flat_pages(render_catalogue(dataclasses.replace(catalogue, listings=(), next_cafe=None)))
    )
    assert "Pas d’annonce en ce moment." in empty and "Pas encore de date prévue" in empty
    assert "Coupon-réponse" in empty
    with pytest.raises(ValueError, match="Type d’annonce inconnu : 'offre'"):
        render_catalogue(
            dataclasses.replace(
                catalogue, listings=[dataclasses.replace(LISTINGS[0], kind="offre")]
            )
        )
    with pytest.raises(ValueError, match="il manque la date"):
        render_catalogue(dataclasses.replace(catalogue, date_text=" "))


# --- the route ----------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_members_download_the_catalogue_of_open_listings(
    app, client_as, users, create_user, create_perimeter
):
    from coopere.auth.models import Role
    from coopere.events.services import save_event
    from coopere.extensions import db
    from coopere.listings.models import Listing, Participation, Theme
    from coopere.listings.themes import seed_themes
    from coopere.members.models import Sponsorship
    from coopere.timeutil import utcnow
    from helpers import act_for

    paul = create_user(Role.MEMBER, first_name="Paul", last_name="Martin", phone="+33612345678")
    odette = create_user(
        Role.MEMBER,
        password=None,
        first_name="Odette",
        last_name="Lambert",
        has_internet=False,
        phone="+33199000077",
    )
    with app.app_context():
        seed_themes()
        db.session.add(
            Sponsorship(
                sponsee_id=odette.id, sponsor_id=users["member"].id, consent_reference="P-1"
            )
        )
        themes = {theme.slug: theme.id for theme in db.session.scalars(db.select(Theme))}
        now = utcnow()

        def add(owner, theme, kind, title, status="open", **columns):
            listing = Listing(
                owner_id=owner.id,
                theme_id=themes[theme],
                kind=kind,
                title=title,
                status=status,
                created_by_id=owner.id,
                published_at=now,
                **columns,
            )
            db.session.add(listing)
            return listing

        add(
            paul,
            "covoiturage",
            "offer",
            "Je vais au marché le jeudi",
            details={"from": "rue des Lilas"},
            days="3",
        )
        add(odette, "coups-de-main", "need", "Changer une ampoule")
        add(paul, "conseils", "offer", "Une annonce en pause", status="paused")
        add(paul, "conseils", "offer", "Un brouillon du café", status="draft")
        project = add(
            paul, "achats-groupes", "project", "Achat groupé de pommes", max_participants=10
        )
        save_event(
            None,
            {
                "kind": "cafe",
                "title": "",
                "day": date.today() + timedelta(days=9),
                "start": time(10),
                "end": time(12),
                "place": "Place des Lilas",
                "rain_place": "",
                "description": "",
                "max_places": None,
            },
        )
        db.session.flush()
        db.session.add(Participation(listing_id=project.id, user_id=users["animator"].id))
        db.session.commit()
    assert (
        app.test_client().get("/annonces/catalogue.pdf").status_code == 302
    )  # visitors: log in first
    sponsor = client_as("member")
    # A sponsor prints it for the neighbour they act for, too.
    assert act_for(sponsor, odette).status_code == 302
    response = sponsor.get("/annonces/catalogue.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    content = pdf_text(response.data)
    assert "Je vais au marché le jeudi" in content and "Départ : rue des Lilas" in content
    assert "Disponibilités : jeudi" in content
    assert (
        "Changer une ampoule" in content
        and "d’Odette, à contacter par son parrain ou sa marraine" in content
    )
    assert "Achat groupé de pommes" in content and "1 participant sur 10 au plus" in content
    assert "Une annonce en pause" not in content and "Un brouillon du café" not in content
    assert "Martin" not in content and "Lambert" not in content  # first names only
    assert (
        "06 12 34 56 78" not in content and "01 99 00 00 77" not in content and "+33" not in content
    )
    assert "Prochain café-rencontre" in content
    # Listed on « Mes annonces ».
    assert 'href="/annonces/catalogue.pdf"' in sponsor.get("/mes-annonces").get_data(as_text=True)
