"""Figures of the network's outreach for a period: cafés held, the group's tasks, letter runs."""

from __future__ import annotations

from collections import Counter, defaultdict

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from ..auth.models import Role, User
from ..cafe.models import CheckIn
from ..dwellings.models import LetterSent
from ..events.models import Event
from ..extensions import db
from ..group.models import RosterSlot
from ..i18n import person_name
from ..printruns.models import LetterScan, PrintRun
from ..timeutil import to_paris, utcnow
from .figures import member_at, percent, ratio
from .period import Period


def cafe_rows(period: Period) -> list[dict]:
    """Per café held: attendance (check-ins + visitors), first visits, registrations at the desk."""
    cafes = db.session.execute(
        select(Event.id, Event.starts_at, Event.visitors)
        .where(
            Event.kind == "cafe",
            Event.cancelled.is_(False),
            period.covers(Event.starts_at),
            Event.starts_at <= utcnow(),
        )
        .order_by(Event.starts_at)
    ).all()
    if not cafes:
        return []
    ids = [cafe.id for cafe in cafes]
    checkins = db.session.execute(
        select(CheckIn.event_id, CheckIn.user_id, CheckIn.newcomer).where(CheckIn.event_id.in_(ids))
    ).all()
    # A first visit: the person's earliest check-in (at any event) is at this café.
    first_event = (
        dict(
            db.session.execute(
                select(CheckIn.user_id, func.min(Event.starts_at))
                .join(Event, Event.id == CheckIn.event_id)
                .where(CheckIn.user_id.in_({c.user_id for c in checkins}))
                .group_by(CheckIn.user_id)
            ).all()
        )
        if checkins
        else {}
    )
    starts = {cafe.id: cafe.starts_at for cafe in cafes}
    per_cafe: dict[int, dict] = defaultdict(
        lambda: {"checked_in": 0, "first_visits": 0, "registrations": 0}
    )
    for c in checkins:
        row = per_cafe[c.event_id]
        row["checked_in"] += 1
        row["registrations"] += 1 if c.newcomer else 0
        row["first_visits"] += 1 if first_event.get(c.user_id) == starts[c.event_id] else 0
    rows = []
    for cafe in cafes:
        counts = per_cafe[cafe.id]
        rows.append(
            {
                "date": to_paris(cafe.starts_at).date().isoformat(),
                "attendance": counts["checked_in"] + cafe.visitors,
                "visitors": cafe.visitors,
                **counts,
            }
        )
    return rows


def group_rows(period: Period) -> list[dict]:
    """How the roster's tasks of the period's events were shared: tasks taken per volunteer."""
    taken = Counter(
        db.session.scalars(
            select(RosterSlot.volunteer_id)
            .join(Event, Event.id == RosterSlot.event_id)
            .where(Event.cancelled.is_(False), period.covers(Event.starts_at))
        ).all()
    )
    open_slots = taken.pop(None, 0)  # the tasks nobody took
    end = min(period.end_utc, utcnow())
    volunteers = db.session.execute(
        select(User.id, User.first_name, User.last_name).where(
            or_(
                User.id.in_(list(taken)),
                and_(member_at(end), User.role.in_([Role.ANIMATOR.value, Role.ADMIN.value])),
            )
        )
    ).all()
    total = sum(taken.values())
    rows = [
        {
            "volunteer": person_name(v.first_name, v.last_name, initial=True),
            "tasks": taken.get(v.id, 0),
            "share": percent(taken.get(v.id, 0), total) if total else 0.0,
        }
        for v in volunteers
    ]
    rows.sort(key=lambda r: (-r["tasks"], r["volunteer"].casefold()))
    return rows + (
        [{"volunteer": _("Tâches restées sans volontaire"), "tasks": open_slots, "share": None}]
        if open_slots
        else []
    )


def letter_rows(period: Period) -> list[dict]:
    """Per confirmed letter run of the period: letters, QR scans, registrations from those homes."""
    runs = db.session.execute(
        select(PrintRun.id, PrintRun.code, PrintRun.confirmed_at)
        .where(
            PrintRun.kind == "letters",
            PrintRun.confirmed_at.is_not(None),
            period.covers(PrintRun.confirmed_at),
        )
        .order_by(PrintRun.confirmed_at)
    ).all()
    if not runs:
        return []
    ids = [run.id for run in runs]
    sent: dict[int, set[int]] = defaultdict(set)
    for run_id, dwelling_id in db.session.execute(
        select(LetterSent.print_run_id, LetterSent.dwelling_id).where(
            LetterSent.print_run_id.in_(ids)
        )
    ):
        sent[run_id].add(dwelling_id)
    scans = Counter(
        db.session.scalars(select(LetterScan.print_run_id).where(LetterScan.print_run_id.in_(ids)))
    )
    newcomers = (
        db.session.execute(
            select(User.dwelling_id, User.created_at).where(
                User.dwelling_id.in_(set().union(*sent.values())),
                User.created_at >= runs[0].confirmed_at,
            )
        ).all()
        if any(sent.values())
        else []
    )
    rows = []
    for run in runs:
        registered = sum(
            1
            for person in newcomers
            if person.dwelling_id in sent[run.id] and person.created_at >= run.confirmed_at
        )
        rows.append(
            {
                "run": run.code,
                "date": to_paris(run.confirmed_at).date().isoformat(),
                "letters": len(sent[run.id]),
                "scans": scans.get(run.id, 0),
                "registrations": registered,
                "scan_rate": ratio(scans.get(run.id, 0), len(sent[run.id])),
            }
        )
    return rows
