"""The demo's people and places: made-up names (a first name each), the micro-perimeter's
dwellings, and residents registered at the desk as a café would have registered them."""

from __future__ import annotations

import random

from sqlalchemy import select

from ..auth.models import User
from ..dwellings.models import Dwelling
from ..dwellings.services import save_dwelling
from ..extensions import db
from .clock import at


FIRST_NAMES = [
    "Jeanne",
    "Marcel",
    "Odette",
    "Lucien",
    "Germaine",
    "René",
    "Simone",
    "Yvon",
    "Monique",
    "Bernard",
    "Josiane",
    "Gérard",
    "Nadia",
    "Karim",
    "Fatou",
    "Mamadou",
    "Léa",
    "Hugo",
    "Chloé",
    "Thomas",
    "Inès",
    "Yanis",
    "Camille",
    "Julien",
    "Élodie",
    "Mathis",
    "Aïcha",
    "Loïc",
    "Maëlle",
    "François",
    "Hélène",
    "Noël",
    "Anaïs",
    "Gaëlle",
    "Solène",
    "Pierre",
    "Odile",
    "Étienne",
    "Marie",
    "Paulette",
    "Sylvain",
    "Yasmine",
]
LAST_NAMES = [
    "Le Goff",
    "Martin",
    "Bernard",
    "Durand",
    "Moreau",
    "Lefèvre",
    "Garnier",
    "Rousseau",
    "Ben Amar",
    "Diallo",
    "Nguyen",
    "Le Bihan",
    "Guérin",
    "Boucher",
    "Lemoine",
    "Chevalier",
    "Fontaine",
    "Marchand",
    "Mercier",
    "Bonnet",
    "Dupuis",
    "Gauthier",
    "Perrin",
    "Robin",
    "Hamon",
    "Tessier",
    "Pichon",
    "Renaud",
    "Aubert",
    "Collet",
]

# A made-up micro-perimeter: (street, first number, last number, building complements).
STREETS = [
    ("Rue des Lilas", 1, 59, ()),
    ("Allée des Roses", 2, 40, ()),
    ("Impasse du Lavoir", 1, 15, ()),
    ("Boulevard des Tilleuls", 10, 12, ("Résidence Les Tilleuls, Bât. {b}, apt {n}",)),
    ("Place des Lilas", 1, 9, ()),
]


# (theme slug, kind, title): what neighbours typically offer and ask for, theme by theme.
DEMO_LISTINGS = [
    ("coups-de-main", "offer", "Je peux porter des courses le samedi matin"),
    ("coups-de-main", "need", "Un coup de main pour monter une armoire"),
    ("dons-prets", "offer", "J'ai une perceuse à prêter"),
    ("dons-prets", "need", "Je cherche un escabeau pour une journée"),
    ("aide-numerique", "need", "Un coup de main pour mon ordinateur"),
    ("aide-numerique", "offer", "J'aide à faire les démarches en ligne"),
    ("garde-animaux", "need", "Garder mon chat en août"),
    ("garde-animaux", "offer", "Je peux promener un chien en semaine"),
    ("visites-aines", "offer", "Je passe volontiers prendre un café chez un voisin âgé"),
    ("visites-aines", "need", "Quelqu'un pour m'accompagner au marché"),
    ("covoiturage", "offer", "Je vais au supermarché le jeudi, il reste deux places"),
    ("conseils", "offer", "Conseils pour le potager et les semis"),
    ("loisirs-sorties", "need", "Partenaires pour jouer aux cartes le mardi"),
    ("eco-gestes", "offer", "Je montre comment faire son compost"),
    ("emploi", "offer", "Je relis les CV et prépare aux entretiens"),
]


def unique_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` people, each with a first name of their own: exchange threads show first names
    only."""
    return [(first, rng.choice(LAST_NAMES)) for first in rng.sample(FIRST_NAMES, count)]


def create_dwellings(rng: random.Random) -> list[Dwelling]:
    """About 300 dwellings: houses along the streets and flats in a residence."""
    dwellings = []
    for street, first, last, complements in STREETS:
        for number in range(first, last + 1, 1 if complements else 2):
            if complements:
                for building in "ABC":
                    for flat in range(1, 25):
                        complement = complements[0].format(b=building, n=building + f"{flat:02d}")
                        dwellings.append(
                            save_dwelling(
                                None,
                                {
                                    "number": number,
                                    "street": street,
                                    "complement": complement,
                                    "postcode": "44300",
                                    "city": "Nantes",
                                },
                            )
                        )
            else:
                rep = "bis" if rng.random() < 0.05 else ""
                dwellings.append(
                    save_dwelling(
                        None,
                        {
                            "number": number,
                            "rep": rep,
                            "street": street,
                            "complement": "",
                            "postcode": "44300",
                            "city": "Nantes",
                        },
                    )
                )
    for dwelling in rng.sample(dwellings, 12):
        dwelling.no_letters = True
    for dwelling in rng.sample(dwellings, 6):
        dwelling.vacant = True
    db.session.flush()
    return dwellings


def register_at_the_desk(
    rng: random.Random, animators: list[User], members: list[User], offline: list[User]
) -> None:
    """What the desk recorded at each resident's registration, dated then: consents, offers and
    needs across the themes (as drafts, confirmed afterwards), and sponsors for most offline
    residents (two still wait for one)."""
    from ..listings.models import Listing, Theme
    from ..members.registration import add_registration_consents
    from ..members.sponsorship import link_sponsor
    from ..perimeter.models import get_perimeter

    perimeter = get_perimeter()
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    by_slug = {theme.slug: theme for theme in themes}
    sponsors = [member for member in members if member.password_hash][:3]
    waiting = offline[-2:]  # no sponsor yet
    for n, person in enumerate(members + offline):
        paper = person in offline
        animator = animators[n % len(animators)]
        with at(person.created_at):
            person.registered_by_id = animator.id
            person.registration_method = "paper" if paper else "tablet"
            person.paper_reference = f"P-2026-{n + 1:04d}" if paper else ""
            add_registration_consents(
                person,
                lambda _kind: rng.random() < 0.5,
                actor=animator,
                method=person.registration_method,
                paper_reference=person.paper_reference,
                perimeter=perimeter,
            )
            for slug, kind, title in rng.sample(DEMO_LISTINGS, 3):
                theme = by_slug.get(slug) or themes[0]
                db.session.add(
                    Listing(
                        owner_id=person.id,
                        theme_id=theme.id,
                        kind=kind,
                        title=title,
                        description="",
                        status="draft",
                        created_by_id=animator.id,
                    )
                )
            if paper and person not in waiting:
                link_sponsor(
                    person,
                    sponsors[offline.index(person) % len(sponsors)],
                    actor=animators[0],
                    perimeter=perimeter,
                    consent_reference=person.paper_reference,
                    sponsor_agreed=True,
                )
    db.session.flush()
