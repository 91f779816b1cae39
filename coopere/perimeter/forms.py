"""Forms for the perimeter's settings and its animation group."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from ..auth.models import GroupRole, Role
from ..inputs import BaseForm, number_field, postcode_field, text_field


class PerimeterForm(BaseForm):
    name = text_field(
        _l("Nom du réseau"),
        120,
        _l("Indiquez le nom du réseau."),
        description=_l("Par exemple : Coop-ère du quartier des Lilas"),
    )
    short_name = text_field(
        _l("Nom court"),
        40,
        _l("Indiquez un nom court."),
        description=_l("Affiché en haut des pages et sur les affiches."),
    )
    city = text_field(_l("Commune"), 80, _l("Indiquez la commune."))
    postcode = postcode_field(autocomplete="postal-code")
    estimated_dwellings = number_field(
        _l("Nombre estimé de logements"),
        1,
        100_000,
        _l("Indiquez un nombre entre 1 et 100 000."),
        DataRequired(_l("Indiquez un nombre de logements.")),
        description=_l("Un micro-périmètre compte de 100 à 500 logements."),
    )
    meeting_place = text_field(_l("Lieu habituel des cafés-rencontres"), 200)
    contact = text_field(
        _l("Contact du groupe d'animation"),
        300,
        description=_l("Un téléphone ou une adresse e-mail, affiché sur la page publique."),
    )
    charter_text = text_field(
        _l("Texte de la charte"), 20_000, kind=TextAreaField, render_kw={"rows": 10}
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
