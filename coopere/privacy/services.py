"""Personal-data rights, the small rules: recording an export, a member's erasure request."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..auth.models import User
from ..group.services import animators
from ..notifications.services import notify
from .erasure import ErasureError, erase_member  # noqa: F401  (the views' one import)


def record_export(member: User, *, actor: User, kind: str) -> None:
    """Each export is in the audit log: who took a copy of whose data, in which form."""
    record("member.exported", actor=actor, target=member, format=kind)


def request_erasure(member: User) -> int:
    """A member asks for erasure: the admins and the animation group get a notice (an admin
    erases from the member's page within a month). Returns how many were told."""
    people = [person for person in animators() if person.id != member.id]
    name = member.full_name
    link = url_for("members.show", member_id=member.id)
    record("member.erasure_requested", actor=member, target=member)
    return notify(people, "privacy.erasure_requested",
                  lambda: _l("%(name)s demande l'effacement de son compte et de ses données : un administrateur "
                             "doit l'effacer dans un délai d'un mois, depuis sa fiche.", name=name), link)
