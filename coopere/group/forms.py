"""Forms of the animation group's pages. Buttons alone use auth.forms.ConfirmForm."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..inputs import BaseForm
from .services import NOTE_MAX


class NoteForm(BaseForm):
    """« Note de passation »: what whoever takes over a task family should know."""

    text = TextAreaField(
        _l("Note de passation"),
        description=_l(
            "Ce qu'il faut savoir pour reprendre : contacts, clés, habitudes, ce qui reste à faire."
        ),
        validators=[
            DataRequired(_l("Écrivez la note avant de l'enregistrer.")),
            Length(
                max=NOTE_MAX, message=_l("Cette note est trop longue (%(max)d caractères au plus).")
            ),
        ],
        render_kw={"rows": 4},
    )
