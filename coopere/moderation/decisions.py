"""The animators' decisions on a report: hide or restore a listing or a message, keep it (nothing
wrong), or warn its author. Each one closes the object's open reports with the animator's note,
is recorded in the audit log, and the person concerned is told why."""

from __future__ import annotations


from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..auth.models import User
from ..exchanges.models import Message
from ..extensions import db
from ..listings.models import Listing, ListingStatus
from ..notifications.services import notify
from ..timeutil import utcnow
from .models import MemberWarning, Report, ReportStatus
from .services import NOTE_MAX, ModerationError


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
    title = listing.title
    _listing_decided(
        "moderation.listing_hidden",
        listing,
        actor=actor,
        note=note,
        closed=closed,
        sentence=lambda: _l(
            "Votre annonce « %(title)s » a été masquée par le groupe d'animation. "
            "Raison : %(reason)s",
            title=title,
            reason=note,
        ),
    )


def restore_listing(listing: Listing, *, actor: User, note: str) -> None:
    """Give a hidden listing back its former status (open, paused…)."""
    note = _note(note)
    if listing.status != ListingStatus.HIDDEN:
        raise ModerationError(_l("Cette annonce n'est pas masquée : rien à rétablir."))
    listing.status = listing.status_before_hidden or ListingStatus.CLOSED.value
    listing.status_before_hidden = None
    closed = _close_reports(actor=actor, note=note, status=ReportStatus.KEPT.value, listing=listing)
    title = listing.title
    _listing_decided(
        "moderation.listing_restored",
        listing,
        actor=actor,
        note=note,
        closed=closed,
        sentence=lambda: _l(
            "Votre annonce « %(title)s » a été rétablie par le groupe d'animation. "
            "Leur message : %(reason)s",
            title=title,
            reason=note,
        ),
        status=listing.status,
    )


def _listing_decided(
    action: str, listing: Listing, *, actor: User, note: str, closed: list[int], sentence, **extra
) -> None:
    """A decision on a listing: in the audit log (`extra` details after the reason), and told to
    its owner with a link to « Mes annonces » (the notice's kind is the action's)."""
    record(
        action,
        actor=actor,
        target=listing.owner,
        listing=listing.id,
        title=listing.title,
        reason=note,
        **extra,
        reports=closed,
    )
    notify([listing.owner], action, sentence, "/mes-annonces")


def hide_message(message: Message, *, actor: User, note: str) -> None:
    """Hide one message of a thread: both parties see « Message masqué par le groupe
    d'animation »."""
    note = _note(note)
    if message.hidden:
        raise ModerationError(_l("Ce message est déjà masqué."))
    message.hidden = True
    closed = _close_reports(
        actor=actor, note=note, status=ReportStatus.HIDDEN.value, message=message
    )
    _record_message_decision(
        "moderation.message_hidden", message, actor=actor, note=note, closed=closed
    )
    title = message.exchange.listing.title
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
    _record_message_decision(
        "moderation.message_restored", message, actor=actor, note=note, closed=closed
    )


def _record_message_decision(
    action: str, message: Message, *, actor: User, note: str, closed: list[int]
) -> None:
    """A decision on a message in the audit log: the message, its exchange and its listing's
    title, the reason and the reports it closed."""
    record(
        action,
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
            "Avertissement du groupe d'animation. Raison : %(reason)s – Nous comptons sur vous "
            "pour respecter la charte du réseau : gratuité, réciprocité, neutralité et "
            "tranquillité. Merci !",
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
