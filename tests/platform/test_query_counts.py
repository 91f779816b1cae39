"""Pages cost a constant number of SQL queries, whatever the size of the register."""

from __future__ import annotations

import pytest

from coopere.dwellings.services import save_dwelling
from coopere.extensions import db
from helpers import page_queries as queries
from helpers import search_people


def add_dwellings(app, first: int, count: int) -> None:
    with app.app_context():
        for n in range(first, first + count):
            save_dwelling(
                None,
                {
                    "number": n,
                    "street": f"Rue numéro {n % 7}",
                    "complement": f"apt {n}",
                    "postcode": "44300",
                    "city": "Nantes",
                },
            )
        db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/logements/",
        "/logements/?rue=Rue+num%C3%A9ro+3",
        "/impressions/",
        "/impressions/lettres",
        "/evenements/",
        "/admin/groupe",
        "/",
    ],
)
def test_page_queries_do_not_grow_with_the_register(app, client_as, path):
    client = client_as("admin")
    search_people(
        client, "/admin/groupe", "pr"
    )  # the group page shows its search (kept in the session)
    add_dwellings(app, 1, 5)
    small = queries(app, client, path)
    add_dwellings(app, 100, 120)
    large = queries(app, client, path)
    assert small == large, f"{path}: {small} queries with 5 dwellings, {large} with 125"
    assert large <= 12, f"{path}: {large} queries"


def add_residents(app, first: int, count: int) -> None:
    """Residents in the register's dwellings, some offline with a sponsor, some with drafts."""
    from sqlalchemy import select

    from coopere.auth.models import User
    from coopere.dwellings.models import Dwelling
    from coopere.listings.models import Listing
    from coopere.listings.themes import seed_themes
    from coopere.members.models import Sponsorship

    with app.app_context():
        seed_themes()
        dwellings = db.session.scalars(select(Dwelling.id)).all()
        sponsor = User(
            first_name="Parrain",
            last_name=f"Numéro{first}",
            email=f"parrain{first}@example.org",
            password_hash="x",
        )
        db.session.add(sponsor)
        db.session.flush()
        for n in range(first, first + count):
            person = User(
                first_name=f"Voisin{n}",
                last_name="Résident",
                dwelling_id=dwellings[n % len(dwellings)],
                has_internet=n % 3 != 0,
                contact_preference="sponsor" if n % 3 == 0 else "phone",
            )
            db.session.add(person)
            db.session.flush()
            if n % 3 == 0 and n % 2 == 0:
                db.session.add(Sponsorship(sponsee_id=person.id, sponsor_id=sponsor.id))
            db.session.add(
                Listing(owner_id=person.id, theme_id=1, kind="offer", title="Aide", status="draft")
            )
        db.session.commit()


@pytest.mark.parametrize(
    "path, name",
    [
        ("/membres/", ""),
        ("/membres/?statut=offline", ""),
        ("/membres/", "voisin"),
        ("/inscription", ""),
        ("/membres/1", ""),
    ],
)
def test_members_pages_do_not_grow_with_the_perimeter(app, client_as, path, name):
    client = client_as("animator")
    if name:  # a name searched: posted once, then kept in the session for the list
        search_people(client, "/membres/", name)
    add_dwellings(app, 1, 5)
    add_residents(app, 1, 6)
    small = queries(app, client, path)
    add_dwellings(app, 100, 60)
    add_residents(app, 100, 60)
    large = queries(app, client, path)
    assert small == large, f"{path}: {small} queries with 6 residents, {large} with 66"
    assert large <= 14, f"{path}: {large} queries"


def add_listings(app, first: int, count: int) -> None:
    """Open offers and needs of neighbours living in the register's dwellings, searchable."""
    from datetime import timedelta

    from sqlalchemy import select

    from coopere.auth.models import User
    from coopere.dwellings.models import Dwelling
    from coopere.listings.models import Listing
    from coopere.listings.search import index_listings
    from coopere.listings.themes import seed_themes
    from coopere.timeutil import utcnow

    with app.app_context():
        seed_themes()
        dwellings = db.session.scalars(select(Dwelling.id).order_by(Dwelling.id)).all()
        owners = []
        for n in range(first, first + 10):
            owner = User(
                first_name=f"Voisine{n}",
                last_name="Annonces",
                dwelling_id=dwellings[n % len(dwellings)],
            )
            db.session.add(owner)
            owners.append(owner)
        db.session.flush()
        listings = [
            Listing(
                owner_id=owners[n % 10].id,
                theme_id=1 + n % 5,
                kind=("offer", "need")[n % 2],
                title=f"Vélo numéro {n}" if n % 3 == 0 else f"Perceuse {n}",
                status="open",
                published_at=utcnow() - timedelta(minutes=n),
            )
            for n in range(first, first + count)
        ]
        db.session.add_all(listings)
        db.session.flush()
        index_listings(listings)
        db.session.commit()


@pytest.mark.parametrize("acting", [False, True], ids=["member", "sponsor-acting-for"])
@pytest.mark.parametrize(
    "path",
    [
        "/annonces",
        "/annonces?q=velos",
        "/annonces?type=need&theme=2&nouvelles=1",
        "/annonces?page=2",
        "/annonces/1",
        "/accueil",
    ],
)
def test_listing_pages_do_not_grow_with_the_listings(app, client_as, users, path, acting):
    """Browse, search, a listing page (with its matches) and the member's home, for a member and
    for a sponsor acting for their offline neighbour (who then is the one browsing)."""
    from coopere.auth.models import User
    from coopere.members.models import Sponsorship
    from coopere.members.sponsorship import ACTING_KEY

    add_dwellings(app, 1, 5)
    with (
        app.app_context()
    ):  # the member lives in the register: the "building" and "street" sections show
        db.session.get(User, users["member"].id).dwelling_id = 1
        browser = users["member"].id
        if acting:
            sponsee = User(
                first_name="Odette", last_name="Hors-ligne", has_internet=False, dwelling_id=2
            )
            db.session.add(sponsee)
            db.session.flush()
            db.session.add(
                Sponsorship(
                    sponsee_id=sponsee.id, sponsor_id=users["member"].id, consent_reference="P-1"
                )
            )
            browser = sponsee.id
        db.session.commit()
    client = client_as("member")
    if acting:
        with client.session_transaction() as session:
            session[ACTING_KEY] = browser

    def measure() -> int:
        with app.app_context():  # a first visit: the page records it (one more query)
            db.session.get(User, browser).listings_seen_at = None
            db.session.commit()
        return queries(app, client, path)

    add_listings(app, 1, 10)
    small = measure()
    add_listings(app, 100, 200)
    large = measure()
    assert small == large, f"{path}: {small} queries with 10 listings, {large} with 210"
    assert large <= 8, f"{path}: {large} queries"
