"""French error pages, with no traceback, for every error a visitor can meet."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .urls import PublicUrlMissing, public_url_missing_message

MESSAGES = {
    400: (
        _l("Demande incorrecte"),
        _l(
            "La demande envoyée n'a pas pu être comprise. "
            "Revenez à la page précédente et réessayez."
        ),
    ),
    403: (
        _l("Accès refusé"),
        _l(
            "Cette page est réservée à d'autres personnes du réseau. "
            "Si vous pensez que c'est une erreur, parlez-en au groupe d'animation."
        ),
    ),
    404: (
        _l("Page introuvable"),
        _l("Cette page n'existe pas ou plus. Vérifiez l'adresse, ou revenez à l'accueil."),
    ),
    405: (
        _l("Action impossible"),
        _l("Cette action ne peut pas se faire de cette façon. Revenez à la page précédente."),
    ),
    413: (
        _l("Fichier trop gros"),
        _l("Ce que vous avez envoyé est trop volumineux. Essayez avec un fichier plus petit."),
    ),
    429: (
        _l("Trop d'essais"),
        _l("Trop d'essais en peu de temps. Attendez quelques minutes, puis réessayez."),
    ),
    500: (
        _l("Un problème est survenu"),
        _l(
            "Le site a rencontré un problème. Rien n'a été "
            "enregistré. Réessayez dans un moment ; si cela "
            "recommence, prévenez le groupe d'animation."
        ),
    ),
}
PUBLIC_URL_TITLE = _l("Adresse du site à régler")
CSRF_MESSAGE = (
    _l("Formulaire à renvoyer"),
    _l(
        "Le formulaire n'a pas pu être vérifié (la page était peut-être ancienne, "
        "ou les cookies sont bloqués). Rechargez la page et recommencez."
    ),
)


def render_error(code: int, title=None, message=None):
    default_title, default_message = MESSAGES.get(
        code, MESSAGES[500] if code >= 500 else MESSAGES[400]
    )
    return render_template(
        "errors/error.html",
        code=code,
        title=title or default_title,
        message=message or default_message,
    ), code


def configure_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(400, *CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(PublicUrlMissing)
    def public_url_missing(_error):
        # A page that makes a link or a QR code for outside the site, while PUBLIC_URL is not set:
        # say so in French rather than guess the address from the request (nothing is saved).
        from .extensions import db

        db.session.rollback()
        return render_error(503, PUBLIC_URL_TITLE, public_url_missing_message())

    @app.errorhandler(InternalServerError)
    def server_error(_error):
        from .extensions import db

        db.session.rollback()
        return render_error(500)
