"""A small perimeter whose every figure is known, for the reporting tests."""

from __future__ import annotations

from datetime import date, datetime

from coopere.auth.models import Role, User
from coopere.cafe.models import CheckIn
from coopere.dwellings.models import Dwelling, LetterSent
from coopere.events.models import Event
from coopere.exchanges.models import Exchange
from coopere.extensions import db
from coopere.group.models import RosterSlot
from coopere.listings.models import Listing, Participation
from coopere.members.models import Sponsorship
from coopere.printruns.models import LetterScan, PrintRun


def at(day: str, hour: int = 12) -> datetime:
    """A naive-UTC moment in the middle of a Paris day."""
    return datetime.fromisoformat(day).replace(hour=hour)


def seed_known_perimeter(themes, copy: str = "") -> dict:
    """Two streets, three occupied dwellings and a vacant one; five people; listings, exchanges,
    cafés and a letter run, with dates inside and outside the first half of 2026."""

    def dwelling(number, street, vacant=False):
        d = Dwelling(
            number=number,
            street=street,
            postcode="44300",
            city="Nantes",
            vacant=vacant,
            address_key=f"{number} {street}{copy}".lower(),
        )
        db.session.add(d)
        return d

    d1, d3 = dwelling(1, "Rue des Lilas"), dwelling(3, "Rue des Lilas")
    d2, vacant = dwelling(2, "Allée des Tilleuls"), dwelling(4, "Allée des Tilleuls", vacant=True)
    db.session.flush()

    def person(first, dwelling_row, created, **columns):
        u = User(
            first_name=first,
            last_name="Exemple",
            dwelling_id=dwelling_row.id if dwelling_row else None,
            created_at=at(created),
            **columns,
        )
        db.session.add(u)
        return u

    rose = person("Rose", d1, "2026-02-10", email=f"rose{copy}@example.org")
    odette = person("Odette", d1, "2026-03-05", has_internet=False)
    paul = person("Paul", d2, "2026-03-20", email=f"paul{copy}@example.org")
    gone = person("Lucien", d3, "2026-01-05", left_at=at("2026-04-01"))
    anim = person(
        "Marie", None, "2025-12-01", role=Role.ANIMATOR.value, email=f"marie{copy}@example.org"
    )
    pending = person(
        "Jules", d2, "2026-09-01", email=f"jules{copy}@example.org"
    )  # after the period
    db.session.flush()
    db.session.add(
        Sponsorship(sponsee_id=odette.id, sponsor_id=rose.id, started_at=at("2026-03-05"))
    )

    def listing(owner, kind, status, published, theme="coups-de-main", **columns):
        item = Listing(
            owner_id=owner.id,
            theme_id=themes[theme],
            kind=kind,
            title=f"{kind} {published}",
            status=status,
            published_at=at(published),
            created_at=at(published),
            **columns,
        )
        db.session.add(item)
        return item

    offer = listing(rose, "offer", "open", "2026-02-15")
    listing(paul, "need", "open", "2026-05-01", theme="conseils")
    listing(rose, "offer", "fulfilled", "2026-03-01")
    listing(paul, "need", "open", "2025-12-01")  # open today, published before the period
    project = listing(
        anim, "project", "open", "2026-04-01", max_participants=10, project_date=date(2026, 5, 9)
    )
    db.session.flush()
    db.session.add_all(
        [
            Participation(listing_id=project.id, user_id=rose.id),
            Participation(listing_id=project.id, user_id=paul.id),
        ]
    )

    def exchange(requester, status, decided=None, done=None, item=offer):
        db.session.add(
            Exchange(
                listing_id=item.id,
                owner_id=item.owner_id,
                requester_id=requester.id,
                status=status,
                decided_at=at(decided) if decided else None,
                done_at=at(done) if done else None,
            )
        )

    exchange(paul, "done", decided="2026-03-02", done="2026-03-10")
    exchange(anim, "accepted", decided="2026-04-15")
    exchange(odette, "declined", decided="2026-04-16")
    second = listing(paul, "need", "closed", "2026-06-01", theme="conseils")
    db.session.flush()
    exchange(rose, "done", decided="2026-07-01", done="2026-08-01", item=second)  # after the period

    def cafe(day, visitors=0, cancelled=False):
        event = Event(
            kind="cafe",
            starts_at=at(day, 9),
            ends_at=at(day, 11),
            place="Place des Lilas",
            visitors=visitors,
            cancelled=cancelled,
        )
        db.session.add(event)
        db.session.flush()
        return event

    february, march = cafe("2026-02-07", visitors=2), cafe("2026-03-07")
    cancelled = cafe("2026-04-04", cancelled=True)
    db.session.add_all(
        [
            CheckIn(event_id=february.id, user_id=rose.id),
            CheckIn(event_id=february.id, user_id=odette.id, newcomer=True),
            CheckIn(event_id=march.id, user_id=rose.id),
            CheckIn(event_id=march.id, user_id=paul.id, newcomer=True),
            CheckIn(event_id=cancelled.id, user_id=paul.id),
        ]
    )
    db.session.add_all(
        [
            RosterSlot(event_id=february.id, task="coffee", volunteer_id=anim.id),
            RosterSlot(event_id=february.id, task="welcome", volunteer_id=rose.id),
            RosterSlot(event_id=march.id, task="coffee", volunteer_id=anim.id),
            RosterSlot(event_id=march.id, task="tidy"),
        ]
    )

    run = PrintRun(kind="letters", status="done", letters_count=2, confirmed_at=at("2026-01-20"))
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        [
            LetterSent(dwelling_id=d1.id, print_run_id=run.id, sent_on=date(2026, 1, 20)),
            LetterSent(dwelling_id=d2.id, print_run_id=run.id, sent_on=date(2026, 1, 20)),
        ]
    )
    db.session.add_all(
        [LetterScan(print_run_id=run.id, dwelling_id=d1.id, at=at("2026-01-22")) for _ in range(3)]
    )
    db.session.commit()
    return {
        "rose": rose.id,
        "odette": odette.id,
        "paul": paul.id,
        "gone": gone.id,
        "anim": anim.id,
        "pending": pending.id,
        "vacant": vacant.id,
    }
