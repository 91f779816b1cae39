"""Forms of offers and needs: the admin's theme form, and a member's listing form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
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


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ListingForm(FlaskForm):
    """An offer or a need of « Mes annonces ». No price field: exchanges are free."""

    kind = RadioField(_l("Vous proposez ou vous cherchez ?"), choices=[SelectChoice("offer", _l("Je propose")), SelectChoice("need", _l("Je cherche"))],
                      validate_choice=False,
                      validators=[DataRequired(_l("Choisissez : je propose ou je cherche."))])
    theme_id = SelectField(_l("Thème"), coerce=str, validate_choice=False,
                           validators=[DataRequired(_l("Choisissez un thème dans la liste."))])
    title = StringField(_l("Titre"), filters=[_strip],
                        description=_l("En quelques mots, par exemple : « Je prête ma perceuse » ou "
                                       "« Quelqu'un pour m'accompagner au marché ? »."),
                        validators=[DataRequired(_l("Donnez un titre à l'annonce.")),
                                    Length(min=3, max=120,
                                           message=_l("Le titre doit faire entre %(min)d et %(max)d caractères."))])
    description = TextAreaField(_l("Description (facultatif)"), filters=[_strip],
                                description=_l("Quand, où, comment : ce qui aide un voisin à répondre."),
                                validators=[Optional(), Length(max=2000, message=TOO_LONG)],
                                render_kw={"rows": 5})
