"""Erasure (RGPD art. 17): after an admin erases Zéphyrine, her name, phone and email are nowhere
in the database, her neighbour's data is untouched, the perimeter's figures are the same, she can
no longer log in, and nobody else's export carries her data."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy import func, select

from helpers import PASSWORD, login, post_form, search_people, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import Role, User, fold_name
from coopere.auth.passwords import hash_password
from coopere.extensions import db
from coopere.timeutil import utcnow

FIRST, LAST = "Zéphyrine", "Quintal-Brouard"
PHONE, EMAIL = "+33612345678", "zephyrine.qb@example.org"
NEEDLES = (
    FIRST,
    LAST,
    PHONE,
    EMAIL,
    "06 12 34 56 78",
    "+33 6 12 34 56 78",
    fold_name(f"{FIRST} {LAST}"),
)


@pytest.fixture
def world(app, users, themes):
    """Zéphyrine (registered at the desk, activated) and her neighbour Marcel, with everything a
    member leaves behind: consents, a sponsee, listings (one with a photo), exchanges both ways
    with messages and thanks, café check-ins, a call with a note, a roster slot to come, a block, a
    report, notices, a dwelling note naming her. Returns the ids."""
    from coopere.cafe.models import Call, CheckIn
    from coopere.dwellings.services import save_dwelling
    from coopere.events.models import Event
    from coopere.exchanges import services as exchanges
    from coopere.group.models import RosterSlot
    from coopere.listings.models import Listing
    from coopere.members.registration import Registration, register_resident
    from coopere.members.sponsorship import link_sponsor
    from coopere.moderation.models import Report
    from coopere.perimeter.models import get_perimeter

    with app.test_request_context():
        perimeter = get_perimeter()
        animator = db.session.get(User, users["animator"].id)
        dwelling = save_dwelling(
            None,
            {
                "number": 7,
                "rep": "",
                "street": "Rue des Glycines",
                "complement": "",
                "postcode": "44300",
                "city": "Nantes",
            },
        )
        db.session.flush()
        dwelling.notes = (
            f"Mme {LAST} a un chat ; appeler le {PHONE[:3]} 6 12 34 56 78 avant de passer."
        )
        zephyrine = register_resident(
            Registration(
                first_name=FIRST,
                last_name=LAST,
                dwelling_id=dwelling.id,
                phone=PHONE,
                email=EMAIL,
                languages="français, occitan",
                optional_consents={"share_phone": True, "photos": True},
            ),
            actor=animator,
            perimeter=perimeter,
        )
        zephyrine.password_hash = hash_password(PASSWORD)
        marcel = register_resident(
            Registration(
                first_name="Marcel",
                last_name="Tournesol",
                dwelling_id=dwelling.id,
                phone="+33612000099",
                email="marcel@example.org",
                optional_consents={"share_phone": True},
            ),
            actor=animator,
            perimeter=perimeter,
        )
        marcel.password_hash = hash_password(PASSWORD)
        odette = register_resident(
            Registration(
                first_name="Odette",
                last_name="Sanstoile",
                dwelling_id=dwelling.id,
                has_internet=False,
                contact_preference="sponsor",
            ),
            actor=animator,
            perimeter=perimeter,
        )
        db.session.flush()
        link_sponsor(
            odette,
            zephyrine,
            actor=animator,
            consent_reference="P-2026-0001",
            sponsor_agreed=True,
            perimeter=perimeter,
        )
        theme = themes["bricolage"] if "bricolage" in themes else next(iter(themes.values()))
        other_theme = [ident for ident in themes.values() if ident != theme][0]
        now = utcnow()
        offer = Listing(
            owner_id=zephyrine.id,
            theme_id=theme,
            kind="offer",
            title="Réparation de vélos par Zéphyrine",
            description=f"Appelez-moi au 06 12 34 56 78, {FIRST}.",
            availability="le samedi",
            status="open",
            published_at=now,
            created_by_id=zephyrine.id,
            photo="abcdefghijklmnopqrstuv.jpg",
        )
        done_need = Listing(
            owner_id=zephyrine.id,
            theme_id=other_theme,
            kind="need",
            title="Arroser mes tomates",
            status="fulfilled",
            published_at=now,
            created_by_id=zephyrine.id,
        )
        marcel_offer = Listing(
            owner_id=marcel.id,
            theme_id=theme,
            kind="offer",
            title="Prêt de perceuse",
            description="Perceuse à percussion.",
            status="open",
            published_at=now,
            created_by_id=marcel.id,
        )
        db.session.add_all([offer, done_need, marcel_offer])
        db.session.flush()
        from coopere.listings.search import index_listings

        index_listings([offer, done_need, marcel_offer])
        asked = exchanges.start_exchange(
            offer, marcel, f"Bonjour {FIRST}, mon vélo a un pneu crevé.", actor=marcel
        )
        exchanges.post_message(
            asked, zephyrine, "Passez samedi au 7 rue des Glycines.", actor=zephyrine
        )
        exchanges.change_status(asked, "accept", zephyrine, actor=zephyrine)
        exchanges.change_status(asked, "done", marcel, actor=marcel)
        exchanges.leave_thanks(asked, marcel, f"Merci {FIRST} !", actor=marcel)
        exchanges.leave_thanks(asked, zephyrine, "Avec plaisir, Marcel.", actor=zephyrine)
        answered = exchanges.start_exchange(
            marcel_offer, zephyrine, "Je voudrais votre perceuse.", actor=zephyrine
        )
        exchanges.post_message(answered, marcel, "Elle est à vous mardi.", actor=marcel)
        past = Event(
            kind="cafe",
            starts_at=now - timedelta(days=10),
            ends_at=now - timedelta(days=10, hours=-2),
            place="Place des Lilas",
        )
        future = Event(
            kind="cafe",
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=2),
            place="Place des Lilas",
        )
        db.session.add_all([past, future])
        db.session.flush()
        db.session.add_all(
            [
                CheckIn(event_id=past.id, user_id=zephyrine.id, checked_by_id=animator.id),
                CheckIn(event_id=past.id, user_id=marcel.id, checked_by_id=animator.id),
                Call(
                    event_id=past.id,
                    user_id=zephyrine.id,
                    outcome="reached",
                    called_by_id=animator.id,
                    note=f"{FIRST} viendra avec sa voisine",
                ),
                RosterSlot(
                    event_id=future.id, task="coffee", volunteer_id=zephyrine.id, taken_at=now
                ),
            ]
        )
        exchanges.block(zephyrine, odette, actor=zephyrine)
        db.session.add(
            Report(
                reporter_id=zephyrine.id,
                listing_id=marcel_offer.id,
                reason="other",
                text="Je m'appelle Zéphyrine et je signale par erreur.",
            )
        )
        db.session.commit()
        return {
            "z": zephyrine.id,
            "marcel": marcel.id,
            "odette": odette.id,
            "offer": offer.id,
            "asked": asked.id,
            "answered": answered.id,
            "future": future.id,
            "dwelling": dwelling.id,
        }


def figures() -> dict:
    """What the perimeter's statistics read: members per dwelling, exchanges by status, check-ins,
    listings per theme and kind, and per status."""
    from coopere.cafe.models import CheckIn
    from coopere.exchanges.models import Exchange
    from coopere.listings.models import Listing

    def rows(query):
        return sorted((tuple(row) for row in db.session.execute(query).all()), key=repr)

    return {
        "members_per_dwelling": rows(
            select(User.dwelling_id, func.count()).group_by(User.dwelling_id)
        ),
        "roles": rows(select(User.role, func.count()).group_by(User.role)),
        "exchanges": rows(select(Exchange.status, func.count()).group_by(Exchange.status)),
        "check_ins": db.session.scalar(select(func.count()).select_from(CheckIn)),
        "listings_per_theme": rows(
            select(Listing.theme_id, Listing.kind, func.count()).group_by(
                Listing.theme_id, Listing.kind
            )
        ),
        "listings_per_status": rows(select(Listing.status, func.count()).group_by(Listing.status)),
    }


def search_database(needles) -> list[tuple[str, str, str]]:
    """Every text column of every table of the live database (reflected, not the models), searched
    case- and accent-insensitively: (table, column, needle) for each hit."""
    hits = []
    metadata = sa.MetaData()
    metadata.reflect(bind=db.engine)
    assert len(metadata.tables) >= 20
    folded = [fold_name(needle) for needle in needles]
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, (sa.String, sa.Text, sa.JSON))
                or c.type.__class__.__name__ in ("JSON", "JSONB")
            ]
            for row in connection.execute(sa.select(*columns)) if columns else ():
                for column, value in zip(columns, row):
                    if value is None:
                        continue
                    value = (
                        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    )
                    for needle, fold in zip(needles, folded):
                        if needle.casefold() in value.casefold() or fold in fold_name(value):
                            hits.append((table.name, column.name, needle))
    return hits


def erase_by_admin(app, users, member_id: int, typed: str):
    client = app.test_client()
    assert login(client, users["admin"]).status_code == 302
    page = f"/membres/{member_id}/effacer"
    return client, post_form(client, page, {"first_name": typed}, token_from=page)


def test_erasure_leaves_nothing_of_her_and_the_figures_unchanged(app, users, world):
    # Her neighbour and her sponsee asked for nothing: what they hold must stay as it was.
    z = world["z"]
    zephyrine_client = app.test_client()
    assert login(zephyrine_client, EMAIL).status_code == 302
    assert zephyrine_client.get("/compte").status_code == 200
    with app.app_context():
        assert search_database(NEEDLES)  # the search does find her before
        before = figures()
        marcel = db.session.get(User, world["marcel"])
        marcel_before = (marcel.first_name, marcel.last_name, marcel.phone, marcel.email)
        zephyrine = db.session.get(User, z)
        kept = (zephyrine.created_at, zephyrine.activated_at, zephyrine.left_at)
        from coopere.exchanges.models import Message
        from coopere.listings import photos

        photo = photos.folder() / "abcdefghijklmnopqrstuv.jpg"
        photo.write_bytes(b"\xff\xd8 a photo")
        marcel_messages = sorted(
            db.session.scalars(select(Message.body).where(Message.author_id == world["marcel"]))
        )

    _, refused = erase_by_admin(app, users, z, "Zoé")
    assert refused.status_code == 422
    assert "Ce n'est pas le prénom de la personne" in text(refused)
    with app.app_context():
        assert db.session.get(User, z).erased_at is None

    admin, response = erase_by_admin(app, users, z, "zephyrine")  # accents and case do not matter
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "Personne effacée" in page and "Les données de la personne sont effacées" in page

    with app.app_context():
        assert search_database(NEEDLES) == []
        assert figures() == {**before, "listings_per_status": figures()["listings_per_status"]}
        statuses = dict(figures()["listings_per_status"])
        # Her open offer is closed, her fulfilled need stays fulfilled: nothing else moved.
        assert statuses == {
            **dict(before["listings_per_status"]),
            "open": dict(before["listings_per_status"])["open"] - 1,
            "closed": dict(before["listings_per_status"]).get("closed", 0) + 1,
        }
        person = db.session.get(User, z)
        assert (person.first_name, person.last_name, person.name_key) == (
            "Personne",
            "effacée",
            "personne effacee",
        )
        assert (
            person.erased_at is not None and not person.is_enabled and person.password_hash is None
        )
        assert (
            person.dwelling_id == world["dwelling"]
            and person.has_internet
            and person.created_at is not None
        )
        assert (person.created_at, person.activated_at, person.left_at) == kept
        assert not photo.exists()

        from coopere.exchanges.models import Block, Exchange
        from coopere.group.models import RosterSlot
        from coopere.listings.models import Listing, ListingTerm
        from coopere.members.models import ActivationCode, Consent, Sponsorship
        from coopere.notifications.models import Notification

        offer = db.session.get(Listing, world["offer"])
        assert (offer.title, offer.description, offer.availability, offer.photo, offer.status) == (
            "Annonce retirée",
            "",
            "",
            None,
            "closed",
        )
        assert offer.kind == "offer" and offer.published_at is not None
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ListingTerm)
                .where(ListingTerm.listing_id == world["offer"])
            )
            == 0
        )
        assert set(db.session.scalars(select(Message.body).where(Message.author_id == z))) == {
            "Message effacé à la demande de son auteur"
        }
        assert sorted(
            db.session.scalars(select(Message.body).where(Message.author_id == world["marcel"]))
        ) == [body.replace(FIRST, "[effacé]") for body in marcel_messages]
        asked = db.session.get(Exchange, world["asked"])
        assert (
            asked.status == "done"
            and asked.owner_thanks == ""
            and asked.requester_thanks == "Merci [effacé] !"
        )
        assert (
            db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.user_id == z)
            )
            == 0
        )
        assert (
            db.session.scalar(select(func.count()).select_from(Block).where(Block.blocker_id == z))
            == 0
        )
        from coopere.auth.models import LoginPlace  # where she logged in from (she did, above)

        assert (
            db.session.scalar(
                select(func.count()).select_from(LoginPlace).where(LoginPlace.user_id == z)
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(RosterSlot.volunteer_id).where(RosterSlot.event_id == world["future"])
            )
            is None
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Sponsorship)
                .where(Sponsorship.sponsor_id == z, Sponsorship.ended_at.is_(None))
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ActivationCode)
                .where(
                    ActivationCode.user_id == z,
                    ActivationCode.used_at.is_(None),
                    ActivationCode.revoked_at.is_(None),
                )
            )
            == 0
        )
        latest = {}
        for consent in db.session.scalars(
            select(Consent).where(Consent.user_id == z).order_by(Consent.id)
        ):
            latest[consent.kind] = consent
        assert latest and not any(consent.given for consent in latest.values())
        erased = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member.erased"))
        assert erased.target_user_id == z and erased.actor_id == users["admin"].id

        marcel = db.session.get(User, world["marcel"])
        assert (marcel.first_name, marcel.last_name, marcel.phone, marcel.email) == marcel_before

    # Her old session is over, and she cannot log in again.
    assert zephyrine_client.get("/compte").status_code == 302
    assert login(app.test_client(), EMAIL).status_code != 302
    assert login(app.test_client(), "06 12 34 56 78").status_code != 302


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_an_other_members_export_carries_none_of_her_data(app, users, world):
    client = app.test_client()
    assert login(client, users["animator"]).status_code == 302
    for before_erasure in (True, False):
        as_json = client.get(f"/membres/{world['marcel']}/donnees.json").get_data(as_text=True)
        as_pdf = pdf_text(client.get(f"/membres/{world['marcel']}/donnees.pdf").get_data())
        for content in (as_json, as_pdf):
            assert "Marcel" in content
            assert LAST not in content and EMAIL not in content and PHONE not in content
            assert "06 12 34 56 78" not in content
            # Before erasure she is there by first name only (the other party of his exchanges).
            assert (FIRST in content) is before_erasure
        assert "Passez samedi" not in as_json  # her message is hers, not his
        if before_erasure:
            erase_by_admin(app, users, world["z"], FIRST)


def test_only_an_admin_erases_and_never_the_last_admin(app, users, world, create_user):
    client = app.test_client()
    assert login(client, users["animator"]).status_code == 302
    page = f"/membres/{world['z']}/effacer"
    assert client.get(page).status_code == 403
    assert post_form(client, page, {"first_name": FIRST}).status_code == 403
    admin = app.test_client()
    assert login(admin, users["admin"]).status_code == 302
    screen = admin.get(page)
    assert screen.status_code == 200 and "définitif" in text(screen)
    # The only admin cannot be erased (not even by the command line's purge, actor None).
    from coopere.privacy.erasure import ErasureError, erase_member

    with app.app_context():
        only = db.session.get(User, users["admin"].id)
        with pytest.raises(ErasureError, match="dernier administrateur"):
            erase_member(only, None)
        db.session.rollback()
    second = create_user(Role.ADMIN, first_name="Berthe", last_name="Seconde")
    response = post_form(
        admin,
        f"/membres/{second.id}/effacer",
        {"first_name": "Berthe"},
        token_from=f"/membres/{second.id}/effacer",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, second.id).erased_at is not None
        assert db.session.get(User, second.id).role == "admin"  # role counts unchanged
    # Erasing twice: a clear message, nothing changed.
    again = post_form(
        admin,
        f"/membres/{second.id}/effacer",
        {"first_name": "Personne"},
        token_from=f"/membres/{second.id}/effacer",
    )
    assert again.status_code in (200, 422) and "déjà effacées" in text(again)


def test_a_member_asks_for_erasure_and_the_group_is_told(app, users, world):
    from coopere.notifications.models import Notification

    client = app.test_client()
    assert login(client, EMAIL).status_code == 302
    page = client.get("/compte/effacement")
    assert page.status_code == 200 and "un mois" in text(page)
    unconfirmed = post_form(client, "/compte/effacement", {}, token_from="/compte/effacement")
    assert unconfirmed.status_code == 422 and "Cochez la case" in text(unconfirmed)
    response = post_form(
        client, "/compte/effacement", {"confirm": "y"}, token_from="/compte/effacement"
    )
    assert response.status_code == 302
    assert "un mois" in text(client.get(response.headers["Location"]))
    with app.app_context():
        told = set(
            db.session.scalars(
                select(Notification.user_id).where(Notification.kind == "privacy.erasure_requested")
            )
        )
        assert told == {users["animator"].id, users["admin"].id}
        assert db.session.get(User, world["z"]).erased_at is None  # an admin does it
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "member.erasure_requested")
            )
            == 1
        )
    # Once erased, the admins' notices no longer carry her name.
    erase_by_admin(app, users, world["z"], FIRST)
    with app.app_context():
        assert search_database(NEEDLES) == []


def test_a_pending_request_shows_on_my_account_and_is_not_sent_twice(app, users, world):
    from coopere.timeutil import add_months, paris_today
    from coopere.i18n import long_date
    from coopere.notifications.models import Notification

    client = app.test_client()
    assert login(client, EMAIL).status_code == 302
    before = text(client.get("/compte"))
    assert (
        "Demander l'effacement de mon compte" in before
        and "demande d'effacement est en cours" not in before
    )
    sent = post_form(
        client, "/compte/effacement", {"confirm": "y"}, token_from="/compte/effacement"
    )
    assert sent.status_code == 302
    with app.test_request_context():
        asked, due = long_date(paris_today()), long_date(add_months(paris_today(), 1))
    for path in ("/compte", "/compte/effacement"):  # after the flash message is gone, still there
        page = text(client.get(path))
        assert "Votre demande d'effacement est en cours" in page, path
        assert f"Vous l'avez envoyée le {asked}" in page and f"au plus tard le {due}" in page
        assert "Envoyer ma demande" not in page and 'href="/compte/effacement"' not in page
    again = post_form(client, "/compte/effacement", {"confirm": "y"}, token_from="/compte")
    assert again.status_code == 422
    assert f"Vous avez déjà demandé l'effacement de votre compte, le {asked}" in text(again)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "member.erasure_requested")
            )
            == 1
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind == "privacy.erasure_requested")
            )
            == 2
        )  # the animator and the admin, once
    # The admin sees the request on her page, until it is carried out.
    admin = app.test_client()
    assert login(admin, users["admin"]).status_code == 302
    assert f"a demandé l'effacement de son compte le {asked}" in text(
        admin.get(f"/membres/{world['z']}")
    )
    erase_by_admin(app, users, world["z"], FIRST)
    assert "a demandé l'effacement" not in text(admin.get(f"/membres/{world['z']}"))


def test_namesakes_and_streets_are_left_alone(app, users, create_user):
    """Jean Moulin lives rue Jean Moulin with his brother Paul: erasing Jean changes neither the
    street nor Paul, and a note that names Jean in full loses his name only."""
    from coopere.dwellings.models import Dwelling
    from coopere.dwellings.services import save_dwelling
    from coopere.privacy.erasure import erase_member

    with app.app_context():
        dwelling = save_dwelling(
            None,
            {
                "number": 2,
                "rep": "",
                "street": "Rue Jean Moulin",
                "complement": "",
                "postcode": "44300",
                "city": "Nantes",
            },
        )
        db.session.flush()
        dwelling.notes = "Jean Moulin et son frère Paul Moulin ; Paul garde les clés."
        db.session.commit()
        dwelling_id = dwelling.id
    jean = create_user(first_name="Jean", last_name="Moulin", dwelling_id=dwelling_id)
    paul = create_user(first_name="Paul", last_name="Moulin", dwelling_id=dwelling_id)
    with app.app_context():
        erase_member(db.session.get(User, jean.id), db.session.get(User, users["admin"].id))
        db.session.commit()
        dwelling = db.session.get(Dwelling, dwelling_id)
        assert dwelling.street == "Rue Jean Moulin"
        assert dwelling.notes == "[effacé] et son frère Paul Moulin ; Paul garde les clés."
        paul = db.session.get(User, paul.id)
        assert (paul.first_name, paul.last_name, paul.name_key) == ("Paul", "Moulin", "paul moulin")


def test_an_erased_person_leaves_the_members_directory(app, users, world):
    animator = app.test_client()
    assert login(animator, users["animator"]).status_code == 302
    assert "Quintal-Brouard" in text(search_people(animator, "/membres/", "Zéphyrine"))
    erase_by_admin(app, users, world["z"], "Zéphyrine")
    directory = text(search_people(animator, "/membres/", ""))  # the whole list again
    assert "Personne effacée" not in directory and "Quintal-Brouard" not in directory
    assert "Marcel" in directory  # her neighbour is still listed
