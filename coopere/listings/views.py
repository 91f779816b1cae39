"""The admin's list of themes (edit, add, retire or restore), and « Mes annonces »: a member's
own offers and needs, or those of the neighbour they act for as sponsor."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.forms import ConfirmForm
from ..extensions import db
from ..members.sponsorship import subject
from . import services
from .forms import ListingForm, ThemeForm
from .models import Listing, Theme
from .services import ListingError, ListingValues
from .themes import ThemeError, all_themes, save_theme, set_retired

bp = Blueprint("listings", __name__)


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
    if form.validate_on_submit():
        try:
            saved = save_theme(theme, form.data, actor=current_user)
        except ThemeError as error:
            db.session.rollback()
            form.label_fr.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Le thème « %(name)s » est enregistré.", name=saved.label_fr), "success")
            return redirect(url_for("listings.themes"))
    return render_template("listings/theme_edit.html", form=form, theme=theme), 422 if form.errors else 200


@bp.route("/admin/themes/<int:theme_id>/retrait", methods=["POST"])
def theme_retire(theme_id: int):
    theme = db.session.get(Theme, theme_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        set_retired(theme, not theme.retired, actor=current_user)
        db.session.commit()
        flash(_("Le thème « %(name)s » est retiré.", name=theme.label_fr) if theme.retired
              else _("Le thème « %(name)s » est de nouveau proposé.", name=theme.label_fr), "success")
    return redirect(url_for("listings.themes"))


# --- « Mes annonces »: the subject's listings (oneself, or the sponsee one acts for) ---------

def _mine(listing_id: int) -> Listing:
    """The subject's listing, or 404: another person's listing is never revealed."""
    return services.listing_of(subject(), listing_id) or abort(404)


def _money_reminder(listing: Listing) -> None:
    if services.mentions_money(listing.title, listing.description):
        flash(_("Rappel : les échanges du réseau sont gratuits."), "info")


@bp.route("/mes-annonces")
def mine():
    person = subject()
    return render_template("listings/mine.html", person=person, acting=person.id != current_user.id,
                           groups=services.my_listings(person), language=get_locale().language)


def _listing_form(listing: Listing | None) -> ListingForm:
    form = ListingForm(obj=listing)
    language = get_locale().language
    form.theme_id.choices = [SelectChoice("", _("Choisissez un thème"))] + [
        SelectChoice(str(theme.id), theme.label(language)) for theme in all_themes()]
    if listing is not None and not form.is_submitted():
        form.theme_id.data = str(listing.theme_id)
    elif listing is None and not form.is_submitted() and request.args.get("type") in ("offer", "need"):
        form.kind.data = request.args["type"]
    return form


def _values(form: ListingForm) -> ListingValues:
    theme_id = form.theme_id.data
    return ListingValues(theme_id=int(theme_id) if str(theme_id or "").isdigit() else 0, kind=form.kind.data,
                         title=form.title.data or "", description=form.description.data or "")


def _save(listing: Listing | None):
    person = subject()
    form = _listing_form(listing)
    if form.validate_on_submit():
        try:
            if listing is None:
                saved = services.create_listing(person, _values(form), actor=current_user)
            else:
                services.update_listing(listing, _values(form), actor=current_user, owner=person)
                saved = listing
        except ListingError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("L'annonce « %(title)s » est publiée.", title=saved.title) if listing is None
                  else _("L'annonce « %(title)s » est enregistrée.", title=saved.title), "success")
            _money_reminder(saved)
            return redirect(url_for("listings.mine"))
    return (render_template("listings/listing_edit.html", form=form, listing=listing, person=person,
                            acting=person.id != current_user.id),
            422 if form.errors else 200)


@bp.route("/mes-annonces/nouvelle", methods=["GET", "POST"])
def mine_new():
    return _save(None)


@bp.route("/mes-annonces/<int:listing_id>/modifier", methods=["GET", "POST"])
def mine_edit(listing_id: int):
    listing = _mine(listing_id)
    if listing.status not in services.EDITABLE:
        flash(str(services.HIDDEN) if listing.status == "hidden"
              else _("Cette annonce est terminée : elle ne se modifie plus. Créez-en une nouvelle si besoin."),
              "error")
        return redirect(url_for("listings.mine"))
    return _save(listing)


def _act(listing_id: int, action, success: str):
    """Run a one-button action on one of the subject's listings, then back to the list."""
    listing = _mine(listing_id)
    if ConfirmForm().validate_on_submit():
        title = listing.title
        try:
            action(listing, actor=current_user, owner=subject())
        except ListingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(success % {"title": title}, "success")
    return redirect(url_for("listings.mine"))


@bp.route("/mes-annonces/<int:listing_id>/publier", methods=["POST"])
def mine_publish(listing_id: int):
    return _act(listing_id, services.publish, _("L'annonce « %(title)s » est publiée : les voisins la voient."))


@bp.route("/mes-annonces/<int:listing_id>/fermer", methods=["POST"])
def mine_close(listing_id: int):
    return _act(listing_id, services.close_listing, _("L'annonce « %(title)s » est fermée."))


@bp.route("/mes-annonces/<int:listing_id>/supprimer", methods=["POST"])
def mine_delete(listing_id: int):
    return _act(listing_id, services.delete_draft, _("L'annonce « %(title)s » est retirée."))


@bp.route("/mes-annonces/publier-tout", methods=["POST"])
def mine_publish_all():
    if ConfirmForm().validate_on_submit():
        published, left = services.publish_all_drafts(subject(), actor=current_user)
        db.session.commit()
        if published:
            flash(_("Annonces publiées : %(count)s.", count=len(published)), "success")
        if left:
            flash(_("À corriger avant de les publier : %(titles)s.",
                    titles=", ".join(_("« %(title)s »", title=listing.title) for listing in left)), "error")
    return redirect(url_for("listings.mine"))
