"""The console's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..auth.forms import current_password_field, new_password_field
from ..events.forms import VALID_DATE, end_field, place_field, start_field
from ..inputs import BaseForm, text_field
from .topics import TOPICS


class LoginForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Indiquez votre adresse e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = current_password_field(_l("Mot de passe"), _l("Indiquez votre mot de passe."))


class PasswordForm(BaseForm):
    current = current_password_field(_l("Mot de passe actuel"), _l("Indiquez votre mot de passe."))
    new = new_password_field(_l("Nouveau mot de passe"), _l("Choisissez un nouveau mot de passe."))
    confirm = PasswordField(
        _l("Nouveau mot de passe, encore une fois"),
        validators=[EqualTo("new", _l("Les deux mots de passe ne sont pas les mêmes."))],
        render_kw={"autocomplete": "new-password"},
    )


class AccountForm(BaseForm):
    name = StringField(
        _l("Nom"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=120)]
    )
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Indiquez l'adresse e-mail.")), Length(max=254)],
    )
    role = SelectField(
        _l("Rôle"),
        choices=[
            SelectChoice("accompagnateur", _l("Accompagnateur·rice (ses périmètres)")),
            SelectChoice("coordination", _l("Coordination (tout le réseau)")),
        ],
    )
    password = new_password_field(
        _l("Mot de passe de départ"), _l("Choisissez un mot de passe de départ.")
    )


class TrainingDayForm(BaseForm):
    title = text_field(_l("Titre"), 160, _l("Indiquez le titre de la journée."))
    topic = SelectField(
        _l("Thème"),
        choices=[SelectChoice(key, label) for key, label in TOPICS.items()],
        validators=[DataRequired(_l("Choisissez un thème."))],
    )
    day = DateField(_l("Date"), validators=[DataRequired(VALID_DATE)])
    start = start_field()
    end = end_field()
    place = place_field()
    details = text_field(
        _l("Programme et informations pratiques (facultatif)"), 2000, kind=TextAreaField
    )
