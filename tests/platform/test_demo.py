"""The demo perimeter tells one story: every date it writes is the one the app's rules would have
written. A listing expires its configured lifetime after its publication (or last renewal), and is
marked expired once that date has passed; consents are dated at the registration they record;
sponsors, exchanges, check-ins and sign-ups come after the people they involve registered, and
nothing but what is planned lies in the future."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.cafe.models import CheckIn
from coopere.dwellings.models import Dwelling, LetterSent
from coopere.events.models import Event, EventSignup
from coopere.exchanges.models import Exchange, Message
from coopere.extensions import db
from coopere.group.models import RosterSlot
from coopere.listings.models import Listing
from coopere.listings.lifetime import lifetime, reminder_window
from coopere.members.models import Consent, Sponsorship
from coopere.printruns.models import LetterScan, PrintRun
from coopere.timeutil import utcnow

# Columns whose dates are planned ahead: events to come, expiries.
FUTURE_ALLOWED = {
    ("events", "starts_at"),
    ("events", "ends_at"),
    ("listings", "expires_at"),
    ("activation_codes", "expires_at"),
    ("event_series", "first_date"),
    ("event_series", "last_date"),
    ("events", "occurrence_date"),
    ("listings", "project_date"),
}


@pytest.fixture
def story(app, demo):
    """The demo's rows, read back in an app context; `now` is just after the demo was made."""
    with app.app_context():
        yield utcnow()


def people() -> dict[int, User]:
    return {person.id: person for person in db.session.scalars(select(User))}


def assert_nothing_unplanned_lies_in_the_future(now: datetime) -> None:
    """Only planned dates (events to come, expiries) are after `now`; no row was changed before
    it was made."""
    late = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if (table.name, column.name) in FUTURE_ALLOWED or not isinstance(
                column.type, (sa.DateTime, sa.Date)
            ):
                continue
            latest = db.session.scalar(select(sa.func.max(column)))
            limit = now if isinstance(column.type, sa.DateTime) else now.date()
            if latest is not None and latest > limit:
                late.append(f"{table.name}.{column.name} = {latest}")
    assert late == []
    for table in db.metadata.sorted_tables:  # and nothing was changed before it was made
        if {"created_at", "updated_at"} <= set(table.columns.keys()):
            assert (
                db.session.scalar(
                    select(sa.func.count())
                    .select_from(table)
                    .where(table.c.updated_at < table.c.created_at)
                )
                == 0
            ), table.name


def test_listings_expire_their_lifetime_after_publication_or_renewal(story) -> None:
    now = story
    everyone = people()
    renewed: dict[int, datetime] = {}
    expired_on: dict[int, datetime] = {}
    for entry in db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("listing.renewed", "listing.expired")))
        .order_by(AuditEvent.at)
    ):
        listing_id = json.loads(entry.details)["listing"]
        (renewed if entry.action == "listing.renewed" else expired_on)[listing_id] = entry.at
    listings = db.session.scalars(select(Listing)).all()
    published = [listing for listing in listings if listing.status != "draft"]
    assert len(published) >= 40 and sum(listing.status == "open" for listing in listings) >= 30
    assert renewed and expired_on  # the demo shows both
    for listing in listings:
        owner = everyone[listing.owner_id]
        assert owner.created_at <= listing.created_at <= listing.updated_at <= now, listing.title
        if listing.status == "draft":
            assert listing.published_at is None and listing.expires_at is None
            continue
        clock = renewed.get(listing.id, listing.published_at)
        assert listing.created_at <= listing.published_at <= clock <= now
        assert listing.expires_at == clock + lifetime(listing.kind), (
            listing.kind,
            listing.published_at,
        )
        if listing.status == "expired":
            assert expired_on[listing.id] == listing.expires_at <= now
            assert listing.expiry_reminded_at == listing.expires_at - reminder_window()
        else:
            assert (
                listing.status == "open"
                and listing.expires_at > now
                and listing.id not in expired_on
            )
            if listing.expiry_reminded_at is not None:
                assert listing.expiry_reminded_at == listing.expires_at - reminder_window() <= now


def test_consents_and_sponsors_are_dated_at_the_registration_they_record(story) -> None:
    everyone = people()
    sponsorships = {s.sponsee_id: s for s in db.session.scalars(select(Sponsorship))}
    assert sponsorships
    for consent in db.session.scalars(select(Consent)):
        person = everyone[consent.user_id]
        assert consent.method in ("paper", "tablet")  # all recorded at the desk
        assert consent.recorded_at == person.created_at, (person.full_name, consent.kind)
        assert everyone[consent.collected_by_id].created_at <= consent.recorded_at
    for sponsee_id, sponsorship in sponsorships.items():
        sponsee, sponsor = everyone[sponsee_id], everyone[sponsorship.sponsor_id]
        assert sponsorship.started_at == sponsee.created_at >= sponsor.created_at
    for person in everyone.values():
        if person.registered_by_id:
            assert everyone[person.registered_by_id].created_at <= person.created_at
    for entry in db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(
                ("account.created", "account.password_changed", "sponsorship.started")
            )
        )
    ):
        target = everyone[entry.target_user_id or entry.actor_id]
        expected = (
            sponsorships[target.id].started_at
            if entry.action == "sponsorship.started"
            else target.created_at
        )
        assert entry.at == expected, (entry.action, target.full_name)


def test_exchanges_answer_listings_while_they_were_online(story) -> None:
    now = story
    everyone = people()
    listings = {listing.id: listing for listing in db.session.scalars(select(Listing))}
    messages = defaultdict(list)
    for message in db.session.scalars(select(Message)):
        messages[message.exchange_id].append(message)
    exchanges = db.session.scalars(select(Exchange)).all()
    assert {e.status for e in exchanges} >= {"pending", "accepted", "done"}
    for exchange in exchanges:
        listing = listings[exchange.listing_id]
        requester = everyone[exchange.requester_id]
        assert (
            listing.kind in ("offer", "need")
            and exchange.owner_id == listing.owner_id != requester.id
        )
        assert max(listing.published_at, requester.created_at) <= exchange.created_at
        assert exchange.created_at < min(listing.expires_at, now)
        assert (exchange.decided_at is None) == (exchange.status == "pending")
        assert (exchange.done_at is None) == (exchange.status != "done")
        moments = [exchange.created_at, exchange.decided_at, exchange.done_at]
        moments = [moment for moment in moments if moment is not None]
        assert moments == sorted(moments) and moments[-1] <= now
        thread = sorted(messages[exchange.id], key=lambda m: m.created_at)
        assert thread and thread[0].created_at == exchange.created_at
        assert thread[0].author_id == requester.id
        assert exchange.last_message_at == thread[-1].created_at


def test_cafes_check_ins_rosters_and_letters_follow_each_other(story) -> None:
    now = story
    everyone = people()
    events = {event.id: event for event in db.session.scalars(select(Event))}
    for event in events.values():
        assert event.created_at <= event.starts_at < event.ends_at
    first_visit: dict[int, CheckIn] = {}
    for check_in in db.session.scalars(select(CheckIn).order_by(CheckIn.at)):
        event, person = events[check_in.event_id], everyone[check_in.user_id]
        assert event.starts_at <= check_in.at <= event.ends_at <= now
        assert person.created_at <= check_in.at
        first_visit.setdefault(person.id, check_in)
        if check_in.newcomer:  # registered at this café's desk, then checked in
            assert first_visit[person.id] is check_in and check_in.at == person.created_at
    for signup in db.session.scalars(select(EventSignup)):
        event, person = events[signup.event_id], everyone[signup.user_id]
        assert person.created_at <= signup.created_at <= event.starts_at
        if person.is_offline:  # said by their sponsor
            sponsorship = db.session.scalar(
                select(Sponsorship).where(Sponsorship.sponsee_id == person.id)
            )
            assert signup.created_by_id == sponsorship.sponsor_id
    for slot in db.session.scalars(select(RosterSlot).where(RosterSlot.volunteer_id.is_not(None))):
        assert (
            everyone[slot.volunteer_id].created_at
            <= slot.taken_at
            <= events[slot.event_id].starts_at
        )
    first_dwelling = db.session.scalar(select(sa.func.max(Dwelling.created_at)))
    for run in db.session.scalars(select(PrintRun)):
        assert first_dwelling <= run.created_at <= run.finished_at <= run.confirmed_at <= now
        sent = db.session.scalars(
            select(LetterSent.sent_on).where(LetterSent.print_run_id == run.id)
        ).all()
        assert sent and {day for day in sent} == {run.confirmed_at.date()}
        first_scan = db.session.scalar(
            select(sa.func.min(LetterScan.at)).where(LetterScan.print_run_id == run.id)
        )
        assert run.confirmed_at <= first_scan
    assert_nothing_unplanned_lies_in_the_future(now)
    first_cafe = min(event.starts_at for event in events.values() if event.kind == "cafe")
    group = [person for person in everyone.values() if person.is_animator]
    assert all(person.created_at < first_cafe - timedelta(days=14) for person in group)


def test_every_demo_person_has_a_first_name_of_their_own(story) -> None:
    """Exchange threads show first names only: two « Nadia » would make them confusing."""
    names = [user.first_name for user in db.session.scalars(select(User))]
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)
