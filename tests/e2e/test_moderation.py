"""Moderation in a real browser: a neighbour reports a listing, an animator hides it from the
queue."""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").expect

pytestmark = pytest.mark.e2e


def test_a_reported_listing_is_hidden_by_an_animator(page_as):
    # Lucie finds Jean's paid yoga lessons (listing 901, seeded) and reports them.
    page = page_as("traveller")
    page.goto("/annonces/901")
    page.get_by_role("link", name="Signaler cette annonce").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler une annonce")
    page.get_by_label("Usage commercial (vente, publicité, service payant)").check()
    page.get_by_label(re.compile(r"^En quelques mots")).fill("Il demande dix euros par séance.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_role("status")).to_have_text(
        "Merci, votre signalement est transmis au groupe d'animation."
    )
    expect(page.get_by_role("heading", name="Ce qui se passe ensuite")).to_be_visible()

    # The animator sees the listing once, with both reports (the member's, seeded, and Lucie's).
    page = page_as("animator")
    expect(page.get_by_role("heading", name=re.compile(r"^Modération \(\d+\)$"))).to_be_visible()
    page.get_by_role("link", name="Voir les signalements").click()
    card = page.locator("#annonce-901")
    expect(card.get_by_role("heading", level=2)).to_have_text(
        "Annonce « Cours de yoga à 10 euros »"
    )
    expect(card).to_contain_text("Signalements : 2")
    expect(card).to_contain_text("Lucie Garnier")
    card.get_by_label("Raison de la décision").fill(
        "Les cours payants ne sont pas possibles : tout est gratuit ici."
    )
    card.get_by_role("button", name="Masquer l'annonce").click()
    expect(page.get_by_role("status")).to_contain_text("est masquée ; son auteur est prévenu")
    expect(page.locator("#annonce-901")).to_have_count(0)

    # Lucie no longer finds it.
    page = page_as("traveller")
    response = page.goto("/annonces/901")
    assert response.status == 404
