"""Forms of the registration desk and of the animators' member pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from ..auth.forms import new_password_field, password_again_field
from ..auth.identifiers import InvalidIdentifier, normalise_email, normalise_phone
from ..inputs import BaseForm, listed_choice_field, number_field, text_field, TOO_LONG
from .checks import CONTACT_PREFERENCES
from .services import CONTACT_FIELDS


CONTACT_CHOICES = [
    SelectChoice("phone", _l("Par téléphone")),
    SelectChoice("email", _l("Par e-mail")),
    SelectChoice("site", _l("Par la messagerie du site")),
    SelectChoice("sponsor", _l("Par son parrain ou sa marraine")),
]
YES_NO = [SelectChoice("yes", _l("Oui")), SelectChoice("no", _l("Non"))]
METHOD_CHOICES = [
    SelectChoice("tablet", _l("Sur la tablette, maintenant")),
    SelectChoice("paper", _l("Recopié d'un formulaire papier")),
]


def valid_phone(_form, field) -> None:
    if field.data and field.data.strip():
        try:
            field.data = normalise_phone(field.data)
        except InvalidIdentifier:
            raise ValidationError(
                _l("Ce numéro de téléphone n'est pas valable (par exemple 06 12 34 56 78).")
            ) from None
    else:
        field.data = None


def valid_email(_form, field) -> None:
    if field.data and field.data.strip():
        try:
            field.data = normalise_email(field.data)
        except InvalidIdentifier:
            raise ValidationError(_l("Cette adresse e-mail n'est pas valable.")) from None
    else:
        field.data = None


class PersonFields:
    """Who: the fields of the desk's first screen, shared with the animators' edit form."""

    first_name = text_field(
        _l("Prénom"),
        80,
        _l("Indiquez le prénom."),
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    last_name = text_field(
        _l("Nom"),
        80,
        _l("Indiquez le nom."),
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    address = text_field(
        _l("Logement"),
        250,
        description=_l("Tapez le numéro et le début de la rue, puis choisissez dans la liste."),
        render_kw={"list": "logements", "autocomplete": "off"},
    )
    not_in_register = BooleanField(_l("L'adresse n'est pas dans le registre"))
    address_note = text_field(
        _l("Adresse et raison (si elle n'est pas dans le registre)"),
        200,
        description=_l("Par exemple : 3 impasse des Roses, immeuble neuf."),
    )
    phone = StringField(
        _l("Téléphone"),
        validators=[valid_phone],
        render_kw={"type": "tel", "autocomplete": "off", "inputmode": "tel"},
    )
    email = StringField(
        _l("Adresse e-mail (facultatif)"),
        validators=[valid_email, Length(max=254, message=TOO_LONG)],
        render_kw={"type": "email", "autocomplete": "off", "autocapitalize": "none"},
    )
    has_internet = RadioField(
        _l("A-t-il ou elle internet (téléphone, tablette ou ordinateur) ?"),
        choices=YES_NO,
        validators=[DataRequired(_l("Répondez oui ou non."))],
    )
    contact_preference = RadioField(
        _l("Comment préfère-t-il ou elle être joint(e) ?"),
        choices=CONTACT_CHOICES,
        validators=[DataRequired(_l("Choisissez comment joindre cette personne."))],
    )
    languages = text_field(
        _l("Langues parlées (facultatif)"), 200, description=_l("Par exemple : français, arabe")
    )


CALL_BEFORE_CAFES = _l("Appelez-moi avant chaque café")


class MemberEditForm(PersonFields, BaseForm):
    """An animator corrects a member's record."""

    call_before_cafes = BooleanField(
        CALL_BEFORE_CAFES,
        description=_l(
            "La personne l'a demandé : un animateur l'appelle avant chaque café-rencontre."
        ),
    )


def registration_form_class(themes):
    """The desk's form for these themes: the three screens are one form, each screen showing
    its fields and carrying the others as hidden inputs, so nothing is stored before the end."""

    class RegistrationForm(PersonFields, BaseForm):
        step = HiddenField(default="1")
        not_duplicate = BooleanField(_l("Ce n'est pas la même personne : continuer l'inscription"))
        # screen 3: charter and consents
        charter = BooleanField(_l("La personne accepte la charte et ses quatre principes."))
        privacy = BooleanField(_l("La personne a reçu l'information sur ses données personnelles."))
        share_phone = BooleanField(_l("Montrer son téléphone aux voisins avec qui elle échange"))
        newsletter = BooleanField(_l("Recevoir la lettre d'information par e-mail"))
        photos = BooleanField(_l("Être prise en photo lors des événements"))
        email_notices = BooleanField(
            _l("Recevoir par courriel les nouvelles de ses échanges et de ses annonces")
        )
        weekly_digest = BooleanField(
            _l("Recevoir chaque semaine par courriel les nouvelles annonces")
        )
        method = RadioField(
            _l("Comment cette inscription est-elle saisie ?"),
            choices=METHOD_CHOICES,
            default="tablet",
            validators=[DataRequired(_l("Choisissez tablette ou papier."))],
        )
        paper_reference = text_field(
            _l("Numéro du formulaire papier"),
            20,
            description=_l("Par exemple : P-2026-0007"),
            render_kw={"autocomplete": "off", "autocapitalize": "characters"},
        )
        sponsor_id = listed_choice_field(_l("Parrain ou marraine (facultatif)"))
        sponsor_agreed = BooleanField(_l("Le parrain ou la marraine est d'accord."))

    RegistrationForm.theme_ids = [theme.id for theme in themes]
    for theme in themes:
        setattr(RegistrationForm, f"offer_{theme.id}", BooleanField(_l("Je peux proposer")))
        setattr(RegistrationForm, f"need_{theme.id}", BooleanField(_l("J'aimerais recevoir")))
        setattr(
            RegistrationForm,
            f"details_{theme.id}",
            text_field(_l("Précisions (facultatif)"), 200, render_kw={"autocomplete": "off"}),
        )
    return RegistrationForm


STEP_ONE = (
    "first_name",
    "last_name",
    "address",
    "not_in_register",
    *CONTACT_FIELDS,
    "not_duplicate",
)
STEP_THREE = (
    "charter",
    "privacy",
    "share_phone",
    "newsletter",
    "photos",
    "email_notices",
    "weekly_digest",
    "method",
    "paper_reference",
    "sponsor_id",
    "sponsor_agreed",
)


def step_fields(form, step: int) -> list[str]:
    if step == 1:
        return list(STEP_ONE)
    if step == 2:
        return [
            f"{prefix}_{theme_id}"
            for theme_id in form.theme_ids
            for prefix in ("offer", "need", "details")
        ]
    return list(STEP_THREE)


class SponsorForm(BaseForm):
    """An animator links an offline resident to a sponsor (or passes them to another one)."""

    sponsor_id = listed_choice_field(
        _l("Parrain ou marraine"), _l("Choisissez un parrain ou une marraine.")
    )
    consent_reference = text_field(
        _l("Référence du papier signé par la personne"),
        20,
        _l("Indiquez la référence du papier signé."),
        description=_l("Le numéro du formulaire d'inscription ou de l'accord signé."),
    )
    represented = BooleanField(
        _l("La personne accepte que son parrain ou sa marraine agisse pour elle."),
        validators=[DataRequired(_l("Sans l'accord de la personne, pas de parrainage."))],
    )
    sponsor_agreed = BooleanField(
        _l("Le parrain ou la marraine est d'accord."),
        validators=[DataRequired(_l("Le parrain ou la marraine doit avoir donné son accord."))],
    )


class BlankFormsForm(BaseForm):
    copies = number_field(
        _l("Nombre de formulaires"),
        1,
        30,
        _l("Indiquez un nombre de 1 à 30."),
        DataRequired(_l("Indiquez un nombre de 1 à 30.")),
        default=5,
        description=_l(
            "Un formulaire par personne à inscrire, chacun avec son propre "
            "numéro ; de 1 à 30 à la fois."
        ),
    )


class ResetAccessForm(BaseForm):
    """« Réinitialiser l'accès » (admins): a box to tick; for an animator's or an admin's account,
    a second step where the person's first name is typed."""

    confirm = BooleanField(
        _l(
            "Je confirme : cette personne a perdu son accès et me l'a demandé. Je lui "
            "remettrai la nouvelle carte en main propre."
        )
    )
    step = HiddenField(default="1")
    first_name = text_field(
        _l("Prénom de la personne, pour confirmer"), 80, render_kw={"autocomplete": "off"}
    )


# --- the resident's own forms ---------------------------------------------------------------------


class CodeForm(BaseForm):
    code = StringField(
        _l("Code de votre carte d'accueil"),
        description=_l(
            "Il est imprimé sur la carte, par exemple ABCD-EFG-HJK. "
            "Minuscules, espaces et tirets sont acceptés."
        ),
        validators=[
            DataRequired(_l("Tapez le code écrit sur votre carte d'accueil.")),
            Length(max=40, message=_l("Ce champ est trop long.")),
        ],
        render_kw={
            "autocomplete": "off",
            "inputmode": "text",
            "autocapitalize": "characters",
            "autocorrect": "off",
            "spellcheck": "false",
        },
    )


class ActivationForm(BaseForm):
    # Only when the record has neither a phone nor an e-mail (the view removes it otherwise).
    login = StringField(
        _l("Votre téléphone ou votre e-mail"),
        description=_l("Vous l'écrirez pour vous connecter."),
        validators=[
            DataRequired(
                _l("Indiquez le téléphone ou l'e-mail avec lequel vous vous connecterez.")
            ),
            Length(max=254, message=_l("Ce champ est trop long.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = new_password_field(
        _l("Choisissez votre mot de passe"), _l("Choisissez un mot de passe.")
    )
    confirm = password_again_field(
        _l("Votre mot de passe, une deuxième fois"), _l("Retapez le mot de passe."), "password"
    )


CONTACT_LABELS = {
    "phone": _l("Par téléphone"),
    "email": _l("Par e-mail"),
    "site": _l("Par la messagerie du site"),
    "sponsor": _l("Par mon parrain ou ma marraine"),
}


class ProfileForm(BaseForm):
    contact_preference = RadioField(
        _l("Comment préférez-vous être joint(e) ?"),
        choices=[SelectChoice(value, CONTACT_LABELS[value]) for value in CONTACT_PREFERENCES],
        validate_choice=False,
        validators=[
            InputRequired(_l("Choisissez comment on peut vous joindre.")),
            AnyOf(CONTACT_PREFERENCES, message=_l("Choisissez comment on peut vous joindre.")),
        ],
    )
    languages = StringField(
        _l("Langues que vous parlez"),
        description=_l("Séparées par des virgules, par exemple : français, arabe."),
        validators=[Length(max=200, message=_l("Ce champ est trop long."))],
    )
    call_before_cafes = BooleanField(
        CALL_BEFORE_CAFES,
        description=_l(
            "Un animateur ou une animatrice vous téléphone quelques jours avant chaque "
            "café-rencontre."
        ),
    )
