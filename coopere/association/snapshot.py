"""The perimeter's snapshot for the association's console: `collect()`, run inside a perimeter's
app context, reads the perimeter's database (and its backups folder) and returns a plain dict,
stored as JSON by the network (the `network-snapshot` job of coopere/schedule.py). Pure read.

No personal data: counts, dates, and the pilote's and copilote's « Prénom N. » only when they
agreed to be known by the association. Keys (docs: /work/notes/console-design.md, version 1):
version, taken_at, perimeter_name, dwellings, members, members_offline, reach, group_size,
pilote, copilote, pilote_set, copilote_set, last_cafe, next_cafe, cafes_last_3_months,
last_backup, milestones {key: date or None}, months {"YYYY-MM": figures of reports.summary}."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from ..auth.models import GroupRole, User
from ..backup.files import list_backups
from ..events.models import Event, EventKind
from ..extensions import db
from ..group.services import animators
from ..i18n import person_name
from ..perimeter.models import get_perimeter
from ..timeutil import months_before, to_paris, utcnow
from . import data_milestones as read
from .months import month_periods, monthly_figures
from .phases import DATA_MILESTONES

VERSION = 1
MONTHS = 24


def _known_to_association(user: User) -> bool:
    """Whether this person agreed to be named to the association (the consent is recorded in the
    perimeter; until the perimeter has it, nobody is named)."""
    return bool(getattr(user, "known_to_association", False))


def _named(user: User | None) -> str | None:
    if user is None or not _known_to_association(user):
        return None
    return person_name(user.first_name, user.last_name, initial=True)


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def _naive_utc(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now


def _cafes(now: datetime) -> tuple[list[datetime], datetime | None]:
    """The start of every café held (oldest first), and of the next one planned."""
    cafe = (Event.kind == EventKind.CAFE.value, Event.cancelled.is_(False))
    held = list(
        db.session.scalars(
            select(Event.starts_at).where(*cafe, Event.starts_at <= now).order_by(Event.starts_at)
        )
    )
    upcoming = db.session.scalar(
        select(func.min(Event.starts_at)).where(*cafe, Event.starts_at > now)
    )
    return held, upcoming


def _last_backup() -> str | None:
    backups = list_backups()
    return backups[0].created_at.isoformat() if backups else None


def collect(now: datetime | None = None) -> dict:
    """The perimeter's snapshot at `now` (default: now), a JSON-ready dict."""
    now = _naive_utc(now)
    perimeter = get_perimeter()
    group = animators()
    leaders = {user.group_role: user for user in group if user.group_role}
    pilote, copilote = leaders.get(GroupRole.PILOTE.value), leaders.get(GroupRole.COPILOTE.value)
    held, upcoming = _cafes(now)
    three_months_ago = months_before(now, 3)
    months = monthly_figures(month_periods(to_paris(now).date(), MONTHS), now)
    current = months[max(months)]
    milestones = {
        "register_imported": read.register_imported(),
        "meeting_place_set": read.meeting_place_set(perimeter),
        "letter_run_confirmed": read.letter_run_confirmed(),
        "apero_info_held": read.apero_info_held(now),
        "group_formed": read.group_formed(group),
        "cafes_monthly": read.cafes_monthly(held),
        "roster_shared": read.roster_shared(now),
        "newsletter_sent": read.newsletter_sent(),
        "fete_held": read.fete_held(now),
        "yearly_report_printed": read.yearly_report_printed(),
    }
    return {
        "version": VERSION,
        "taken_at": now.replace(tzinfo=UTC).isoformat(),
        "perimeter_name": perimeter.name if perimeter is not None else "",
        "dwellings": current["dwellings"],
        "members": current["members"],
        "members_offline": current["members_offline"],
        "reach": current["reach"],
        "group_size": len(group),
        "pilote": _named(pilote),
        "copilote": _named(copilote),
        "pilote_set": pilote is not None,
        "copilote_set": copilote is not None,
        "last_cafe": _iso(read.paris_day(held[-1])) if held else None,
        "next_cafe": _iso(read.paris_day(upcoming)),
        "cafes_last_3_months": sum(1 for start in held if start > three_months_ago),
        "last_backup": _last_backup(),
        "milestones": {key: _iso(milestones[key]) for key in DATA_MILESTONES},
        "months": months,
    }
