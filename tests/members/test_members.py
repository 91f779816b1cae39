"""The animators' members list and member page: search and filters, corrections, departure,
welcome cards with activation codes, receipts, linking and ending sponsorships."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coopere.auth.models import Role, User
from coopere.dwellings.models import Dwelling
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.listings.themes import seed_themes
from coopere.members.models import ActivationCode, Consent, Sponsorship
from coopere.members.activation import check_code
from helpers import csrf_token, flat as flat_text, search_people, text, words


@pytest.fixture
def people(app, users, create_user):
    """A small perimeter: two dwellings, an activated member, a resident not yet activated, an
    offline resident, a member who left."""
    with app.app_context():
        seed_themes()
        lilas = Dwelling(
            number=12,
            street="rue des Lilas",
            complement="Bât. C",
            postcode="44300",
            city="Nantes",
            address_key="12 rue des lilas bat c",
        )
        roses = Dwelling(
            number=3,
            street="allée des Roses",
            postcode="44300",
            city="Nantes",
            address_key="3 allee des roses",
        )
        db.session.add_all([lilas, roses])
        db.session.commit()
        lilas_id, roses_id = lilas.id, roses.id
    return {
        "jeanne": create_user(
            first_name="Jeanne",
            last_name="Voisine",
            dwelling_id=lilas_id,
            phone="+33611111111",
            email=None,
        ),
        "elodie": create_user(
            first_name="Élodie",
            last_name="Dupont-Martin",
            password=None,
            dwelling_id=roses_id,
            phone="+33622222222",
            registration_method="tablet",
        ),
        "marcel": create_user(
            first_name="Marcel",
            last_name="Sans-Écran",
            password=None,
            has_internet=False,
            contact_preference="sponsor",
            dwelling_id=lilas_id,
            registration_method="paper",
            paper_reference="P-2026-0001",
        ),
        "parti": create_user(first_name="Paul", last_name="Parti", dwelling_id=roses_id),
    }


def pdf_text(response) -> str:
    assert response.mimetype == "application/pdf", response.get_data(as_text=True)[:500]
    content = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    response.close()
    return content


def post(client, path: str, data: dict | None = None, token_from: str = "/membres/"):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


def test_search_by_name_ignores_accents_case_and_hyphens(app, people, client_as):
    client = client_as("animator")
    page = text(search_people(client, "/membres/", "elodie dupont"))
    assert "Élodie Dupont-Martin" in page and "Voisine" not in page
    page = text(search_people(client, "/membres/", "SANS ecran"))
    assert "Marcel Sans-Écran" in page and "Dupont-Martin" not in page


def test_filters_by_street_building_and_status(app, people, client_as):
    client = client_as("animator")
    page = text(client.get("/membres/?rue=rue+des+Lilas"))
    assert "Jeanne Voisine" in page and "Marcel Sans-Écran" in page and "Dupont-Martin" not in page
    page = text(client.get("/membres/?batiment=bât. c"))
    assert "Jeanne Voisine" in page and "Dupont-Martin" not in page
    page = text(client.get("/membres/?statut=offline"))
    assert "Marcel Sans-Écran" in page and "Jeanne Voisine" not in page
    page = text(client.get("/membres/?statut=not_activated"))
    assert "Élodie Dupont-Martin" in page and "Sans-Écran" not in page and "Voisine" not in page


def test_member_page_shows_record_consents_and_history(app, people, client_as, users):
    client = client_as("animator")
    with app.app_context():
        db.session.add(
            Consent(
                user_id=people["marcel"].id,
                kind="charter",
                given=True,
                version="1",
                method="paper",
                paper_reference="P-2026-0001",
                collected_by_id=users["animator"].id,
            )
        )
        db.session.commit()
    page = text(client.get(f"/membres/{people['marcel'].id}"))
    assert "Marcel Sans-Écran" in page and "Sans internet" in page
    assert "12 rue des Lilas, Bât. C" in page and "papier P-2026-0001" in page
    assert "Pas encore de parrain ni de marraine" in page
    assert "recueilli par" in page


def test_edit_corrects_the_record_and_refuses_a_taken_phone(app, people, client_as):
    client = client_as("animator")
    member_id = people["elodie"].id
    path = f"/membres/{member_id}/modifier"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "first_name": "Élodie",
            "last_name": "Dupont",
            "address": "12 rue des Lilas, Bât. C",
            "phone": "06 11 11 11 11",
            "has_internet": "yes",
            "contact_preference": "phone",
        },
    )
    assert response.status_code == 422 and "déjà celui de Jeanne Voisine" in text(response)
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "first_name": "Élodie",
            "last_name": "Dupont",
            "address": "12 rue des Lilas, Bât. C",
            "phone": "06 33 33 33 33",
            "has_internet": "yes",
            "contact_preference": "phone",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        member = db.session.get(User, member_id)
        assert member.last_name == "Dupont" and member.phone == "+33633333333"
        assert member.dwelling.street == "rue des Lilas" and member.name_key == "elodie dupont"


def test_welcome_card_issues_a_working_code_and_reprinting_replaces_it(app, people, client_as):
    client = client_as("animator")
    member_id = people["elodie"].id
    first = client.post(
        f"/membres/{member_id}/carte",
        data={"csrf_token": csrf_token(client, f"/membres/{member_id}")},
    )
    card = pdf_text(first)
    assert "Élodie" in card
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ActivationCode)
                .where(ActivationCode.user_id == member_id)
            )
            == 1
        )
    # The card's QR code carries the activation URL with the code.
    with tempfile.TemporaryDirectory() as folder:
        again = client.post(
            f"/membres/{member_id}/carte",
            data={"csrf_token": csrf_token(client, f"/membres/{member_id}")},
        )
        Path(folder, "card.pdf").write_bytes(again.data)
        again.close()
        subprocess.run(
            ["pdftoppm", "-r", "300", "-png", "card.pdf", "card"], cwd=folder, check=True
        )
        scanned = subprocess.run(
            ["zbarimg", "-q", "--raw", *sorted(str(p) for p in Path(folder).glob("card*.png"))],
            capture_output=True,
            text=True,
        ).stdout.strip()
    assert "/activer/" in scanned
    code = scanned.rsplit("/", 1)[-1]
    with app.app_context():
        assert check_code(code).user_id == member_id
        rows = db.session.scalars(
            select(ActivationCode).where(ActivationCode.user_id == member_id)
        ).all()
        assert len(rows) == 2 and sum(row.revoked_at is None for row in rows) == 1
        assert len(code) == 10  # about 50 bits


def test_a_sheet_of_cards_for_the_ticked_members(app, people, client_as):
    client = client_as("animator")
    response = post(
        client, "/membres/cartes", {"membre": [str(people["elodie"].id), str(people["jeanne"].id)]}
    )
    content = pdf_text(response)
    assert "Élodie" in content and "Jeanne" in content
    # Élodie was never activated: a code; Jeanne is active: her card has none.
    assert "Votre code personnel" in content and "Votre compte est déjà activé." in content
    with app.app_context():
        assert db.session.scalars(select(ActivationCode.user_id)).all() == [people["elodie"].id]
    response = post(client, "/membres/cartes", {})
    assert response.status_code == 302
    assert "Cochez au moins une personne" in text(client.get(response.headers["Location"]))


def test_receipt_lists_what_is_recorded_and_the_data_protection_notice(app, people, client_as):
    client = client_as("animator")
    with app.app_context():
        from coopere.listings.models import Theme

        theme = db.session.scalar(select(Theme).where(Theme.slug == "covoiturage"))
        db.session.add(
            Listing(
                owner_id=people["marcel"].id,
                theme_id=theme.id,
                kind="need",
                title="Aller au marché",
                description="Le samedi matin",
            )
        )
        db.session.commit()
    content = pdf_text(client.get(f"/membres/{people['marcel'].id}/recepisse.pdf"))
    assert "Marcel" in content and "Sans-Écran" in content and "Covoiturage" in content
    assert "Le samedi matin" in content and "P-2026-0001" in content
    assert "Jeanne" not in content  # nobody else's data
    # the retention it announces is the one the purge applies (PURGE_LEFT_GRACE_DAYS)
    assert "90 jours après votre départ" in " ".join(content.split())
    app.config["PURGE_LEFT_GRACE_DAYS"] = 30
    assert "30 jours après votre départ" in " ".join(
        pdf_text(client.get(f"/membres/{people['marcel'].id}/recepisse.pdf")).split()
    )


def test_leaving_closes_listings_ends_sponsorships_and_login(app, people, client_as, users):
    client = client_as("animator")
    with app.app_context():
        from coopere.listings.models import Theme

        theme_id = db.session.scalar(select(Theme.id).limit(1))
        db.session.add(Sponsorship(sponsee_id=people["marcel"].id, sponsor_id=people["parti"].id))
        db.session.add(
            Listing(
                owner_id=people["parti"].id,
                theme_id=theme_id,
                kind="offer",
                title="Perceuse",
                status="open",
            )
        )
        db.session.commit()
    parti = app.test_client()
    from helpers import login

    assert login(parti, people["parti"]).status_code == 302
    path = f"/membres/{people['parti'].id}/depart"
    response = post(client, path, {}, token_from=f"/membres/{people['parti'].id}")
    assert "Cochez la case pour confirmer" in text(client.get(response.headers["Location"]))
    response = post(client, path, {"confirm": "yes"}, token_from=f"/membres/{people['parti'].id}")
    with app.app_context():
        member = db.session.get(User, people["parti"].id)
        assert member.left_at is not None and not member.is_enabled
        assert (
            db.session.scalar(select(Listing.status).where(Listing.owner_id == member.id))
            == "closed"
        )
        assert db.session.scalar(select(Sponsorship.end_reason)) == "left"
    assert parti.get("/accueil").status_code == 302  # their session ended
    assert login(app.test_client(), people["parti"]).status_code == 422  # and login is refused
    page = text(client.get("/membres/?statut=left"))
    assert "Paul Parti" in page
    assert "Paul Parti" not in text(client.get("/membres/"))


def test_link_a_sponsor_then_pass_to_another_and_end(app, people, client_as, create_user):
    client = client_as("animator")
    marcel, jeanne = people["marcel"], people["jeanne"]
    other = create_user(first_name="Rose", last_name="Relais")
    path = f"/membres/{marcel.id}/parrainage"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "sponsor_id": str(jeanne.id),
            "consent_reference": "P-2026-0001",
            "sponsor_agreed": "y",
        },
    )
    assert (
        response.status_code == 422
        and "Sans l'accord de la personne, pas de parrainage." in text(response)
    )
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "sponsor_id": str(jeanne.id),
            "consent_reference": "P-2026-0001",
            "sponsor_agreed": "y",
            "represented": "y",
        },
    )
    assert response.status_code == 302
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "sponsor_id": str(other.id),
            "consent_reference": "P-2026-0001",
            "sponsor_agreed": "y",
            "represented": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Sponsorship).order_by(Sponsorship.id)).all()
        assert [(row.sponsor_id, row.end_reason) for row in rows] == [
            (jeanne.id, "transferred"),
            (other.id, None),
        ]
    page = text(client.get(f"/membres/{marcel.id}"))
    assert "Parrain ou marraine : Rose Relais" in page and "Jeanne Voisine" in page  # history kept
    post(client, f"/membres/{marcel.id}/parrainage/fin", token_from=f"/membres/{marcel.id}")
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Sponsorship).where(Sponsorship.ended_at.is_(None))
            )
            == 0
        )


def test_a_sponsor_at_the_limit_is_refused(app, people, client_as, create_user):
    app.config["SPONSEES_MAX"] = 1
    client = client_as("animator")
    other = create_user(
        first_name="Louise",
        last_name="Horsligne",
        password=None,
        has_internet=False,
        contact_preference="sponsor",
    )
    with app.app_context():
        db.session.add(Sponsorship(sponsee_id=other.id, sponsor_id=people["jeanne"].id))
        db.session.commit()
    path = f"/membres/{people['marcel'].id}/parrainage"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "sponsor_id": str(people["jeanne"].id),
            "consent_reference": "P-1",
            "sponsor_agreed": "y",
            "represented": "y",
        },
    )
    assert response.status_code == 422
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Sponsorship)
                .where(Sponsorship.sponsee_id == people["marcel"].id)
            )
            == 0
        )
    # she is not even offered
    assert f'value="{people["jeanne"].id}"' not in text(client.get(path))


def test_one_active_sponsor_per_person_is_a_database_rule(app, people):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(Sponsorship(sponsee_id=people["marcel"].id, sponsor_id=people["jeanne"].id))
        db.session.commit()
        db.session.add(Sponsorship(sponsee_id=people["marcel"].id, sponsor_id=people["parti"].id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


@pytest.mark.parametrize("role", [None, "member"])
def test_members_pages_and_printouts_are_closed_to_non_animators(app, people, client_as, role):
    client = client_as(role)
    member_id = people["elodie"].id
    expected = 302 if role is None else 403
    for path in (
        f"/membres/{member_id}",
        f"/membres/{member_id}/modifier",
        f"/membres/{member_id}/recepisse.pdf",
        f"/membres/{member_id}/parrainage",
        "/membres/",
    ):
        response = client.get(path)
        assert response.status_code == expected, path
        assert "Dupont-Martin" not in text(response)
    token = csrf_token(client, "/")
    for path in (f"/membres/{member_id}/carte", f"/membres/{member_id}/depart", "/membres/cartes"):
        assert (
            client.post(path, data={"csrf_token": token, "confirm": "yes"}).status_code == expected
        )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
        assert db.session.get(User, member_id).left_at is None


def test_a_card_for_an_activated_member_carries_no_code_and_leads_to_the_login_page(
    app, people, client_as
):
    """Issue 13: a welcome card used to mint a code that set a new password for any account,
    active ones included. An activated account's card now has no code, and no code is minted."""
    from coopere.members.activation import issue_code
    from coopere.members.checks import MemberError

    client = client_as("animator")
    member_id = people["jeanne"].id
    response = client.post(
        f"/membres/{member_id}/carte",
        data={"csrf_token": csrf_token(client, f"/membres/{member_id}")},
    )
    content = flat_text(pdf_text(response))
    assert "Bienvenue, Jeanne !" in content
    assert "Votre compte est déjà activé." in content and "Votre code personnel" not in content
    assert "localhost/connexion" in content
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
        with pytest.raises(MemberError, match="déjà activé"):
            issue_code(
                db.session.get(User, member_id),
                actor=db.session.scalar(select(User).where(User.role == Role.ADMIN.value)),
            )
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0


def test_long_list_is_paged_and_keeps_the_filters(app, people, client_as):
    with app.app_context():
        db.session.add_all(
            [
                User(
                    first_name=f"Voisin{n:02d}",
                    last_name="Zola",
                    has_internet=False,
                    contact_preference="sponsor",
                )
                for n in range(55)
            ]
        )
        db.session.commit()
    client = client_as("animator")
    first = text(search_people(client, "/membres/", "zola", statut="offline"))
    assert "Membres trouvés : 55" in first and "Page 1 sur 2" in first
    # the next page keeps the filters; the name stays out of the address (it is in the session)
    links = re.findall(r'href="(/membres/\?[^"]*)"', first)
    assert any("page=2" in link and "statut=offline" in link for link in links)
    assert not any("zola" in link for link in links)
    second = text(client.get("/membres/?page=2&statut=offline"))
    assert len(set(re.findall(r"Voisin\d\d Zola", second))) == 5 and "Jeanne Voisine" not in second
    cleared = text(search_people(client, "/membres/", ""))
    assert "Jeanne Voisine" in cleared or "Jeanne" in cleared


def test_member_page_says_how_neighbours_reach_the_person(app, people, client_as, users):
    """Tranquillité: the phone only with consent; an offline resident through their sponsor."""
    client = client_as("animator")
    with app.app_context():
        db.session.add(Sponsorship(sponsee_id=people["marcel"].id, sponsor_id=people["jeanne"].id))
        db.session.add(
            Consent(
                user_id=people["jeanne"].id,
                kind="share_phone",
                given=True,
                version="1",
                method="tablet",
            )
        )
        db.session.commit()
    assert "Joignable par les voisins par son parrain ou sa marraine, Jeanne Voisine" in words(
        client.get(f"/membres/{people['marcel'].id}")
    )
    assert "Joignable par les voisins par téléphone, 06 11 11 11 11" in words(
        client.get(f"/membres/{people['jeanne'].id}")
    )
    assert "Joignable par les voisins par la messagerie du site" in words(
        client.get(f"/membres/{people['elodie'].id}")
    )
    with app.app_context():  # withdrawn: at once
        db.session.add(
            Consent(
                user_id=people["jeanne"].id,
                kind="share_phone",
                given=False,
                version="1",
                method="online",
            )
        )
        db.session.commit()
    assert "par la messagerie du site" in words(client.get(f"/membres/{people['jeanne'].id}"))


def test_history_names_who_acted_for_the_person(app, people, client_as, users):
    client = client_as("animator")
    path = f"/membres/{people['marcel'].id}/parrainage"
    client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "sponsor_id": str(people["jeanne"].id),
            "consent_reference": "P-2026-0001",
            "sponsor_agreed": "y",
            "represented": "y",
        },
    )
    page = words(client.get(f"/membres/{people['marcel'].id}"))
    assert f"Parrainage commencé (par {users['animator'].full_name})" in page
