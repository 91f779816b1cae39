"""The forms of a perimeter's page in the console: a milestone ticked by hand, a change of phase,
a coaching session. The rules (dates not in the future, a known phase…) are the services'
(tracker.py, coaching.py); these read and bound what the browser sent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..inputs import BaseForm, CheckboxesField, number_field, text_field
from .phases import PHASE_LABELS
from .topics import FORMS, TOPICS

VALID_DATE = _l("Indiquez une date valide, par exemple 12/03/2026.")


def note_field(label):
    return text_field(label, 2000, kind=TextAreaField, render_kw={"rows": 3})


class TickForm(BaseForm):
    done_on = DateField(_l("Fait le"), validators=[DataRequired(VALID_DATE)])
    note = note_field(_l("Note (facultatif)"))


class PhaseForm(BaseForm):
    phase = SelectField(
        _l("Nouvelle phase"),
        choices=[SelectChoice(key, label) for key, label in PHASE_LABELS.items()],
        validate_choice=False,  # tracker.change_phase says it in French
        validators=[DataRequired(_l("Choisissez une phase de la liste."))],
    )
    note = note_field(_l("Pourquoi maintenant ? (facultatif)"))
    confirm = BooleanField(_l("Je confirme le passage, même si des étapes ne sont pas faites"))


class SessionForm(BaseForm):
    held_on = DateField(_l("Date de la séance"), validators=[DataRequired(VALID_DATE)])
    hours = number_field(
        _l("Heures"),
        0,
        12,
        _l("Indiquez un nombre d'heures de 0 à 12."),
        default=None,
        description=_l("La durée de la séance : les heures, puis les minutes en plus."),
    )
    minutes = number_field(
        _l("Minutes"),
        0,
        720,
        _l("Indiquez un nombre de minutes de 0 à 720."),
        description=_l("Par exemple 1 heure et 30 minutes, ou 90 minutes."),
    )
    form = RadioField(
        _l("Forme"),
        choices=[SelectChoice(key, label) for key, label in FORMS.items()],
        validate_choice=False,  # coaching.log_session says it in French
        validators=[DataRequired(_l("Choisissez la forme de la séance."))],
    )
    topics = CheckboxesField(
        _l("Thèmes de formation abordés"),
        choices=[SelectChoice(key, label) for key, label in TOPICS.items()],
        validate_choice=False,
        default=[],
    )
    attendees = text_field(
        _l("Personnes du groupe présentes (prénoms, facultatif)"),
        300,
        description=_l("Par exemple : Nadia, Jean, Louise."),
    )
    notes = note_field(_l("Notes (facultatif)"))
