"""The demo's year: past cafés with their check-ins and reports, the events to come, print
runs and letters, and the animation group organising its tasks."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..dwellings.models import Dwelling
from ..events.models import Event
from ..events.recurrence import save_series
from ..events.services import save_event
from ..extensions import db
from ..timeutil import to_utc
from .clock import between
from .listings_and_exchanges import answer


def past_cafes(rng: random.Random) -> list:
    """The cafés-rencontres of the past year: the first Saturday of each past month, none in
    August, each scheduled three weeks before."""
    today = date.today()
    cafes: list[Event] = []
    for months_ago in range(11, 0, -1):
        first = (today.replace(day=1) - timedelta(days=28 * months_ago)).replace(day=1)
        day = first + timedelta(days=(5 - first.weekday()) % 7)
        if day.month == 8 or day >= today or any(c.starts_at.date() == day for c in cafes):
            continue
        created = to_utc(day, time(9)) - timedelta(days=20)
        cafe = Event(
            kind="cafe",
            starts_at=to_utc(day, time(10)),
            ends_at=to_utc(day, time(12)),
            visitors=rng.randint(0, 4),
            place="Place des Lilas, devant la boulangerie",
            created_at=created,
            updated_at=created,
        )
        db.session.add(cafe)
        cafes.append(cafe)
    db.session.flush()
    return cafes


def history(
    rng: random.Random,
    dwellings: list[Dwelling],
    cafes: list,
    group: list[User],
    residents: list[User],
    registered_at: dict,
    now: datetime,
) -> None:
    """A year of life for the dashboard: people checked in at the café where they registered and
    came back to later ones, the cafés' rosters, a letter run before the first café with its QR
    scans, and neighbours who answered listings while they were online."""
    from ..cafe.models import CheckIn
    from ..dwellings.models import LetterSent
    from ..group.models import RosterSlot, Task
    from ..listings.models import Listing
    from ..printruns.models import LetterScan, PrintRun

    for cafe in cafes:
        db.session.add_all(
            CheckIn(
                event_id=cafe.id, user_id=animator.id, checked_by_id=group[0].id, at=cafe.starts_at
            )
            for animator in rng.sample(group, max(1, len(group) - 1))
        )
        for person in residents:
            first_cafe = registered_at[person.id]
            if first_cafe is cafe:  # registered at the desk, then checked in as a newcomer
                db.session.add(
                    CheckIn(
                        event_id=cafe.id,
                        user_id=person.id,
                        checked_by_id=group[0].id,
                        at=person.created_at,
                        newcomer=True,
                    )
                )
            elif first_cafe.starts_at < cafe.starts_at and rng.random() < 0.35:
                db.session.add(
                    CheckIn(
                        event_id=cafe.id,
                        user_id=person.id,
                        checked_by_id=group[0].id,
                        at=cafe.starts_at + timedelta(minutes=15),
                    )
                )
        for task in Task:
            db.session.add(
                RosterSlot(
                    event_id=cafe.id,
                    task=task.value,
                    taken_at=cafe.created_at,
                    volunteer_id=rng.choice(group).id if rng.random() < 0.85 else None,
                )
            )
    # The invitation letters to every dwelling that takes mail, before the first café, and the QR
    # codes opened.
    sent_on = cafes[0].starts_at.date() - timedelta(days=12)
    receiving = [d for d in dwellings if d.receives_letters]
    run = PrintRun(
        kind="letters",
        status="done",
        letters_count=len(receiving),
        total_pages=len(receiving) + 1,
        created_at=to_utc(sent_on, time(9)) - timedelta(days=2),
        finished_at=to_utc(sent_on, time(9)) - timedelta(days=2),
        confirmed_at=to_utc(sent_on, time(18)),
        confirmed_by_id=group[0].id,
    )
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        LetterSent(dwelling_id=d.id, print_run_id=run.id, sent_on=sent_on) for d in receiving
    )
    db.session.add_all(
        LetterScan(
            print_run_id=run.id,
            dwelling_id=d.id,
            at=to_utc(sent_on, time(19)) + timedelta(days=i % 9),
        )
        for i, d in enumerate(rng.sample(receiving, 34))
    )
    # A share of the listings found a neighbour while they were online.
    from ..exchanges.models import Exchange

    listings = db.session.scalars(
        select(Listing)
        .where(Listing.published_at.is_not(None), Listing.kind.in_(("offer", "need")))
        .order_by(Listing.id)
    ).all()
    helpers = [person for person in residents if person.has_internet]
    taken = set(db.session.execute(select(Exchange.listing_id, Exchange.requester_id)).all())
    for listing in rng.sample(listings, len(listings) // 3):
        requester = rng.choice(helpers)
        if requester.id == listing.owner_id or (listing.id, requester.id) in taken:
            continue
        taken.add((listing.id, requester.id))
        earliest = max(listing.published_at, requester.created_at)
        latest = min(listing.expires_at, now, earliest + timedelta(days=30))
        if latest <= earliest:
            continue  # not online while this neighbour was there
        created = between(rng, earliest, latest)
        decided = created + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 8))
        done = decided + timedelta(days=rng.randint(2, 20))
        answer(
            listing,
            requester,
            created,
            decided if decided < now else None,
            done if done < now else None,
        )


def create_events() -> None:
    """An apéro-info in ten days, and the monthly café-rencontre as a series."""
    today = date.today()
    place = "Place des Lilas, devant la boulangerie"
    save_event(
        None,
        {
            "kind": "apero_info",
            "title": "",
            "day": today + timedelta(days=10),
            "start": time(18, 30),
            "end": time(20, 0),
            "place": place,
            "rain_place": "Maison de quartier des Lilas",
            "description": "Découvrez le réseau d'entraide autour d'un verre.",
        },
    )
    # The monthly café: every first Saturday, 10 h - 12 h, no café in August.
    save_series(
        None,
        {
            "kind": "cafe",
            "title": "",
            "weekday": 5,
            "week_of_month": 1,
            "start_time": time(10),
            "end_time": time(12),
            "place": place,
            "rain_place": "Maison de quartier des Lilas",
            "description": "Un café, un parasol, des voisins : venez comme vous êtes.",
            "max_places": None,
            "first_date": today + timedelta(days=1),
            "last_date": None,
            "months_off": [8],
        },
    )


def organise_the_group(
    rng: random.Random, animators: list[User], members: list[User], offline: list[User]
) -> None:
    """Task families shared in the group, the next café's roster half taken, sign-ups, calls
    wanted."""
    from ..events.models import EventKind
    from ..events.services import upcoming_events
    from ..events.signups import sign_up
    from ..group.models import Family, FamilyMember, Task
    from ..group.roster import ensure_slots, take
    from ..members.sponsorship import sponsorship_of

    for n, family in enumerate(Family):
        db.session.add(FamilyMember(user_id=animators[n % len(animators)].id, family=family.value))
    cafe = upcoming_events(limit=1, kinds=(EventKind.CAFE,))[0]
    ensure_slots(cafe)
    for task, animator in zip((Task.SETUP, Task.COFFEE, Task.DESK), animators[1:]):
        take(cafe, task, animator)
    for person in (
        rng.sample(members, 6) + offline[:2]
    ):  # an offline neighbour's sponsor says they will come
        sign_up(cafe, person, actor=sponsorship_of(person).sponsor if person.is_offline else person)
    for person in [member for member in members if member.phone][:3]:
        person.call_before_cafes = True
    for person in offline[-2:]:  # no sponsor yet: the group phones them before each café
        person.contact_preference = "phone"
