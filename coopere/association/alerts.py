"""The console's alerts: what needs the association's attention in a perimeter, in words. Every
rule lives here (the perimeters page, its CSV and any other page read them from `alerts()`),
computed from the perimeter's phase and snapshot only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext

MIN_GROUP = 6  # « au moins 6 » animators, so that the load stays light for each
CAFE_MONTHS = 2  # a café a month is the method: two months without one is an alert
BACKUP_DAYS = 2  # backups run nightly: older than two days means they stopped
STALE_DAYS = 2  # snapshots are refreshed nightly too
#: Phases in which the group runs cafés: the group, café and copilote rules apply there only.
RUNNING_PHASES = ("lancement", "structuration", "autonome")
#: Phases the association still follows (a closed perimeter raises nothing).
FOLLOWED_PHASES = ("amorcage", "lancement", "structuration", "autonome", "sommeil")


@dataclass(frozen=True)
class Alert:
    key: str  # no_cafe, small_group, old_backup, no_copilote, stale_figures
    text: str


def parse_day(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_moment(value) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from `earlier` to `later` (14 March → 13 May: 1; → 14 May: 2)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


#: Each alert's words, by kind, for a number (days, months, people).
WORDS = {
    "stale_figures": lambda n: ngettext(
        "pas de chiffres depuis %(num)d jour", "pas de chiffres depuis %(num)d jours", n
    ),
    "no_cafe_yet": lambda n: _("pas encore de café"),
    "no_cafe": lambda n: _("pas de café depuis %(n)d mois", n=n),
    "small_group": lambda n: ngettext(
        "groupe de %(num)d personne", "groupe de %(num)d personnes", n
    ),
    "no_copilote": lambda n: _("pas de copilote"),
    "no_backup": lambda n: _("aucune sauvegarde"),
    "old_backup": lambda n: _("sauvegarde de plus de %(n)d jours", n=n),
}


def _say(kind: str, n: int = 0) -> str:
    """The alert's words, translated once per request (a page of 1,000 perimeters asks often)."""
    memo = g.setdefault("association_alert_words", {})
    if (kind, n) not in memo:
        memo[kind, n] = WORDS[kind](n)
    return memo[kind, n]


def _days_since(moment: datetime | None, now: datetime) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0, (now - moment) // timedelta(days=1))


def alerts(
    phase: str,
    figures: dict,
    taken_at: datetime | None,
    created_at: datetime | None,
    now: datetime,
) -> list[Alert]:
    """The alerts of one perimeter at `now` (aware). `figures` is its snapshot ({} when none)."""
    if phase not in FOLLOWED_PHASES:
        return []
    found = []
    age = _days_since(taken_at or created_at, now)
    if age is not None and age >= STALE_DAYS:
        found.append(Alert("stale_figures", _say("stale_figures", age)))
    if not figures:
        return found
    today = now.date()
    if phase in RUNNING_PHASES:
        last_cafe = parse_day(figures.get("last_cafe"))
        if last_cafe is None:
            found.append(Alert("no_cafe", _say("no_cafe_yet")))
        elif months_between(last_cafe, today) >= CAFE_MONTHS:
            found.append(Alert("no_cafe", _say("no_cafe", months_between(last_cafe, today))))
        size = int(figures.get("group_size") or 0)
        if size < MIN_GROUP:
            found.append(Alert("small_group", _say("small_group", size)))
        if not figures.get("copilote_set"):
            found.append(Alert("no_copilote", _say("no_copilote")))
    backup_age = _days_since(parse_moment(figures.get("last_backup")), now)
    if backup_age is None:
        found.append(Alert("old_backup", _say("no_backup")))
    elif backup_age >= BACKUP_DAYS:
        found.append(Alert("old_backup", _say("old_backup", BACKUP_DAYS)))
    return found
