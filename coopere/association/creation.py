"""Creating a perimeter from the console: the rules are coopere/network/create.py's (the same as
`flask --app coopere.network perimeters create`); the console adds the network's default texts,
the perimeter's profile (phase amorçage, its coach) and the audit entries. Choosing a coach."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..auth.services import AccountError
from ..i18n import upper_first
from ..members.checks import MemberError
from ..network.create import CreateError, Created, NewPerimeter, create_perimeter
from ..network.folder import NetworkError
from ..network.slugs import SlugError
from . import audit
from .defaults import starting_texts
from .models import Account
from .perimeters import profile_for
from .store import db_session, network

LETTER_NAME = "lettre-pilote.pdf"  # where create_perimeter writes it, in the perimeter's folder


class CreationError(ValueError):
    """The perimeter is not created; the message says why, in French."""


def create(new: NewPerimeter, *, coach: Account | None, letter: bool, account: Account) -> Created:
    """Create the perimeter with the network's defaults, in phase amorçage, with its coach."""
    try:
        created = create_perimeter(network(), new, letter=letter, texts=starting_texts())
    except (CreateError, SlugError, NetworkError, AccountError, MemberError) as error:
        raise CreationError(upper_first(str(error))) from error
    session = db_session()
    profile = profile_for(created.slug)
    profile.phase, profile.phase_since = "amorcage", date.today()
    profile.coach_id = coach.id if coach else None
    audit.record(
        "perimeter.created",
        account=account,
        target=created.slug,
        detail=f"{new.name} — {new.city} ({new.postcode})",
    )
    if coach is not None:
        audit.record("perimeter.coach_set", account=account, target=created.slug, detail=coach.name)
    session.commit()
    return created


def letter_path(slug: str) -> Path | None:
    """The pilote's activation letter of this perimeter, if it is still in its folder."""
    path = network().instance_path(slug) / LETTER_NAME
    return path if path.is_file() else None


def set_coach(slug: str, coach: Account | None, *, account: Account) -> bool:
    """Give the perimeter this coach (None: no coach); False if it had them already."""
    profile = profile_for(slug)
    if profile.coach_id == (coach.id if coach else None):
        return False
    profile.coach_id = coach.id if coach else None
    audit.record(
        "perimeter.coach_set",
        account=account,
        target=slug,
        detail=coach.name if coach else str(_l("aucun")),
    )
    db_session().commit()
    return True
