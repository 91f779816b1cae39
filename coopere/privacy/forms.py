"""The forms of personal-data rights: erasure confirmed by typing the first name, an erasure
request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from ..inputs import BaseForm


class EraseForm(BaseForm):
    first_name = StringField(
        _l("Prénom de la personne, pour confirmer"),
        validators=[
            DataRequired(_l("Tapez le prénom de la personne pour confirmer.")),
            Length(max=80),
        ],
        description=_l("L'effacement est définitif : on ne peut pas revenir en arrière."),
    )


class ErasureRequestForm(BaseForm):
    confirm = BooleanField(
        _l("Oui, je demande l'effacement de mon compte et de mes données."),
        validators=[DataRequired(_l("Cochez la case pour confirmer votre demande."))],
    )
