"""Sponsorship (parrainage): a member who represents a neighbour without internet.

Rules in one place: who may sponsor, the limit of sponsees, one active sponsor per person
(also a database constraint), acting for a sponsee, and how neighbours reach an offline
resident."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.identifiers import format_phone
from ..auth.models import User
from ..extensions import db
from ..perimeter.models import Perimeter
from ..timeutil import utcnow
from .consent_records import add_consent
from .models import ConsentKind, EndReason, Method, Sponsorship

ACTING_KEY = "acting_for"


class SponsorshipError(ValueError):
    """A refused sponsorship operation; the message is safe to show."""


def sponsorship_of(sponsee: User) -> Sponsorship | None:
    """The sponsee's active sponsorship, if any."""
    return db.session.scalar(
        select(Sponsorship).where(
            Sponsorship.sponsee_id == sponsee.id, Sponsorship.ended_at.is_(None)
        )
    )


def sponsored_ids() -> set[int]:
    """The people an active sponsor answers for (one query): a neighbour without internet named to
    another member is said to be answered for by « un voisin du réseau » when in this set."""
    return set(
        db.session.scalars(select(Sponsorship.sponsee_id).where(Sponsorship.ended_at.is_(None)))
    )


def sponsorships_history(sponsee: User) -> list[Sponsorship]:
    return list(
        db.session.scalars(
            select(Sponsorship)
            .where(Sponsorship.sponsee_id == sponsee.id)
            .order_by(Sponsorship.id.desc())
        )
    )


def sponsees_of(sponsor: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Sponsorship, Sponsorship.sponsee_id == User.id)
            .where(Sponsorship.sponsor_id == sponsor.id, Sponsorship.ended_at.is_(None))
            .order_by(User.last_name, User.first_name)
        )
    )


def sponsee_count(sponsor: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Sponsorship)
        .where(Sponsorship.sponsor_id == sponsor.id, Sponsorship.ended_at.is_(None))
    )


def possible_sponsors(sponsee: User) -> list[User]:
    """Members who could sponsor this person now (activated, present, under the limit)."""
    limit = current_app.config["SPONSEES_MAX"]
    counts = (
        select(Sponsorship.sponsor_id, func.count().label("n"))
        .where(Sponsorship.ended_at.is_(None))
        .group_by(Sponsorship.sponsor_id)
        .subquery()
    )
    query = (
        select(User)
        .outerjoin(counts, counts.c.sponsor_id == User.id)
        .where(
            User.password_hash.is_not(None),
            User.is_enabled.is_(True),
            User.left_at.is_(None),
            User.id != sponsee.id,
            func.coalesce(counts.c.n, 0) < limit,
        )
        .order_by(User.last_name, User.first_name)
    )
    return list(db.session.scalars(query))


def link_sponsor(
    sponsee: User,
    sponsor: User,
    *,
    actor: User,
    consent_reference: str,
    sponsor_agreed: bool,
    perimeter: Perimeter,
    method: str = Method.PAPER.value,
    transfer: bool = False,
) -> Sponsorship:
    """Make `sponsor` the sponsor of `sponsee` (an animator's action, in the current
    transaction). With `transfer`, an active sponsorship passes to the new sponsor."""
    if sponsee.has_left or not sponsee.is_offline:
        raise SponsorshipError(
            _l(
                "Seule une personne sans internet, présente dans le périmètre, "
                "peut avoir un parrain ou une marraine."
            )
        )
    if sponsor.id == sponsee.id:
        raise SponsorshipError(_l("Une personne ne peut pas être son propre parrain."))
    if not sponsor.is_active or sponsor.has_left:
        raise SponsorshipError(
            _l(
                "%(name)s n'a pas de compte actif sur le site : il ou elle ne peut pas "
                "encore parrainer.",
                name=sponsor.full_name,
            )
        )
    if not sponsor_agreed:
        raise SponsorshipError(_l("Le parrain ou la marraine doit avoir donné son accord."))
    consent_reference = (consent_reference or "").strip()
    if method == Method.PAPER and not consent_reference:
        raise SponsorshipError(
            _l("Indiquez la référence du papier où la personne accepte d'être représentée.")
        )
    # Lock the sponsor's row: two animators linking at once cannot pass the limit together.
    db.session.scalar(select(User.id).where(User.id == sponsor.id).with_for_update())
    limit = current_app.config["SPONSEES_MAX"]
    if sponsee_count(sponsor) >= limit:
        raise SponsorshipError(
            _l(
                "%(name)s parraine déjà %(count)s personnes, le maximum.",
                name=sponsor.full_name,
                count=limit,
            )
        )
    current = sponsorship_of(sponsee)
    if current is not None:
        if current.sponsor_id == sponsor.id:
            raise SponsorshipError(
                _l(
                    "%(name)s est déjà le parrain ou la marraine de cette personne.",
                    name=sponsor.full_name,
                )
            )
        if not transfer:
            raise SponsorshipError(
                _l(
                    "Cette personne a déjà un parrain ou une marraine : %(name)s.",
                    name=current.sponsor.full_name,
                )
            )
        end_sponsorship(current, actor=actor, reason=EndReason.TRANSFERRED)
        db.session.flush()  # the partial unique index sees the old one ended
    add_consent(
        sponsee,
        ConsentKind.REPRESENTATION,
        True,
        actor=actor,
        method=method,
        perimeter=perimeter,
        paper_reference=consent_reference,
    )
    sponsorship = Sponsorship(
        sponsee_id=sponsee.id,
        sponsor_id=sponsor.id,
        started_by_id=actor.id,
        consent_reference=consent_reference,
    )
    db.session.add(sponsorship)
    db.session.flush()
    record(
        "sponsorship.started",
        actor=actor,
        target=sponsee,
        sponsor=sponsor.full_name,
        sponsor_id=sponsor.id,
    )
    return sponsorship


def end_sponsorship(
    sponsorship: Sponsorship, *, actor: User, reason: EndReason = EndReason.ENDED
) -> None:
    if sponsorship.ended_at is not None:
        raise SponsorshipError(_l("Ce parrainage est déjà terminé."))
    sponsorship.ended_at = utcnow()
    sponsorship.ended_by_id = actor.id
    sponsorship.end_reason = reason.value
    record(
        "sponsorship.ended",
        actor=actor,
        target=sponsorship.sponsee,
        reason=reason.value,
        sponsor=sponsorship.sponsor.full_name,
        sponsor_id=sponsorship.sponsor_id,
    )


# --- acting for a sponsee -----------------------------------------------------------------


def can_act_for(user, member: User) -> bool:
    """Whether `user` may act in `member`'s name: themself, or their active sponsor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.id == member.id:
        return True
    return (
        db.session.scalar(
            select(Sponsorship.id).where(
                Sponsorship.sponsee_id == member.id,
                Sponsorship.sponsor_id == user.id,
                Sponsorship.ended_at.is_(None),
            )
        )
        is not None
    )


def start_acting(sponsee: User) -> None:
    if current_user.id == sponsee.id or not can_act_for(current_user, sponsee):
        raise SponsorshipError(_l("Vous n'êtes pas le parrain ou la marraine de cette personne."))
    session[ACTING_KEY] = sponsee.id
    record("sponsorship.acting", actor=current_user, target=sponsee)


def stop_acting() -> None:
    session.pop(ACTING_KEY, None)


def subject() -> User:
    """The person the current user is acting for: their sponsee in "acting for" mode, else
    themself. Checked on every request, so an ended sponsorship ends the mode at once."""
    if "subject" in g:
        return g.subject
    person = current_user._get_current_object() if current_user.is_authenticated else None
    sponsee_id = session.get(ACTING_KEY)
    if person is not None and sponsee_id:
        # The sponsee, only while this user is their active sponsor: one query.
        sponsee = db.session.scalar(
            select(User)
            .join(Sponsorship, Sponsorship.sponsee_id == User.id)
            .where(
                User.id == sponsee_id,
                User.id != person.id,
                Sponsorship.sponsor_id == person.id,
                Sponsorship.ended_at.is_(None),
            )
        )
        if sponsee is not None:
            person = sponsee
        else:
            session.pop(ACTING_KEY, None)
    g.subject = person
    return person


def on_behalf(actor: User, member: User) -> dict:
    """Audit details for an action done by `actor` for `member` (both are recorded)."""
    return {"on_behalf_of": member.full_name} if actor.id != member.id else {}


# --- how neighbours reach someone ---------------------------------------------------------


@dataclass(frozen=True)
class ContactRoute:
    """How a neighbour reaches a member: `kind` is phone | sponsor | site | group."""

    kind: str
    text: str


def contact_route(member: User, *, phone_shared: bool, in_exchange: bool) -> ContactRoute:
    """Tranquillité: a member's phone is shown only to a neighbour they exchange with and only
    with their consent; an offline resident is reached through their sponsor."""
    if in_exchange and phone_shared and member.phone:
        return ContactRoute(
            "phone", str(_l("par téléphone, %(phone)s", phone=format_phone(member.phone)))
        )
    if member.is_offline:
        sponsorship = sponsorship_of(member)
        if sponsorship is not None:
            return ContactRoute(
                "sponsor",
                str(
                    _l(
                        "par son parrain ou sa marraine, %(name)s",
                        name=sponsorship.sponsor.full_name,
                    )
                ),
            )
        return ContactRoute("group", str(_l("par le groupe d'animation")))
    return ContactRoute("site", str(_l("par la messagerie du site")))
