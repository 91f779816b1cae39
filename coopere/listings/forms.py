"""The admin's form for a theme of cooperation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

TOO_LONG = _l("Ce texte est trop long (%(max)d caractères au plus).")


class ThemeForm(FlaskForm):
    label_fr = StringField(_l("Nom en français"), validators=[DataRequired(_l("Indiquez le nom du thème.")),
                                                              Length(max=80, message=TOO_LONG)])
    label_en = StringField(_l("Nom en anglais"), validators=[DataRequired(_l("Indiquez le nom en anglais.")),
                                                             Length(max=80, message=TOO_LONG)])
    hint_fr = StringField(_l("Exemples, en français (facultatif)"),
                          description=_l("Aident à trouver quoi proposer, par exemple : outils, livres, matériel…"),
                          validators=[Optional(), Length(max=200, message=TOO_LONG)])
    hint_en = StringField(_l("Exemples, en anglais (facultatif)"),
                          validators=[Optional(), Length(max=200, message=TOO_LONG)])
