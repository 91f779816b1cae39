"""Access and portability (RGPD art. 15 and 20): every personal datum held about one member, as
plain data, for the JSON download, the printable PDF and the tests.

Only the member's own data: other people appear by first name only, and the other party's
messages are left out (they are that person's data, not this one's)."""

from __future__ import annotations

import json

from flask_babel import force_locale
from sqlalchemy import or_, select

from ..audit.models import AuditEvent
from ..audit.services import action_label
from ..auth.identifiers import format_phone
from ..auth.models import User
from ..cafe.models import Call
from ..exchanges.models import Block, Exchange
from ..extensions import db
from ..group.models import (
    FAMILY_LABELS,
    Family,
    FamilyMember,
    HandoverNote,
)
from ..members import consents as texts
from ..members.models import (
    ActivationCode,
    Consent,
    ConsentKind,
    DigestPrint,
    PaperForm,
    Sponsorship,
)
from ..moderation.models import MemberWarning, Report
from ..notifications.models import Notification
from ..perimeter.models import get_perimeter
from ..timeutil import utcnow
from .export_activity import event_part, exchange_part, listing_part
from .export_words import (
    CONTACT_WORDS,
    END_WORDS,
    METHOD_WORDS,
    REASON_WORDS,
    ROLE_WORDS,
    _label,
    _when,
)

FORMAT = "coopere-donnees-personnelles/1"


def _first_names(ids) -> dict[int, str]:
    ids = {ident for ident in ids if ident}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.first_name).where(User.id.in_(ids))).all())


def names_in_details(details: str, uid: int) -> bool:
    """An entry about someone else that names this member by id (« sponsor_id »: they were the
    sponsor)."""
    try:
        values = json.loads(details or "{}")
    except ValueError:
        return False
    return isinstance(values, dict) and any(
        key.endswith("_id") and value == uid for key, value in values.items()
    )


def collect_personal_data(user_id: int) -> dict:
    """Everything held about member `user_id`, as JSON-ready plain data (French labels beside
    the codes). Raises LookupError for an unknown id."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    with force_locale("fr"):
        return _collect(user)


def _collect(user: User) -> dict:
    uid = user.id
    perimeter = get_perimeter()
    dwelling = user.dwelling
    address = None
    if dwelling is not None:
        street = " ".join(
            part for part in (str(dwelling.number or ""), dwelling.rep, dwelling.street) if part
        )
        address = {
            "street": street,
            "complement": dwelling.complement,
            "postcode": dwelling.postcode,
            "city": dwelling.city,
        }

    # Other people named anywhere below: first names only, fetched once.
    sponsorships = list(
        db.session.scalars(
            select(Sponsorship)
            .where(or_(Sponsorship.sponsee_id == uid, Sponsorship.sponsor_id == uid))
            .order_by(Sponsorship.started_at)
        )
    )
    consents = list(
        db.session.scalars(
            select(Consent).where(Consent.user_id == uid).order_by(Consent.recorded_at, Consent.id)
        )
    )
    exchanges = list(
        db.session.scalars(
            select(Exchange)
            .where(or_(Exchange.owner_id == uid, Exchange.requester_id == uid))
            .order_by(Exchange.created_at, Exchange.id)
        )
    )
    calls = list(db.session.scalars(select(Call).where(Call.user_id == uid).order_by(Call.at)))
    blocks = list(
        db.session.scalars(select(Block).where(Block.blocker_id == uid).order_by(Block.created_at))
    )
    names = _first_names(
        [user.registered_by_id]
        + [s.sponsor_id if s.sponsee_id == uid else s.sponsee_id for s in sponsorships]
        + [c.collected_by_id for c in consents]
        + [e.requester_id if e.owner_id == uid else e.owner_id for e in exchanges]
        + [c.called_by_id for c in calls]
        + [b.blocked_id for b in blocks]
    )

    identity = {
        "id": uid,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "role_label": ROLE_WORDS.get(user.role, user.role),
        "group_role": user.group_role,
        "task_families": [
            _label(FAMILY_LABELS, Family, row)
            for row in db.session.scalars(
                select(FamilyMember.family).where(FamilyMember.user_id == uid)
            )
        ],
        "locale": user.locale,
        "languages": user.language_list,
        "has_internet": user.has_internet,
        "registered_at": _when(user.created_at),
        "registration_method": user.registration_method,
        "registration_method_label": METHOD_WORDS.get(user.registration_method or "", ""),
        "paper_reference": user.paper_reference,
        "paper_forms": list(
            db.session.scalars(select(PaperForm.reference).where(PaperForm.used_by_id == uid))
        ),
        "registered_by": names.get(user.registered_by_id, ""),
    }
    contact = {
        "email": user.email,
        "phone": user.phone,
        "phone_display": format_phone(user.phone),
        "contact_preference": user.contact_preference,
        "contact_preference_label": CONTACT_WORDS.get(
            user.contact_preference, user.contact_preference
        ),
        "call_before_cafes": user.call_before_cafes,
    }
    codes = db.session.scalars(
        select(ActivationCode)
        .where(ActivationCode.user_id == uid)
        .order_by(ActivationCode.created_at)
    ).all()
    account = {
        "activated": user.is_activated,
        "activated_at": _when(user.activated_at),
        "enabled": user.is_enabled,
        "last_login_at": _when(user.last_login_at),
        "left_at": _when(user.left_at),
        "erased_at": _when(user.erased_at),
        "listings_seen_at": _when(user.listings_seen_at),
        "weekly_digest_sent_at": _when(user.weekly_digest_sent_at),
        # Only dates: the code itself is never kept, only its hash, which is no use to anyone.
        "activation_codes": [
            {
                "created_at": _when(c.created_at),
                "expires_at": _when(c.expires_at),
                "used_at": _when(c.used_at),
                "revoked_at": _when(c.revoked_at),
            }
            for c in codes
        ],
    }

    consent_rows = []
    for row in consents:
        try:
            label = texts.ALL[ConsentKind(row.kind)].text_fr
        except (ValueError, KeyError):
            label = row.kind
        consent_rows.append(
            {
                "kind": row.kind,
                "label": label,
                "given": row.given,
                "version": row.version,
                "recorded_at": _when(row.recorded_at),
                "method": row.method,
                "method_label": METHOD_WORDS.get(row.method, row.method),
                "paper_reference": row.paper_reference,
                "collected_by": names.get(row.collected_by_id, ""),
            }
        )

    sponsorship_rows = [
        {
            "role": "sponsee" if s.sponsee_id == uid else "sponsor",
            "role_label": "vous êtes parrainé(e) par" if s.sponsee_id == uid else "vous parrainez",
            "other_first_name": names.get(
                s.sponsor_id if s.sponsee_id == uid else s.sponsee_id, ""
            ),
            "started_at": _when(s.started_at),
            "ended_at": _when(s.ended_at),
            "end_reason": s.end_reason,
            "end_reason_label": END_WORDS.get(s.end_reason or "", ""),
            "consent_reference": s.consent_reference,
        }
        for s in sponsorships
    ]

    listing_rows, participations = listing_part(uid)
    exchange_rows = exchange_part(exchanges, uid, names)
    signups, check_ins, call_rows, slots = event_part(uid, calls, names)

    notifications = [
        {
            "created_at": _when(n.created_at),
            "kind": n.kind,
            "text": n.text,
            "read_at": _when(n.read_at),
        }
        for n in db.session.scalars(
            select(Notification)
            .where(Notification.user_id == uid)
            .order_by(Notification.created_at, Notification.id)
        )
    ]
    warnings = [
        {"created_at": _when(w.created_at), "reason": w.reason}
        for w in db.session.scalars(
            select(MemberWarning)
            .where(MemberWarning.member_id == uid)
            .order_by(MemberWarning.created_at)
        )
    ]
    reports = [
        {
            "created_at": _when(r.created_at),
            "reason": r.reason,
            "reason_label": REASON_WORDS.get(r.reason, r.reason),
            "text": r.text,
            "status": r.status,
            "about": "annonce" if r.listing_id else "message",
        }
        for r in db.session.scalars(
            select(Report).where(Report.reporter_id == uid).order_by(Report.created_at)
        )
    ]
    notes = [
        {
            "created_at": _when(n.created_at),
            "family": _label(FAMILY_LABELS, Family, n.family),
            "text": n.text,
        }
        for n in db.session.scalars(
            select(HandoverNote)
            .where(HandoverNote.author_id == uid)
            .order_by(HandoverNote.created_at)
        )
    ]
    digests = [
        _when(at)
        for at in db.session.scalars(
            select(DigestPrint.printed_at)
            .where(DigestPrint.sponsee_id == uid)
            .order_by(DigestPrint.printed_at)
        )
    ]
    # Entries about the member, and those they did themselves: the action and its date only
    # (the details may name other people).
    audit = [
        {"at": _when(entry.at), "action": entry.action, "label": action_label(entry.action)}
        for entry in db.session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    AuditEvent.target_user_id == uid,
                    (AuditEvent.actor_id == uid) & AuditEvent.target_user_id.is_(None),
                    AuditEvent.details.contains(f'_id": {uid}'),
                )
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        if entry.target_user_id == uid
        or entry.actor_id == uid
        or names_in_details(entry.details, uid)
    ]

    processing = None
    if perimeter is not None:
        protection = texts.data_protection(perimeter)
        processing = {
            "controller": protection.controller,
            "contact": protection.contact,
            "purposes": list(protection.purposes),
            "recipients": protection.recipients,
            "retention": protection.retention,
        }
    return {
        "format": FORMAT,
        "generated_at": _when(utcnow()),
        "perimeter": perimeter.name if perimeter else "",
        "identity": identity,
        "contact": contact,
        "dwelling": {"address": address, "address_note": user.address_note},
        "account": account,
        "consents": consent_rows,
        "sponsorships": sponsorship_rows,
        "listings": listing_rows,
        "project_participations": participations,
        "exchanges": exchange_rows,
        "blocked_members": [
            {"first_name": names.get(b.blocked_id, ""), "at": _when(b.created_at)} for b in blocks
        ],
        "event_signups": signups,
        "check_ins": check_ins,
        "calls": call_rows,
        "roster_slots": slots,
        "notifications": notifications,
        "warnings": warnings,
        "reports_made": reports,
        "handover_notes": notes,
        "digests_printed": digests,
        "audit": audit,
        "processing": processing,
    }
