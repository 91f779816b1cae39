"""The event form, in Paris local time."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from ..i18n import MONTH_NAMES, WEEKDAY_NAMES
from ..inputs import BaseForm, CheckboxesField, number_field, text_field
from .models import KIND_LABELS

# What the places count, for an event and a series alike.
PLACES_HINT = _l(
    "Combien de personnes peuvent dire « Je viendrai » sur le site, elles-mêmes ou par leur "
    "parrain ou marraine. Laissez vide s'il n'y a pas de limite."
)


VALID_DATE = _l("Indiquez une date valide, par exemple 12/03/2026.")


# The fields an event and a series share. Each form calls these in its own order: WTForms keeps a
# form's fields in the order they were made.


def kind_field():
    return SelectField(
        _l("Type de rendez-vous"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[DataRequired(_l("Choisissez le type de rendez-vous."))],
    )


def title_field(example):
    return text_field(_l("Titre (facultatif)"), 120, description=example)


def start_field():
    return TimeField(
        _l("Heure de début"),
        validators=[DataRequired(_l("Indiquez l'heure de début, par exemple 10:00."))],
    )


def end_field():
    return TimeField(
        _l("Heure de fin"),
        validators=[DataRequired(_l("Indiquez l'heure de fin, par exemple 12:00."))],
    )


def place_field():
    return text_field(_l("Lieu"), 200, _l("Indiquez le lieu."))


def rain_place_field():
    return text_field(_l("Lieu en cas de pluie (facultatif)"), 200)


def description_field():
    return text_field(
        _l("Quelques mots pour l'annoncer (facultatif)"),
        600,
        kind=TextAreaField,
        render_kw={"rows": 4},
    )


def max_places_field():
    return number_field(
        _l("Nombre de places (facultatif)"),
        1,
        10_000,
        _l("Indiquez un nombre de 1 à 10 000."),
        description=PLACES_HINT,
    )


class EventForm(BaseForm):
    kind = kind_field()
    title = title_field(_l("Par exemple : Café de la rentrée"))
    day = DateField(_l("Date"), validators=[DataRequired(VALID_DATE)])
    start = start_field()
    end = end_field()
    place = place_field()
    rain_place = rain_place_field()
    description = description_field()
    max_places = max_places_field()


WEEKDAY_CHOICES = [SelectChoice(n, label) for n, label in enumerate(WEEKDAY_NAMES)]
WEEK_CHOICES = [
    SelectChoice(n, label)
    for n, label in (
        (1, _l("le premier du mois")),
        (2, _l("le deuxième du mois")),
        (3, _l("le troisième du mois")),
        (4, _l("le quatrième du mois")),
        (5, _l("le cinquième du mois (certains mois n'en ont pas)")),
        (-1, _l("le dernier du mois")),
    )
]
MONTH_CHOICES = [SelectChoice(n, label) for n, label in enumerate(MONTH_NAMES, start=1)]


class SeriesForm(BaseForm):
    """A recurring event: « le premier samedi du mois, de 10 h à 12 h, sauf en août »."""

    kind = kind_field()
    title = title_field(_l("Par exemple : Café du samedi"))
    weekday = SelectField(
        _l("Jour de la semaine"),
        coerce=int,
        choices=WEEKDAY_CHOICES,
        default=5,
        validators=[InputRequired(_l("Choisissez le jour de la semaine."))],
    )
    week_of_month = SelectField(
        _l("Quelle semaine du mois"),
        coerce=int,
        choices=WEEK_CHOICES,
        default=1,
        validators=[InputRequired(_l("Choisissez la semaine du mois."))],
    )
    start_time = start_field()
    end_time = end_field()
    place = place_field()
    rain_place = rain_place_field()
    description = description_field()
    max_places = max_places_field()
    first_date = DateField(
        _l("À partir du"),
        description=_l("La série commence à cette date (ou juste après)."),
        validators=[DataRequired(VALID_DATE)],
    )
    last_date = DateField(
        _l("Jusqu'au (facultatif)"),
        description=_l("Sans date de fin, les dates sont préparées douze mois à l'avance."),
        validators=[Optional()],
    )
    months_off = CheckboxesField(
        _l("Mois sans rendez-vous"),
        coerce=int,
        choices=MONTH_CHOICES,
        default=[],
        description=_l("Par exemple : pas de café en août."),
    )

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "weekday": self.weekday.data,
            "week_of_month": self.week_of_month.data,
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "place": self.place.data,
            "rain_place": self.rain_place.data,
            "description": self.description.data,
            "max_places": self.max_places.data,
            "first_date": self.first_date.data,
            "last_date": self.last_date.data,
            "months_off": self.months_off.data or [],
        }
