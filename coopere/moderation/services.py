"""Moderation, for the principle of neutralité (no political, religious or commercial use) and
for respect between neighbours: members report a listing or a message of one of their exchanges,
with a reason; animators see the open reports in a queue, grouped by object, and the handled ones.

The animators' decisions (hide, restore, keep, warn): moderation/decisions.py. Functions work in
the current transaction; the caller commits, or rolls back on ModerationError."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..exchanges.models import Exchange, Message
from ..extensions import db
from ..group.services import animators
from ..listings.models import Listing, ListingStatus
from ..notifications.services import notify
from .models import Report, ReportReason, ReportStatus

TEXT_MAX = 1000  # the reporter's words
NOTE_MAX = 1000  # the animator's reason, shown to the member concerned
HISTORY_PER_PAGE = 20

REASON_LABELS = {
    ReportReason.POLITICAL.value: _l("Propos ou propagande politique"),
    ReportReason.RELIGIOUS.value: _l("Propos ou prosélytisme religieux"),
    ReportReason.COMMERCIAL.value: _l("Usage commercial (vente, publicité, service payant)"),
    ReportReason.DISRESPECTFUL.value: _l("Propos irrespectueux ou blessants"),
    ReportReason.OTHER.value: _l("Autre raison"),
}
STATUS_LABELS = {
    ReportStatus.OPEN.value: _l("à examiner"),
    ReportStatus.HIDDEN.value: _l("masqué"),
    ReportStatus.KEPT.value: _l("gardé"),
}
# Listings that neighbours may come across, hence report: not drafts (private) nor hidden ones.
REPORTABLE = tuple(
    status.value
    for status in ListingStatus
    if status not in (ListingStatus.DRAFT, ListingStatus.HIDDEN)
)


class ModerationError(ValueError):
    """A refused report or decision; the message is French (lazy) and safe to show. `field`
    names the form field it concerns, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason))


# --- reporting ------------------------------------------------------------------------------


def reportable_listing(listing_id: int) -> Listing | None:
    """A listing neighbours can see (so may report); None otherwise (the page answers 404)."""
    return db.session.scalar(
        select(Listing).where(Listing.id == listing_id, Listing.status.in_(REPORTABLE))
    )


def open_report_by(
    reporter: User, *, listing: Listing | None = None, message: Message | None = None
) -> Report | None:
    """The reporter's report of this object that the animators have not handled yet, if any."""
    target = (
        Report.listing_id == listing.id if listing is not None else Report.message_id == message.id
    )
    return db.session.scalar(
        select(Report)
        .where(target, Report.reporter_id == reporter.id, Report.status == ReportStatus.OPEN.value)
        .limit(1)
    )


def _clean_report(reason: str, text: str) -> tuple[str, str]:
    text = (text or "").strip()
    if reason not in REASON_LABELS:
        raise ModerationError(_l("Choisissez la raison du signalement."), "reason")
    if len(text) > TEXT_MAX:
        raise ModerationError(
            _l("Ce texte est trop long (%(max)d caractères au plus).", max=TEXT_MAX), "text"
        )
    if reason == ReportReason.OTHER and not text:
        raise ModerationError(
            _l("Avec « Autre raison », expliquez en quelques mots ce qui ne va pas."), "text"
        )
    return reason, text


def _file_report(reporter: User, reason: str, text: str, **target) -> Report:
    """A new report of the object `target` names (listing_id or message_id), its words checked."""
    reason, text = _clean_report(reason, text)
    report = Report(reporter_id=reporter.id, reason=reason, text=text, **target)
    db.session.add(report)
    db.session.flush()
    return report


def _notify_animators(text, link: str) -> None:
    notify(animators(), "moderation.report", lambda: text, link)


def report_listing(
    listing: Listing, *, reporter: User, reason: str, text: str = "", acting_for: User | None = None
) -> Report:
    """A member reports a listing they can see. Not their own (nor that of the neighbour they act
    for), and once until the animators have looked at it."""
    if listing.owner_id in {reporter.id, getattr(acting_for, "id", reporter.id)}:
        raise ModerationError(_l("Vous ne pouvez pas signaler votre propre annonce."))
    if listing.status not in REPORTABLE:
        raise ModerationError(
            _l("Cette annonce n'est plus visible : elle ne peut pas être signalée.")
        )
    if open_report_by(reporter, listing=listing):
        raise ModerationError(
            _l("Vous avez déjà signalé cette annonce. Le groupe d'animation va l'examiner.")
        )
    report = _file_report(reporter, reason, text, listing_id=listing.id)
    title = listing.title
    _notify_animators(
        _l("Nouveau signalement à examiner : l'annonce « %(title)s ».", title=title), "/moderation"
    )
    return report


def report_message(
    message: Message, *, reporter: User, reason: str, text: str = "", acting_for: User | None = None
) -> Report:
    """A party of an exchange reports a message of the other side."""
    if message.author_id in {reporter.id, getattr(acting_for, "id", reporter.id)}:
        raise ModerationError(_l("Vous ne pouvez pas signaler votre propre message."))
    if message.hidden:
        raise ModerationError(_l("Ce message est déjà masqué par le groupe d'animation."))
    if open_report_by(reporter, message=message):
        raise ModerationError(
            _l("Vous avez déjà signalé ce message. Le groupe d'animation va l'examiner.")
        )
    report = _file_report(reporter, reason, text, message_id=message.id)
    _notify_animators(
        _l(
            "Nouveau signalement à examiner : un message de l'échange « %(title)s ».",
            title=message.exchange.listing.title,
        ),
        "/moderation",
    )
    return report


# --- the animators' queue -------------------------------------------------------------------


def open_report_count() -> int:
    """How many reports wait for the animators (one query)."""
    return db.session.scalar(
        select(func.count()).select_from(Report).where(Report.status == ReportStatus.OPEN.value)
    )


@dataclass
class ReportGroup:
    """The open reports of one listing or one message, oldest first."""

    listing: Listing | None
    message: Message | None
    reports: list[Report] = field(default_factory=list)

    @property
    def key(self) -> str:
        return (
            f"annonce-{self.listing.id}"
            if self.listing is not None
            else f"message-{self.message.id}"
        )

    @property
    def first_at(self) -> datetime:
        return self.reports[0].created_at

    @property
    def person(self) -> User:
        """Who wrote the reported content: the listing's owner, or the message's author."""
        return self.listing.owner if self.listing is not None else self.message.author


def _report_options():
    return (
        joinedload(Report.reporter),
        joinedload(Report.handled_by),
        joinedload(Report.listing).joinedload(Listing.owner),
        joinedload(Report.message).joinedload(Message.author),
        joinedload(Report.message).joinedload(Message.exchange).joinedload(Exchange.listing),
    )


def queue() -> list[ReportGroup]:
    """Open reports grouped by object, the object reported first (longest waiting) first."""
    reports = db.session.scalars(
        select(Report)
        .where(Report.status == ReportStatus.OPEN.value)
        .options(*_report_options())
        .order_by(Report.created_at, Report.id)
    ).unique()
    groups: dict[tuple, ReportGroup] = {}
    for report in reports:
        key = (
            ("listing", report.listing_id) if report.listing_id else ("message", report.message_id)
        )
        if key not in groups:
            groups[key] = ReportGroup(listing=report.listing, message=report.message)
        groups[key].reports.append(report)
    return list(groups.values())


def history(page: int = 1) -> tuple[list[Report], int]:
    """Handled reports, most recently handled first, one page; and the number of pages."""
    handled = Report.status != ReportStatus.OPEN.value
    total = db.session.scalar(select(func.count()).select_from(Report).where(handled))
    pages = max(1, math.ceil(total / HISTORY_PER_PAGE))
    page = min(max(page, 1), pages)
    reports = db.session.scalars(
        select(Report)
        .where(handled)
        .options(*_report_options())
        .order_by(Report.handled_at.desc(), Report.id.desc())
        .offset((page - 1) * HISTORY_PER_PAGE)
        .limit(HISTORY_PER_PAGE)
    ).unique()
    return list(reports), pages
