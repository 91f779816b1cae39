"""Forms for the dwelling register: one dwelling, a file to import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..inputs import BaseForm

TOO_LONG = _l("Ce texte est trop long (%(max)d caractères au plus).")


class DwellingForm(BaseForm):
    number = IntegerField(
        _l("Numéro (facultatif pour un lieu-dit)"),
        description=_l("Le numéro dans la voie, par exemple 12 pour « 12 rue des Lilas »."),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=99_999, message=_l("Le numéro doit être un nombre entier positif.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    rep = StringField(
        _l("Indice de répétition (bis, ter…)"),
        validators=[Optional(), Length(max=10, message=TOO_LONG)],
    )
    street = StringField(
        _l("Voie"),
        description=_l("Par exemple : Rue des Lilas"),
        validators=[DataRequired(_l("Indiquez la voie.")), Length(max=200, message=TOO_LONG)],
    )
    complement = StringField(
        _l("Complément (résidence, bâtiment, escalier, appartement)"),
        description=_l("Par exemple : Résidence Les Tilleuls, Bât. B, apt 12"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
    )
    postcode = StringField(
        _l("Code postal"),
        description=_l("Un code postal compte 5 chiffres, par exemple 44300."),
        validators=[
            DataRequired(_l("Indiquez le code postal.")),
            Regexp(r"^\d{5}$", message=_l("Un code postal compte 5 chiffres, par exemple 44300.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    city = StringField(
        _l("Commune"),
        validators=[DataRequired(_l("Indiquez la commune.")), Length(max=80, message=TOO_LONG)],
    )
    lon = FloatField(
        _l("Longitude (facultatif)"),
        description=_l("En degrés décimaux, par exemple -1.5536."),
        validators=[
            Optional(),
            NumberRange(
                min=-180, max=180, message=_l("La longitude est comprise entre -180 et 180.")
            ),
        ],
    )
    lat = FloatField(
        _l("Latitude (facultatif)"),
        description=_l("En degrés décimaux, par exemple 47.2184."),
        validators=[
            Optional(),
            NumberRange(min=-90, max=90, message=_l("La latitude est comprise entre -90 et 90.")),
        ],
    )
    no_letters = BooleanField(
        _l("Pas de courrier, merci"),
        description=_l("Ce logement ne recevra jamais de lettre du réseau (tranquillité)."),
    )
    vacant = BooleanField(_l("Logement vide"))
    notes = TextAreaField(
        _l("Notes"),
        description=_l("Jamais de donnée sur les personnes : seulement sur le logement."),
        validators=[Optional(), Length(max=1000, message=TOO_LONG)],
        render_kw={"rows": 3},
    )


class ImportForm(BaseForm):
    file = FileField(
        _l("Fichier CSV de la liste des adresses"),
        description=_l(
            "Le format du projet (numero;rep;voie;complement;code_postal;commune) "
            "ou un extrait de la Base Adresse Nationale. Point-virgule ou virgule."
        ),
        validators=[FileRequired(_l("Choisissez un fichier."))],
        render_kw={"accept": ".csv,text/csv"},
    )
