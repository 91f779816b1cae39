"""Stories that may be told: exchanges done and thanked, where both people agreed to be quoted
(their latest QUOTE_STORY consent is yes). One query, read by the newsletter's stories block and
by the fête's « Nos réalisations » panels; each says them in its own words. A story carries
first names, the listing's title and the thank-you note with any address or phone removed:
nothing else about the people."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..members.models import Consent, ConsentKind
from .models import Exchange, ExchangeStatus

STORY_MAX = 240  # characters of a thank-you note quoted in a story
SCANNED = 50  # thanked exchanges read, newest first, to find the few both people let us tell
_CONTACT = re.compile(r"\S+@\S+|\+?\d[\d .\-]{6,}\d")  # an address or a phone in a note


@dataclass(frozen=True)
class ToldStory:
    title: str  # the listing's title
    thanker: str  # the first name of who wrote the thank-you
    other: str  # the other person's first name
    thanks: str  # the note, quotable (one line, no address or phone, shortened)


def quoting_members(user_ids: set[int]) -> set[int]:
    """Those of `user_ids` whose latest answer to QUOTE_STORY is yes (one query)."""
    latest: dict[int, bool] = {}
    if not user_ids:
        return set()
    for user_id, given in db.session.execute(
        select(Consent.user_id, Consent.given)
        .where(Consent.user_id.in_(user_ids), Consent.kind == ConsentKind.QUOTE_STORY.value)
        .order_by(Consent.id)
    ):
        latest[user_id] = given
    return {user_id for user_id, given in latest.items() if given}


def consented_stories(period, limit: int) -> list[ToldStory]:
    """Up to `limit` exchanges done within `period` (anything with `covers(column)`, such as a
    reports Period) and thanked, newest first, when both people agreed to be quoted."""
    exchanges = list(
        db.session.scalars(
            select(Exchange)
            .options(joinedload(Exchange.owner), joinedload(Exchange.requester))
            .where(
                Exchange.status == ExchangeStatus.DONE.value,
                period.covers(Exchange.done_at),
                (Exchange.owner_thanks != "") | (Exchange.requester_thanks != ""),
            )
            .order_by(Exchange.done_at.desc())
            .limit(SCANNED)
        )
    )
    people = {e.owner_id for e in exchanges} | {e.requester_id for e in exchanges}
    agreed = quoting_members(people)
    told: list[ToldStory] = []
    for exchange in exchanges:
        if exchange.owner_id not in agreed or exchange.requester_id not in agreed:
            continue
        thanker = exchange.requester if exchange.requester_thanks else exchange.owner
        other = exchange.owner if thanker is exchange.requester else exchange.requester
        told.append(
            ToldStory(
                title=exchange.listing.title,
                thanker=thanker.first_name,
                other=other.first_name,
                thanks=quotable(exchange.requester_thanks or exchange.owner_thanks),
            )
        )
        if len(told) == limit:
            break
    return told


def quotable(note: str) -> str:
    """A thank-you note as it is quoted: one line, no address or phone, shortened."""
    text = " ".join(_CONTACT.sub("…", note).split())
    return text if len(text) <= STORY_MAX else text[: STORY_MAX - 1].rstrip() + "…"
