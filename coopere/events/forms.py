"""The event form, in Paris local time."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import KIND_LABELS

TOO_LONG = _l("Ce texte est trop long (%(max)d caractères au plus).")


class EventForm(FlaskForm):
    kind = SelectField(_l("Type de rendez-vous"),
                       choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
                       validators=[DataRequired(_l("Choisissez le type de rendez-vous."))])
    title = StringField(_l("Titre (facultatif)"), description=_l("Par exemple : Café de la rentrée"),
                        validators=[Optional(), Length(max=120, message=TOO_LONG)])
    day = DateField(_l("Date"), validators=[DataRequired(_l("Indiquez une date valide, par exemple 12/03/2026."))])
    start = TimeField(_l("Heure de début"), validators=[DataRequired(_l("Indiquez l'heure de début, par exemple 10:00."))])
    end = TimeField(_l("Heure de fin"), validators=[DataRequired(_l("Indiquez l'heure de fin, par exemple 12:00."))])
    place = StringField(_l("Lieu"), validators=[DataRequired(_l("Indiquez le lieu.")),
                                               Length(max=200, message=TOO_LONG)])
    rain_place = StringField(_l("Lieu en cas de pluie (facultatif)"),
                             validators=[Optional(), Length(max=200, message=TOO_LONG)])
    description = TextAreaField(_l("Quelques mots pour l'annoncer (facultatif)"),
                                validators=[Optional(), Length(max=600, message=TOO_LONG)], render_kw={"rows": 4})
    max_places = IntegerField(_l("Nombre de places (facultatif)"),
                              validators=[Optional(), NumberRange(min=1, max=10_000,
                                                                  message=_l("Indiquez un nombre de 1 à 10 000."))],
                              render_kw={"inputmode": "numeric"})
