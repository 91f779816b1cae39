"""Moderation, for the principle of neutralité (no political, religious or commercial use) and
for respect between neighbours.

Members report a listing or a message of one of their exchanges, with a reason. Animators see the
open reports in a queue, grouped by object, and decide: hide (a listing, or a message of a thread),
restore, keep (nothing wrong), or warn the member. Every decision is recorded in the audit log,
closes the object's open reports with the animator's note, and the person concerned is notified.

Functions work in the current transaction; the caller commits, or rolls back on ModerationError."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..auth.models import User
from ..exchanges.models import Exchange, Message
from ..extensions import db
from ..group.services import animators
from ..listings.models import Listing, ListingStatus
from ..notifications.services import notify
from ..timeutil import utcnow
from .models import MemberWarning, Report, ReportReason, ReportStatus

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
    reason, text = _clean_report(reason, text)
    report = Report(reporter_id=reporter.id, listing_id=listing.id, reason=reason, text=text)
    db.session.add(report)
    db.session.flush()
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
    reason, text = _clean_report(reason, text)
    report = Report(reporter_id=reporter.id, message_id=message.id, reason=reason, text=text)
    db.session.add(report)
    db.session.flush()
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


# --- decisions ------------------------------------------------------------------------------


def _note(note: str, *, required: bool = True) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ModerationError(
            _l("Indiquez la raison de la décision : elle est transmise à la personne concernée."),
            "note",
        )
    if len(note) > NOTE_MAX:
        raise ModerationError(
            _l("Ce texte est trop long (%(max)d caractères au plus).", max=NOTE_MAX), "note"
        )
    return note


def _close_reports(
    *,
    actor: User,
    note: str,
    status: str,
    listing: Listing | None = None,
    message: Message | None = None,
) -> list[int]:
    """Close the object's open reports with the decision; returns their ids."""
    target = (
        Report.listing_id == listing.id if listing is not None else Report.message_id == message.id
    )
    reports = db.session.scalars(
        select(Report).where(target, Report.status == ReportStatus.OPEN.value)
    ).all()
    now = utcnow()
    for report in reports:
        report.status, report.handled_by_id, report.handled_at, report.decision_note = (
            status,
            actor.id,
            now,
            note,
        )
    return [report.id for report in reports]


def hide_listing(listing: Listing, *, actor: User, note: str) -> None:
    """Take a listing out of sight: neighbours no longer see it, its owner can neither edit nor
    republish it, and learns why."""
    note = _note(note)
    if listing.status == ListingStatus.HIDDEN:
        raise ModerationError(_l("Cette annonce est déjà masquée."))
    listing.status_before_hidden, listing.status = listing.status, ListingStatus.HIDDEN.value
    closed = _close_reports(
        actor=actor, note=note, status=ReportStatus.HIDDEN.value, listing=listing
    )
    record(
        "moderation.listing_hidden",
        actor=actor,
        target=listing.owner,
        listing=listing.id,
        title=listing.title,
        reason=note,
        reports=closed,
    )
    title = listing.title
    notify(
        [listing.owner],
        "moderation.listing_hidden",
        lambda: _l(
            "Votre annonce « %(title)s » a été masquée par le groupe d'animation. Raison : %(reason)s",
            title=title,
            reason=note,
        ),
        "/mes-annonces",
    )


def restore_listing(listing: Listing, *, actor: User, note: str) -> None:
    """Give a hidden listing back its former status (open, paused…)."""
    note = _note(note)
    if listing.status != ListingStatus.HIDDEN:
        raise ModerationError(_l("Cette annonce n'est pas masquée : rien à rétablir."))
    listing.status = listing.status_before_hidden or ListingStatus.CLOSED.value
    listing.status_before_hidden = None
    closed = _close_reports(actor=actor, note=note, status=ReportStatus.KEPT.value, listing=listing)
    record(
        "moderation.listing_restored",
        actor=actor,
        target=listing.owner,
        listing=listing.id,
        title=listing.title,
        reason=note,
        status=listing.status,
        reports=closed,
    )
    title = listing.title
    notify(
        [listing.owner],
        "moderation.listing_restored",
        lambda: _l(
            "Votre annonce « %(title)s » a été rétablie par le groupe d'animation. Leur message : %(reason)s",
            title=title,
            reason=note,
        ),
        "/mes-annonces",
    )


def hide_message(message: Message, *, actor: User, note: str) -> None:
    """Hide one message of a thread: both parties see « Message masqué par le groupe d'animation »."""
    note = _note(note)
    if message.hidden:
        raise ModerationError(_l("Ce message est déjà masqué."))
    message.hidden = True
    closed = _close_reports(
        actor=actor, note=note, status=ReportStatus.HIDDEN.value, message=message
    )
    title = message.exchange.listing.title
    record(
        "moderation.message_hidden",
        actor=actor,
        target=message.author,
        message=message.id,
        exchange=message.exchange_id,
        title=title,
        reason=note,
        reports=closed,
    )
    notify(
        [message.author],
        "moderation.message_hidden",
        lambda: _l(
            "Un de vos messages de l'échange « %(title)s » a été masqué par le groupe d'animation. "
            "Raison : %(reason)s",
            title=title,
            reason=note,
        ),
        "",
    )


def restore_message(message: Message, *, actor: User, note: str) -> None:
    note = _note(note)
    if not message.hidden:
        raise ModerationError(_l("Ce message n'est pas masqué : rien à rétablir."))
    message.hidden = False
    closed = _close_reports(actor=actor, note=note, status=ReportStatus.KEPT.value, message=message)
    record(
        "moderation.message_restored",
        actor=actor,
        target=message.author,
        message=message.id,
        exchange=message.exchange_id,
        title=message.exchange.listing.title,
        reason=note,
        reports=closed,
    )


def _object_of(report: Report) -> dict:
    return {"listing": report.listing} if report.listing_id else {"message": report.message}


def keep(report: Report, *, actor: User, note: str = "") -> None:
    """Nothing wrong: the object's open reports are closed, nothing is hidden."""
    note = _note(note, required=False)
    if report.status != ReportStatus.OPEN:
        raise ModerationError(_l("Ce signalement a déjà été traité."))
    closed = _close_reports(
        actor=actor, note=note, status=ReportStatus.KEPT.value, **_object_of(report)
    )
    obj = report.listing or report.message
    record(
        "moderation.kept",
        actor=actor,
        target=obj.owner if report.listing_id else obj.author,
        **(
            {"listing": obj.id, "title": obj.title}
            if report.listing_id
            else {"message": obj.id, "exchange": obj.exchange_id}
        ),
        reason=note,
        reports=closed,
    )


def warn(report: Report, *, actor: User, note: str) -> MemberWarning:
    """Warn the member who wrote the reported listing or message, kindly and with the reason. The
    object's open reports are closed (as hidden if the object is hidden by now, else as kept)."""
    note = _note(note)
    if report.status != ReportStatus.OPEN:
        raise ModerationError(_l("Ce signalement a déjà été traité."))
    obj = report.listing if report.listing_id else report.message
    member = obj.owner if report.listing_id else obj.author
    warning = MemberWarning(
        member_id=member.id, given_by_id=actor.id, report_id=report.id, reason=note
    )
    db.session.add(warning)
    hidden = obj.status == ListingStatus.HIDDEN if report.listing_id else obj.hidden
    closed = _close_reports(
        actor=actor,
        note=note,
        status=ReportStatus.HIDDEN.value if hidden else ReportStatus.KEPT.value,
        **_object_of(report),
    )
    db.session.flush()
    record(
        "moderation.warned",
        actor=actor,
        target=member,
        warning=warning.id,
        reason=note,
        reports=closed,
        **({"listing": obj.id, "title": obj.title} if report.listing_id else {"message": obj.id}),
    )
    notify(
        [member],
        "moderation.warning",
        lambda: _l(
            "Avertissement du groupe d'animation. Raison : %(reason)s – Nous comptons sur vous pour "
            "respecter la charte du réseau : gratuité, réciprocité, neutralité et tranquillité. Merci !",
            reason=note,
        ),
        "",
    )
    return warning


def warnings_of(member: User) -> list[MemberWarning]:
    return list(
        db.session.scalars(
            select(MemberWarning)
            .where(MemberWarning.member_id == member.id)
            .options(joinedload(MemberWarning.given_by))
            .order_by(MemberWarning.created_at.desc(), MemberWarning.id.desc())
        )
    )
