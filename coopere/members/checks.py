"""The checks a member's record passes before it is written, at the desk, by an animator or by
the member: the errors they raise, identifiers not already someone else's, a way to reach them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import User, fold_name
from ..extensions import db
from ..i18n import elide, person_name

CONTACT_PREFERENCES = ("phone", "email", "site", "sponsor")


class MemberError(ValueError):
    """A refused operation; the message is French (or the reader's language) and safe to show."""


class DuplicateError(MemberError):
    """The person seems to be registered already: `user` is the existing record."""

    def __init__(self, message, user: User):
        super().__init__(message)
        self.user = user


def possible_duplicates(
    first_name: str, last_name: str, dwelling_id: int | None, exclude_id: int | None = None
) -> list[User]:
    """People with the same name living in the same dwelling (likely the same person)."""
    if dwelling_id is None:
        return []
    query = select(User).where(
        User.dwelling_id == dwelling_id,
        User.name_key == fold_name(person_name(first_name, last_name)),
    )
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return list(db.session.scalars(query))


def check_identifiers_free(
    phone: str | None, email: str | None, exclude_id: int | None = None
) -> None:
    """DuplicateError when another record already has this phone or email (both are unique)."""
    for column, value, message in (
        (User.phone, phone, _l("Ce numéro de téléphone est déjà celui de %(name)s.")),
        (User.email, email, _l("Cette adresse e-mail est déjà celle de %(name)s.")),
    ):
        if not value:
            continue
        query = select(User).where(column == value)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        other = db.session.scalar(query)
        if other is not None:
            raise DuplicateError(elide(message % {"name": other.full_name}, other.full_name), other)


def check_contact_preference(preference: str, *, phone, email, has_internet: bool) -> None:
    if preference not in CONTACT_PREFERENCES:
        raise MemberError(_l("Choisissez comment joindre cette personne."))
    if preference == "phone" and not phone:
        raise MemberError(_l("Pour être joint par téléphone, il faut un numéro de téléphone."))
    if preference == "email" and not email:
        raise MemberError(_l("Pour être joint par e-mail, il faut une adresse e-mail."))
    if preference == "site" and not has_internet:
        raise MemberError(_l("Sans internet, le site ne peut pas servir à joindre cette personne."))
