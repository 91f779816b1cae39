"""The console's pages of the network's sheets: every account reads them; the coordination writes,
edits, retires and reorders them with the perimeters' own sheet form. Thin: the rules are in
sheets.py (and coopere/sheets/services.py for the texts)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.forms import ConfirmForm
from ..sheets.forms import (
    FAMILY_LABELS,
    LANGUAGE_FIELDS,
    SheetForm,
    fill_sheet_form,
    sheet_values,
)
from ..sheets.library import texts
from ..sheets.models import SheetFamily
from ..sheets.services import SheetError
from . import defaults, sheets
from .blueprint import bp
from .models import NetworkSheet
from .store import db_session


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def _row(slug: str) -> NetworkSheet:
    return sheets.one(slug) or abort(404)


@bp.get("/fiches", endpoint="sheets")
def sheets_page():
    rows = sheets.all_sheets()
    language = _language()
    families = [
        (family, label, [(row, texts(row, language)) for row in rows if row.family == family])
        for family, label in FAMILY_LABELS.items()
    ]
    return render_template("association/sheets.html", families=families)


@bp.get("/fiches/<slug>", endpoint="sheet")
def sheet_page(slug: str):
    row = _row(slug)
    return render_template(
        "association/sheet.html",
        sheet=row,
        words=texts(row, _language()),
        family_label=FAMILY_LABELS[row.family],
        is_project=row.family == SheetFamily.PROJECT.value,
    )


def _edit(row: NetworkSheet | None):
    form = SheetForm()
    themes = defaults.theme_choices(row.theme if row else "")
    form.theme.choices = [SelectChoice("", _("Aucun"))] + [
        SelectChoice(slug, label) for slug, label in themes
    ]
    allowed = {slug for slug, _label in themes}
    if row is not None:
        fill_sheet_form(form, row.family, row.theme, row.content)
    if form.validate_on_submit():
        try:
            saved = (
                sheets.create(sheet_values(form), themes=allowed, account=current_user)
                if row is None
                else sheets.update(row, sheet_values(form), themes=allowed, account=current_user)
            )
        except SheetError as error:
            db_session().rollback()
            getattr(form, error.field or "title_fr", form.title_fr).errors.append(str(error))
        else:
            db_session().commit()
            flash(
                _(
                    "La fiche « %(title)s » est enregistrée : tous les périmètres du réseau "
                    "la montrent.",
                    title=texts(saved, _language())["title"],
                ),
                "success",
            )
            return redirect(url_for("association.sheet", slug=saved.slug))
    return render_template(
        "association/sheet_edit.html", form=form, sheet=row, languages=LANGUAGE_FIELDS
    ), 422 if form.errors else 200


@bp.route("/fiches/nouvelle", methods=["GET", "POST"], endpoint="sheet_new")
def sheet_new():
    return _edit(None)


@bp.route("/fiches/<slug>/modifier", methods=["GET", "POST"], endpoint="sheet_edit")
def sheet_edit(slug: str):
    return _edit(_row(slug))


@bp.post("/fiches/<slug>/retirer", endpoint="sheet_retire")
def sheet_retire(slug: str):
    row = _row(slug)
    if ConfirmForm().validate_on_submit():
        retired = request.form.get("remettre") is None
        sheets.set_retired(row, retired, account=current_user)
        db_session().commit()
        flash(
            _("La fiche est retirée : aucun périmètre ne la propose plus à ses membres.")
            if retired
            else _("La fiche est de nouveau proposée dans tous les périmètres."),
            "success",
        )
    return redirect(url_for("association.sheet", slug=row.slug))


@bp.post("/fiches/<slug>/deplacer", endpoint="sheet_move")
def sheet_move(slug: str):
    row = _row(slug)
    if ConfirmForm().validate_on_submit():
        try:
            sheets.move(row, request.form.get("sens", ""), account=current_user)
        except SheetError as error:
            db_session().rollback()
            flash(str(error), "error")
        else:
            db_session().commit()
    return redirect(url_for("association.sheets") + f"#fiche-{row.slug}")
