"""The console's own login manager (the perimeters' is another): who is logged in to the console."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from . import accounts

login_manager = LoginManager()
login_manager.login_view = "association.login"
login_manager.login_message = _l("Connectez-vous pour ouvrir la console de l'association.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
login_manager.user_loader(accounts.load)
