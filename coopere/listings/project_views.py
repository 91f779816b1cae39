"""Collective projects (joining and leaving, for oneself or the sponsee one acts for), listing
photos and the printed catalogue: routes of the listings blueprint."""

from __future__ import annotations

from flask import abort, current_app, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..actions import attempt_and_say
from ..auth.forms import ConfirmForm
from ..extensions import db
from ..members.sponsorship import subject
from ..perimeter.models import get_perimeter
from ..urls import next_path
from . import photos, projects, services
from .models import Listing
from .printouts import catalogue_pdf
from .validation import ListingError
from .blueprint import bp


# --- collective projects: joining and leaving (for oneself, or the sponsee one acts for) -----


@bp.app_context_processor
def _project_helpers():
    def project_info(listing: Listing, viewer) -> dict:
        """The participants of a project, whether `viewer` is one, and whether it is full."""
        people = projects.participants(listing)
        count = len(people)
        left = (
            None if listing.max_participants is None else max(listing.max_participants - count, 0)
        )
        return {
            "participants": people,
            "count": count,
            "places_left": left,
            "full": left == 0,
            "joined": any(person.id == viewer.id for person in people),
        }

    return {"project_info": project_info}


def _back_to(listing: Listing):
    return redirect(
        next_path(
            url_for("browse.show", listing_id=listing.id)
            if "browse.show" in current_app.view_functions
            else url_for("listings.mine")
        )
    )


def _visible_project(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if (
        listing is None
        or not projects.is_project(listing)
        or not services.can_see(current_user, listing)
    ):
        abort(404)
    return listing


def _participation(listing_id: int, change, yourself, someone):
    """Join or leave a project in the name of `subject()`, then back to the project."""
    listing = _visible_project(listing_id)
    if ConfirmForm().validate_on_submit():
        person = subject()
        attempt_and_say(
            lambda: change(listing, person, actor=current_user),
            ListingError,
            yourself % {"title": listing.title}
            if person.id == current_user.id
            else someone % {"name": person.first_name, "title": listing.title},
        )
    return _back_to(listing)


@bp.route("/annonces/<int:listing_id>/participer", methods=["POST"])
def join(listing_id: int):
    return _participation(
        listing_id,
        projects.join,
        _l("Vous participez au projet « %(title)s »."),
        _l("%(name)s participe au projet « %(title)s »."),
    )


@bp.route("/annonces/<int:listing_id>/quitter", methods=["POST"])
def leave(listing_id: int):
    return _participation(
        listing_id,
        projects.leave,
        _l("Vous ne participez plus au projet « %(title)s »."),
        _l("%(name)s ne participe plus au projet « %(title)s »."),
    )


# --- photos and the printed catalogue ---------------------------------------------------------


@bp.route("/annonces/photo/<name>")
def photo(name: str):
    """A listing's photo, for members who may see the listing; never another file."""
    if not photos.NAME.match(name):
        abort(404)
    listing = db.session.scalar(select(Listing).where(Listing.photo == name))
    path = photos.path_of(name)
    if listing is None or path is None or not services.can_see(current_user, listing):
        abort(404)
    extension = name.rsplit(".", 1)[1]
    response = current_app.response_class(path.read_bytes(), mimetype=photos.MIMETYPES[extension])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="annonce-{listing.id}.{extension}"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/annonces/catalogue.pdf")
def catalogue():
    pdf = catalogue_pdf(get_perimeter() or abort(404))
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="catalogue-des-annonces.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
