"""The data milestones of a perimeter (association/phases.py, source "data"): each read from the
perimeter's own data, dated the Paris day it was first met, or None. Pure reads.

How each is read (the console's tracker shows them as done without anyone ticking them):
- register_imported: the register holds dwellings: the day the oldest one came in (imported
  or typed in);
- meeting_place_set: the perimeter's settings have a meeting place: the first settings change that
  wrote it after the perimeter's creation, else the creation day;
- letter_run_confirmed: the first letter print run confirmed as delivered;
- apero_info_held: the first apéro-info held (not cancelled, started) with attendance recorded (a
  check-in at its desk, or the « +1 visiteur » counter);
- group_formed: the group (group.services.animators) counts at least 6 people with a pilote and
  a copilote today: the day the last of those conditions was met, from the audit log's role
  changes (an account's creation when its entry is past the audit's retention); None when the
  group does not meet them today;
- cafes_monthly: the first café held that made three calendar months in a row with a café held;
- roster_shared: the first event held whose roster had tasks taken by two people or more;
- newsletter_sent: coopere.newsletter.services.last_sent_on() once that module exists;
- fete_held: the first Fête de la Coopération held (not cancelled, started);
- yearly_report_printed: the first yearly report PDF opened (the audit's « report.printed »,
  kept AUDIT_RETENTION_MONTHS).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select

from ..audit.models import AuditEvent
from ..auth.models import GroupRole, Role, User
from ..cafe.models import CheckIn
from ..dwellings.models import Dwelling
from ..events.models import Event, EventKind
from ..extensions import db
from ..group.models import RosterSlot
from ..perimeter.models import Perimeter
from ..perimeter.services import SETTINGS_FIELDS
from ..printruns.models import PrintRun
from ..timeutil import add_months, to_paris

GROUP_FORMED_SIZE = 6  # the method: at least 6, so that the load stays light for each
GROUP_ROLES = (Role.ANIMATOR.value, Role.ADMIN.value)


def paris_day(moment: datetime | None) -> date | None:
    return to_paris(moment).date() if moment is not None else None


def register_imported() -> date | None:
    return paris_day(db.session.scalar(select(func.min(Dwelling.created_at))))


def meeting_place_set(perimeter: Perimeter | None) -> date | None:
    if perimeter is None or not (perimeter.meeting_place or "").strip():
        return None
    for at, details in db.session.execute(
        select(AuditEvent.at, AuditEvent.details)
        .where(
            AuditEvent.action == "perimeter.settings_changed",
            AuditEvent.details.contains('"meeting_place"'),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ):
        fields = _details(details).get("fields") or []
        if set(fields) != set(SETTINGS_FIELDS):  # the creation writes every field
            return paris_day(at)
    return paris_day(perimeter.created_at)


def letter_run_confirmed() -> date | None:
    return paris_day(
        db.session.scalar(
            select(func.min(PrintRun.confirmed_at)).where(
                PrintRun.kind == "letters", PrintRun.confirmed_at.is_not(None)
            )
        )
    )


def _held(kind: EventKind, now: datetime):
    return Event.kind == kind.value, Event.cancelled.is_(False), Event.starts_at <= now


def apero_info_held(now: datetime) -> date | None:
    checked_in = select(CheckIn.id).where(CheckIn.event_id == Event.id).exists()
    return paris_day(
        db.session.scalar(
            select(func.min(Event.starts_at)).where(
                *_held(EventKind.APERO_INFO, now), (Event.visitors > 0) | checked_in
            )
        )
    )


def fete_held(now: datetime) -> date | None:
    return paris_day(
        db.session.scalar(select(func.min(Event.starts_at)).where(*_held(EventKind.FETE, now)))
    )


def cafes_monthly(held_cafes: list[datetime]) -> date | None:
    """`held_cafes`: the start of every café held, oldest first."""
    months = set()
    for start in held_cafes:
        day = paris_day(start)
        month = day.replace(day=1)
        months.add(month)
        if add_months(month, -1) in months and add_months(month, -2) in months:
            return day
    return None


def roster_shared(now: datetime) -> date | None:
    shared = (
        select(RosterSlot.event_id)
        .where(RosterSlot.volunteer_id.is_not(None))
        .group_by(RosterSlot.event_id)
        .having(func.count(func.distinct(RosterSlot.volunteer_id)) >= 2)
    )
    return paris_day(
        db.session.scalar(
            select(func.min(Event.starts_at)).where(
                Event.id.in_(shared), Event.cancelled.is_(False), Event.starts_at <= now
            )
        )
    )


def group_formed(group: list[User]) -> date | None:
    """`group`: group.services.animators() (the group today)."""
    by_role = {user.group_role: user for user in group if user.group_role}
    pilote, copilote = by_role.get(GroupRole.PILOTE.value), by_role.get(GroupRole.COPILOTE.value)
    if len(group) < GROUP_FORMED_SIZE or pilote is None or copilote is None:
        return None
    joined = {user.id: user.created_at for user in group}  # created in the group, or before
    led = {pilote.id: pilote.created_at, copilote.id: copilote.created_at}
    for target, action, at, details in db.session.execute(
        select(AuditEvent.target_user_id, AuditEvent.action, AuditEvent.at, AuditEvent.details)
        .where(
            AuditEvent.action.in_(["account.role_changed", "group.role_changed"]),
            AuditEvent.target_user_id.in_(list(joined)),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ):
        change = _details(details)
        if action == "account.role_changed":
            if change.get("old") not in GROUP_ROLES and change.get("new") in GROUP_ROLES:
                joined[target] = at
        elif target in led and change.get("new") == (
            GroupRole.PILOTE.value if target == pilote.id else GroupRole.COPILOTE.value
        ):
            led[target] = at
    sixth = sorted(joined.values())[GROUP_FORMED_SIZE - 1]
    return paris_day(max(sixth, *led.values()))


def yearly_report_printed() -> date | None:
    return paris_day(
        db.session.scalar(
            select(func.min(AuditEvent.at)).where(AuditEvent.action == "report.printed")
        )
    )


def newsletter_sent() -> date | None:
    """The newsletter's last sending day (issue #17), None while the newsletter does not exist."""
    try:
        from ..newsletter.services import last_sent_on
    except ImportError:
        return None
    sent = last_sent_on()
    return paris_day(sent) if isinstance(sent, datetime) else sent


def _details(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
