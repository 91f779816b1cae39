"""Forms of moderation: a member's report, and the animators' decision (a reason)."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..inputs import BaseForm, text_field
from .services import NOTE_MAX, REASON_LABELS, TEXT_MAX


class ReportForm(BaseForm):
    reason = RadioField(
        _l("Pourquoi signalez-vous ce contenu ?"),
        choices=[SelectChoice(value, label) for value, label in REASON_LABELS.items()],
        validate_choice=False,
        validators=[DataRequired(_l("Choisissez la raison du signalement."))],
    )
    text = text_field(
        _l("En quelques mots (facultatif, sauf pour « Autre raison »)"),
        TEXT_MAX,
        kind=TextAreaField,
        description=_l("Ce que vous avez remarqué. Seul le groupe d'animation le lira."),
        render_kw={"rows": 4, "maxlength": TEXT_MAX},
    )


class DecisionForm(BaseForm):
    """One form per reported object in the queue (its prefix names the object, so that ids stay
    unique on the page); each button posts it to its own action. The page's CSRF token is checked
    by CSRFProtect for every POST, as for all forms."""

    class Meta:
        csrf = False

    note = text_field(
        _l("Raison de la décision"),
        NOTE_MAX,
        kind=TextAreaField,
        description=_l(
            "Obligatoire pour masquer, rétablir ou avertir : la personne concernée "
            "la lira. Restez aimable et précis."
        ),
        render_kw={"rows": 3, "maxlength": NOTE_MAX},
    )
