"""The public page « Vos données personnelles »: plain words for every resident, the durations in
force (from the configuration), the register's purposes, and a link to it on every page."""

from __future__ import annotations


from coopere.privacy import register
from helpers import flat, words

PATH = "/donnees-personnelles"


def page(client) -> str:
    response = client.get(PATH)
    assert response.status_code == 200
    return words(response)


def test_anonymous_reader_gets_the_whole_explanation(client, create_perimeter, create_user):
    create_perimeter(contact="Odile Martin, 06 11 22 33 44", meeting_place="Place des Lilas")
    create_user(first_name="Gaston", last_name="Lagaffe")
    words = page(client)
    for heading in (
        "Vos données personnelles",
        "Ce que nous notons au café",
        "Qui voit quoi",
        "Ce que nous ne faisons jamais",
        "Combien de temps nous les gardons",
        "Vos droits",
        "Comment faire ?",
    ):
        assert heading in words
    # who sees what
    assert (
        "Ils voient seulement votre prénom, et si vous habitez le même immeuble ou la même rue."
        in words
    )
    assert "Jamais votre adresse." in words
    assert "Votre parrain ou votre marraine" in words and "Le groupe d'animation" in words
    # what is never done
    for promise in (
        "Nous ne vendons pas vos données.",
        "Pas de publicité.",
        "Pas de pistage",
        "Elles ne partent jamais hors de l'Union européenne.",
    ):
        assert promise in words
    # rights and how to use them: the site, a café, the perimeter's contact; the CNIL
    for right in (
        "voir tout ce qui est noté sur vous",
        "faire corriger une erreur",
        "faire tout effacer",
        "changer d'avis sur un accord",
    ):
        assert right in words
    assert "une fois connecté(e), ouvrez « Mon compte »" in words
    assert "Au café-rencontre : demandez à un animateur ou une animatrice." in words
    assert "Lieu habituel : Place des Lilas" in words
    assert "Contact : Odile Martin, 06 11 22 33 44" in words
    assert "CNIL" in words and "3 place de Fontenoy" in words
    assert "Coop-ère de la rue des Lilas" in words  # the controller
    # a public page: nobody's data on it
    assert "Gaston" not in words and "Lagaffe" not in words


def test_member_gets_a_link_to_their_account(client_as):
    client = client_as("member")
    response = client.get(PATH)
    assert response.status_code == 200
    assert 'href="/compte#mes-donnees"' in response.get_data(as_text=True)
    assert "une fois connecté(e)" not in words(response)


def test_page_summarises_every_sheet_of_the_register(client, create_perimeter):
    create_perimeter()
    words = page(client)
    values = register.default_retention()
    for item in register.public_summary(values):
        assert flat(item.title) in words
        assert flat(item.purpose) in words
        assert flat(item.retention) in words


def test_default_durations_are_the_register_ones(client, create_perimeter):
    create_perimeter()
    words = page(client)
    values = register.default_retention()
    assert f"tout est effacé {values['PURGE_LEFT_GRACE_DAYS']} jours après votre départ" in words
    assert (
        f"pendant {values['PURGE_INACTIVE_MONTHS']} mois, le groupe d'animation est prévenu"
        in words
    )
    assert f"{values['AUDIT_RETENTION_MONTHS']} mois." in words


def test_durations_come_from_the_configuration(make_app, create_perimeter):
    app = make_app(
        PURGE_INACTIVE_MONTHS=36,
        PURGE_LEFT_GRACE_DAYS=45,
        AUDIT_RETENTION_MONTHS=6,
        PRINT_FILES_RETENTION_DAYS=10,
        LISTING_NEED_DAYS=40,
    )
    words = page(app.test_client())
    assert "tout est effacé 45 jours après votre départ" in words
    assert "pendant 36 mois, le groupe d'animation est prévenu" in words
    assert "effacés après 10 jours" in words  # print files
    assert "Une demande reste en ligne 40 jours" in words
    assert "6 mois." in words  # the audit log
    assert "24 mois" not in words


def test_page_works_before_installation(client):
    words = page(client)
    assert "Vos droits" in words
    assert "Le responsable est" not in words


def test_footer_links_to_the_page_everywhere(client, client_as):
    link = f'href="{PATH}"'
    assert link in client.get("/").get_data(as_text=True)
    assert link in client.get("/connexion").get_data(as_text=True)
    member = client_as("member")
    assert link in member.get("/compte").get_data(as_text=True)


def test_page_address_is_the_route(app):
    from flask import url_for

    from coopere.members.consents import public_page_address

    with app.test_request_context("/"):
        assert public_page_address() == "http://localhost" + url_for("public.privacy")


def test_registration_receipt_gives_the_page_address(make_app, create_perimeter):
    from coopere.members.consents import data_protection
    from coopere.perimeter.models import get_perimeter

    app = make_app(PUBLIC_URL="https://lilas.example.org/")
    create_perimeter(contact="lilas@example.org")
    with app.test_request_context("/"):
        contact = data_protection(get_perimeter()).contact
    assert contact.startswith("lilas@example.org\n")
    assert "https://lilas.example.org/donnees-personnelles" in contact
