"""Forms for logging in and managing one's own account."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..inputs import BaseForm
from .passwords import MAX_LENGTH


def current_password_field(label, required):
    """The password a person already has, as the browser's password manager fills it in."""
    return PasswordField(
        label,
        validators=[
            DataRequired(required),
            Length(max=MAX_LENGTH, message=_l("Ce champ est trop long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


def new_password_field(label, required):
    """A password being chosen: the advice on a good one, at most MAX_LENGTH characters."""
    return PasswordField(
        label,
        description=_l(
            "Au moins 8 caractères. Une phrase ou trois mots au hasard, "
            "c'est facile à retenir et difficile à deviner."
        ),
        validators=[
            DataRequired(required),
            Length(
                max=MAX_LENGTH,
                message=_l("Le mot de passe ne doit pas dépasser %(max)d caractères."),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def password_again_field(label, required, first: str):
    """The chosen password typed a second time; it must equal the field named `first`."""
    return PasswordField(
        label,
        validators=[
            DataRequired(required),
            EqualTo(first, _l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(BaseForm):
    login = StringField(
        _l("Adresse e-mail ou numéro de téléphone"),
        validators=[
            DataRequired(_l("Indiquez votre e-mail ou votre numéro de téléphone.")),
            Length(max=254, message=_l("Ce champ est trop long.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = current_password_field(_l("Mot de passe"), _l("Indiquez votre mot de passe."))


class LanguageForm(BaseForm):
    locale = RadioField(
        _l("Langue du site"),
        choices=[
            SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
        validators=[DataRequired(_l("Choisissez une langue."))],
    )


class PasswordChangeForm(BaseForm):
    current = current_password_field(
        _l("Mot de passe actuel"), _l("Indiquez votre mot de passe actuel.")
    )
    new = new_password_field(_l("Nouveau mot de passe"), _l("Choisissez un nouveau mot de passe."))
    confirm = password_again_field(
        _l("Nouveau mot de passe, une deuxième fois"),
        _l("Retapez le nouveau mot de passe."),
        "new",
    )


class ConfirmForm(BaseForm):
    """A form with nothing but its CSRF token, for one-button actions."""
