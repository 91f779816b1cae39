"""The café desk: three screens, a resident recorded with consents and draft listings, duplicates,
paper forms, bad input that changes nothing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coopere.auth.models import Role, User
from coopere.dwellings.models import Dwelling
from coopere.extensions import db
from coopere.listings.models import Listing, Theme
from coopere.listings.themes import seed_themes
from coopere.members.models import Consent, PaperForm, Sponsorship
from helpers import csrf_token, form_fields, text


@pytest.fixture
def desk(app, users, client_as):
    """An animator's client at the desk, with themes and two dwellings in the register."""
    with app.app_context():
        seed_themes()
        db.session.add_all(
            [
                Dwelling(
                    number=12,
                    rep="bis",
                    street="rue des Lilas",
                    complement="Bât. C",
                    postcode="44300",
                    city="Nantes",
                    address_key="12 bis rue des lilas bat c",
                ),
                Dwelling(
                    number=3,
                    street="allée des Roses",
                    postcode="44300",
                    city="Nantes",
                    address_key="3 allee des roses",
                ),
            ]
        )
        db.session.commit()
    return client_as("animator")


def theme_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Theme.id).where(Theme.slug == slug))


def screen_one(**changes) -> dict:
    data = {
        "first_name": "Élodie",
        "last_name": "Martin",
        "address": "12 bis rue des Lilas, Bât. C",
        "phone": "06 12 34 56 78",
        "email": "",
        "has_internet": "yes",
        "contact_preference": "phone",
        "languages": "français, arabe",
        "step": "1",
        "go": "next",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, data: dict):
    data = dict(data)
    data.setdefault("csrf_token", csrf_token(client, "/inscription"))
    return client.post("/inscription", data=data)


def hidden_fields(response) -> dict:
    return form_fields(response, "/inscription")


def full_registration(app, client, *, one=None, answers=None, three=None):
    """Walk the three screens like a browser; returns the last response."""
    response = submit(client, screen_one(**(one or {})))
    assert response.status_code == 200, text(response)
    assert "2. Ce qu'on peut s'apporter" in text(response)
    data = hidden_fields(response)
    data.update(answers or {})
    data["go"] = "next"
    response = client.post("/inscription", data=data)
    assert response.status_code == 200, text(response)
    assert "3. Charte et accords" in text(response)
    data = hidden_fields(response)
    data.update({"charter": "y", "privacy": "y", "method": "tablet", "go": "save"})
    data.update(three or {})
    return client.post("/inscription", data={k: v for k, v in data.items() if v is not None})


def test_the_three_screens_record_the_resident_consents_and_draft_listings(app, desk, users):
    garden, jobs = theme_id(app, "eco-projets"), theme_id(app, "coups-de-main")
    response = full_registration(
        app,
        desk,
        answers={
            f"offer_{garden}": "y",
            f"details_{garden}": "Je sais tailler les rosiers",
            f"need_{jobs}": "y",
        },
        three={"share_phone": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(User).where(User.last_name == "Martin"))
        assert person.phone == "+33612345678" and person.password_hash is None
        assert person.dwelling.street == "rue des Lilas" and person.registration_method == "tablet"
        assert person.registered_by_id == users["animator"].id and person.language_list == [
            "français",
            "arabe",
        ]
        consents = {
            c.kind: c
            for c in db.session.scalars(select(Consent).where(Consent.user_id == person.id))
        }
        assert {kind for kind, c in consents.items() if c.given} == {
            "charter",
            "privacy",
            "share_phone",
        }
        assert consents["newsletter"].given is False and consents["charter"].version == "1"
        assert all(
            c.collected_by_id == users["animator"].id and c.method == "tablet"
            for c in consents.values()
        )
        drafts = db.session.scalars(select(Listing).where(Listing.owner_id == person.id)).all()
        assert sorted((d.kind, d.theme_id, d.status) for d in drafts) == sorted(
            [("offer", garden, "draft"), ("need", jobs, "draft")]
        )
        assert any(d.title == "Je sais tailler les rosiers" for d in drafts)
    page = text(desk.get(response.headers["Location"]))
    assert (
        "Élodie Martin" in page and "Imprimer la carte d'accueil" in page and "à confirmer" in page
    )


def test_screen_one_refuses_bad_input_in_french_and_saves_nothing(app, desk):
    response = submit(desk, screen_one(phone="12345", address="99 rue Inconnue", first_name=""))
    page = text(response)
    assert response.status_code == 422
    assert "Ce numéro de téléphone n'est pas valable" in page
    assert "Indiquez le prénom." in page
    assert "1. Qui s'inscrit ?" in page
    response = submit(desk, screen_one(address="99 rue Inconnue"))
    assert "Cette adresse n'est pas dans le registre" in text(response)
    response = submit(desk, screen_one(contact_preference="email"))
    assert "il faut une adresse e-mail" in text(response)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.last_name == "Martin")
            )
            == 0
        )


def test_address_typed_loosely_is_found_and_unknown_address_can_be_explained(app, desk):
    response = submit(desk, screen_one(address="3 allee des roses"))
    assert "2. Ce qu'on peut s'apporter" in text(response)
    response = submit(desk, screen_one(address="", not_in_register="y", address_note=""))
    assert "pourquoi elle n'est pas dans le registre" in text(response)
    response = full_registration(
        app,
        desk,
        one={
            "address": "",
            "not_in_register": "y",
            "address_note": "5 impasse Neuve, immeuble livré en octobre",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(User).where(User.last_name == "Martin"))
        assert person.dwelling_id is None and person.address_note.startswith("5 impasse Neuve")


def test_same_phone_is_offered_as_the_existing_record(app, desk, create_user):
    existing = create_user(
        first_name="Élodie", last_name="Martin", phone="+33612345678", email=None
    )
    response = submit(desk, screen_one())
    page = text(response)
    assert response.status_code == 422
    assert "Cette personne est peut-être déjà inscrite" in page
    assert f"/membres/{existing.id}" in page and "ouvrir sa fiche" in page


def test_same_name_and_dwelling_warns_and_can_be_overridden(app, desk):
    assert full_registration(app, desk).status_code == 302
    response = submit(
        desk, screen_one(first_name="elodie", last_name="MARTIN", phone="06 98 76 54 32")
    )
    page = text(response)
    assert response.status_code == 422 and "Cette personne est peut-être déjà inscrite" in page
    response = full_registration(
        app,
        desk,
        one={
            "first_name": "elodie",
            "last_name": "MARTIN",
            "phone": "06 98 76 54 32",
            "not_duplicate": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.name_key == "elodie martin")
            )
            == 2
        )


def test_charter_refused_or_paper_without_number_saves_nothing(app, desk):
    response = full_registration(app, desk, three={"charter": None})
    assert response.status_code == 422 and "La charte doit être acceptée" in text(response)
    response = full_registration(app, desk, three={"method": "paper", "paper_reference": ""})
    assert response.status_code == 422 and "numéro écrit en haut du formulaire" in text(response)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(User).where(User.last_name == "Martin")
            )
            == 0
        )
        assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
        assert db.session.scalar(select(func.count()).select_from(Listing)) == 0


def test_paper_form_typed_in_later_records_paper_and_its_number(app, desk, users):
    pdf = desk.post(
        "/inscription/formulaires",
        data={"copies": "2", "csrf_token": csrf_token(desk, "/inscription/formulaires")},
    )
    assert pdf.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    year = __import__("datetime").date.today().year
    assert (
        f"P-{year}-0001" in pages[0].extract_text() and f"P-{year}-0002" in pages[-1].extract_text()
    )
    pdf.close()
    reference = f"p-{year}-0002"
    response = full_registration(app, desk, three={"method": "paper", "paper_reference": reference})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(User).where(User.last_name == "Martin"))
        assert person.registration_method == "paper" and person.paper_reference == reference.upper()
        assert {
            c.paper_reference
            for c in db.session.scalars(select(Consent).where(Consent.user_id == person.id))
        } == {reference.upper()}
        form = db.session.scalar(select(PaperForm).where(PaperForm.reference == reference.upper()))
        assert form.used_by_id == person.id
    # The same numbered form cannot register a second person.
    response = full_registration(
        app,
        desk,
        one={"first_name": "Paul", "phone": "06 11 22 33 44"},
        three={"method": "paper", "paper_reference": reference},
    )
    assert response.status_code == 422 and "a déjà servi à une autre inscription" in text(response)


def test_offline_resident_gets_a_sponsor_at_the_desk(app, desk, users, create_user):
    sponsor = create_user(first_name="Jeanne", last_name="Voisine")
    response = full_registration(
        app,
        desk,
        one={"has_internet": "no", "contact_preference": "sponsor", "phone": ""},
        three={"sponsor_id": str(sponsor.id), "sponsor_agreed": None},
    )
    assert response.status_code == 422 and "doit avoir donné son accord" in text(response)
    response = full_registration(
        app,
        desk,
        one={"has_internet": "no", "contact_preference": "sponsor", "phone": ""},
        three={"sponsor_id": str(sponsor.id), "sponsor_agreed": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(User).where(User.last_name == "Martin"))
        assert person.is_offline and person.phone is None
        link = db.session.scalar(select(Sponsorship).where(Sponsorship.sponsee_id == person.id))
        assert link.sponsor_id == sponsor.id and link.ended_at is None
        assert (
            db.session.scalar(
                select(Consent.given).where(
                    Consent.user_id == person.id, Consent.kind == "representation"
                )
            )
            is True
        )


def test_going_back_keeps_what_was_typed(app, desk):
    response = submit(desk, screen_one())
    data = hidden_fields(response)
    data["go"] = "back"
    page = text(desk.post("/inscription", data=data))
    assert "1. Qui s'inscrit ?" in page and 'value="Élodie"' in page


@pytest.mark.parametrize(
    "role, status", [(None, 302), ("member", 403), ("animator", 200), ("admin", 200)]
)
def test_only_animators_reach_the_desk_and_the_members_list(app, client_as, users, role, status):
    client = client_as(role)
    for path in ("/inscription", "/membres/", "/inscription/formulaires"):
        assert client.get(path).status_code == status


def test_desk_screen_one_lists_every_dwelling_for_the_quick_search(app, desk):
    page = text(desk.get("/inscription"))
    assert '<option value="12 bis rue des Lilas, Bât. C">' in page
    assert "A-t-il ou elle internet" in page


def test_every_theme_is_swept_on_screen_two(app, desk):
    page = text(submit(desk, screen_one()))
    with app.app_context():
        labels = db.session.scalars(select(Theme.label_fr).where(Theme.retired.is_(False))).all()
    assert len(labels) == 14
    for label in labels:
        assert label in page


def test_animators_cannot_register_with_a_taken_email(app, desk, users):
    response = submit(desk, screen_one(email=users["member"].email.upper()))
    assert response.status_code == 422 and "Cette adresse e-mail est déjà celle de" in text(
        response
    )


def test_role_is_member(app, desk):
    full_registration(app, desk)
    with app.app_context():
        assert (
            db.session.scalar(select(User.role).where(User.last_name == "Martin"))
            == Role.MEMBER.value
        )
