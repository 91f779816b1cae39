"""The admin's list of themes (edit, add, retire or restore), and « Mes annonces »: a member's
own offers and needs, or those of the neighbour they act for as sponsor."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..actions import attempt, attempt_and_say, form_page, save_and_say
from ..auth.forms import ConfirmForm
from ..extensions import db
from ..inputs import parse_id
from ..members.sponsorship import subject
from . import photos, projects, services
from . import project_views  # noqa: F401  (its routes, on this blueprint)
from .blueprint import bp
from .details import DETAILS, form_name, parse_date
from .browse_views import matches_step
from .forms import ListingForm, ThemeForm
from .models import Listing, Theme
from .themes import ThemeError, all_themes, save_theme, set_retired
from .lifetime import EDITABLE, expires_soon
from .validation import ListingError, ListingValues, mentions_money


@bp.route("/admin/themes")
def themes():
    return render_template("listings/themes.html", themes=all_themes(include_retired=True))


@bp.route("/admin/themes/nouveau", methods=["GET", "POST"])
def theme_new():
    return _edit(None)


@bp.route("/admin/themes/<int:theme_id>/modifier", methods=["GET", "POST"])
def theme_edit(theme_id: int):
    return _edit(db.session.get(Theme, theme_id) or abort(404))


def _edit(theme: Theme | None):
    form = ThemeForm(obj=theme)
    if (
        form.validate_on_submit()
        and attempt_and_say(
            lambda: save_theme(theme, form.data, actor=current_user),
            ThemeError,
            lambda saved: _("Le thème « %(name)s » est enregistré.", name=saved.label_fr),
            field=form.label_fr,
        ).ok
    ):
        return redirect(url_for("listings.themes"))
    return form_page("listings/theme_edit.html", form, theme=theme)


@bp.route("/admin/themes/<int:theme_id>/retrait", methods=["POST"])
def theme_retire(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        set_retired(theme, not theme.retired, actor=current_user)
        save_and_say(
            _("Le thème « %(name)s » est retiré.", name=theme.label_fr)
            if theme.retired
            else _("Le thème « %(name)s » est de nouveau proposé.", name=theme.label_fr)
        )
    return redirect(url_for("listings.themes"))


# --- « Mes annonces »: the subject's listings (oneself, or the sponsee one acts for) ---------


def _mine(listing_id: int) -> Listing:
    """The subject's listing, or 404: another person's listing is never revealed."""
    return services.listing_of(subject(), listing_id) or abort(404)


def _money_reminder(listing: Listing) -> None:
    if mentions_money(listing.title, listing.description):
        flash(_("Rappel : les échanges du réseau sont gratuits."), "info")


@bp.route("/mes-annonces")
def mine():
    person = subject()
    groups = services.my_listings(person)
    project_ids = [
        listing.id for group in groups.values() for listing in group if listing.kind == "project"
    ]
    return render_template(
        "listings/mine.html",
        person=person,
        acting=person.id != current_user.id,
        groups=groups,
        language=get_locale().language,
        participant_counts=projects.counts(project_ids),
        expires_soon=expires_soon,
    )


def _listing_form(listing: Listing | None) -> ListingForm:
    form = ListingForm(obj=listing)
    language = get_locale().language
    themes = all_themes()
    form.theme_id.choices = [SelectChoice("", _("Choisissez un thème"))] + [
        SelectChoice(str(theme.id), theme.label(language)) for theme in themes
    ]
    from ..events.services import upcoming_events

    events = upcoming_events(limit=20)
    if listing is not None and listing.event is not None and listing.event not in events:
        events.insert(0, listing.event)
    form.event_id.choices = [SelectChoice("", _("Aucun"))] + [
        SelectChoice(
            str(event.id),
            f"{format_date(event.starts_at, 'EEEE d MMMM yyyy')} — "
            f"{event.title or event.kind_label}",
        )
        for event in events
    ]
    if listing is not None and not form.is_submitted():
        form.theme_id.data = str(listing.theme_id)
        form.days.data = [day for day in (listing.days or "").split(",") if day]
        form.event_id.data = str(listing.event_id or "")
        form.max_participants.data = str(listing.max_participants or "")
        form.project_date.data = listing.project_date.isoformat() if listing.project_date else ""
        for name, value in (listing.details or {}).items():
            field = getattr(form, form_name(listing.theme.slug, name), None)
            if field is not None:
                field.data = str(value)
    elif (
        listing is None
        and not form.is_submitted()
        and request.args.get("type") in ("offer", "need", "project")
    ):
        form.kind.data = request.args["type"]
    form.theme_sections = [
        (theme, form.details_fields(theme.slug)) for theme in themes if theme.slug in DETAILS
    ]
    return form


def _values(form: ListingForm) -> ListingValues:
    theme_id = parse_id(form.theme_id.data) or 0  # « ² », 20 digits: no theme, not a 500
    theme = db.session.get(Theme, theme_id) if theme_id else None
    event_id = form.event_id.data
    return ListingValues(
        theme_id=theme_id,
        kind=form.kind.data,
        title=form.title.data or "",
        description=form.description.data or "",
        availability=form.availability.data or "",
        days=tuple(form.days.data or ()),
        details=form.details_for(theme.slug if theme else None),
        max_participants=form.max_participants.data or None,
        project_date=parse_date(form.project_date.data or ""),
        event_id=parse_id(event_id),
    )


def _photo(form: ListingForm) -> photos.Photo | None:
    """The uploaded photo, checked and re-encoded (nothing is written yet), or None."""
    upload = form.photo.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return photos.prepare(upload.stream.read(photos.max_bytes() + 1))


class _MatchesFirst(Exception):
    """A new listing that others already answer: show them first (the page), save nothing."""

    def __init__(self, page):
        super().__init__()
        self.page = page


def _save(listing: Listing | None):
    person = subject()
    form = _listing_form(listing)
    if form.validate_on_submit():

        def save() -> Listing:
            photo = _photo(form)
            if listing is not None:
                services.update_listing(
                    listing,
                    _values(form),
                    actor=current_user,
                    owner=person,
                    photo=photo,
                    remove_photo=form.remove_photo.data,
                )
                return listing
            saved = services.create_listing(person, _values(form), actor=current_user, photo=photo)
            if not request.form.get("confirmed"):  # matching: first show what already answers it
                step = matches_step(
                    person, saved.theme_id, saved.kind, photo_sent=photo is not None
                )
                if step is not None:
                    raise _MatchesFirst(step)  # rolled back: saved only on « Publier quand même »
            return saved

        outcome = attempt(save, (photos.PhotoError, ListingError, _MatchesFirst))
        if isinstance(outcome.refusal, _MatchesFirst):
            return outcome.refusal.page
        if outcome.ok:
            saved = outcome.value
            flash(
                _("L'annonce « %(title)s » est publiée.", title=saved.title)
                if listing is None
                else _("L'annonce « %(title)s » est enregistrée.", title=saved.title),
                "success",
            )
            _money_reminder(saved)
            return redirect(url_for("listings.mine"))
        error = outcome.refusal
        field = form.photo if isinstance(error, photos.PhotoError) else None
        (field or getattr(form, error.field or "title")).errors.append(outcome.error)
    return form_page(
        "listings/listing_edit.html",
        form,
        listing=listing,
        person=person,
        acting=person.id != current_user.id,
        language=get_locale().language,
    )


@bp.route("/mes-annonces/nouvelle", methods=["GET", "POST"])
def mine_new():
    return _save(None)


@bp.route("/mes-annonces/<int:listing_id>/modifier", methods=["GET", "POST"])
def mine_edit(listing_id: int):
    listing = _mine(listing_id)
    if listing.status not in EDITABLE:
        flash(
            str(services.HIDDEN)
            if listing.status == "hidden"
            else _(
                "Cette annonce est terminée : elle ne se modifie plus. Créez-en une nouvelle "
                "si besoin."
            ),
            "error",
        )
        return redirect(url_for("listings.mine"))
    return _save(listing)


def _act(listing_id: int, action, success: str):
    """Run a one-button action on one of the subject's listings, then back to the list."""
    listing = _mine(listing_id)
    if ConfirmForm().validate_on_submit():
        title = listing.title
        attempt_and_say(
            lambda: action(listing, actor=current_user, owner=subject()),
            ListingError,
            lambda _done: (
                success
                % {
                    "title": title,
                    "date": format_date(listing.expires_at, "d MMMM yyyy")
                    if listing.expires_at
                    else "",
                }
            ),
        )
    return redirect(url_for("listings.mine"))


@bp.route("/mes-annonces/<int:listing_id>/publier", methods=["POST"])
def mine_publish(listing_id: int):
    return _act(
        listing_id,
        services.publish,
        _("L'annonce « %(title)s » est publiée : les voisins la voient."),
    )


@bp.route("/mes-annonces/<int:listing_id>/fermer", methods=["POST"])
def mine_close(listing_id: int):
    return _act(listing_id, services.close_listing, _("L'annonce « %(title)s » est fermée."))


@bp.route("/mes-annonces/<int:listing_id>/supprimer", methods=["POST"])
def mine_delete(listing_id: int):
    listing = _mine(listing_id)
    if ConfirmForm().validate_on_submit():
        title, was_draft = listing.title, listing.status == "draft"
        attempt_and_say(
            lambda: services.delete_listing(listing, actor=current_user, owner=subject()),
            ListingError,
            lambda deleted: (
                _("L'annonce « %(title)s » est retirée.", title=title)
                if deleted and was_draft
                else _("L'annonce « %(title)s » est supprimée.", title=title)
                if deleted
                else _(
                    "Des voisins ont répondu à l'annonce « %(title)s » : elle est fermée "
                    "plutôt que supprimée, pour garder vos échanges.",
                    title=title,
                )
            ),
        )
    return redirect(url_for("listings.mine"))


@bp.route("/mes-annonces/<int:listing_id>/renouveler", methods=["POST"])
def mine_renew(listing_id: int):
    return _act(
        listing_id,
        services.renew,
        _("L'annonce « %(title)s » est renouvelée : elle reste en ligne jusqu'au %(date)s."),
    )


@bp.route("/mes-annonces/<int:listing_id>/pause", methods=["POST"])
def mine_pause(listing_id: int):
    return _act(
        listing_id,
        services.pause,
        _("L'annonce « %(title)s » est en pause : les voisins ne la voient plus pour l'instant."),
    )


@bp.route("/mes-annonces/<int:listing_id>/reprendre", methods=["POST"])
def mine_resume(listing_id: int):
    return _act(listing_id, services.resume, _("L'annonce « %(title)s » est de nouveau en ligne."))


@bp.route("/mes-annonces/<int:listing_id>/fait", methods=["POST"])
def mine_fulfil(listing_id: int):
    return _act(
        listing_id, services.fulfil, _("Bravo ! L'annonce « %(title)s » est marquée comme faite.")
    )


@bp.route("/mes-annonces/publier-tout", methods=["POST"])
def mine_publish_all():
    if ConfirmForm().validate_on_submit():
        published, left = services.publish_all_drafts(subject(), actor=current_user)
        save_and_say(
            _("Annonces publiées : %(count)s.", count=len(published)) if published else None
        )
        if left:
            flash(
                _(
                    "À corriger avant de les publier : %(titles)s.",
                    titles=", ".join(_("« %(title)s »", title=listing.title) for listing in left),
                ),
                "error",
            )
    return redirect(url_for("listings.mine"))
