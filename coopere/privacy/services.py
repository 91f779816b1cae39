"""Personal-data rights, the small rules: recording an export, a member's erasure request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..group.services import animators
from ..i18n import long_date
from ..notifications.services import notify
from ..timeutil import add_months, to_paris
from .erasure import ErasureError, erase_member  # noqa: F401  (the views' one import)


def record_export(member: User, *, actor: User, kind: str) -> None:
    """Each export is in the audit log: who took a copy of whose data, in which form."""
    record("member.exported", actor=actor, target=member, format=kind)


ERASURE_REQUESTED = "member.erasure_requested"


@dataclass(frozen=True)
class PendingErasure:
    """A member's erasure request not carried out yet: when they asked (naive UTC), and the last
    day an admin has to erase (a month later, RGPD art. 12)."""

    asked_at: datetime
    due_by: date


def pending_erasure(member: User) -> PendingErasure | None:
    """The member's erasure request still to be carried out, or None."""
    if member.erased_at is not None:
        return None
    asked = db.session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.action == ERASURE_REQUESTED, AuditEvent.target_user_id == member.id
        )
    )
    if asked is None:
        return None
    return PendingErasure(asked, add_months(to_paris(asked).date(), 1))


def already_requested(pending: PendingErasure) -> str:
    return str(
        _l(
            "Vous avez déjà demandé l'effacement de votre compte, le %(asked)s : rien de plus n'a "
            "été envoyé. Un administrateur l'effectuera au plus tard le %(due)s.",
            asked=long_date(pending.asked_at),
            due=long_date(pending.due_by),
        )
    )


def request_erasure(member: User) -> int:
    """A member asks for erasure: the admins and the animation group get a notice (an admin
    erases from the member's page within a month). Returns how many were told. Asked once: while
    a request waits, another is refused (ErasureError) and nobody is told again."""
    pending = pending_erasure(member)
    if pending is not None:
        raise ErasureError(already_requested(pending))
    people = [person for person in animators() if person.id != member.id]
    name = member.full_name
    link = url_for("members.show", member_id=member.id)
    record(ERASURE_REQUESTED, actor=member, target=member)
    return notify(
        people,
        "privacy.erasure_requested",
        lambda: _l(
            "%(name)s demande l'effacement de son compte et de ses données : un administrateur "
            "doit l'effacer dans un délai d'un mois, depuis sa fiche.",
            name=name,
        ),
        link,
    )
