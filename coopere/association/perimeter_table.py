"""The perimeters page's table: one row per perimeter an account follows, read from the network's
database only (entries, profiles, accounts, snapshots, this month's coaching minutes: a constant
number of queries whatever the number of perimeters), then filtered and sorted by the query
string. The CSV export writes the same rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..printing.models import Column, Table
from ..timeutil import paris_today
from . import perimeters
from .alerts import Alert, alerts, parse_day, parse_moment
from .models import Account, CoachingSession
from .phases import PHASE_LABELS, PHASES
from .store import db_session


@dataclass
class Row:
    slug: str
    name: str
    city: str
    postcode: str
    phase: str
    coach_id: int | None
    coach: str
    archived: bool
    taken_at: datetime | None
    dwellings: int | None
    members: int | None
    reach: float | None
    group_size: int | None
    pilote: str  # a name, « pilote : oui » or « pas de pilote » (or "" without figures)
    copilote: str
    last_cafe: date | None
    next_cafe: date | None
    cafes_3_months: int | None
    coaching_minutes: int
    last_backup: datetime | None
    alerts: list[Alert] = field(default_factory=list)

    @cached_property
    def plain_name(self) -> str:
        return _plain(self.name)

    @cached_property
    def plain_city(self) -> str:
        return _plain(self.city)

    @property
    def departement(self) -> str:
        return self.postcode[:2]

    @property
    def phase_label(self) -> str:
        return _phase_label(self.phase)

    @property
    def coaching_hours(self) -> float:
        return round(self.coaching_minutes / 60, 1)

    @property
    def alert_text(self) -> str:
        return " ; ".join(alert.text for alert in self.alerts)


#: Sort keys of the query string (`tri`) → the row's value; None sorts last.
SORTS = {
    "nom": lambda row: row.plain_name,
    "phase": lambda row: PHASES.index(row.phase) if row.phase in PHASES else len(PHASES),
    "accompagnateur": lambda row: _plain(row.coach) or None,
    "ville": lambda row: row.plain_city,
    "logements": lambda row: row.dwellings,
    "membres": lambda row: row.members,
    "portee": lambda row: row.reach,
    "groupe": lambda row: row.group_size,
    "pilote": lambda row: _plain(row.pilote) or None,
    "copilote": lambda row: _plain(row.copilote) or None,
    "dernier-cafe": lambda row: row.last_cafe,
    "prochain-cafe": lambda row: row.next_cafe,
    "cafes": lambda row: row.cafes_3_months,
    "accompagnement": lambda row: row.coaching_minutes,
    "sauvegarde": lambda row: row.last_backup,
    "chiffres": lambda row: row.taken_at,
    "alertes": lambda row: len(row.alerts),
}


def _plain(text: str | None) -> str:
    """Lower case without accents: « Évry » is found by « evry » and sorts beside « Eaubonne »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _phase_label(phase: str) -> str:
    memo = g.setdefault("association_phase_labels", {})
    if phase not in memo:
        memo[phase] = str(PHASE_LABELS.get(phase, phase))
    return memo[phase]


def _named(figures: dict, key: str, unnamed, missing) -> str:
    """The name the snapshot gives (with consent), else whether the role is filled."""
    if not figures:
        return ""
    if figures.get(key):
        return figures[key]
    return str(unnamed if figures.get(f"{key}_set") else missing)


def coaching_minutes(month_start: date) -> dict[str, int]:
    """Minutes of coaching logged this month, by perimeter (one query)."""
    rows = db_session().execute(
        select(CoachingSession.slug, func.sum(CoachingSession.minutes))
        .where(CoachingSession.held_on >= month_start)
        .group_by(CoachingSession.slug)
    )
    return {slug: int(total or 0) for slug, total in rows}


def rows_for(account: Account, now: datetime) -> list[Row]:
    """Every perimeter this account follows, as rows, with their alerts at `now` (aware)."""
    month_start = paris_today().replace(day=1)
    minutes = coaching_minutes(month_start)
    words = {  # translated once, not once a row
        "pilote": (_("pilote : oui"), _("pas de pilote")),
        "copilote": (_("copilote : oui"), _("pas de copilote")),
    }
    made = []
    for one in perimeters.followed(account, brief=True):
        figures = one.figures
        taken_at = one.snapshot.taken_at if one.snapshot else None
        if taken_at is not None and taken_at.tzinfo is None:  # SQLite gives naive datetimes
            taken_at = taken_at.replace(tzinfo=now.tzinfo)
        created_at = one.entry.created_at
        if created_at is not None and created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=now.tzinfo)
        archived = one.entry.status == "archived"
        made.append(
            Row(
                slug=one.slug,
                name=one.entry.name,
                city=one.entry.city,
                postcode=one.entry.postcode,
                phase=one.profile.phase,
                coach_id=one.profile.coach_id,
                coach=one.coach.name if one.coach else "",
                archived=archived,
                taken_at=taken_at,
                dwellings=figures.get("dwellings"),
                members=figures.get("members"),
                reach=figures.get("reach"),
                group_size=figures.get("group_size"),
                pilote=_named(figures, "pilote", *words["pilote"]),
                copilote=_named(figures, "copilote", *words["copilote"]),
                last_cafe=parse_day(figures.get("last_cafe")),
                next_cafe=parse_day(figures.get("next_cafe")),
                cafes_3_months=figures.get("cafes_last_3_months"),
                coaching_minutes=minutes.get(one.slug, 0),
                last_backup=parse_moment(figures.get("last_backup")),
                alerts=[]
                if archived
                else alerts(one.profile.phase, figures, taken_at, created_at, now),
            )
        )
    return made


@dataclass(frozen=True)
class Filters:
    phase: str = ""
    coach: str = ""  # an account id, or "aucun" (no coach yet)
    departement: str = ""
    alerts_only: bool = False
    text: str = ""
    sort: str = "nom"
    descending: bool = False

    @classmethod
    def from_args(cls, args) -> Filters:
        sort = args.get("tri", "nom")
        return cls(
            phase=args.get("phase", "") if args.get("phase", "") in PHASES else "",
            coach=(args.get("accompagnateur", "") or "")[:12],
            departement=(args.get("departement", "") or "").strip()[:3],
            alerts_only=args.get("alertes", "") == "1",
            text=(args.get("q", "") or "").strip()[:80],
            sort=sort if sort in SORTS else "nom",
            descending=args.get("sens", "") == "desc",
        )

    def args(self, **changes) -> dict:
        """The query string of these filters (with `changes`), empty values left out."""
        values = {
            "phase": self.phase,
            "accompagnateur": self.coach,
            "departement": self.departement,
            "alertes": "1" if self.alerts_only else "",
            "q": self.text,
            "tri": self.sort if self.sort != "nom" else "",
            "sens": "desc" if self.descending else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}

    def sort_args(self, key: str) -> dict:
        """The query string that sorts by `key` (the other way round if it sorts by it already)."""
        descending = key == self.sort and not self.descending
        return self.args(tri=key if key != "nom" else "", sens="desc" if descending else "")

    @property
    def active(self) -> bool:
        return bool(self.phase or self.coach or self.departement or self.alerts_only or self.text)


def apply(rows: list[Row], filters: Filters) -> list[Row]:
    """The rows these filters keep, in their order."""
    kept = rows
    if filters.phase:
        kept = [row for row in kept if row.phase == filters.phase]
    if filters.coach == "aucun":
        kept = [row for row in kept if row.coach_id is None]
    elif filters.coach.isdigit():
        kept = [row for row in kept if row.coach_id == int(filters.coach)]
    if filters.departement:
        kept = [row for row in kept if row.departement == filters.departement]
    if filters.alerts_only:
        kept = [row for row in kept if row.alerts]
    if filters.text:
        wanted = _plain(filters.text)
        kept = [row for row in kept if wanted in row.plain_name or wanted in row.plain_city]
    key = SORTS[filters.sort]
    keyed = [(key(row), row) for row in kept]
    present = [(value, row) for value, row in keyed if value is not None]
    present.sort(key=lambda pair: (pair[0], pair[1].plain_name), reverse=filters.descending)
    return [row for _, row in present] + [row for value, row in keyed if value is None]


def departements(rows: list[Row]) -> list[str]:
    return sorted({row.departement for row in rows if row.departement})


def csv_table(rows: list[Row]) -> Table:
    """The rows as a figure Table (French headers), for coopere/reports/csv_export.py."""
    columns = (
        Column("slug", str(_l("Identifiant"))),
        Column("name", str(_l("Périmètre"))),
        Column("city", str(_l("Commune"))),
        Column("postcode", str(_l("Code postal"))),
        Column("phase", str(_l("Phase"))),
        Column("coach", str(_l("Accompagnateur·rice"))),
        Column("dwellings", str(_l("Logements")), numeric=True),
        Column("members", str(_l("Membres")), numeric=True),
        Column("reach", str(_l("Portée")), numeric=True),
        Column("group", str(_l("Groupe d'animation")), numeric=True),
        Column("pilote", str(_l("Pilote"))),
        Column("copilote", str(_l("Copilote"))),
        Column("last_cafe", str(_l("Dernier café"))),
        Column("next_cafe", str(_l("Prochain café"))),
        Column("cafes", str(_l("Cafés des 3 derniers mois")), numeric=True),
        Column("coaching", str(_l("Heures d'accompagnement ce mois-ci")), numeric=True),
        Column("backup", str(_l("Dernière sauvegarde"))),
        Column("taken_at", str(_l("Chiffres du"))),
        Column("alerts", str(_l("Alertes"))),
    )

    def iso(value) -> str:
        return value.isoformat() if value is not None else ""

    return Table(
        name="perimetres",
        title=str(_l("Périmètres")),
        columns=columns,
        rows=tuple(
            (
                row.slug,
                row.name,
                row.city,
                row.postcode,
                row.phase_label,
                row.coach,
                row.dwellings,
                row.members,
                row.reach,
                row.group_size,
                row.pilote,
                row.copilote,
                iso(row.last_cafe),
                iso(row.next_cafe),
                row.cafes_3_months,
                row.coaching_hours,
                iso(row.last_backup)[:16].replace("T", " "),
                iso(row.taken_at)[:16].replace("T", " "),
                row.alert_text,
            )
            for row in rows
        ),
    )
