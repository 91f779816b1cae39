"""The network's own small site: the list of its perimeters at `/`, and the French pages for an
unknown address and a perimeter under maintenance. Its command line: coopere/network/cli.py.

The association's console (coopere/association, `/association/…`) lives here too, with accounts of
its own: this app never opens a perimeter's database to answer a page."""

from __future__ import annotations

from flask import Flask, has_request_context, render_template, request
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from .. import queue
from ..config import ROOT
from ..security import add_security_headers
from . import registry
from .folder import Network
from .queue import network_site
from .sites import public_url

MAINTENANCE_TITLE = _l("Ce réseau est en travaux")
MAINTENANCE_MESSAGE = _l(
    "Le site de ce réseau d'entraide est en cours de mise à jour. Revenez un peu plus tard : "
    "vos annonces et vos échanges sont gardés. Si cela dure, prévenez le groupe d'animation."
)
NOT_FOUND_TITLE = _l("Page introuvable")
NOT_FOUND_MESSAGE = _l(
    "Aucun réseau d'entraide ne porte cette adresse. Vérifiez l'adresse imprimée sur votre lettre "
    "ou votre carte, ou choisissez votre quartier dans la liste."
)


def select_locale() -> str:
    if not has_request_context():  # a command: French
        return "fr"
    return request.accept_languages.best_match(("fr", "en")) or "fr"


def create_network_app(network: Network | None = None) -> Flask:
    network = network or Network.from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(network.root),
    )
    app.config["SECRET_KEY"] = network.config.get("SECRET_KEY")
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Paris"
    app.extensions["coopere.network"] = network
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "coopere" / "translations"),
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.after_request(add_security_headers)
    from ..association.console import configure_console  # the console builds on this package

    configure_console(app, network)
    # The association's background work (the yearly report) runs in this app: the queue's task
    # finds it by the network's site name (in this process; a consumer remembers its own).
    queue.remember(network_site(network), app)

    @app.get("/")
    def index():
        perimeters = [
            (entry, (public_url(network, entry.slug) or f"/{entry.slug}") + "/")
            for entry in registry.all_entries(network)
            if entry.served
        ]
        return render_template("network/index.html", perimeters=perimeters)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 404:
            return message_page(NOT_FOUND_TITLE, NOT_FOUND_MESSAGE, 404)
        return message_page(error.name, error.description or "", error.code or 500)

    from .cli import register_cli

    register_cli(app, network)
    return app


def message_page(title, message, status: int):
    """A page of the network's own (no perimeter is involved): an unknown address, maintenance."""
    return render_template("network/message.html", title=title, message=message), status
