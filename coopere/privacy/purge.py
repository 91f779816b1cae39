"""Retention: what the monthly `flask --app coopere purge` keeps, flags, erases and deletes.

- accounts inactive for PURGE_INACTIVE_MONTHS (no login, no listing, exchange, sign-up or
  check-in since) are flagged (listed, and an audit entry), never deleted: the group decides;
- members who left more than PURGE_LEFT_GRACE_DAYS ago are erased (coopere.privacy.erasure);
- audit entries older than AUDIT_RETENTION_MONTHS are deleted;
- print-run PDFs older than PRINT_FILES_RETENTION_DAYS are deleted (the run stays listed);
- expired unused activation codes, and idempotency keys older than IDEMPOTENCY_KEY_DAYS, go;
- login places no longer needed (no lock nor failure count running, no login from there within
  LOGIN_KNOWN_PLACE_DAYS) go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, select

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.lockout import stale_places
from ..auth.models import LoginPlace, User
from ..cafe.models import CheckIn
from ..events.models import EventSignup
from ..exchanges.models import Exchange
from ..extensions import db
from ..idempotency import IdempotencyKey, prune_keys
from ..listings.models import Listing
from ..members.models import ActivationCode
from ..printruns.services import delete_old_files, runs_with_old_files
from ..retention import IDEMPOTENCY_KEY_DAYS, setting
from ..timeutil import months_before, utcnow
from .erasure import ErasureError, erase_member

FLAGGED = "member.inactive_flagged"


@dataclass
class Inactive:
    id: int
    name: str
    last_login_at: datetime | None
    newly_flagged: bool


@dataclass
class PurgeReport:
    dry_run: bool
    inactive: list[Inactive] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(
        default_factory=list
    )  # (member id, why) left but not erased
    audit_deleted: int = 0
    print_files_deleted: int = 0
    codes_deleted: int = 0
    idempotency_keys_deleted: int = 0
    login_places_deleted: int = 0


def inactive_members(cutoff: datetime) -> list[User]:
    """Members still here whose last sign of life is older than `cutoff`."""
    me = User.id
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.erased_at.is_(None),
                User.left_at.is_(None),
                User.created_at < cutoff,
                or_(User.last_login_at.is_(None), User.last_login_at < cutoff),
                ~exists().where(
                    Listing.owner_id == me,
                    or_(Listing.updated_at >= cutoff, Listing.created_at >= cutoff),
                ),
                ~exists().where(
                    or_(Exchange.owner_id == me, Exchange.requester_id == me),
                    Exchange.last_message_at >= cutoff,
                ),
                ~exists().where(CheckIn.user_id == me, CheckIn.at >= cutoff),
                ~exists().where(EventSignup.user_id == me, EventSignup.created_at >= cutoff),
            )
            .order_by(User.id)
        )
    )


def purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Apply the retention rules (see the module docstring), each step committed; with `dry_run`,
    only say what would be done."""
    now = now or utcnow()
    report = PurgeReport(dry_run=dry_run)
    inactive_cutoff = months_before(now, setting("PURGE_INACTIVE_MONTHS"))
    left_cutoff = now - timedelta(days=setting("PURGE_LEFT_GRACE_DAYS"))
    audit_cutoff = months_before(now, setting("AUDIT_RETENTION_MONTHS"))
    files_days = setting("PRINT_FILES_RETENTION_DAYS")
    keys_cutoff = now - timedelta(days=IDEMPOTENCY_KEY_DAYS)

    # 1. Members who left long enough ago: erased, one transaction each.
    for user in db.session.scalars(
        select(User)
        .where(User.left_at.is_not(None), User.left_at < left_cutoff, User.erased_at.is_(None))
        .order_by(User.id)
    ).all():
        if dry_run:
            report.erased.append(user.id)
            continue
        try:
            erase_member(user, None)
        except ErasureError as error:
            db.session.rollback()
            report.refused.append((user.id, str(error)))
        else:
            db.session.commit()
            report.erased.append(user.id)

    # 2. Inactive accounts: listed, flagged once per inactivity period.
    for user in inactive_members(inactive_cutoff):
        already = db.session.scalar(
            select(
                exists().where(
                    AuditEvent.action == FLAGGED,
                    AuditEvent.target_user_id == user.id,
                    AuditEvent.at >= inactive_cutoff,
                )
            )
        )
        report.inactive.append(Inactive(user.id, user.full_name, user.last_login_at, not already))
        if not already and not dry_run:
            record(FLAGGED, target=user, months=setting("PURGE_INACTIVE_MONTHS"))
    if not dry_run:
        db.session.commit()

    # 3. Old audit entries, print files, codes and keys.
    old_audit = AuditEvent.at < audit_cutoff
    old_codes = (ActivationCode.expires_at < now, ActivationCode.used_at.is_(None))
    if dry_run:
        report.print_files_deleted = len(runs_with_old_files(files_days, now=now))
        report.audit_deleted = _count(AuditEvent, old_audit)
        report.codes_deleted = _count(ActivationCode, *old_codes)
        report.idempotency_keys_deleted = _count(
            IdempotencyKey, IdempotencyKey.created_at < keys_cutoff
        )
        report.login_places_deleted = _count(LoginPlace, stale_places(now))
        db.session.rollback()
        return report
    report.audit_deleted = db.session.execute(delete(AuditEvent).where(old_audit)).rowcount or 0
    report.codes_deleted = (
        db.session.execute(delete(ActivationCode).where(*old_codes)).rowcount or 0
    )
    report.idempotency_keys_deleted = prune_keys(IDEMPOTENCY_KEY_DAYS, now=now)
    report.login_places_deleted = (
        db.session.execute(delete(LoginPlace).where(stale_places(now))).rowcount or 0
    )
    db.session.commit()
    report.print_files_deleted = delete_old_files(files_days, now=now)
    return report


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
