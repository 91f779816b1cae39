"""Sheets for members (read, print, « Lancer ce projet ») and for the animation group (write,
edit, retire, pick the sheet of the month). Thin: the rules are in services."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..actions import attempt, attempt_and_say, form_page, made_file, save_and_say
from ..auth.forms import ConfirmForm
from ..extensions import db
from ..listings.models import Theme
from ..members.sponsorship import subject
from ..perimeter.models import get_perimeter
from ..urls import has_public_url, public_url_for
from . import library, services
from .forms import (
    FAMILY_LABELS,
    LANGUAGE_FIELDS,
    MonthForm,
    SheetForm,
    fill_sheet_form,
    sheet_values,
)
from .models import Sheet, SheetFamily
from .printouts import sheet_pdf

bp = Blueprint("sheets", __name__, url_prefix="/fiches")


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def _seeded() -> None:
    """The first visit fills the table with the package's sheets."""
    if library.ensure_seeded():
        db.session.commit()


def _sheet(slug: str, *, include_retired: bool = False) -> Sheet:
    _seeded()
    sheet = library.find(slug, include_retired=include_retired and current_user.is_animator)
    return sheet or abort(404)


@bp.route("/")
def index():
    _seeded()
    language = _language()
    families = [
        (family, label, [(s, library.texts(s, language)) for s in library.current_sheets(family)])
        for family, label in FAMILY_LABELS.items()
    ]
    month = services.sheet_of_month()
    form = None
    retired = []
    if current_user.is_animator:
        form = MonthForm(sheet=month.slug if month else "")
        form.sheet.choices = [
            SelectChoice(s.slug, library.title(s, language)) for s in library.current_sheets()
        ]
        retired = [(s, library.title(s, language)) for s in library.source().all() if s.retired]
    return render_template(
        "sheets/index.html",
        families=families,
        month=(month, library.texts(month, language)) if month else None,
        form=form,
        retired=retired,
        in_network=library.in_network(),
    )


@bp.route("/<slug>")
def show(slug: str):
    sheet = _sheet(slug, include_retired=True)
    return render_template(
        "sheets/show.html",
        sheet=sheet,
        words=library.texts(sheet, _language()),
        family_label=FAMILY_LABELS[sheet.family],
        is_project=sheet.family == SheetFamily.PROJECT.value,
        acting=subject(),
    )


@bp.route("/<slug>.pdf")
def pdf(slug: str):
    sheet = _sheet(slug, include_retired=True)
    url = public_url_for("sheets.show", slug=sheet.slug) if has_public_url() else ""
    return made_file(
        sheet_pdf(sheet, get_perimeter() or abort(404), public_url=url),
        f"fiche-{sheet.slug}.pdf",
        attachment=False,
    )


@bp.route("/<slug>/lancer", methods=["POST"])
def launch(slug: str):
    sheet = _sheet(slug)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("sheets.show", slug=sheet.slug))
    person = subject()
    outcome = attempt_and_say(
        lambda: services.launch_project(
            sheet.slug, person, actor=current_user, language=_language()
        ),
        services.SheetError,
        _(
            "Le projet « %(title)s » est prêt, pas encore publié : complétez-le (date, nombre de "
            "places), enregistrez, puis publiez-le depuis « Mes annonces ».",
            title=library.title(sheet, _language()),
        ),
    )
    if not outcome.ok:
        return redirect(url_for("sheets.show", slug=sheet.slug))
    return redirect(url_for("listings.mine_edit", listing_id=outcome.value.id))


# --- the animation group: writing and editing sheets ----------------------------------------


def _form(sheet: Sheet | None) -> SheetForm:
    form = SheetForm()
    language = _language()
    themes = db.session.scalars(
        select(Theme).where(Theme.retired.is_(False)).order_by(Theme.position, Theme.id)
    )
    form.theme.choices = [SelectChoice("", _("Aucun"))] + [
        SelectChoice(t.slug, t.label(language)) for t in themes
    ]
    if sheet is not None:
        fill_sheet_form(form, sheet.family, sheet.theme, sheet.content)
    return form


def _edit(sheet: Sheet | None):
    form = _form(sheet)
    if form.validate_on_submit():
        outcome = attempt(
            lambda: (
                services.create_sheet(sheet_values(form), actor=current_user)
                if sheet is None
                else services.update_sheet(sheet, sheet_values(form), actor=current_user)
            ),
            services.SheetError,
        )
        if outcome.ok:
            save_and_say(
                _(
                    "La fiche « %(title)s » est enregistrée.",
                    title=library.title(outcome.value, _language()),
                )
            )
            return redirect(url_for("sheets.show", slug=outcome.value.slug))
        target = getattr(form, outcome.refusal.field or "title_fr", form.title_fr)
        target.errors.append(outcome.error)
    return form_page(
        "sheets/edit.html",
        form,
        sheet=sheet,
        languages=LANGUAGE_FIELDS,
    )


@bp.route("/nouvelle", methods=["GET", "POST"])
def create():
    _seeded()
    return _edit(None)


@bp.route("/<slug>/modifier", methods=["GET", "POST"])
def edit(slug: str):
    sheet = _sheet(slug, include_retired=True)
    try:
        services.check_editable(sheet)  # a network's sheet: the association's text
    except services.SheetError as error:
        flash(str(error), "error")
        return redirect(url_for("sheets.show", slug=sheet.slug))
    return _edit(sheet)


@bp.route("/<slug>/retirer", methods=["POST"])
def retire(slug: str):
    sheet = _sheet(slug, include_retired=True)
    if ConfirmForm().validate_on_submit():
        retired = request.form.get("remettre") is None
        attempt_and_say(
            lambda: services.set_retired(sheet, retired, actor=current_user),
            services.SheetError,
            _("La fiche est retirée : les membres ne la voient plus.")
            if retired
            else _("La fiche est de nouveau proposée aux membres."),
        )
    return redirect(url_for("sheets.show", slug=sheet.slug))


@bp.route("/fiche-du-mois", methods=["POST"])
def choose_month():
    _seeded()
    form = MonthForm()
    if request.form.get("retirer") is not None and ConfirmForm().validate_on_submit():
        services.clear_sheet_of_month(actor=current_user)
        save_and_say(_("Plus de fiche du mois pour ce mois-ci."))
    elif form.validate_on_submit():
        attempt_and_say(
            lambda: services.choose_sheet_of_month(form.sheet.data, actor=current_user),
            services.SheetError,
            lambda sheet: _(
                "« %(title)s » est la fiche du mois.", title=library.title(sheet, _language())
            ),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("sheets.index"))


def sheet_of_month_info() -> dict | None:
    """The sheet of this month for other parts (the newsletter): its title, summary and address
    (absolute when PUBLIC_URL is set), or None when the group picked none."""
    sheet = services.sheet_of_month()
    if sheet is None:
        return None
    words = library.texts(sheet, "fr")
    if has_public_url():
        url = public_url_for("sheets.show", slug=sheet.slug)
    else:
        url = current_app.url_map.bind("localhost", script_name="/").build(
            "sheets.show", {"slug": sheet.slug}
        )
    return {"title": words["title"], "summary": words["summary"], "url": url}


def configure_sheets(app) -> None:
    """Register the blueprint and the sheet of the month for the newsletter."""
    app.register_blueprint(bp)
    app.extensions["coopere.sheet_of_month"] = sheet_of_month_info
