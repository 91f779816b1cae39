"""The sponsor's printed digest: every section's content in order, new listings grouped by
theme, the reply slip whole on one page, the name and « page n/N » on every page, large
print measured in the PDF, long texts wrapped inside the page, escaping and refusals."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable

import pytest

from helpers import flat
from coopere.printing import (
    DigestListing,
    NextCafe,
    Perimeter,
    SponsorDigest,
    render_sponsor_digest,
)

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

MM = 72 / 25.4
A4 = (210.0, 297.0)
#: Every text of the reply slip, in order (the name comes from the digest).
SLIP = (
    "à découper",
    "Coupon-réponse",
    "De la part de : Marie-Thérèse Lefèvre",
    "Je suis intéressé(e) par l’annonce n°",
    "Je propose / je cherche :",
    "Je voudrais venir au café du",
    "À remettre à Paul Durand (parrain/marraine), tél. 06 98 76 54 32, ou au groupe "
    "d’animation : 06 12 34 56 78 bonjour@bottiere-entraide.fr",
)

OWN = (
    DigestListing(
        "offer",
        "Couture et tricot",
        "Ourlets et petites retouches",
        "Je peux faire vos ourlets de pantalon et recoudre des boutons.",
        date_text="3 mars 2026",
        reference="n° 101",
        replies=(
            "Paul (rue des Lilas), 5 mars : J’ai deux pantalons à raccourcir, mardi ?",
            "Awa (allée des Érables), 7 mars : Merci ! Pour une robe, c’est possible ?",
        ),
    ),
    DigestListing(
        "need",
        "Aide au numérique",
        "Envoyer des photos à mes petits-enfants",
        "J’ai un téléphone mais je ne sais pas envoyer les photos.",
        date_text="4 mars 2026",
        reference="n° 102",
    ),
)
# Two themes interleaved: the digest gathers each theme's listings under one heading.
NEW = (
    DigestListing(
        "offer",
        "Coups de main",
        "Monter vos courses à l’étage",
        "Je peux monter vos packs d’eau le samedi matin.",
        who="Paul, rue des Lilas",
        date_text="5 mars 2026",
        reference="n° 123",
    ),
    DigestListing(
        "need",
        "Jardinage",
        "Qui a une bêche à prêter ?",
        "Pour le jardin partagé, une semaine.",
        who="Awa, allée des Érables",
        date_text="6 mars 2026",
        reference="n° 124",
    ),
    DigestListing(
        "need",
        "Coups de main",
        "Changer une ampoule au plafond",
        "Je n’ai plus l’équilibre pour monter sur l’escabeau.",
        who="Jeanne, boulevard des Poilus",
        date_text="7 mars 2026",
        reference="n° 125",
    ),
)
CAFES = (
    NextCafe("samedi 19 mars 2026", "de 10 h à 12 h", "Salle polyvalente du Pin Sec"),
    NextCafe("samedi 16 avril 2026", "à 15 h", "Café associatif La Bottière"),
)


@pytest.fixture(scope="module")
def digest(perimeter: Perimeter) -> SponsorDigest:
    return SponsorDigest(
        perimeter=perimeter,
        first_name="Marie-Thérèse",
        last_name="Lefèvre",
        date_text="samedi 12 mars 2026",
        sponsor_name="Paul Durand",
        sponsor_phone="06 98 76 54 32",
        since_text="2 mars 2026",
        own_listings=OWN,
        new_listings=NEW,
        next_cafes=CAFES,
    )


@pytest.fixture(scope="module")
def digest_pdf(digest: SponsorDigest) -> bytes:
    return render_sponsor_digest(digest)


def filler(count: int) -> list[DigestListing]:
    """Neighbours' listings enough to fill pages, under a few themes."""
    return [
        DigestListing(
            "offer" if i % 2 else "need",
            f"Thème n° {i % 3}",
            f"Annonce de remplissage {i}",
            "Un texte assez long. " * 8,
            who=f"Voisin {i}, rue des Lilas",
            date_text="9 mars 2026",
            reference=f"n° {200 + i}",
        )
        for i in range(count)
    ]


def text_sizes(pdf: bytes, pdf_reader: Callable) -> list[list[tuple[str, float, float]]]:
    """Per page, each run of text with its size as printed (points) and its baseline's
    height from the bottom of the page (mm): the Tf size scaled by the text and
    transformation matrices, since WeasyPrint writes CSS pixels under a 0.75 scale."""
    pages = []
    for page in pdf_reader(pdf).pages:
        runs: list[tuple[str, float, float]] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            runs: list[tuple[str, float, float]] = runs,
        ) -> None:
            if not text.strip():
                return
            a, b, c, d, e, f = tm
            ca, cb, cc, cd, ce, cf = cm
            matrix = (
                a * ca + b * cc,
                a * cb + b * cd,
                c * ca + d * cc,
                c * cb + d * cd,
                e * ca + f * cc + ce,
                e * cb + f * cd + cf,
            )
            scale = math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]))
            runs.append((text.strip(), size * scale, matrix[5] / MM))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def test_digest_shows_every_section_in_order(
    digest_pdf: bytes, flat_pages: Callable, pdf_reader: Callable
) -> None:
    text = " ".join(flat_pages(digest_pdf))
    expected = (
        # Header: perimeter, whom it is for, date, who hands it over.
        "Bottière – Pin Sec",
        "Nouvelles du réseau pour Marie-Thérèse Lefèvre",
        "samedi 12 mars 2026",
        "Remis par votre parrain ou marraine : Paul Durand, tél. 06 98 76 54 32",
        # The resident's own listings, each with its replies or none yet.
        "Vos annonces",
        "Je propose Couture et tricot",
        "Ourlets et petites retouches",
        "Je peux faire vos ourlets de pantalon et recoudre des boutons.",
        "Annonce n° 101 · publiée le 3 mars 2026",
        "2 réponses :",
        "Paul (rue des Lilas), 5 mars : J’ai deux pantalons à raccourcir, mardi ?",
        "Awa (allée des Érables), 7 mars : Merci ! Pour une robe, c’est possible ?",
        "Je cherche Aide au numérique",
        "Envoyer des photos à mes petits-enfants",
        "J’ai un téléphone mais je ne sais pas envoyer les photos.",
        "Annonce n° 102 · publiée le 4 mars 2026",
        "Pas encore de réponse.",
        # The neighbourhood's new listings since the last digest.
        "Nouvelles annonces du quartier",
        "Les annonces publiées depuis le 2 mars 2026",
        "Prochains cafés-rencontres",
        "samedi 19 mars 2026, de 10 h à 12 h Salle polyvalente du Pin Sec",
        "samedi 16 avril 2026, à 15 h Café associatif La Bottière",
        *SLIP,
    )
    positions = [text.find(part) for part in expected]
    assert all(position >= 0 for position in positions), [
        part for part, position in zip(expected, positions) if position < 0
    ]
    assert positions == sorted(positions)
    for listing in NEW:
        kind = {"offer": "Propose", "need": "Cherche"}[listing.kind]
        assert (
            f"{kind} {listing.title} {listing.description} {listing.who}, le "
            f"{listing.date_text} · Annonce {listing.reference}" in text
        )
    reader = pdf_reader(digest_pdf)
    assert reader.metadata.title == (
        "Nouvelles du réseau — Marie-Thérèse Lefèvre — samedi 12 mars 2026"
    )
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width) / MM, float(box.height) / MM) == pytest.approx(A4, abs=0.05)


def test_new_listings_are_grouped_under_their_theme(
    digest_pdf: bytes, flat_pages: Callable
) -> None:
    """Each theme is a heading once, before all its listings, themes in order of first
    appearance: the « Coups de main » listing given after « Jardinage » joins its group."""
    text = " ".join(flat_pages(digest_pdf))
    news = text[text.index("Nouvelles annonces du quartier") : text.index("Prochains cafés")]
    assert news.count("Coups de main") == news.count("Jardinage") == 1
    order = [
        news.index(part)
        for part in (
            "Coups de main",
            "Monter vos courses à l’étage",
            "Changer une ampoule au plafond",
            "Jardinage",
            "Qui a une bêche à prêter ?",
        )
    ]
    assert order == sorted(order)


def test_long_digest_numbers_pages_and_keeps_the_slip_whole(
    digest: SponsorDigest, flat_pages: Callable
) -> None:
    """Whatever amount of listings comes before it, the slip is printed once, all of it on
    the last page, and every page carries the name and « page n/N ». Six more listings
    fill about a page: wherever the slip then falls, it either fits or starts a page."""
    slip_page_starts = set()
    for count in range(6):
        pdf = render_sponsor_digest(
            dataclasses.replace(digest, new_listings=[*NEW, *filler(count)])
        )
        pages = flat_pages(pdf)
        total = len(pages)
        assert total >= 3
        for number, page in enumerate(pages, start=1):
            assert "Marie-Thérèse Lefèvre · Nouvelles du samedi 12 mars 2026" in page
            assert re.findall(r"page (\d+)/(\d+)", page) == [(str(number), str(total))]
        whole = " ".join(pages)
        for part in SLIP:
            assert whole.count(part) == 1, part
            assert part in pages[-1], (count, part)
        last = pages[-1]
        assert last.index("à découper") < last.index("À remettre à Paul Durand")
        slip_page_starts.add(last.startswith("à découper"))
    # One of the runs had to move the whole slip to a page of its own.
    assert slip_page_starts == {True, False}


def test_empty_sections_say_so(digest: SponsorDigest, flat_pages: Callable) -> None:
    empty = dataclasses.replace(digest, own_listings=(), new_listings=(), next_cafes=())
    text = " ".join(flat_pages(render_sponsor_digest(empty)))
    assert (
        "Vous n’avez pas encore d’annonce. Si vous avez quelque chose à proposer ou à "
        "demander, votre parrain ou marraine, Paul Durand, peut la publier pour vous" in text
    )
    assert "Pas de nouvelle annonce dans le quartier depuis le 2 mars 2026." in text
    assert "Pas encore de date prévue." in text
    assert "Pas encore de réponse" not in text

    first = dataclasses.replace(empty, since_text="", sponsor_name="", sponsor_phone="")
    text = " ".join(flat_pages(render_sponsor_digest(first)))
    assert "Pas d’annonce dans le quartier en ce moment." in text
    assert "le groupe d’animation peut la publier pour vous" in text
    # Without a sponsor, the group hands it over and takes the slip back.
    assert "Remis par : Le Groupe d’Animation de la Bottière" in text
    assert (
        "À remettre au groupe d’animation : 06 12 34 56 78 bonjour@bottiere-entraide.fr"
    ) in text
    assert "Paul" not in text and "parrain/marraine" not in text


def test_first_digest_shows_listings_of_the_moment(
    digest: SponsorDigest, flat_pages: Callable
) -> None:
    """No previous digest: « en ce moment »; a phone number without a sponsor's name is
    not printed, as it would belong to nobody the reader knows."""
    text = " ".join(
        flat_pages(
            render_sponsor_digest(
                dataclasses.replace(digest, since_text="", sponsor_name=" ", own_listings=OWN[1:])
            )
        )
    )
    assert "Les annonces du quartier en ce moment, classées par thème." in text
    assert "depuis le" not in text
    assert "06 98 76 54 32" not in text


def test_texts_are_escaped_and_long_ones_wrap_inside_the_page(
    digest: SponsorDigest, flat_pages: Callable, word_boxes: Callable
) -> None:
    word = "Anticonstitutionnellement" * 2 + "Intergouvernementalisation"[:10]
    assert len(word) == 60
    description = ("Je cherche quelqu’un pour m’aider à trier des papiers administratifs. " * 9)[
        :600
    ]
    assert len(description) == 600
    markup = "<b>Gras</b> & <script>x</script>"
    listing = DigestListing(
        "offer",
        f"Thème {markup}",
        f"Titre {word}",
        f"{description} {word}",
        who=f"{markup} {word}",
        reference="n° 300",
    )
    pdf = render_sponsor_digest(
        dataclasses.replace(
            digest,
            last_name=f"Lefèvre {markup}",
            new_listings=[listing],
            own_listings=[dataclasses.replace(listing, replies=(f"{markup} {word}",))],
        )
    )
    text = " ".join(flat_pages(pdf))
    assert f"Lefèvre {markup}" in text and f"Thème {markup}" in text
    assert flat(description) in text
    assert "".join(text.split()).count(word) >= 6  # possibly cut, never lost
    right_margin = A4[0] - 17
    for page in word_boxes(pdf):
        assert page
        for text_, x0, y0, x1, y1 in page:
            assert 0 <= x0 and x1 <= right_margin + 0.5, text_
            assert 0 <= y0 and y1 <= A4[1], text_


def test_print_is_large(digest_pdf: bytes, pdf_reader: Callable) -> None:
    """Every text is at least 16 pt, but the running footer (14 pt); headings are bigger."""
    pages = text_sizes(digest_pdf, pdf_reader)
    runs = [run for page in pages for run in page]
    footer = [(text, size) for text, size, height in runs if height < 22]
    body = [(text, size) for text, size, height in runs if height >= 22]
    assert "Marie-Thérèse Lefèvre" in {text for text, size in footer}
    assert {text for text, size in footer} & {f"page 1/{len(pages)}"}
    assert min(size for text, size in footer) >= 14 - 0.01
    assert min(size for text, size in body) >= 16 - 0.01, min(body, key=lambda run: run[1])
    size_of = dict(body)
    assert size_of[
        "Je peux faire vos ourlets de pantalon et recoudre des boutons."
    ] == pytest.approx(16, abs=0.01)
    assert size_of["Nouvelles du réseau"] >= 24
    assert size_of["Vos annonces"] >= 20
    assert size_of["Coups de main"] >= 18


def test_refusals(digest: SponsorDigest) -> None:
    with pytest.raises(ValueError, match="il manque le prénom, le nom, la date"):
        render_sponsor_digest(
            dataclasses.replace(digest, first_name=" ", last_name="", date_text="\n")
        )
    with pytest.raises(ValueError, match="Type d’annonce inconnu : 'offre'"):
        render_sponsor_digest(
            dataclasses.replace(digest, own_listings=[dataclasses.replace(OWN[0], kind="offre")])
        )
    with pytest.raises(ValueError, match="Type d’annonce inconnu : 'Need'"):
        render_sponsor_digest(
            dataclasses.replace(
                digest, new_listings=[*NEW, dataclasses.replace(NEW[0], kind="Need")]
            )
        )


def test_listings_left_out_are_counted_so_the_reader_can_ask(
    digest: SponsorDigest, flat_pages: Callable
) -> None:
    text = " ".join(flat_pages(render_sponsor_digest(dataclasses.replace(digest, more_listings=7))))
    assert "Et 7 autres annonces : demandez-les à votre parrain ou à votre marraine" in text
    text = " ".join(flat_pages(render_sponsor_digest(digest)))
    assert "autres annonces" not in text
