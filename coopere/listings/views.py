"""The admin's list of themes: edit, add, retire or restore."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.forms import ConfirmForm
from ..extensions import db
from .forms import ThemeForm
from .models import Theme
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
