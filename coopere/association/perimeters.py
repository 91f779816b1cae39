"""The perimeters as the association follows them: each one's profile (phase, coach) and its last
snapshot, read from the network's database only; who may see which."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Text, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from ..network import registry
from ..network.registry import PerimeterEntry
from .models import Account, PerimeterProfile, Role, Snapshot
from .store import db_session, network


@dataclass
class Followed:
    """One perimeter on the console's pages."""

    entry: PerimeterEntry
    profile: PerimeterProfile
    coach: Account | None
    snapshot: ReadSnapshot | None
    _figures: dict | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def figures(self) -> dict:
        """The snapshot's JSON, parsed on first use only (a 24-month snapshot is most of a
        figures page's time at 1,000 perimeters)."""
        if self._figures is None:
            self._figures = json.loads(self.snapshot.data) if self.snapshot else {}
        return self._figures


def profile_for(slug: str) -> PerimeterProfile:
    """The perimeter's profile, made on first use (a perimeter created before the console starts in
    the phase amorçage)."""
    session = db_session()
    profile = session.get(PerimeterProfile, slug)
    if profile is None:
        profile = PerimeterProfile(slug=slug, phase="amorcage", phase_since=date.today())
        session.add(profile)
        session.flush()
    return profile


@dataclass(frozen=True)
class ReadSnapshot:
    """A snapshot as a page reads it: three plain columns, not a row of the session (nothing to
    save, no object for the session to track across 1,000 perimeters). Read `brief`, its JSON
    lacks HEAVY_KEYS."""

    slug: str
    taken_at: datetime
    data: str


#: The snapshot's keys a list of perimeters leaves out (`followed(..., brief=True)`): most of
#: its size, parsed in the database rather than in Python.
HEAVY_KEYS = ("months", "milestones")


def _brief_data(session):
    """The snapshot's JSON without HEAVY_KEYS, as an SQL expression (SQLite or PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        expression = cast(Snapshot.data, JSONB)
        for key in HEAVY_KEYS:
            expression = expression.op("-")(key)
        return cast(expression, Text)
    return func.json_remove(Snapshot.data, *(f"$.{key}" for key in HEAVY_KEYS))


def _snapshots(session, brief: bool) -> dict[str, ReadSnapshot]:
    data = _brief_data(session) if brief else Snapshot.data
    rows = session.execute(select(Snapshot.slug, Snapshot.taken_at, data))
    return {slug: ReadSnapshot(slug, at, text) for slug, at, text in rows}


def followed(
    account: Account, slugs: list[str] | None = None, *, brief: bool = False
) -> list[Followed]:
    """The perimeters this account follows (coordination: all; a coach: the ones confided to them),
    archived ones included, in slug order: four queries whatever their number. `brief`: their
    snapshots without the figures month by month nor the milestones (a list of 1,000 perimeters
    reads the rest only)."""
    return in_scope(scope_of(account), slugs, brief=brief)


def scope_of(account: Account) -> int | None:
    """What an account follows: None (every perimeter) for the coordination, else the account's
    id (the perimeters it coaches)."""
    return None if account.role == Role.COORDINATION else account.id


def in_scope(
    scope_id: int | None, slugs: list[str] | None = None, *, brief: bool = False
) -> list[Followed]:
    """The perimeters of a scope (scope_of): `followed` without a logged-in account (a
    background job's)."""
    session = db_session()
    entries = list(session.scalars(select(PerimeterEntry).order_by(PerimeterEntry.slug)))
    if slugs is not None:
        wanted = set(slugs)
        entries = [entry for entry in entries if entry.slug in wanted]
    profiles = {profile.slug: profile for profile in session.scalars(select(PerimeterProfile))}
    missing = [entry.slug for entry in entries if entry.slug not in profiles]
    for slug in missing:
        profiles[slug] = profile_for(slug)
    if missing:
        session.commit()
    coaches = {person.id: person for person in session.scalars(select(Account))}
    snapshots = _snapshots(session, brief)
    rows = [
        Followed(
            entry,
            profiles[entry.slug],
            coaches.get(profiles[entry.slug].coach_id),
            snapshots.get(entry.slug),
        )
        for entry in entries
    ]
    if scope_id is not None:
        rows = [row for row in rows if row.profile.coach_id == scope_id]
    return rows


def one(account: Account, slug: str) -> Followed | None:
    """One perimeter if this account follows it, else None (the view answers 404)."""
    rows = followed(account, [slug])
    return rows[0] if rows else None


def entry(slug: str) -> PerimeterEntry | None:
    return registry.get(network(), slug)
