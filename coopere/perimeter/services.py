"""Perimeter set-up and settings changes."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from .. import printing
from ..audit.services import record
from ..auth.models import Role, User
from ..extensions import db
from .models import Perimeter, get_perimeter

SETTINGS_FIELDS = (
    "name",
    "short_name",
    "city",
    "postcode",
    "estimated_dwellings",
    "meeting_place",
    "contact",
    "charter_text",
)


def find_members_to_promote(query: str, limit: int) -> list[User]:
    """Activated members (not yet in the group) whose first or last name contains `query`."""
    pattern = f"%{query.lower()}%"
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.MEMBER.value,
                User.password_hash.is_not(None),
                User.is_enabled.is_(True),
                or_(
                    func.lower(User.first_name).like(pattern),
                    func.lower(User.last_name).like(pattern),
                    func.lower(User.first_name + " " + User.last_name).like(pattern),
                ),
            )
            .order_by(User.last_name, User.first_name)
            .limit(limit)
        )
    )


def save_settings(values: dict, *, actor=None) -> Perimeter:
    """Create or update the perimeter's settings. A changed charter gets a new version number,
    so that every consent keeps pointing at the text that was actually accepted."""
    perimeter = get_perimeter()
    if perimeter is None:
        perimeter = Perimeter(id=1, charter_version=1)
        db.session.add(perimeter)
        changed = list(SETTINGS_FIELDS)
    else:
        changed = [f for f in SETTINGS_FIELDS if f in values and getattr(perimeter, f) != values[f]]
        if "charter_text" in changed:
            perimeter.charter_version += 1
    for field in SETTINGS_FIELDS:
        if field in values:
            setattr(perimeter, field, values[field] if values[field] is not None else "")
    if changed:
        record("perimeter.settings_changed", actor=actor, fields=changed)
    return perimeter


DEFAULT_CHARTER = "\n\n".join(
    (
        "Notre réseau d'entraide de voisinage repose sur quatre principes.",
        "Gratuité : rien ne se paie. On donne, on prête, on rend service sans argent.",
        "Réciprocité : chacun peut donner et recevoir. Tout le monde a quelque chose à offrir.",
        "Neutralité : le réseau n'est utilisé à aucune fin politique, religieuse ou commerciale.",
        "Tranquillité : personne n'est importuné. On ne se contacte que lorsque les deux personnes "
        "sont d'accord.",
        "Les membres s'inscrivent en personne, auprès du groupe d'animation, lors d'un "
        "café-rencontre ou d'une visite.",
    )
)


def perimeter_data(perimeter: Perimeter) -> printing.Perimeter:
    """The perimeter as the print engine needs it (French)."""
    return printing.Perimeter(
        name=perimeter.name,
        city=perimeter.city,
        signature=f"Le groupe d'animation de {perimeter.short_name}",
        contact=perimeter.contact,
    )
