"""Registration in a real browser: an animator at the café desk on a tablet, then the new
resident activating their account on an old phone and confirming their draft offers."""

from __future__ import annotations

import re

import pytest

from .conftest import PASSWORD

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").expect

pytestmark = pytest.mark.e2e

TABLET = {"width": 800, "height": 1280}
OLD_PHONE = {"width": 360, "height": 640}


def test_animator_registers_a_neighbour_at_the_desk_and_prints_the_welcome_card(
    page_as, live_server
):
    page = page_as("animator")
    page.set_viewport_size(TABLET)
    page.locator("summary", has_text="Animer").click()  # the menu's folded « Animer » section
    page.get_by_role("link", name="Inscrire", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("1. Qui s'inscrit ?")
    page.get_by_label("Prénom", exact=True).fill("Germaine")
    page.get_by_label("Nom", exact=True).fill("Le Goff")
    page.get_by_label("Logement", exact=True).fill("12 Rue des Lilas")  # from the register's list
    page.get_by_label("Téléphone", exact=True).fill("06 12 34 56 78")
    page.get_by_role("group", name="A-t-il ou elle internet").get_by_label("Oui").check()
    page.get_by_label("Par téléphone").check()
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("2. Ce qu'on peut s'apporter")
    garden = page.get_by_role("group", name="Coups de main")
    garden.get_by_label("Je peux proposer").check()
    garden.get_by_label("Précisions").fill("Petits travaux de jardin")
    page.get_by_role("group", name="Covoiturage").get_by_label("J'aimerais recevoir").check()
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("3. Charte et accords")
    summary = page.get_by_role("region", name="Récapitulatif")
    expect(summary).to_contain_text("Germaine Le Goff")
    expect(summary).to_contain_text("12 Rue des Lilas")
    expect(summary).to_contain_text("Petits travaux de jardin")
    page.get_by_role("button", name="Enregistrer l'inscription").click()
    expect(page.get_by_text("La charte doit être acceptée pour s'inscrire.")).to_be_visible()
    page.get_by_label("La personne accepte la charte").check()
    page.get_by_label("La personne a reçu l'information").check()
    page.get_by_role("button", name="Enregistrer l'inscription").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Germaine Le Goff")
    expect(page.get_by_role("status").first).to_contain_text("Germaine Le Goff est inscrit(e)")
    expect(page.get_by_text("à confirmer")).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimer la carte d'accueil").click()
    assert download.value.suggested_filename == "carte-germaine.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_new_resident_activates_on_an_old_phone_and_publishes_a_draft(new_context, live_server):
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.members.activation import issue_code

    app = live_server.app
    with app.app_context():
        animator = db.session.get(User, live_server.people["animator"])
        resident = User(
            first_name="Yvonne",
            last_name="Carré",
            phone="+33199000088",
            registration_method="tablet",
        )
        db.session.add(resident)
        db.session.flush()
        db.session.add(
            Listing(
                owner_id=resident.id,
                theme_id=2,
                kind="offer",
                title="Arroser les plantes",
                status="draft",
                created_by_id=animator.id,
            )
        )
        code = issue_code(resident, actor=animator)
        db.session.commit()
        db.session.remove()

    page = new_context(viewport=OLD_PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/activer")
    typed = (
        f"{code[:4].lower()} {code[4:7].lower()} {code[7:].lower()}"  # as read aloud from the card
    )
    page.get_by_label("Code de votre carte d'accueil").fill(typed)
    page.get_by_role("button").filter(
        has_text=re.compile("Continuer|Valider|Activer")
    ).first.click()
    expect(page.get_by_text("Yvonne")).not_to_have_count(0)
    page.get_by_label("Choisissez votre mot de passe").fill(PASSWORD)
    page.get_by_label("Votre mot de passe, une deuxième fois").fill(PASSWORD)
    page.get_by_role("button").filter(
        has_text=re.compile("Activer|Valider|Enregistrer")
    ).first.click()
    expect(page.get_by_text("Votre compte est activé")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/mes-annonces$"))
    expect(page.get_by_role("heading", name="Arroser les plantes")).to_be_visible()
    page.get_by_role("button", name="Publier « Arroser les plantes").click()
    expect(page.get_by_role("button", name="Publier « Arroser les plantes")).to_have_count(0)
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(Listing.status).where(Listing.title == "Arroser les plantes")
            )
            == "open"
        )
    # Nothing sideways to scroll on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The card's code works once only.
    other = new_context(viewport=OLD_PHONE).new_page()
    other.goto(f"/activer/{code}")
    expect(other.get_by_text("Ce code a déjà servi.")).to_be_visible()


def test_sponsor_acts_for_an_offline_neighbour_then_prints_her_news(page_as, live_server):
    from coopere.audit.models import AuditEvent
    from coopere.extensions import db

    page = page_as("member")  # Marie sponsors Odette, who has no internet
    page.set_viewport_size(OLD_PHONE)
    page.get_by_role("link", name="Mes filleuls").click()
    expect(page.get_by_role("heading", name="Odette Lambert")).to_be_visible()
    page.get_by_role("button", name="Agir pour Odette").click()
    banner = page.get_by_role("region", name="Vous agissez pour Odette Lambert")
    expect(banner).to_be_visible()
    expect(page.get_by_role("heading", name="Aller au marché le samedi")).to_be_visible()
    expect(page.get_by_text("Je prête ma perceuse")).to_have_count(
        0
    )  # Marie's own draft is not Odette's
    page.get_by_role("button", name="Publier « Aller au marché le samedi").click()
    expect(banner).to_be_visible()  # still there on the next page
    with live_server.app.app_context():
        entry = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == "listing.confirmed")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert entry.actor_id == live_server.people["member"] and "Odette" in entry.details
    banner.get_by_role("button", name="Revenir à mon compte").click()
    expect(page.get_by_role("region", name="Vous agissez pour Odette Lambert")).to_have_count(0)

    page.get_by_role("link", name="Mes filleuls").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimer ses nouvelles").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
