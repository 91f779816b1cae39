"""Forms of the café pages: a call's outcome, the desk's buttons, the event report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from ..inputs import BaseForm, number_field
from .services import COLLECTED_MAX, NOTE_MAX, OUTCOME_LABELS, REPORT_NOTES_MAX


class CallForm(BaseForm):
    """One tap per outcome (three buttons named `outcome`), with an optional short note."""

    outcome = HiddenField(
        validators=[
            AnyOf(
                list(OUTCOME_LABELS),
                message=_l(
                    "Choisissez ce qu'a donné l'appel : joint(e), pas de réponse ou message laissé."
                ),
            )
        ]
    )
    note = StringField(
        _l("Note (facultatif)"),
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX, message=_l("La note est trop longue (%(max)d caractères au plus).")
            ),
        ],
    )


class PersonForm(BaseForm):
    """« Présent(e) » or « Retirer » for one person."""

    person_id = HiddenField(validators=[DataRequired(_l("Choisissez une personne."))])


class VisitorsForm(BaseForm):
    """« + 1 visiteur » / « − 1 » (the button pressed gives `change`)."""

    change = HiddenField(
        validators=[
            AnyOf(["1", "-1"], message=_l("Le compteur avance ou recule d'un visiteur à la fois."))
        ]
    )


def _count_field(label, description):
    """A count of the event report, from 0 to COLLECTED_MAX."""
    message = _l("Indiquez un nombre de 0 à %(max)d.", max=COLLECTED_MAX)
    return number_field(
        label, 0, COLLECTED_MAX, message, InputRequired(message), description=description
    )


class ReportForm(BaseForm):
    offers_collected = _count_field(
        _l("Offres recueillies"), _l("Ce que les personnes ont dit pouvoir proposer.")
    )
    needs_collected = _count_field(
        _l("Demandes recueillies"), _l("Ce que les personnes ont dit aimer recevoir.")
    )
    notes = TextAreaField(
        _l("Notes (facultatif)"),
        description=_l(
            "Ce qui s'est bien passé, ce qui manquait, les idées pour la prochaine fois."
        ),
        validators=[
            Optional(),
            Length(
                max=REPORT_NOTES_MAX,
                message=_l("Les notes sont trop longues (%(max)d caractères au plus)."),
            ),
        ],
    )
