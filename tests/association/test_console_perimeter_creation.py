"""Creating a perimeter from the console (French refusals, phase amorçage, the network's common
texts applied inside the perimeter's own database, the pilote's letter), the common texts page, and
choosing a perimeter's coach."""

from __future__ import annotations

from sqlalchemy import select

from coopere.association.models import AuditEntry, NetworkDefault, PerimeterProfile
from coopere.network import registry
from coopere.network.sites import database_url
from console_support import COACH, CONSOLE, COORD, OTHER, post_form
from helpers import BACKEND


def page(client, query: str = "") -> str:
    response = client.get(f"{CONSOLE}/perimetres{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- creating a perimeter -------------------------------------------------------------------


NEW = {
    "slug": "cerisiers",
    "name": "Coop-ère des Cerisiers",
    "short_name": "Les Cerisiers",
    "city": "Rezé",
    "postcode": "44400",
    "dwellings": "180",
    "meeting_place": "Salle des fêtes",
    "contact": "",
    "pilote_first_name": "Céleste",
    "pilote_last_name": "Cerisier",
    "pilote_login": "celeste@example.org",
    "letter": "y",
    "coach": "",
}


def test_a_coach_cannot_create_nor_change_the_common_texts(console):
    client = console.login(COACH)
    assert client.get(f"{CONSOLE}/perimetres/nouveau").status_code == 403
    assert client.get(f"{CONSOLE}/textes-communs").status_code == 403
    assert client.get(f"{CONSOLE}/perimetres/a/mise-en-route").status_code == 403


def test_a_wrong_slug_or_an_existing_one_is_refused_in_french(console):
    client = console.login(COORD)
    url = f"{CONSOLE}/perimetres/nouveau"
    response = post_form(client, url, {**NEW, "slug": "Les Lilas"})
    assert response.status_code == 400
    assert "ne convient pas : lettres minuscules sans accent" in response.get_data(as_text=True)
    response = post_form(client, url, {**NEW, "slug": "association"})
    assert "est un mot réservé" in response.get_data(as_text=True)
    response = post_form(client, url, {**NEW, "slug": "a"})
    assert "Le périmètre « a » existe déjà" in response.get_data(as_text=True)
    response = post_form(client, url, {**NEW, "pilote_login": "pas un e-mail"})
    assert "numéro de téléphone français valide" in response.get_data(as_text=True)
    response = post_form(client, url, {**NEW, "postcode": "443"})
    assert response.status_code == 400
    assert registry.get(console.network, "cerisiers") is None
    assert not console.network.instance_path("cerisiers").exists()


def test_the_common_texts_are_checked_then_saved(console):
    client = console.login(COORD)
    url = f"{CONSOLE}/textes-communs"
    html = client.get(url).get_data(as_text=True)
    assert "Gratuité" in html and "Covoiturage | Car-pooling" in html  # the method's texts
    refused = post_form(
        client,
        url,
        {"charter": "Charte", "themes": "Jardinage", "letter_text": "Le {jour} à {lieu}"},
    )
    assert refused.status_code == 400
    assert "Champ(s) inconnu(s) dans le modèle de lettre : {jour}" in refused.get_data(as_text=True)
    refused = post_form(
        client, url, {"charter": "Charte", "themes": "Jardinage\njardinage", "letter_text": "x"}
    )
    assert "Ligne 2 : le thème « jardinage » est déjà plus haut." in refused.get_data(as_text=True)
    with registry.session(console.network) as db:
        assert db.scalars(select(NetworkDefault)).all() == []


def test_a_perimeter_created_from_the_console_starts_from_the_common_texts(console):
    client = console.login(COORD)
    saved = post_form(
        client,
        f"{CONSOLE}/textes-communs",
        {
            "charter": "Charte commune du réseau : gratuité, réciprocité.",
            "themes": "Jardinage | Gardening | potager, compost\nCoups de main | Odd jobs\n"
            "Bricolage",
            "letter_text": "Bonjour ! Rendez-vous à {perimetre} le {date}, {lieu}.",
        },
    )
    assert saved.status_code == 302
    if BACKEND == "postgresql":
        console.perimeters.databases.append(database_url(console.network, "cerisiers"))
    coach = console.account_id(COACH)
    response = post_form(client, f"{CONSOLE}/perimetres/nouveau", {**NEW, "coach": str(coach)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/association/perimetres/cerisiers/mise-en-route")
    setup = client.get(f"{CONSOLE}/perimetres/cerisiers/mise-en-route").get_data(as_text=True)
    assert "Télécharger la lettre du pilote" in setup and "Amorçage" in setup
    letter = client.get(f"{CONSOLE}/perimetres/cerisiers/lettre-pilote.pdf")
    assert letter.status_code == 200 and letter.get_data().startswith(b"%PDF")
    assert letter.headers["Cache-Control"] == "no-store"
    with registry.session(console.network) as db:
        profile = db.get(PerimeterProfile, "cerisiers")
        assert (profile.phase, profile.coach_id) == ("amorcage", coach)
        actions = {
            (entry.action, entry.target)
            for entry in db.scalars(select(AuditEntry).where(AuditEntry.target != ""))
        }
    assert {
        ("perimeter.created", "cerisiers"),
        ("perimeter.coach_set", "cerisiers"),
        ("perimeter.letter_downloaded", "cerisiers"),
        ("defaults.updated", "themes"),
    } <= actions
    # inside the perimeter's own database
    from coopere.extensions import db as perimeter_db
    from coopere.listings.themes import all_themes
    from coopere.perimeter.models import get_perimeter

    with console.perimeters.app("cerisiers").app_context():
        perimeter = get_perimeter()
        assert perimeter.charter_text == "Charte commune du réseau : gratuité, réciprocité."
        assert perimeter.letter_template.startswith("Bonjour ! Rendez-vous à {perimetre}")
        themes = [(t.label_fr, t.label_en, t.hint_fr) for t in all_themes(include_retired=True)]
        assert themes == [
            ("Jardinage", "Gardening", "potager, compost"),
            ("Coups de main", "Odd jobs", ""),
            ("Bricolage", "", ""),
        ]
        perimeter_db.session.remove()
    # the coach now follows it, and the table shows it without figures yet
    coach_page = page(console.login(COACH))
    assert "Coop-ère des Cerisiers" in coach_page and "pas encore de chiffres" in coach_page


# --- a perimeter's coach ------------------------------------------------------------------------


def test_the_coordination_chooses_a_perimeters_coach(console):
    client = console.login(COORD)
    url = f"{CONSOLE}/perimetres/b/mise-en-route"
    other = console.account_id(OTHER)
    assert "Coop-ère Tilleuls" not in page(console.login(OTHER))
    response = post_form(client, url, {"coach": str(other)})
    assert response.status_code == 302
    assert "Odile Ailleurs accompagne « Coop-ère Tilleuls »" in client.get(url).get_data(
        as_text=True
    )
    assert "Coop-ère Tilleuls" in page(console.login(OTHER))
    refused = post_form(client, url, {"coach": "999999"})
    assert refused.status_code == 200  # not a choice: the form says so, nothing changed
    with registry.session(console.network) as db:
        assert db.get(PerimeterProfile, "b").coach_id == other
        entry = db.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "perimeter.coach_set", AuditEntry.target == "b")
            .order_by(AuditEntry.id.desc())
        )
        assert entry.detail == "Odile Ailleurs"
    post_form(client, url, {"coach": ""})
    with registry.session(console.network) as db:
        assert db.get(PerimeterProfile, "b").coach_id is None
