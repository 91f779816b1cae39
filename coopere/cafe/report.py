"""The event report after a café: its figures (present, newcomers, visitors, listings
collected), the notes written about it, and the past reports with their totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from ..auth.models import User
from ..events.models import Event
from ..extensions import db
from ..listings.models import Listing, ListingKind
from ..timeutil import to_utc, utcnow
from .desk import DeskCounts, desk_counts, event_day
from .models import CheckIn, EventReport
from .services import COLLECTED_MAX, REPORT_NOTES_MAX, REPORTS_PAGE_SIZE, CafeError


# --- the event report ---------------------------------------------------------------------------


@dataclass
class ReportFigures:
    present: int
    newcomers: int
    visitors: int
    offers: int  # offers and needs drafted when the newcomers registered (the form's defaults)
    needs: int

    @property
    def attendance(self) -> int:
        return self.present + self.visitors


def _day_start_utc(day: date) -> datetime:
    return to_utc(day, time(0))


def collected_listings(event: Event) -> tuple[int, int]:
    """Offers and needs drafted for the newcomers of `event` when they registered: listings of
    people checked in as newcomers, created from the event's day until their check-in (the
    registration desk writes the questionnaire's answers just before the check-in; a paper
    sheet typed in a few days later counts too)."""
    rows = db.session.execute(
        select(Listing.kind, func.count(Listing.id))
        .join(
            CheckIn,
            and_(
                CheckIn.user_id == Listing.owner_id,
                CheckIn.event_id == event.id,
                CheckIn.newcomer.is_(True),
            ),
        )
        .where(
            Listing.created_at >= _day_start_utc(event_day(event)), Listing.created_at <= CheckIn.at
        )
        .group_by(Listing.kind)
    ).all()
    counts = dict(rows)
    return counts.get(ListingKind.OFFER.value, 0), counts.get(ListingKind.NEED.value, 0)


def report_figures(event: Event) -> ReportFigures:
    counts = desk_counts(event)
    offers, needs = collected_listings(event)
    return ReportFigures(
        present=counts.present,
        newcomers=counts.newcomers,
        visitors=counts.visitors,
        offers=offers,
        needs=needs,
    )


def report_of(event: Event) -> EventReport | None:
    return db.session.scalar(select(EventReport).where(EventReport.event_id == event.id))


def save_report(event: Event, values: dict, *, actor: User) -> EventReport:
    """Write (or rewrite) the report of an event that has started. `values`: offers_collected,
    needs_collected, notes (checked by the form; checked again here)."""
    if event.cancelled:
        raise CafeError(_l("Ce rendez-vous est annulé : il n'a pas de bilan."))
    if not event.has_started():
        raise CafeError(_l("Le bilan s'écrit une fois le rendez-vous commencé."))
    offers, needs = values.get("offers_collected"), values.get("needs_collected")
    for number in (offers, needs):
        if not isinstance(number, int) or not 0 <= number <= COLLECTED_MAX:
            raise CafeError(_l("Indiquez un nombre de 0 à %(max)d.", max=COLLECTED_MAX))
    notes = (values.get("notes") or "").strip()
    if len(notes) > REPORT_NOTES_MAX:
        raise CafeError(
            _l("Les notes sont trop longues (%(max)d caractères au plus).", max=REPORT_NOTES_MAX)
        )
    report = report_of(event)
    if report is None:
        report = EventReport(event_id=event.id)
        try:
            with db.session.begin_nested():
                db.session.add(report)
        except IntegrityError:  # written at the same moment on another device: update that one
            report = report_of(event)
    report.offers_collected, report.needs_collected, report.notes = offers, needs, notes
    report.written_by_id = actor.id
    return report


@dataclass
class ReportRow:
    event: Event
    present: int
    newcomers: int
    report: EventReport | None

    @property
    def attendance(self) -> int:
        return self.present + self.event.visitors


def past_reports(page: int = 1, page_size: int = REPORTS_PAGE_SIZE) -> tuple[list[ReportRow], int]:
    """Events that have started (not cancelled), newest first, each with its attendance,
    newcomers and report: three queries whatever the number of events."""
    counts = (
        select(
            CheckIn.event_id.label("event_id"),
            func.count(CheckIn.id).label("present"),
            func.sum(case((CheckIn.newcomer.is_(True), 1), else_=0)).label("newcomers"),
        )
        .group_by(CheckIn.event_id)
        .subquery()
    )
    where = (Event.starts_at <= utcnow(), Event.cancelled.is_(False))
    total = db.session.scalar(select(func.count(Event.id)).where(*where))
    rows = db.session.execute(
        select(
            Event,
            func.coalesce(counts.c.present, 0),
            func.coalesce(counts.c.newcomers, 0),
            EventReport,
        )
        .outerjoin(counts, counts.c.event_id == Event.id)
        .outerjoin(EventReport, EventReport.event_id == Event.id)
        .where(*where)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        ReportRow(event=event, present=present, newcomers=int(newcomers), report=report)
        for event, present, newcomers, report in rows
    ], total


def totals_of_past_events() -> DeskCounts:
    """All started, not cancelled events together: check-ins, newcomers and visitors."""
    where = (Event.starts_at <= utcnow(), Event.cancelled.is_(False))
    present, newcomers = db.session.execute(
        select(
            func.count(CheckIn.id),
            func.coalesce(func.sum(case((CheckIn.newcomer.is_(True), 1), else_=0)), 0),
        )
        .join(Event, Event.id == CheckIn.event_id)
        .where(*where)
    ).one()
    visitors = db.session.scalar(select(func.coalesce(func.sum(Event.visitors), 0)).where(*where))
    return DeskCounts(present=present, newcomers=int(newcomers), visitors=int(visitors))
