"""A sponsor's side: the people they represent, acting for one of them, their printed news."""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, abort, flash, g, has_request_context, redirect, render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..actions import made_file, save_and_say
from ..audit.services import record
from ..auth.forms import ConfirmForm
from ..auth.models import User
from ..database import per_key
from ..extensions import db
from ..listings.services import draft_counts
from ..perimeter.models import get_perimeter
from . import printouts
from .models import DigestPrint, Sponsorship
from .dwelling_labels import dwelling_label
from .sponsorship import SponsorshipError, sponsees_of, sponsored_ids, sponsorship_of, start_acting
from .sponsorship import stop_acting, subject

bp = Blueprint("sponsorship", __name__)


# --- on every page: the "acting for" banner and the « Mes filleuls » link -----------------------


def has_sponsees() -> bool:
    """Whether the logged-in person represents someone now (one query per request at most)."""
    if "has_sponsees" not in g and acting_for() is not None:
        g.has_sponsees = True  # acting for a sponsee: subject() has just checked the sponsorship
    if "has_sponsees" not in g:
        g.has_sponsees = (
            bool(current_user.is_authenticated)
            and db.session.scalar(
                select(Sponsorship.id)
                .where(Sponsorship.sponsor_id == current_user.id, Sponsorship.ended_at.is_(None))
                .limit(1)
            )
            is not None
        )
    return g.has_sponsees


def acting_for() -> User | None:
    """The sponsee the logged-in person is acting for, if any (checked on every request)."""
    if not current_user.is_authenticated:
        return None
    person = subject()
    return person if person is not None and person.id != current_user.id else None


@bp.app_template_global()
def relay_of(member: User) -> str | None:
    """How another member reaches `member`, named on a page: None when they use the site;
    "sponsor" when they have no internet and a neighbour of the network (their sponsor, named
    only within an exchange) answers in their place; "group" when nobody does now (through the
    animation group). One query per request at most; a template global, so that the listing
    cards' macros see it."""
    if member is None or not member.is_offline:
        return None
    if "sponsored_ids" not in g:
        g.sponsored_ids = sponsored_ids()
    return "sponsor" if member.id in g.sponsored_ids else "group"


@bp.app_context_processor
def sponsor_context():
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return {"acting_for": None, "has_sponsees": lambda: False}
    return {"acting_for": acting_for(), "has_sponsees": has_sponsees}


# --- the people I represent ---------------------------------------------------------------------


def last_digest_dates(sponsee_ids: list[int]) -> dict:
    """When each sponsee's digest was last printed (absent: never)."""
    return per_key(DigestPrint.sponsee_id, func.max(DigestPrint.printed_at), sponsee_ids)


def address_lines(person: User) -> list[str]:
    if person.dwelling is None:
        return [person.address_note] if person.address_note else []
    return [dwelling_label(person.dwelling), f"{person.dwelling.postcode} {person.dwelling.city}"]


@bp.route("/parrainage")
def index():
    sponsees = sponsees_of(current_user)
    ids = [person.id for person in sponsees]
    return render_template(
        "sponsorship/index.html",
        sponsees=sponsees,
        drafts=draft_counts(ids),
        digests=last_digest_dates(ids),
        address_lines=address_lines,
        form=ConfirmForm(),
    )


@bp.route("/parrainage/<int:sponsee_id>/agir", methods=["POST"])
def act_for(sponsee_id: int):
    """Switch to "acting for" this sponsee: « Mes annonces » and the rest then work in their
    name."""
    sponsee = db.session.get(User, sponsee_id)
    if sponsee is None:
        abort(403)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("sponsorship.index"))
    try:
        start_acting(sponsee)
    except SponsorshipError:
        abort(403)
    save_and_say(
        _(
            "Vous agissez maintenant pour %(name)s. Tout ce que vous faites est enregistré en "
            "son nom et au vôtre.",
            name=sponsee.full_name,
        )
    )
    return redirect(url_for("listings.mine"))


@bp.route("/parrainage/arreter", methods=["POST"])
def stop():
    if ConfirmForm().validate_on_submit():
        person = acting_for()
        stop_acting()
        if person is not None:
            flash(
                _(
                    "Vous n'agissez plus pour %(name)s : vous êtes de retour sur votre compte.",
                    name=person.full_name,
                ),
                "success",
            )
    return redirect(url_for("sponsorship.index") if has_sponsees() else url_for("auth.home"))


def _file_name(first_name: str) -> str:
    plain = unicodedata.normalize("NFKD", first_name).encode("ascii", "ignore").decode().lower()
    return f"nouvelles-{re.sub(r'[^a-z0-9]+', '-', plain).strip('-') or 'voisin'}.pdf"


@bp.route("/parrainage/<int:sponsee_id>/nouvelles", methods=["POST"])
def digest(sponsee_id: int):
    """The large-print news of the network for a sponsee: their active sponsor or an animator.
    Anyone else gets the same 404 as for an id that matches nobody (an id reveals no one)."""
    sponsee = db.session.get(User, sponsee_id)
    sponsorship = sponsorship_of(sponsee) if sponsee is not None else None
    is_sponsor = sponsorship is not None and sponsorship.sponsor_id == current_user.id
    if sponsee is None or not (is_sponsor or current_user.is_animator):
        abort(404)
    perimeter = get_perimeter() or abort(404)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("sponsorship.index"))
    pdf = printouts.print_digest(sponsee, perimeter, actor=current_user)
    record("sponsorship.digest_printed", actor=current_user, target=sponsee)
    db.session.commit()
    return made_file(pdf, _file_name(sponsee.first_name))
