"""Forms of exchanges: a message (the first answer or a reply) and a thank-you note. Lengths are
checked by the services (one place, French messages); the fields only strip the text."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Votre message"), filters=[_strip],
                         description=_l("Dites qui vous êtes et quand vous êtes disponible. Votre téléphone "
                                        "et votre adresse ne sont montrés qu'une fois l'échange accepté."),
                         render_kw={"rows": 5, "maxlength": 2000})


class ThanksForm(FlaskForm):
    text = TextAreaField(_l("Un mot de remerciement"), filters=[_strip], render_kw={"rows": 3, "maxlength": 500})
