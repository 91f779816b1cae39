"""Forms of exchanges: a message (the first answer or a reply) and a thank-you note. Lengths are
checked by the services (one place, French messages); the fields are only cleaned (BaseForm)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField

from ..inputs import BaseForm


class MessageForm(BaseForm):
    body = TextAreaField(
        _l("Votre message"),
        description=_l(
            "Dites qui vous êtes et quand vous êtes disponible. Votre téléphone "
            "et votre adresse ne sont montrés qu'une fois l'échange accepté."
        ),
        render_kw={"rows": 5, "maxlength": 2000},
    )


class ThanksForm(BaseForm):
    text = TextAreaField(_l("Un mot de remerciement"), render_kw={"rows": 3, "maxlength": 500})
    quote = BooleanField(
        _l(
            "J'accepte que mes échanges terminés par un merci soient racontés dans la lettre des "
            "voisins, avec mon prénom seulement."
        ),
        description=_l("Un échange n'est raconté que si les deux voisins l'acceptent."),
    )
