"""Searching listings in French: accents, case and plurals do not matter, words match by their
start."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers import post_form, text
from coopere.extensions import db
from coopere.listings.models import Listing, ListingTerm, Theme
from coopere.listings.search import _upper_bound, reindex_all, terms_of
from coopere.listings.themes import seed_themes


def test_words_are_folded_singular_and_without_small_words():
    assert terms_of("Je prête mon VÉLO électrique") == ["prete", "velo", "electrique"]
    assert terms_of("des vélos, des jeux et des journaux") == ["velo", "jeu", "journal"]
    # words in « -is » keep their s (souris, tapis, frais)
    assert terms_of("Œufs frais à l'épicerie") == ["oeuf", "frais", "epicerie"]
    assert terms_of("a b c d'un le la") == []  # one letter, or small words only
    assert terms_of("bus gaz") == ["bus", "gaz"]  # short words keep their last letter
    assert terms_of("x" * 60) == ["x" * 40]


def test_prefix_upper_bound_stays_among_letters_and_digits():
    assert _upper_bound("velo") == "velp"
    assert _upper_bound("jaz") == "jb"
    assert _upper_bound("a9") == "aa"
    assert _upper_bound("zz") is None


@pytest.fixture
def listings(app, users):
    """Open listings of the animator, indexed as « Mes annonces » does; title -> id."""
    from coopere.auth.models import User
    from coopere.listings.services import create_listing
    from coopere.listings.validation import ListingValues

    with app.app_context():
        seed_themes()
        db.session.commit()
        themes = {theme.slug: theme.id for theme in db.session.scalars(select(Theme))}
        owner = db.session.get(User, users["animator"].id)
        made = {}
        for title, theme, description in (
            ("Je répare les vélos", "coups-de-main", "Crevaisons, freins, chaînes."),
            ("Un vélo d'enfant à donner", "dons-prets", ""),
            ("Cours de cuisine végétarienne", "conseils", "Des recettes simples."),
            ("Covoiturage vers l'hôpital", "covoiturage", "Le mardi."),
            ("Garder mon chat en août", "garde-animaux", ""),
        ):
            listing = create_listing(
                owner,
                ListingValues(
                    theme_id=themes[theme], kind="offer", title=title, description=description
                ),
                actor=owner,
            )
            made[title] = listing.id
        db.session.commit()
        return made


def found_titles(client, query: str) -> set[str]:
    page = text(client.get("/annonces", query_string={"q": query}))
    return {
        title
        for title in (
            "Je répare les vélos",
            "Un vélo d'enfant à donner",
            "Cours de cuisine végétarienne",
            "Covoiturage vers l'hôpital",
            "Garder mon chat en août",
        )
        if title in page
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        (
            "velo",
            {"Je répare les vélos", "Un vélo d'enfant à donner"},
        ),  # no accent finds the accent
        ("VÉLOS", {"Je répare les vélos", "Un vélo d'enfant à donner"}),  # case and plural
        ("vél", {"Je répare les vélos", "Un vélo d'enfant à donner"}),  # the start of a word
        ("hopital", {"Covoiturage vers l'hôpital"}),
        ("chats", {"Garder mon chat en août"}),  # a plural finds the singular
        (
            "recette",
            {"Cours de cuisine végétarienne"},
        ),  # a word of the description (plural stored as singular)
        ("velo enfant", {"Un vélo d'enfant à donner"}),  # every word must match
        ("velo piano", set()),
        ("pets", {"Garder mon chat en août"}),  # the theme's English name (Pet-sitting)
        ("Écogestes", set()),
    ],
)
def test_search_ignores_accents_case_and_plurals(client_as, listings, query, expected):
    assert found_titles(client_as("member"), query) == expected


def test_a_changed_title_is_searched_by_its_new_words(app, client_as, listings, users):
    client = client_as("animator")
    listing_id = listings["Garder mon chat en août"]
    with app.app_context():
        theme_id = db.session.get(Listing, listing_id).theme_id
    response = post_form(
        client,
        f"/mes-annonces/{listing_id}/modifier",
        {
            "kind": "offer",
            "theme_id": str(theme_id),
            "title": "Garder mon lapin en août",
            "description": "",
        },
    )
    assert response.status_code == 302
    member = client_as("member")
    assert "Garder mon lapin en août" in text(member.get("/annonces?q=lapins"))
    assert "Garder mon lapin" not in text(member.get("/annonces?q=chat"))


def test_a_search_without_any_word_lists_everything(client_as, listings):
    assert len(found_titles(client_as("member"), "le la")) == 5


def test_reindex_rebuilds_every_listing_words(app, listings, runner):
    with app.app_context():
        db.session.execute(ListingTerm.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["listings", "reindex"])
    assert result.exit_code == 0, result.output
    assert "5 annonce(s) indexée(s)" in result.output
    with app.app_context():
        terms = set(
            db.session.scalars(
                select(ListingTerm.term).where(
                    ListingTerm.listing_id == listings["Je répare les vélos"]
                )
            )
        )
    assert {"repare", "velo", "crevaison", "frein", "chaine", "coup", "main", "odd", "job"} <= terms


def test_registration_drafts_are_searchable_once_published(app, users, client_as):
    from coopere.auth.models import User
    from coopere.listings.services import publish
    from coopere.members.registration import Answer, Registration, register_resident
    from coopere.perimeter.models import get_perimeter

    with app.app_context():
        seed_themes()
        db.session.commit()
        theme = db.session.scalar(select(Theme).where(Theme.slug == "dons-prets"))
        animator = db.session.get(User, users["animator"].id)
        person = register_resident(
            Registration(
                first_name="Lucienne",
                last_name="Marchand",
                dwelling_id=None,
                address_note="Nouvelle résidence",
                email="lucienne@example.org",
                contact_preference="email",
                answers=[Answer(theme.id, can_offer=True, details="Une brouette à prêter")],
            ),
            actor=animator,
            perimeter=get_perimeter(),
        )
        db.session.commit()
        person_id = person.id
    assert "Une brouette" not in text(
        client_as("member").get("/annonces?q=brouette")
    )  # a draft is not listed
    with app.app_context():
        person = db.session.get(User, person_id)
        draft = db.session.scalar(select(Listing).where(Listing.owner_id == person_id))
        publish(draft, actor=db.session.get(User, users["animator"].id), owner=person)
        db.session.commit()
    assert "Une brouette à prêter" in text(client_as("member").get("/annonces?q=brouettes"))


def test_reindex_all_counts(app, listings):
    with app.app_context():
        assert reindex_all(batch=2) == 5
        db.session.commit()


def test_renaming_a_theme_renames_its_listings_search_words(app, client_as, listings):
    from coopere.listings.themes import save_theme

    with app.app_context():
        theme = db.session.scalar(select(Theme).where(Theme.slug == "garde-animaux"))
        save_theme(
            theme,
            {"label_fr": "Animaux de compagnie", "label_en": "Pets", "hint_fr": "", "hint_en": ""},
        )
        db.session.commit()
    client = client_as("member")
    assert found_titles(client, "compagnie") == {"Garder mon chat en août"}
    assert found_titles(client, "sitting") == set()  # the old English name (Pet-sitting) is gone
    assert found_titles(client, "repare velo") == {
        "Je répare les vélos"
    }  # other themes' listings untouched
