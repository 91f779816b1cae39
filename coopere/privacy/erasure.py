"""Erasure (RGPD art. 17): a member's identity, contact data and writings are removed, their row
stays, anonymous, so that the perimeter's figures (members per dwelling, exchanges done, café
attendance, listings per theme) do not change.

`erase_member` works inside the caller's transaction and does not commit: the view or the purge
command commits once, so erasure happens entirely or not at all (a listing photo's file is
deleted only after the commit)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, delete, func, or_, select, update

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.identifiers import format_phone
from ..auth.lockout import forget_places
from ..auth.models import Role, User
from ..cafe.models import Call
from ..exchanges.models import Block, Exchange, Message
from ..extensions import db
from ..signals import volunteer_leaving
from ..idempotency import IdempotencyKey
from ..listings import photos
from ..listings.models import Listing, ListingStatus, ListingTerm
from ..members.models import ActivationCode, Consent, EndReason, Method, Sponsorship
from ..moderation.models import MemberWarning, Report
from ..notifications.models import Notification, OutboxEmail
from ..timeutil import utcnow
from .export import names_in_details

ERASED_FIRST_NAME = "Personne"
ERASED_LAST_NAME = "effacée"
LISTING_TITLE = "Annonce retirée"
MESSAGE_BODY = "Message effacé à la demande de son auteur"
#: What replaces the person's name, phone or email in texts that remain (other people's
#: messages, the audit log, notes…).
REDACTED = "[effacé]"
LIVE_STATUSES = (ListingStatus.DRAFT.value, ListingStatus.OPEN.value, ListingStatus.PAUSED.value)


class ErasureError(ValueError):
    """Erasure refused; the message is in French for the person asking."""


def is_last_admin(user: User) -> bool:
    if not user.is_admin:
        return False
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.role == Role.ADMIN.value,
            User.id != user.id,
            User.is_enabled.is_(True),
            User.erased_at.is_(None),
        )
    )
    return not others


def check_erasable(user: User, actor: User | None) -> None:
    if user.erased_at is not None:
        raise ErasureError(_l("Les données de cette personne sont déjà effacées."))
    if actor is not None and actor.id == user.id:
        raise ErasureError(
            _l(
                "Vous ne pouvez pas effacer votre propre compte : demandez-le à un autre "
                "administrateur."
            )
        )
    if is_last_admin(user):
        raise ErasureError(
            _l(
                "C'est le dernier administrateur du site : nommez d'abord un autre "
                "administrateur, puis effacez ce compte."
            )
        )


def _pattern(needles) -> re.Pattern | None:
    """Whole words only, longest first, case-insensitive: « Roy » leaves « Royan » alone."""
    words = sorted(
        {needle.strip() for needle in needles if needle and len(needle.strip()) >= 2},
        key=len,
        reverse=True,
    )
    if not words:
        return None
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE
    )


def _scrub(text: str | None, pattern: re.Pattern | None) -> str | None:
    if not text or pattern is None:
        return text
    return pattern.sub(REDACTED, text)


CIVILITIES = (
    "Mme",
    "Mme.",
    "Madame",
    "M.",
    "Monsieur",
    "Mlle",
    "Mademoiselle",
    "famille",
    "Famille",
)


def identifiers(user: User) -> list[str]:
    """What identifies the person on its own, wherever it is written: their full name (both
    orders), their last name after a civility (« Mme Quintal »), email and phone (as stored and
    as people write it). The last name alone is not here: « Martin » is also a saint and a
    street."""
    # both orders: free texts may write « Le Goff Jeanne » (the site itself never does)
    values = [user.full_name, f"{user.last_name} {user.first_name}", user.email or ""]
    values += [f"{civility} {user.last_name}" for civility in CIVILITIES]
    if user.phone:
        written = format_phone(user.phone)
        values += [user.phone, written, written.replace(" ", ""), written.replace(" ", ".")]
        if user.phone.startswith("+33") and written.startswith("0"):
            values.append(f"+33 {written[1:]}")  # « +33 6 12 34 56 78 »
    return [value for value in values if value.strip()]


def erase_member(user: User, actor: User | None) -> dict:
    """Erase `user`'s personal data (see the module docstring). `actor` is the admin, or None for
    the purge command. Raises ErasureError when refused (nothing changed). Returns counts."""
    check_erasable(user, actor)
    now = utcnow()
    uid = user.id
    needles = identifiers(user)  # before the row is anonymised
    everywhere = _pattern(needles)
    listings = list(db.session.scalars(select(Listing).where(Listing.owner_id == uid)))
    titles = [listing.title for listing in listings if len(listing.title.strip()) >= 4]
    # In what concerns the person directly, their first or last name alone and their listings'
    # titles identify them too.
    tied = _pattern([*needles, user.first_name, user.last_name, *titles])
    exchange_ids = list(
        db.session.scalars(
            select(Exchange.id).where(or_(Exchange.owner_id == uid, Exchange.requester_id == uid))
        )
    )
    listing_ids = [listing.id for listing in listings]
    counts = {"listings": len(listings), "exchanges": len(exchange_ids)}

    # Consents: rows are never changed; each one still given gets its withdrawal, dated today.
    latest: dict[str, Consent] = {}
    for consent in db.session.scalars(
        select(Consent).where(Consent.user_id == uid).order_by(Consent.recorded_at, Consent.id)
    ):
        latest[consent.kind] = consent
    for consent in latest.values():
        if consent.given:
            db.session.add(
                Consent(
                    user_id=uid,
                    kind=consent.kind,
                    given=False,
                    version=consent.version,
                    recorded_at=now,
                    collected_by_id=getattr(actor, "id", None),
                    method=Method.ONLINE.value,
                )
            )

    for sponsorship in db.session.scalars(
        select(Sponsorship).where(
            or_(Sponsorship.sponsee_id == uid, Sponsorship.sponsor_id == uid),
            Sponsorship.ended_at.is_(None),
        )
    ):
        sponsorship.ended_at, sponsorship.end_reason = now, EndReason.ENDED.value
        sponsorship.ended_by_id = getattr(actor, "id", None)
        record("sponsorship.ended", actor=actor, target=sponsorship.sponsee, reason="erased")
    db.session.execute(
        update(ActivationCode)
        .where(
            ActivationCode.user_id == uid,
            ActivationCode.used_at.is_(None),
            ActivationCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )

    # Listings: the texts go, the kind, theme, dates and a finished status stay for the figures.
    for listing in listings:
        photos.discard(listing.photo, db.session)
        listing.title, listing.description, listing.availability, listing.days = (
            LISTING_TITLE,
            "",
            "",
            "",
        )
        listing.details, listing.photo = {}, None
        if listing.status in LIVE_STATUSES:
            listing.status = ListingStatus.CLOSED.value
        elif listing.status_before_hidden in LIVE_STATUSES:
            listing.status_before_hidden = ListingStatus.CLOSED.value
    if listing_ids:
        db.session.execute(delete(ListingTerm).where(ListingTerm.listing_id.in_(listing_ids)))

    counts["messages"] = (
        db.session.execute(
            update(Message).where(Message.author_id == uid).values(body=MESSAGE_BODY)
        ).rowcount
        or 0
    )
    db.session.execute(update(Exchange).where(Exchange.owner_id == uid).values(owner_thanks=""))
    db.session.execute(
        update(Exchange).where(Exchange.requester_id == uid).values(requester_thanks="")
    )
    db.session.execute(update(Call).where(Call.user_id == uid).values(note=""))
    db.session.execute(update(Report).where(Report.reporter_id == uid).values(text=""))
    db.session.execute(
        update(MemberWarning).where(MemberWarning.member_id == uid).values(reason="")
    )
    db.session.execute(delete(Notification).where(Notification.user_id == uid))
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.user_id == uid))  # unsent ones too
    db.session.execute(delete(Block).where(or_(Block.blocker_id == uid, Block.blocked_id == uid)))
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == uid))

    volunteer_leaving.send(user, actor=actor)  # slots to come released, task families dropped
    user.group_role = None

    user.first_name, user.last_name = (
        ERASED_FIRST_NAME,
        ERASED_LAST_NAME,
    )  # name_key follows (listener)
    user.email = user.phone = user.password_hash = user.locale = None
    user.languages = user.address_note = user.paper_reference = ""
    user.call_before_cafes = False
    user.known_to_association, user.known_to_association_at = False, None
    forget_places(user)  # where the account logged in from, and every failure count
    user.erased_at = now
    user.is_enabled = False
    user.session_version += 1  # every open session ends
    record("member.erased", actor=actor, target=user)
    db.session.flush()

    # Texts that stay and are tied to the person: other people's messages and thanks in their
    # exchanges, notices about them, reports on their listings and messages, audit entries.
    _scrub_rows(tied, Message, Message.body, Message.exchange_id.in_(exchange_ids))
    _scrub_rows(tied, Exchange, Exchange.owner_thanks, Exchange.id.in_(exchange_ids))
    _scrub_rows(tied, Exchange, Exchange.requester_thanks, Exchange.id.in_(exchange_ids))
    links = [f"/echanges/{ident}" for ident in exchange_ids]
    if links:  # the exchange's page, or an anchor in it; « /echanges/12 » is not « /echanges/1 »
        _scrub_rows(
            tied,
            Notification,
            Notification.text,
            or_(
                Notification.link.in_(links),
                *[
                    Notification.link.startswith(link + suffix, autoescape=True)
                    for link in links
                    for suffix in "#/?"
                ],
            ),
        )
    message_ids = select(Message.id).where(Message.exchange_id.in_(exchange_ids))
    for column in (Report.text, Report.decision_note):
        _scrub_rows(
            tied,
            Report,
            column,
            or_(Report.listing_id.in_(listing_ids), Report.message_id.in_(message_ids)),
        )
    entries = [
        entry.id
        for entry in db.session.scalars(
            select(AuditEvent).where(
                or_(
                    AuditEvent.actor_id == uid,
                    AuditEvent.target_user_id == uid,
                    AuditEvent.details.contains(f'_id": {uid}'),
                )
            )
        )
        if uid in (entry.actor_id, entry.target_user_id) or names_in_details(entry.details, uid)
    ]
    _scrub_rows(tied, AuditEvent, AuditEvent.details, AuditEvent.id.in_(entries))
    # Their IP addresses are theirs too.
    db.session.execute(update(AuditEvent).where(AuditEvent.actor_id == uid).values(ip=None))
    counts["texts_scrubbed"] = _scrub_everywhere(everywhere, needles)
    return counts


def _scrub_rows(pattern: re.Pattern | None, model, column, condition) -> int:
    if pattern is None:
        return 0
    changed = 0
    for row in db.session.scalars(select(model).where(condition, column != "")):
        value = getattr(row, column.key)
        new = _scrub(value, pattern)
        if new != value:
            setattr(row, column.key, new)
            changed += 1
    return changed


#: Free-text columns that are not of type Text (those all are searched), where people write names.
FREE_TEXT = {
    ("calls", "note"),
    ("listings", "title"),
    ("listings", "availability"),
    ("perimeter", "contact"),
    ("events", "title"),
    ("event_series", "title"),
}


def _scrub_everywhere(pattern: re.Pattern | None, needles: list[str]) -> int:
    """Every free-text column of every table but the accounts: the person's full name, phone and
    email wherever someone wrote them (a dwelling's notes, a café report, a handover note, the
    letter template…). Names, streets and codes are left alone: a namesake neighbour or the
    « rue Jean Moulin » stay as they are."""
    if pattern is None:
        return 0
    db.session.flush()
    changed = 0
    for table in db.metadata.sorted_tables:
        if table.name == User.__tablename__:
            continue  # the person's own row is anonymised above; other people's names are theirs
        columns = [
            column
            for column in table.columns
            if not column.primary_key
            and (isinstance(column.type, Text) or (table.name, column.name) in FREE_TEXT)
        ]
        keys = list(table.primary_key.columns)
        if not columns or not keys:
            continue
        found = or_(
            *[
                test
                for column in columns
                for needle in needles
                for test in (
                    column.contains(needle, autoescape=True),
                    column.icontains(needle, autoescape=True),
                )
            ]
        )
        for row in db.session.execute(select(*keys, *columns).where(found)).all():
            mapping = row._mapping
            values = {}
            for column in columns:
                new = _scrub(mapping[column], pattern)
                if new != mapping[column]:
                    values[column.name] = new
            if values:
                db.session.execute(
                    table.update().where(*[key == mapping[key] for key in keys]).values(**values)
                )
                changed += 1
    # Objects loaded in the session must not write their old texts back.
    db.session.expire_all()
    return changed
