"""« Annonces »: members browse and search the open offers, needs and projects of the perimeter,
nearest first, and open one listing with its matches. The viewer is subject(): a sponsor acting
for a neighbour browses as that neighbour."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from ..i18n import WEEKDAY_NAMES
from ..inputs import page_number, parse_id
from ..members.sponsorship import can_act_for, subject
from . import browse
from .browse import Filters
from .details import shown as shown_details
from .themes import all_themes

bp = Blueprint("browse", __name__)

QUERY_MAX = 100


def _filters() -> Filters:
    args = request.args
    kind = args.get("type", "")
    theme = args.get("theme", "")
    return Filters(
        kind=kind if kind in browse.KINDS else "",
        theme_id=parse_id(theme),
        q=" ".join(args.get("q", "").split())[:QUERY_MAX],
        new_only=args.get("nouvelles") == "1",
    )


@bp.route("/annonces")
def index():
    viewer = subject()
    filters = _filters()
    page = request.args.get("page", "1")
    page = page_number(page)  # « ² » or 5,000 digits made int() fail (a 500)
    result = browse.browse(viewer, filters, page)
    themes = all_themes()
    response = render_template(
        "listings/browse.html",
        result=result,
        filters=filters,
        themes=themes,
        theme_names={theme.id: theme for theme in themes},
        language=get_locale().language,
        viewer=viewer,
    )
    if page == 1 and filters.is_default:
        browse.mark_seen(viewer)
    return response


def _privileged(listing) -> bool:
    """Who may see a listing that is not open: animators, and the owner's sponsor."""
    return current_user.is_animator or can_act_for(current_user, listing.owner)


@bp.route("/annonces/<int:listing_id>")
def show(listing_id: int):
    viewer = subject()
    found = browse.listing_for(viewer, listing_id, privileged=_privileged) or abort(404)
    listing = found.listing
    mine = listing.owner_id == viewer.id
    matches = (
        browse.matches_for(
            viewer, listing.theme_id, listing.kind, exclude_owner_id=listing.owner_id
        )
        if listing.status == "open" or mine
        else []
    )
    from ..moderation.services import open_report_by

    reported = (
        None if mine else open_report_by(current_user, listing=listing)
    )  # waiting for the animators
    return render_template(
        "listings/show.html",
        listing=listing,
        proximity=found.proximity,
        mine=mine,
        matches=matches,
        details=shown_details(listing.theme.slug, listing.details),
        language=get_locale().language,
        viewer=viewer,
        day_names=WEEKDAY_NAMES,
        reported=reported,
    )


# --- before publishing: the listings that already answer the new one ------------------------


def matches_step(person, theme_id: int, kind: str, *, photo_sent: bool = False):
    """For « Mes annonces » › new listing: when open listings of the same theme answer the one being
    posted (offers for a need, needs for an offer), a page that shows them first, with « Publier
    quand même » (the same form sent again, with `confirmed`) and « Voir les annonces ». None when
    there is none (the listing is published at once)."""
    matches = (
        browse.matches_for(person, theme_id, kind, exclude_owner_id=person.id) if theme_id else []
    )
    if not matches:
        return None
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "confirmed")
    ]
    return render_template(
        "listings/matches_step.html",
        matches=matches,
        fields=fields,
        kind=kind,
        theme_id=theme_id,
        photo_sent=photo_sent,
        language=get_locale().language,
        viewer=person,
        acting=person.id != current_user.id,
        person=person,
    )
