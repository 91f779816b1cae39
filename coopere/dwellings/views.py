"""The dwelling register for animators: list, filter, add, edit, remove, import, export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.forms import ConfirmForm
from ..actions import attempt_and_say, form_page, save_and_say
from ..extensions import db
from ..inputs import page_number, paging
from ..perimeter.models import get_perimeter
from . import services
from .forms import DwellingForm, ImportForm
from .models import Dwelling
from .services import (
    PAGE_SIZE,
    DwellingError,
    check_import,
    delete_dwelling,
    describe,
    export_register,
    facts_for,
    forget_pending,
    keep_pending,
    page_of,
    pending,
    save_dwelling,
    streets,
    totals,
)

bp = Blueprint("dwellings", __name__, url_prefix="/logements")


@bp.route("/")
def index():
    street = request.args.get("rue", "")[:200]
    building = request.args.get("batiment", "").strip()[:80]
    page = page_number(request.args.get("page"))  # a 20-digit page overflowed the OFFSET (a 500)
    dwellings, count = page_of(street, building, page)
    perimeter = get_perimeter()
    return render_template(
        "dwellings/index.html",
        dwellings=dwellings,
        **paging(count, page, PAGE_SIZE),
        street=street,
        building=building,
        streets=streets(),
        facts=facts_for(dwellings),
        totals=totals(perimeter.estimated_dwellings if perimeter else 0),
    )


@bp.route("/nouveau", methods=["GET", "POST"])
def create():
    perimeter = get_perimeter()
    form = DwellingForm()
    if request.method == "GET" and perimeter:
        form.postcode.data, form.city.data = perimeter.postcode, perimeter.city
    return _save(None, form)


@bp.route("/<int:dwelling_id>/modifier", methods=["GET", "POST"])
def edit(dwelling_id: int):
    dwelling = db.session.get(Dwelling, dwelling_id) or abort(404)
    return _save(dwelling, DwellingForm(obj=dwelling))


def _save(dwelling: Dwelling | None, form: DwellingForm):
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        saved = attempt_and_say(
            lambda: save_dwelling(dwelling, values, actor=current_user),
            DwellingError,
            lambda saved: _("Logement enregistré : %(address)s.", address=describe(saved)),
            field=form.street,
        )
        if saved.ok:
            return redirect(url_for("dwellings.index", rue=saved.value.street))
    return form_page("dwellings/edit.html", form, dwelling=dwelling)


@bp.route("/<int:dwelling_id>/supprimer", methods=["POST"])
def delete(dwelling_id: int):
    dwelling = db.session.get(Dwelling, dwelling_id) or abort(404)
    if not ConfirmForm().validate_on_submit() or request.form.get("confirm") != "yes":
        flash(
            _("Cochez « Oui, retirer ce logement » pour confirmer : rien n'a été retiré."), "error"
        )
        return redirect(url_for("dwellings.edit", dwelling_id=dwelling.id))
    address = describe(dwelling)
    delete_dwelling(dwelling, actor=current_user)
    save_and_say(_("Logement retiré du registre : %(address)s.", address=address))
    return redirect(url_for("dwellings.index"))


@bp.route("/import", methods=["GET", "POST"])
def import_file():
    form = ImportForm()
    result = token = None
    if form.validate_on_submit():
        data = form.file.data.read()
        result = check_import(data)
        if result.ok and result.rows:
            token = keep_pending(data)
    status = 422 if form.errors or (result is not None and not result.ok) else 200
    return render_template(
        "dwellings/import.html", form=form, result=result, token=token, confirm_form=ConfirmForm()
    ), status


@bp.route("/import/confirmer", methods=["POST"])
def import_confirm():
    token = request.form.get("token", "")
    data = pending(token)
    if not ConfirmForm().validate_on_submit() or data is None:
        flash(_("Ce fichier n'est plus disponible : envoyez-le de nouveau."), "error")
        return redirect(url_for("dwellings.import_file"))
    result = services.import_file(data, actor=current_user)
    if not result.ok:
        db.session.rollback()
        flash(
            _(
                "Le registre a changé depuis l'aperçu et le fichier contient maintenant des "
                "erreurs : rien n'a été importé. Envoyez-le de nouveau pour voir le détail."
            ),
            "error",
        )
        return redirect(url_for("dwellings.import_file"))
    db.session.commit()
    forget_pending(token)
    flash(
        _(
            "Logements ajoutés au registre : %(n)d. Déjà présents, laissés tels quels : %(p)d.",
            n=result.new_count,
            p=result.present_count,
        ),
        "success",
    )
    return redirect(url_for("dwellings.index"))


@bp.route("/export.csv")
def export():
    return Response(
        export_register(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="registre-logements.csv"'},
    )
