"""Forms of the newsletter's editor. Lengths are checked by the services (French messages)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField

from ..inputs import BaseForm


class SettingsForm(BaseForm):
    name = StringField(_l("Nom de la lettre"), render_kw={"maxlength": 80})
    public = BooleanField(
        _l("Publier aussi une version sans aucun nom sur la page d'accueil du site")
    )


class BlockForm(BaseForm):
    title = StringField(_l("Titre du bloc"), render_kw={"maxlength": 120})
    text = TextAreaField(
        _l("Texte"),
        description=_l("Une ligne qui commence par « - » devient un point de liste."),
        render_kw={"rows": 6, "maxlength": 4000},
    )
