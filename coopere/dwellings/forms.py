"""Forms for the dwelling register: one dwelling, a file to import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FloatField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ..inputs import BaseForm, number_field, postcode_field, text_field


class DwellingForm(BaseForm):
    number = number_field(
        _l("Numéro (facultatif pour un lieu-dit)"),
        0,
        99_999,
        _l("Le numéro doit être un nombre entier positif."),
        description=_l("Le numéro dans la voie, par exemple 12 pour « 12 rue des Lilas »."),
    )
    rep = text_field(_l("Indice de répétition (bis, ter…)"), 10)
    street = text_field(
        _l("Voie"), 200, _l("Indiquez la voie."), description=_l("Par exemple : Rue des Lilas")
    )
    complement = text_field(
        _l("Complément (résidence, bâtiment, escalier, appartement)"),
        200,
        description=_l("Par exemple : Résidence Les Tilleuls, Bât. B, apt 12"),
    )
    postcode = postcode_field(autocomplete="off")
    city = text_field(_l("Commune"), 80, _l("Indiquez la commune."))
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
    notes = text_field(
        _l("Notes"),
        1000,
        kind=TextAreaField,
        description=_l("Jamais de donnée sur les personnes : seulement sur le logement."),
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
