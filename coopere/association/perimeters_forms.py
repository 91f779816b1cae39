"""The console's forms about perimeters: creating one (the fields of `perimeters create`),
choosing its coach, and the network's common texts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..auth.identifiers import InvalidIdentifier, parse_login
from ..inputs import BaseForm, number_field, postcode_field, text_field

NO_COACH = ""


class NewPerimeterForm(BaseForm):
    slug = StringField(
        _l("Identifiant court"),
        validators=[DataRequired(_l("Indiquez un identifiant court, par exemple « lilas »."))],
        description=_l(
            "Le début des adresses du périmètre (…/lilas/) : lettres minuscules sans accent, "
            "chiffres et tirets."
        ),
        render_kw={"autocapitalize": "none", "spellcheck": "false", "maxlength": 30},
    )
    name = text_field(
        _l("Nom du réseau"),
        120,
        _l("Indiquez le nom du réseau."),
        description=_l("Par exemple : Coop-ère du quartier des Lilas"),
    )
    short_name = text_field(
        _l("Nom court"), 40, description=_l("Affiché en haut des pages (par défaut : le nom).")
    )
    city = text_field(_l("Commune"), 80, _l("Indiquez la commune."))
    postcode = postcode_field(autocomplete="off")
    dwellings = number_field(
        _l("Nombre estimé de logements"),
        1,
        100_000,
        _l("Indiquez un nombre entre 1 et 100 000."),
        DataRequired(_l("Indiquez un nombre de logements.")),
        description=_l("Un micro-périmètre compte de 100 à 500 logements."),
    )
    meeting_place = text_field(_l("Lieu des rencontres"), 200)
    contact = text_field(
        _l("Contact du groupe d'animation"),
        300,
        description=_l("Un téléphone ou une adresse e-mail, affiché sur la page publique."),
    )
    pilote_first_name = text_field(_l("Prénom du pilote"), 80, _l("Indiquez le prénom du pilote."))
    pilote_last_name = text_field(_l("Nom du pilote"), 80, _l("Indiquez le nom du pilote."))
    pilote_login = StringField(
        _l("E-mail ou téléphone du pilote"),
        validators=[
            DataRequired(_l("Indiquez l'e-mail ou le téléphone du pilote.")),
            Length(max=254),
        ],
        description=_l("Ce qui lui servira à se connecter."),
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    coach = SelectField(_l("Accompagnateur·rice"), choices=[], validate_choice=True)
    letter = BooleanField(
        _l("Faire la lettre d'activation du pilote (PDF à imprimer)"), default=True
    )

    def validate_pilote_login(self, field):
        try:
            parse_login(field.data or "")
        except InvalidIdentifier:
            raise ValidationError(
                _l("Indiquez une adresse e-mail ou un numéro de téléphone français valide.")
            )


class CoachForm(BaseForm):
    coach = SelectField(_l("Accompagnateur·rice"), choices=[], validate_choice=True)


class DefaultsForm(BaseForm):
    charter = TextAreaField(
        _l("Charte"),
        validators=[DataRequired(_l("Le texte de la charte est vide.")), Length(max=20_000)],
        render_kw={"rows": 12},
    )
    themes = TextAreaField(
        _l("Thèmes"),
        validators=[DataRequired(_l("Indiquez au moins un thème.")), Length(max=20_000)],
        description=_l(
            "Un thème par ligne : nom en français | nom en anglais | exemples | examples "
            "(seul le nom en français est obligatoire)."
        ),
        render_kw={"rows": 14},
    )
    letter_text = TextAreaField(
        _l("Texte de la lettre d'invitation"),
        validators=[DataRequired(_l("Le texte de la lettre est vide.")), Length(max=20_000)],
        render_kw={"rows": 12},
    )


def coach_choices(accounts, empty_label) -> list[tuple[str, str]]:
    return [(NO_COACH, str(empty_label))] + [(str(person.id), person.name) for person in accounts]
