"""Forms for the perimeter's settings and its animation group."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..auth.models import GroupRole, Role
from ..inputs import BaseForm

TOO_LONG = _l("Ce texte est trop long (%(max)d caractères au plus).")


class PerimeterForm(BaseForm):
    name = StringField(
        _l("Nom du réseau"),
        description=_l("Par exemple : Coop-ère du quartier des Lilas"),
        validators=[
            DataRequired(_l("Indiquez le nom du réseau.")),
            Length(max=120, message=TOO_LONG),
        ],
    )
    short_name = StringField(
        _l("Nom court"),
        description=_l("Affiché en haut des pages et sur les affiches."),
        validators=[DataRequired(_l("Indiquez un nom court.")), Length(max=40, message=TOO_LONG)],
    )
    city = StringField(
        _l("Commune"),
        validators=[DataRequired(_l("Indiquez la commune.")), Length(max=80, message=TOO_LONG)],
    )
    postcode = StringField(
        _l("Code postal"),
        description=_l("Un code postal compte 5 chiffres, par exemple 44300."),
        validators=[
            DataRequired(_l("Indiquez le code postal.")),
            Regexp(r"^\d{5}$", message=_l("Un code postal compte 5 chiffres, par exemple 44300.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    estimated_dwellings = IntegerField(
        _l("Nombre estimé de logements"),
        description=_l("Un micro-périmètre compte de 100 à 500 logements."),
        validators=[
            DataRequired(_l("Indiquez un nombre de logements.")),
            NumberRange(min=1, max=100_000, message=_l("Indiquez un nombre entre 1 et 100 000.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    meeting_place = StringField(
        _l("Lieu habituel des cafés-rencontres"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
    )
    contact = StringField(
        _l("Contact du groupe d'animation"),
        description=_l("Un téléphone ou une adresse e-mail, affiché sur la page publique."),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
    )
    charter_text = TextAreaField(
        _l("Texte de la charte"),
        validators=[Optional(), Length(max=20_000, message=TOO_LONG)],
        render_kw={"rows": 10},
    )


class RoleForm(BaseForm):
    role = SelectField(
        _l("Rôle"),
        choices=[
            SelectChoice(Role.MEMBER.value, _l("Membre")),
            SelectChoice(Role.ANIMATOR.value, _l("Animateur ou animatrice")),
            SelectChoice(Role.ADMIN.value, _l("Administrateur du site")),
        ],
        validators=[DataRequired()],
    )


class GroupRoleForm(BaseForm):
    group_role = SelectField(
        _l("Place dans le groupe"),
        choices=[
            SelectChoice("", _l("Membre du groupe")),
            SelectChoice(GroupRole.PILOTE.value, _l("Pilote")),
            SelectChoice(GroupRole.COPILOTE.value, _l("Copilote")),
        ],
        validators=[Optional()],
    )
