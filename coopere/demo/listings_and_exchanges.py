"""The demo's listings and exchanges: published, renewed or expired as the app's rules would
have had them, neighbours answering while they are online, a collective project."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from .clock import at, between


def listings_life(rng: random.Random, residents: list[User], now: datetime) -> None:
    """Each draft of the desk confirmed some days after registration (one in four left to
    confirm), by the resident or their sponsor; then renewed when its expiry drew near, or left
    to expire, as `flask listings expire` would have had it. Drafts of a resident nobody acts
    for stay drafts."""
    from ..listings.models import Listing
    from ..listings.lifetime import reminder_window
    from ..listings.services import publish, renew
    from ..members.sponsorship import sponsorship_of

    for n, person in enumerate(residents):
        sponsorship = sponsorship_of(person) if person.is_offline else None
        actor = sponsorship.sponsor if sponsorship else (None if person.is_offline else person)
        if actor is None or n % 4 == 3:
            continue
        for listing in db.session.scalars(
            select(Listing).where(Listing.owner_id == person.id).order_by(Listing.id)
        ):
            moment = min(
                now, person.created_at + timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 9))
            )
            with at(moment):
                publish(listing, actor=actor, owner=person, now=moment)
            changed = moment
            while listing.expires_at <= now:
                if rng.random() < 0.15:  # not renewed: the daily expiry run closed it
                    listing.expiry_reminded_at = listing.expires_at - reminder_window()
                    listing.status = "expired"
                    changed = listing.expires_at
                    with at(changed):
                        record(
                            "listing.expired",
                            target=person,
                            listing=listing.id,
                            title=listing.title,
                        )
                    break
                changed = between(rng, listing.expires_at - reminder_window(), listing.expires_at)
                with at(changed):  # renewed after the reminder
                    renew(listing, actor=actor, owner=person, now=changed)
            if listing.expires_at > now and listing.expires_at - reminder_window() <= now:
                listing.expiry_reminded_at = listing.expires_at - reminder_window()
            listing.updated_at = changed
    db.session.flush()


FIRST_MESSAGE = (
    "Bonjour, je peux vous aider cette semaine, le soir après 18 h. Dites-moi ce qui vous arrange."
)


def answer(
    listing,
    requester: User,
    created: datetime,
    decided: datetime | None = None,
    done: datetime | None = None,
):
    """`requester` answered `listing` at `created` with a first message; the owner accepted at
    `decided`, and the exchange was done at `done` (each None when not yet)."""
    from ..exchanges.models import Exchange, ExchangeStatus, Message

    status = (
        ExchangeStatus.DONE
        if done
        else ExchangeStatus.ACCEPTED
        if decided
        else ExchangeStatus.PENDING
    )
    with at(created):
        exchange = Exchange(
            listing_id=listing.id,
            owner_id=listing.owner_id,
            requester_id=requester.id,
            status=status.value,
            decided_at=decided,
            done_at=done,
            done_by_id=requester.id if done else None,
            last_message_at=created,
        )
        db.session.add(exchange)
        db.session.flush()
        db.session.add(
            Message(
                exchange_id=exchange.id,
                author_id=requester.id,
                sent_by_id=requester.id,
                body=FIRST_MESSAGE,
            )
        )
    return exchange


def exchanges_and_project(members: list[User], rng: random.Random, now: datetime) -> None:
    """A few exchanges of the past week at each stage, and one group purchase published ten days
    ago, so that every page has something."""
    from ..listings.models import Listing, Theme
    from ..listings.services import publish

    online = [member for member in members if member.password_hash]
    listings = db.session.scalars(
        select(Listing)
        .where(Listing.status == "open", Listing.kind.in_(("offer", "need")))
        .order_by(Listing.id)
    ).all()
    for listing, stage in zip(listings[::5], ("pending", "accepted", "done", "pending")):
        requester = next(m for m in rng.sample(online, len(online)) if m.id != listing.owner_id)
        created = between(
            rng,
            max(listing.published_at, requester.created_at, now - timedelta(days=6)),
            now - timedelta(hours=2),
        )
        decided = between(rng, created, now) if stage != "pending" else None
        answer(
            listing,
            requester,
            created,
            decided,
            between(rng, decided, now) if stage == "done" else None,
        )
    if online:
        theme = db.session.scalar(select(Theme).where(Theme.slug == "achats-groupes"))
        if theme is not None:
            moment = max(online[0].created_at, now - timedelta(days=10))
            with at(moment):
                project = Listing(
                    owner_id=online[0].id,
                    theme_id=theme.id,
                    kind="project",
                    status="draft",
                    title="Commande groupée de pommes chez le producteur",
                    description="Une caisse de 10 kg par foyer, livrée place des Lilas.",
                    max_participants=15,
                    created_by_id=online[0].id,
                )
                db.session.add(project)
                db.session.flush()
                publish(project, actor=online[0], owner=online[0], now=moment)
