"""The listing form's availability, days and theme-specific details: only the chosen theme's
details are kept, wrong values get a clear French message and nothing is saved."""

from __future__ import annotations

import re
from datetime import date

import pytest

from helpers import act_for, post_form, text
from factories import get_listing, listing_count, make_listing
from coopere.extensions import db
from coopere.listings.details import DETAILS, clean_details, DetailError
from coopere.listings.models import Listing


@pytest.fixture
def member(client_as):
    return client_as("member")


def form(themes, theme: str, **values) -> dict:
    data = {
        "kind": "offer",
        "theme_id": str(themes[theme]),
        "title": "Trajet vers l'hôpital",
        "description": "",
        "availability": "",
    }
    data.update(values)
    return data


def newest(app) -> Listing:
    with app.app_context():
        listing = db.session.scalars(db.select(Listing).order_by(Listing.id.desc())).first()
        db.session.expunge(listing)
        return listing


def test_the_form_shows_every_themes_details_labelled_without_javascript(member, themes):
    page = text(member.get("/mes-annonces/nouvelle"))
    for legend in (
        "Si vous choisissez « Covoiturage »",
        "Si vous choisissez « Garde d'animaux »",
        "Si vous choisissez « Achats groupés »",
        "Si vous choisissez « Donner et prêter des objets »",
        "Si vous choisissez « Visites et accompagnement des aînés »",
        "Si c'est un projet collectif",
    ):
        assert legend.replace("'", "&#39;") in page or legend in page, legend
    assert "Disponibilités (facultatif)" in page
    for day in ("lundi", "mercredi", "dimanche"):
        assert f"<span>{day}</span>" in page
    assert 'enctype="multipart/form-data"' in page
    assert "prix" not in page.lower().replace("pas de prix", "")


def test_car_pooling_keeps_its_details_days_and_availability_only(app, member, themes):
    response = post_form(
        member,
        "/mes-annonces/nouvelle",
        form(
            themes,
            "covoiturage",
            availability="  le matin   tôt ",
            days=["4", "0", "2"],
            details_covoiturage_from="Rue des Lilas",
            details_covoiturage_to="Hôpital Nord",
            details_garde_animaux_date_from="2026-12-01",  # another theme's: ignored
            details_achats_groupes_target_quantity="0",
        ),
    )  # another theme's, even wrong: ignored
    assert response.status_code == 302
    listing = newest(app)
    assert listing.details == {"from": "Rue des Lilas", "to": "Hôpital Nord"}
    assert listing.days == "0,2,4" and listing.availability == "le matin tôt"
    # The edit form shows them again, and a change of theme drops the old theme's details.
    page = text(member.get(f"/mes-annonces/{listing.id}/modifier"))
    assert 'value="Rue des Lilas"' in page and 'value="Hôpital Nord"' in page
    checked = re.findall(r'<input checked id="days-(\d)"', page)
    assert checked == ["0", "2", "4"]
    post_form(
        member,
        f"/mes-annonces/{listing.id}/modifier",
        form(
            themes,
            "garde-animaux",
            title="Garde de chat",
            details_covoiturage_from="Rue des Lilas",
            details_garde_animaux_date_from="24/12/2026",
            details_garde_animaux_date_to="2027-01-02",
        ),
    )
    changed = get_listing(app, listing.id)
    assert changed.details == {"date_from": "2026-12-24", "date_to": "2027-01-02"}
    assert changed.days == ""


@pytest.mark.parametrize(
    "theme, values, message",
    [
        (
            "garde-animaux",
            {
                "details_garde_animaux_date_from": "2026-12-10",
                "details_garde_animaux_date_to": "2026-12-01",
            },
            "La date de fin doit venir après la date de début.",
        ),
        (
            "garde-animaux",
            {"details_garde_animaux_date_from": "demain"},
            "« Du » : indiquez une date, par exemple 24/12/2026.",
        ),
        (
            "achats-groupes",
            {"details_achats_groupes_target_quantity": "0"},
            "La quantité visée doit être un nombre entier supérieur à zéro.",
        ),
        (
            "achats-groupes",
            {"details_achats_groupes_target_quantity": "beaucoup"},
            "La quantité visée doit être un nombre entier supérieur à zéro.",
        ),
        (
            "dons-prets",
            {"details_dons_prets_due_back": "31/02/2026"},
            "« À rendre le » : indiquez une date, par exemple 24/12/2026.",
        ),
        (
            "visites-aines",
            {"details_visites_aines_slot": "x" * 121},
            "« Moment régulier » est trop long",
        ),
        (
            "conseils",
            {"availability": "x" * 201},
            "Ce texte est trop long (200 caractères au plus).",
        ),
        ("conseils", {"days": ["7"]}, "Choisissez des jours de la semaine dans la liste."),
    ],
)
def test_wrong_details_are_refused_in_french_and_nothing_is_saved(
    app, member, themes, theme, values, message
):
    before = listing_count(app)
    response = post_form(member, "/mes-annonces/nouvelle", form(themes, theme, **values))
    assert response.status_code == 422
    page = text(response).replace("&#39;", "'").replace("&#34;", '"')
    assert message in page
    assert "Rien n'a été enregistré" in page
    assert listing_count(app) == before


def test_a_wrong_detail_on_edit_changes_nothing(app, member, users, themes):
    listing_id = make_listing(
        app,
        users["member"].id,
        themes["achats-groupes"],
        "Pommes en caisse",
        details={"target_quantity": 10},
    )
    response = post_form(
        member,
        f"/mes-annonces/{listing_id}/modifier",
        form(
            themes,
            "achats-groupes",
            title="Pommes en gros",
            details_achats_groupes_target_quantity="-3",
        ),
    )
    assert response.status_code == 422
    unchanged = get_listing(app, listing_id)
    assert unchanged.title == "Pommes en caisse" and unchanged.details == {"target_quantity": 10}


def test_a_sponsor_posts_a_lending_for_their_sponsee(app, client_as, users, themes, sponsee):
    client = client_as("member")
    assert act_for(client, sponsee).status_code == 302
    response = post_form(
        client,
        "/mes-annonces/nouvelle",
        form(
            themes,
            "dons-prets",
            title="Je prête ma scie",
            details_dons_prets_holder="Chez Paul",
            details_dons_prets_due_back="2026-12-05",
            days=["5"],
        ),
        token_from="/mes-annonces",
    )
    assert response.status_code == 302
    listing = newest(app)
    assert listing.owner_id == sponsee.id and listing.created_by_id == users["member"].id
    assert (
        listing.details == {"holder": "Chez Paul", "due_back": "2026-12-05"} and listing.days == "5"
    )


def test_details_are_defined_in_one_place_with_known_keys():
    assert set(DETAILS) == {
        "dons-prets",
        "covoiturage",
        "garde-animaux",
        "achats-groupes",
        "visites-aines",
    }
    assert clean_details("covoiturage", {"from": " a ", "unknown": "x"}) == {"from": "a"}
    assert clean_details("conseils", {"from": "a"}) == {}
    assert clean_details("achats-groupes", {"target_quantity": "20"}) == {"target_quantity": 20}
    with pytest.raises(DetailError):
        clean_details("garde-animaux", {"date_from": date(2026, 5, 2), "date_to": date(2026, 5, 1)})
