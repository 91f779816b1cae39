"""The network's figures: each followed perimeter's snapshot months added up, over a period of
months and a chosen set of perimeters. Pure functions of the snapshots (no database here).

A snapshot's ``months`` hold, for each « AAAA-MM », the figures `coopere.reports.summary.summary`
gives for that calendar month (its SUMMARY_KEYS and EXTRA_KEYS). Over a period of several months
the two kinds of figure are not added up the same way — the one rule of the console, written
here once:

- a **stock** (how many at a moment: members, dwellings, dwellings reached, open offers, the
  group's size…) is the perimeter's value at the **end of the period**: the last month of the
  period that its snapshot holds (a perimeter started during the period counts its last month;
  one without any month of the period counts nothing);
- a **flow** (what happened: exchanges done, cafés held and their attendance, letters sent, new
  members, listings published…) is the **sum over the months** of the period. A collective
  project published one month and held the next counts in both, as it does in the perimeter's
  own reports of each month;
- then the perimeters are added up with `coopere.reports.summary.merge` — the same rules as
  `flask report --merge` — which recomputes **reach** (members ÷ dwellings) and the share of
  dwellings reached from the sums instead of adding ratios.

A month of the network (the month-by-month table) is the same rule over a period of one month.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from ..reports.figures import ratio
from ..reports.summary import EXTRA_KEYS, SUMMARY_KEYS, merge
from ..timeutil import add_months

# Taken at the end of the period (reach: recomputed from members and dwellings).
STOCK_KEYS = (
    "dwellings",
    "members",
    "members_offline",
    "reach",
    "dwellings_reached",
    "offers_open",
    "needs_open",
    "members_sponsored",
    "activations_pending",
    "group_size",
)
# Summed over the months of the period: every other key of the perimeter's report.
FLOW_KEYS = tuple(key for key in SUMMARY_KEYS + EXTRA_KEYS if key not in STOCK_KEYS)

DEFAULT_MONTHS = 12  # the default period: this month and the eleven before
MONTHS_KEPT = 24  # how many months a snapshot holds (coopere/association/snapshot.py)


class FiguresError(ValueError):
    """A period or a filter the console refuses; the message is French and safe to show."""


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(key: str) -> date:
    """The first day of « AAAA-MM »; FiguresError (French) for anything else."""
    try:
        year, month = key.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(key)
        return date(int(year), int(month), 1)
    except (AttributeError, ValueError):
        raise FiguresError(
            _l("« %(text)s » n'est pas un mois : écrivez-le comme 2026-03.", text=key)
        ) from None


def month_end(key: str) -> date:
    start = month_start(key)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def months_between(first: str, last: str) -> list[str]:
    """« 2025-11 » … « 2026-02 », both ends included."""
    day, end = month_start(first), month_start(last)
    keys = []
    while day <= end:
        keys.append(month_key(day))
        day = add_months(day, 1)
    return keys


def default_period(today: date) -> tuple[str, str]:
    """The last twelve months: this month and the eleven before it."""
    return month_key(add_months(today.replace(day=1), 1 - DEFAULT_MONTHS)), month_key(today)


def check_period(first: str, last: str, today: date) -> tuple[str, str]:
    """The period as asked, or FiguresError in French: both months valid, in order, not after
    this month, at most the 24 months a snapshot holds."""
    start, end = month_start(first), month_start(last)
    if start > end:
        raise FiguresError(_l("Le premier mois doit venir avant le dernier."))
    if end > today:
        raise FiguresError(_l("Le dernier mois ne peut pas être dans l'avenir."))
    if len(months_between(first, last)) > MONTHS_KEPT:
        raise FiguresError(
            _l(
                "Choisissez au plus %(count)d mois : les chiffres gardés par le réseau ne "
                "remontent pas plus loin.",
                count=MONTHS_KEPT,
            )
        )
    return first, last


@lru_cache(maxsize=64)
def _bounds(first: str, last: str) -> tuple[str, str]:
    return month_start(first).isoformat(), month_end(last).isoformat()


def over_months(months: dict, wanted: list[str], name: str = "") -> dict:
    """One perimeter's figures over the months ``wanted`` (in order): flows summed, stocks of
    the last month its snapshot holds, reach recomputed. A report `merge` can add up."""
    held = [months[key] for key in wanted if key in months]
    figures: dict = dict.fromkeys(FLOW_KEYS, 0)
    for month in held:
        for key in FLOW_KEYS:
            value = month.get(key)
            if value:
                figures[key] += int(value)
    last = held[-1] if held else {}
    for key in STOCK_KEYS:
        figures[key] = int(last.get(key) or 0)
    figures["reach"] = ratio(figures["members"], figures["dwellings"])
    figures["dwellings_reached_share"] = ratio(figures["dwellings_reached"], figures["dwellings"])
    figures["period_from"], figures["period_to"] = _bounds(wanted[0], wanted[-1])
    figures["perimeter"] = name
    figures["months_held"] = len(held)
    return figures


def departement(postcode: str | None) -> str:
    """The département of a French postcode: its first two digits (« 44 » for 44300)."""
    return (postcode or "")[:2]


@dataclass(frozen=True)
class Selection:
    """Which perimeters and which months: the filters of the figures page (None: no filter)."""

    first: str
    last: str
    departement: str | None = None
    coach_id: int | None = None
    phase: str | None = None

    @property
    def months(self) -> list[str]:
        return months_between(self.first, self.last)

    def keeps(self, row) -> bool:
        """Whether a followed perimeter (coopere/association/perimeters.Followed) is chosen."""
        if self.departement and departement(row.entry.postcode) != self.departement:
            return False
        if self.coach_id is not None and row.profile.coach_id != self.coach_id:
            return False
        return not (self.phase and row.profile.phase != self.phase)


@dataclass
class PerimeterFigures:
    """One chosen perimeter: who it is (no person) and its figures over the period."""

    slug: str
    name: str
    city: str
    departement: str
    phase: str
    figures: dict
    months: dict = field(repr=False)


@dataclass
class NetworkFigures:
    selection: Selection
    perimeters: list[PerimeterFigures]
    total: dict  # merge() of the perimeters' figures over the period
    by_month: list[tuple[str, dict]]  # (AAAA-MM, merge() of that month)
    snapshot_dates: tuple  # (oldest, newest) taken_at of the chosen perimeters' snapshots


def network_figures(rows: Iterable, selection: Selection) -> NetworkFigures:
    """The figures of the followed perimeters ``rows`` that ``selection`` keeps. Reads each
    snapshot's JSON once; no query."""
    wanted = selection.months
    chosen: list[PerimeterFigures] = []
    taken = []
    for row in rows:
        if not selection.keeps(row):
            continue
        months = row.figures.get("months") or {}
        if row.snapshot is not None:
            taken.append(row.snapshot.taken_at)
        chosen.append(
            PerimeterFigures(
                slug=row.slug,
                name=row.entry.name,
                city=row.entry.city,
                departement=departement(row.entry.postcode),
                phase=row.profile.phase,
                figures=over_months(months, wanted, row.entry.name),
                months=months,
            )
        )
    total = merge([item.figures for item in chosen])
    # A month alone: the snapshot's month is already its figures (stocks at its end, flows in
    # it), and merge() reads nothing else; a perimeter without that month adds nothing.
    by_month = [
        (month, merge([item.months[month] for item in chosen if month in item.months]))
        for month in wanted
    ]
    return NetworkFigures(
        selection,
        chosen,
        total,
        by_month,
        (min(taken), max(taken)) if taken else (None, None),
    )
