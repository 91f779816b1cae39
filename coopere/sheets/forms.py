"""Forms of the sheets: writing or editing a sheet (French, then English), and the sheet of the
month. The association's console edits the network's sheets with the same form
(coopere/association/sheets_views.py), filled and read by `fill_sheet_form` and `sheet_values`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from ..inputs import BaseForm, text_field
from .library import LANGUAGES
from .models import SheetFamily
from .services import LONG_LIMIT, SHORT_LIMIT, TITLE_LIMIT, SheetValues

FAMILY_LABELS = {
    SheetFamily.ECO.value: _l("Éco-gestes"),
    SheetFamily.PROJECT.value: _l("Lancer un projet"),
}

# (key, label, limit, kind, projects only)
TEXT_FIELDS = (
    ("title", _l("Titre"), TITLE_LIMIT, StringField, False),
    ("summary", _l("Résumé en une phrase"), SHORT_LIMIT, StringField, False),
    ("intro", _l("Pourquoi c'est utile"), LONG_LIMIT, TextAreaField, False),
    ("steps", _l("Les étapes ou les gestes (un par ligne)"), LONG_LIMIT, TextAreaField, False),
    ("tip", _l("Bon à savoir"), LONG_LIMIT, TextAreaField, False),
    ("needs", _l("Ce qu'il faut (un par ligne)"), LONG_LIMIT, TextAreaField, True),
    ("people", _l("Combien de personnes"), SHORT_LIMIT, StringField, True),
    ("duration", _l("Combien de temps"), SHORT_LIMIT, StringField, True),
    ("pitfalls", _l("Les pièges à éviter (un par ligne)"), LONG_LIMIT, TextAreaField, True),
    ("helpers", _l("Qui peut aider (un par ligne)"), LONG_LIMIT, TextAreaField, True),
)
LANGUAGE_NAMES = {"fr": _l("en français"), "en": _l("en anglais")}
# What templates/sheets/_fields.html lays out: each language's keys, and whether for projects only
LANGUAGE_FIELDS = [
    (code, [(key, projects) for key, _label, _limit, _kind, projects in TEXT_FIELDS])
    for code in LANGUAGES
]


class SheetForm(BaseForm):
    family = SelectField(
        _l("Famille"),
        choices=[SelectChoice(value, label) for value, label in FAMILY_LABELS.items()],
        validators=[InputRequired(_l("Choisissez la famille de la fiche."))],
    )
    theme = SelectField(
        _l("Thème des annonces d'un projet lancé depuis cette fiche"),
        validators=[Optional()],
        validate_choice=False,  # checked by the service against the themes in place
    )


for _language in LANGUAGES:
    for _key, _label, _limit, _kind, _projects in TEXT_FIELDS:
        setattr(
            SheetForm,
            f"{_key}_{_language}",
            text_field(
                _label,
                _limit,
                kind=_kind,
                description=LANGUAGE_NAMES[_language],
                render_kw={"rows": 5} if _kind is TextAreaField else {},
            ),
        )


class MonthForm(BaseForm):
    sheet = SelectField(
        _l("Fiche du mois"),
        validators=[InputRequired(_l("Choisissez une fiche."))],
        validate_choice=False,  # an unknown sheet is refused by the service, in French
    )


def fill_sheet_form(form: SheetForm, family: str, theme: str, content: dict) -> None:
    """Show a stored sheet in the form (lists one item a line), unless the form was just sent."""
    if form.is_submitted():
        return
    form.family.data, form.theme.data = family, theme
    for code in LANGUAGES:
        entry = (content or {}).get(code, {})
        for key, *_rest in TEXT_FIELDS:
            value = entry.get(key, "")
            getattr(form, f"{key}_{code}").data = (
                "\n".join(value) if isinstance(value, list) else value
            )


def sheet_values(form: SheetForm) -> SheetValues:
    """What the form gives, for the services that check and store it."""
    return SheetValues(
        family=form.family.data or "",
        theme=form.theme.data or "",
        texts={
            code: {key: getattr(form, f"{key}_{code}").data or "" for key, *_r in TEXT_FIELDS}
            for code in LANGUAGES
        },
    )
