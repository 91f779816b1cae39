"""Forms for print runs and for the letter's wording."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from ..inputs import BaseForm, CheckboxesField, number_field, text_field


class LetterRunForm(BaseForm):
    event = SelectField(
        _l("Rendez-vous annoncé par la lettre"),
        coerce=int,
        validators=[InputRequired(_l("Choisissez le rendez-vous."))],
    )
    addressed = BooleanField(
        _l("Une lettre adressée à chaque logement"),
        default=True,
        description=_l("Jamais aux logements « pas de courrier » ni aux logements vides."),
    )
    streets = CheckboxesField(
        _l("Seulement ces rues (aucune cochée : toutes les rues)"),
        coerce=str,
        validators=[Optional()],
    )
    building = StringField(
        _l("Seulement ce bâtiment ou cette résidence (facultatif)"),
        description=_l("Un mot du complément d'adresse, par exemple « Bât. B » ou « Tilleuls »."),
        validators=[Optional(), Length(max=80, message=_l("Ce texte est trop long."))],
    )
    unaddressed = number_field(
        _l("Exemplaires sans adresse, pour le porte-à-porte"),
        0,
        1000,
        _l("Indiquez un nombre de 0 à 1 000."),
        InputRequired(_l("Indiquez un nombre (0 si aucun).")),
        default=0,
        description=_l(
            "Des lettres en plus de celle de chaque logement, sans adresse, "
            "à glisser dans les boîtes au porte-à-porte. 0 si aucune."
        ),
    )


class LetterTemplateForm(BaseForm):
    letter_template = text_field(
        _l("Texte de la lettre"),
        5000,
        _l("Le texte de la lettre est vide."),
        kind=TextAreaField,
        render_kw={"rows": 18},
    )
    event = SelectField(_l("Rendez-vous pour l'aperçu"), coerce=int, validators=[Optional()])
