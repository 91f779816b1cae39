"""Forms of the dashboard: the period filter (a GET form) and the yearly report's text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..inputs import BaseForm
from .period import PERIOD_KINDS, PERIOD_LABELS
from .services import REPORT_TEXT_MAX


class PeriodForm(BaseForm):
    """Which period the dashboard counts: read from the address, so a view can be bookmarked."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    periode = SelectField(
        _l("Période"),
        choices=[SelectChoice(kind, PERIOD_LABELS[kind]) for kind in PERIOD_KINDS],
        default="year",
    )
    du = DateField(_l("Du (pour « Dates choisies »)"), validators=[Optional()])
    au = DateField(_l("Au"), validators=[Optional()])


class ReportTextForm(BaseForm):
    text = TextAreaField(
        _l("Le mot du groupe d'animation"),
        validators=[
            Length(
                max=REPORT_TEXT_MAX,
                message=_l("Le texte est trop long : %(max)d caractères au plus."),
            )
        ],
        description=_l(
            "Ce que le groupe veut dire de l'année : ce qui a marché, les rencontres, les projets, "
            "les remerciements. Ne citez personne par son nom : le rapport est public."
        ),
    )
