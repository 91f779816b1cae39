"""A resident's own pages: profile and contact preferences, consents (withdrawn or given in one
click, effective at once), and the PDF of everything recorded about them. Always about the
logged-in person, never anyone else."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from helpers import PASSWORD, login, post_form, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.auth.passwords import hash_password
from coopere.extensions import db
from coopere.members.models import Consent, ConsentKind

PAGES = ("/compte/profil", "/compte/accords", "/compte/mes-donnees.pdf")


@pytest.fixture
def resident(app, users):
    """register(**fields) -> user id: a resident registered at the desk by the animator, who has
    since activated their account (password PASSWORD), living at 12 bis rue des Lilas, Bât. C."""
    from coopere.dwellings.models import Dwelling
    from coopere.dwellings.services import save_dwelling
    from coopere.members.registration import Registration, register_resident
    from coopere.perimeter.models import get_perimeter

    def register(activated: bool = True, **fields):
        with app.test_request_context():
            dwelling = db.session.scalar(select(Dwelling).where(Dwelling.number == 12))
            if dwelling is None:
                dwelling = save_dwelling(
                    None,
                    {
                        "number": 12,
                        "rep": "bis",
                        "street": "Rue des Lilas",
                        "complement": "Bât. C",
                        "postcode": "44300",
                        "city": "Nantes",
                    },
                )
                db.session.flush()
            values = {
                "first_name": "Odette",
                "last_name": "Delacroix",
                "dwelling_id": dwelling.id,
                "phone": "+33199000011",
                "email": "odette@example.org",
                "contact_preference": "phone",
                "languages": "français, breton",
                "optional_consents": {"share_phone": True, "newsletter": False, "photos": True},
                **fields,
            }
            animator = db.session.get(User, users["animator"].id)
            user = register_resident(
                Registration(**values), actor=animator, perimeter=get_perimeter()
            )
            if activated:
                user.password_hash = hash_password(PASSWORD)
            db.session.commit()
            return user.id

    return register


def log_in(app, login_text: str = "01 99 00 00 11"):
    client = app.test_client()
    assert login(client, login_text).status_code == 302
    return client


def consent_rows(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Consent).where(Consent.user_id == user_id)
        )


def has(app, user_id: int, kind: ConsentKind) -> bool:
    from coopere.members.consent_records import has_consent

    with app.app_context():
        return has_consent(db.session.get(User, user_id), kind)


def set_consent(client, kind: str, given: str | None):
    data = {} if given is None else {"given": given}
    return post_form(client, f"/compte/accords/{kind}", data, token_from="/compte/accords")


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


def test_anonymous_cannot_change_a_consent(app, client, resident):
    user_id = resident()
    before = consent_rows(app, user_id)
    response = post_form(client, "/compte/accords/photos", {"given": "0"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert consent_rows(app, user_id) == before


def test_the_account_page_links_to_the_three_pages(client_as):
    page = text(client_as("member").get("/compte"))
    for path in PAGES:
        assert f'href="{path}"' in page


# --- profile --------------------------------------------------------------------------------------


def test_the_profile_shows_the_record_read_only_and_the_preferences(app, resident):
    resident()
    page = text(log_in(app).get("/compte/profil"))
    assert "Odette Delacroix" in page
    assert "12 bis Rue des Lilas, Bât. C" in page
    assert "01 99 00 00 11" in page and "odette@example.org" in page
    assert "adressez-vous au groupe d'animation" in page and "lilas@example.org" in page
    for label in (
        "Par téléphone",
        "Par e-mail",
        "Par la messagerie du site",
        "Par mon parrain ou ma marraine",
    ):
        assert label in page
    assert re.search(r'<input checked [^>]*value="phone"', page)
    assert 'value="français, breton"' in page
    # Name, address, phone and e-mail are not fields of the form: only animators edit them.
    for name in ("first_name", "last_name", 'name="phone"', 'name="email"'):
        assert name not in page


def test_the_resident_changes_contact_preference_and_languages(app, resident):
    user_id = resident()
    client = log_in(app)
    response = post_form(
        client,
        "/compte/profil",
        {"contact_preference": "site", "languages": " français, arabe "},
        token_from="/compte/profil",
    )
    assert response.status_code == 302
    assert "Vos préférences sont enregistrées." in text(client.get("/compte/profil"))
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.contact_preference == "site" and user.language_list == ["français", "arabe"]
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "member.profile_changed", AuditEvent.target_user_id == user_id
            )
        )


def test_email_preference_without_email_is_refused_and_nothing_changes(app, resident):
    user_id = resident(email=None)
    client = log_in(app)
    response = post_form(
        client,
        "/compte/profil",
        {"contact_preference": "email", "languages": "anglais"},
        token_from="/compte/profil",
    )
    page = text(response)
    assert response.status_code == 422
    assert "Pour être joint par e-mail, il faut une adresse e-mail." in page
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.contact_preference == "phone" and user.languages == "français, breton"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"contact_preference": "pigeon"}, "Choisissez comment on peut vous joindre."),
        ({}, "Choisissez comment on peut vous joindre."),
        ({"contact_preference": "phone", "languages": "x" * 201}, "Ce champ est trop long."),
    ],
)
def test_bad_profile_input_is_refused_in_french(app, resident, data, message):
    user_id = resident()
    response = post_form(log_in(app), "/compte/profil", data, token_from="/compte/profil")
    assert response.status_code == 422
    assert message in text(response)
    with app.app_context():
        assert db.session.get(User, user_id).contact_preference == "phone"


# --- consents -------------------------------------------------------------------------------------


def test_the_consents_page_shows_each_consent_its_state_and_the_history(app, resident, users):
    resident()
    page = text(log_in(app).get("/compte/accords"))
    assert (
        "J'accepte que mon numéro de téléphone soit montré aux voisins avec qui j'échange." in page
    )
    assert "Je souhaite recevoir la lettre d'information du réseau par courriel." in page
    assert "J'accepte d'être pris(e) en photo lors des événements du réseau." in page
    assert page.count("Oui, donné le") >= 4  # two optional and the two required ones
    assert "Non, depuis le" in page  # the newsletter
    assert "Recevoir par courriel les nouvelles de mes échanges et de mes annonces" in page
    assert "Recevoir chaque semaine par courriel les nouvelles annonces" in page
    # the newsletter and the two emails (refused at registration)
    assert page.count("Retirer cet accord") == 2 and page.count("Donner cet accord") == 3
    # The required ones are read-only, with how to withdraw them.
    assert "J'ai pris connaissance de la charte et j'accepte ses quatre principes." in page
    assert "J'ai reçu l'information sur mes données personnelles." in page
    assert (
        "pour les retirer, adressez-vous au groupe d'animation (cela met fin à l'inscription)"
        in page.lower()
    )
    assert (
        'action="/compte/accords/charter"' not in page
        and 'action="/compte/accords/privacy"' not in page
    )
    # The history: every row, how and by whom it was collected, on which version.
    # (the newsletter and the two emails were answered « no » at registration)
    assert page.count("accord donné") == 4 and page.count("accord retiré") == 3
    assert "sur tablette" in page and f"recueilli par {users['animator'].full_name}" in page
    assert "version 1" in page and "version 2026-11" in page


def test_each_consent_button_says_which_consent_it_changes(app, resident):
    """A screen reader reads « Retirer cet accord : mon téléphone montré aux voisins », not the
    same « Donner cet accord » five times."""
    from buttons import buttons

    resident()
    html = log_in(app).get("/compte/accords").get_data(as_text=True)
    names = {
        does[1]: name for name, does in buttons(html) if does[1].startswith("/compte/accords/")
    }
    assert names == {
        "/compte/accords/share_phone": "Retirer cet accord : mon téléphone montré aux voisins",
        "/compte/accords/newsletter": "Donner cet accord : la lettre d'information par courriel",
        "/compte/accords/photos": "Retirer cet accord : les photos aux événements",
        "/compte/accords/email_notices": (
            "Donner cet accord : les nouvelles de mes échanges et de mes annonces par courriel"
        ),
        "/compte/accords/weekly_digest": (
            "Donner cet accord : les nouvelles annonces chaque semaine par courriel"
        ),
    }


def test_withdrawing_then_giving_a_consent_takes_effect_at_once(app, resident):
    user_id = resident()
    client = log_in(app)
    rows = consent_rows(app, user_id)
    assert has(app, user_id, ConsentKind.SHARE_PHONE)

    response = set_consent(client, "share_phone", "0")
    assert response.status_code == 302 and response.headers["Location"] == "/compte/accords"
    assert not has(app, user_id, ConsentKind.SHARE_PHONE)
    assert consent_rows(app, user_id) == rows + 1
    page = text(client.get("/compte/accords"))
    assert "Accord retiré, dès maintenant" in page
    assert "en ligne" in page and "par vous-même" in page

    set_consent(client, "share_phone", "1")
    assert has(app, user_id, ConsentKind.SHARE_PHONE)
    assert consent_rows(app, user_id) == rows + 2
    assert "Accord donné, dès maintenant" in text(client.get("/compte/accords"))
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_user_id == user_id)
            .order_by(AuditEvent.id)
        ).all()
        assert actions[-2:] == ["consent.withdrawn", "consent.given"]
        latest = db.session.scalar(
            select(Consent).where(Consent.user_id == user_id).order_by(Consent.id.desc())
        )
        assert (
            latest.method == "online"
            and latest.collected_by_id == user_id
            and latest.version == "1"
        )


def test_a_second_click_records_nothing_more(app, resident):
    user_id = resident()
    client = log_in(app)
    set_consent(client, "photos", "0")
    rows = consent_rows(app, user_id)
    response = set_consent(client, "photos", "0")
    assert response.status_code == 302
    assert "Rien à changer" in text(client.get("/compte/accords"))
    assert consent_rows(app, user_id) == rows


@pytest.mark.parametrize(
    "kind, given, message",
    [
        ("charter", "0", "Cet accord ne se change pas ici : adressez-vous au groupe d'animation."),
        ("privacy", "0", "Cet accord ne se change pas ici"),
        ("representation", "1", "Cet accord ne se change pas ici"),
        ("pigeons", "1", "Cet accord n'existe pas."),
        ("photos", None, "Choisissez de donner ou de retirer cet accord."),
        ("photos", "peut-être", "Choisissez de donner ou de retirer cet accord."),
    ],
)
def test_a_consent_that_cannot_be_changed_here_is_refused_and_nothing_changes(
    app, resident, kind, given, message
):
    user_id = resident()
    client = log_in(app)
    rows = consent_rows(app, user_id)
    response = set_consent(client, kind, given)
    assert response.status_code == 422
    assert message in text(response)
    assert consent_rows(app, user_id) == rows
    assert has(app, user_id, ConsentKind.CHARTER) and has(app, user_id, ConsentKind.PHOTOS)


def test_a_member_changes_only_their_own_consents(app, resident, users):
    """There is no route with a member id: the consent changed is the logged-in person's,
    even for a sponsor in « acting for » mode."""
    sponsee_id = resident(
        activated=False,
        phone=None,
        email=None,
        has_internet=False,
        contact_preference="sponsor",
        first_name="Gaston",
        last_name="Lagaffe",
        sponsor_id=users["member"].id,
        sponsor_agreed=True,
        method="paper",
        paper_reference="P-2026-0001",
    )
    sponsor = app.test_client()
    login(sponsor, users["member"])
    with sponsor.session_transaction() as session:
        session["acting_for"] = sponsee_id
    sponsee_rows = consent_rows(app, sponsee_id)
    assert has(app, sponsee_id, ConsentKind.PHOTOS)

    # The sponsor (created without consents nor address) sees their own record, not Gaston's.
    page = text(sponsor.get("/compte/accords"))
    assert "Aucun accord enregistré pour le moment." in page
    assert "P-2026-0001" not in page and "sur papier" not in page
    profile = text(sponsor.get("/compte/profil"))
    assert users["member"].full_name in profile
    assert "12 bis Rue des Lilas" not in profile and "non renseignée" in profile

    set_consent(sponsor, "photos", "1")
    assert has(app, users["member"].id, ConsentKind.PHOTOS)
    assert (
        has(app, sponsee_id, ConsentKind.PHOTOS) and consent_rows(app, sponsee_id) == sponsee_rows
    )
    assert not any(
        f"/{sponsee_id}" in rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("resident.")
    )
    assert all(
        "id" not in argument
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("resident.")
        for argument in rule.arguments
    )


# --- the PDF of what is recorded ------------------------------------------------------------------


def pdf_text(response) -> str:
    data = response.get_data()
    response.close()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_my_data_is_a_pdf_of_my_record_and_consents_only(app, resident):
    resident()
    resident(
        first_name="Gaston",
        last_name="Lagaffe",
        phone="+33199000022",
        email="gaston@example.org",
        optional_consents={},
    )
    client = log_in(app)
    response = client.get("/compte/mes-donnees.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=mes-donnees.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    content = pdf_text(response)
    assert "Odette" in content and "Delacroix" in content
    assert "odette@example.org" in content and "01 99 00 00 11" in content
    assert "Rue des Lilas" in content
    assert "montré aux voisins avec qui" in content  # the consent to share the phone
    assert "pris(e) en photo" in content
    assert (
        "Gaston" not in content and "Lagaffe" not in content and "gaston@example.org" not in content
    )


def test_my_data_follows_a_withdrawn_consent(app, resident):
    resident()
    client = log_in(app)
    set_consent(client, "photos", "0")
    content = pdf_text(client.get("/compte/mes-donnees.pdf"))
    assert "pris(e) en photo" in content  # listed, now as refused
