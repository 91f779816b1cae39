"""Forms of offers and needs: the admin's theme form, and a member's listing form."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..i18n import WEEKDAY_NAMES
from ..inputs import BaseForm, CheckboxesField, listed_choice_field, text_field
from .details import DATE, DETAILS, QUANTITY, form_name, parse_date


class ThemeForm(BaseForm):
    label_fr = text_field(_l("Nom en français"), 80, _l("Indiquez le nom du thème."))
    label_en = text_field(_l("Nom en anglais"), 80, _l("Indiquez le nom en anglais."))
    hint_fr = text_field(
        _l("Exemples, en français (facultatif)"),
        200,
        description=_l("Aident à trouver quoi proposer, par exemple : outils, livres, matériel…"),
    )
    hint_en = text_field(_l("Exemples, en anglais (facultatif)"), 200)


class ListingForm(BaseForm):
    """An offer or a need of « Mes annonces ». No price field: exchanges are free."""

    kind = RadioField(
        _l("Vous proposez ou vous cherchez ?"),
        choices=[
            SelectChoice("offer", _l("Je propose")),
            SelectChoice("need", _l("Je cherche")),
            SelectChoice("project", _l("Un projet collectif, que des voisins rejoignent")),
        ],
        validate_choice=False,
        validators=[DataRequired(_l("Choisissez : je propose ou je cherche."))],
    )
    theme_id = listed_choice_field(_l("Thème"), _l("Choisissez un thème dans la liste."))
    title = StringField(
        _l("Titre"),
        description=_l(
            "En quelques mots, par exemple : « Je prête ma perceuse » ou "
            "« Quelqu'un pour m'accompagner au marché ? »."
        ),
        validators=[
            DataRequired(_l("Donnez un titre à l'annonce.")),
            Length(
                min=3,
                max=120,
                message=_l("Le titre doit faire entre %(min)d et %(max)d caractères."),
            ),
        ],
    )
    description = text_field(
        _l("Description (facultatif)"),
        2000,
        kind=TextAreaField,
        description=_l("Quand, où, comment : ce qui aide un voisin à répondre."),
        render_kw={"rows": 5},
    )
    availability = text_field(
        _l("Disponibilités (facultatif)"),
        200,
        description=_l("Par exemple : « le soir après 18 h » ou « pendant les vacances »."),
    )
    days = CheckboxesField(
        _l("Jours (facultatif)"),
        coerce=str,
        validate_choice=False,
        choices=[SelectChoice(str(number), name) for number, name in enumerate(WEEKDAY_NAMES)],
    )
    photo = FileField(
        _l("Photo (facultatif)"),
        description=_l(
            "Une photo JPEG ou PNG de 5 Mo au plus. Elle est réduite, et les "
            "informations cachées (lieu, appareil) sont retirées."
        ),
        render_kw={"accept": "image/jpeg,image/png"},
    )
    remove_photo = BooleanField(_l("Retirer la photo"))
    # A collective project
    max_participants = StringField(
        _l("Nombre maximum de participants (facultatif)"),
        description=_l(
            "Les voisins qui rejoignent le projet, sans compter la personne "
            "qui l'organise. Laissez vide s'il n'y a pas de limite."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    project_date = StringField(
        _l("Date du projet (facultatif)"),
        description=_l("Par exemple : 24/12/2026."),
        render_kw={"type": "date"},
    )
    event_id = listed_choice_field(_l("Lié à un rendez-vous (facultatif)"))

    def validate_project_date(self, field):
        if self.kind.data == "project" and field.data and parse_date(field.data) is None:
            raise ValidationError(_l("Indiquez une date, par exemple 24/12/2026."))

    def details_fields(self, slug: str) -> list:
        """The form fields of a theme's details, in order."""
        return [getattr(self, form_name(slug, spec.name)) for spec in DETAILS.get(slug, ())]

    def details_for(self, slug: str | None) -> dict:
        """The typed details of one theme: {key: text}."""
        return {
            spec.name: getattr(self, form_name(slug, spec.name)).data or ""
            for spec in DETAILS.get(slug or "", ())
        }


def _detail_field(spec):
    render_kw = {"autocomplete": "off"}
    if spec.kind == DATE:
        render_kw["type"] = "date"
    elif spec.kind == QUANTITY:
        render_kw["inputmode"] = "numeric"
    return StringField(spec.label, description=spec.hint, render_kw=render_kw)


for _slug, _specs in DETAILS.items():
    for _spec in _specs:
        setattr(ListingForm, form_name(_slug, _spec.name), _detail_field(_spec))
