"""Login, logout, the member's home and account settings."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, limiter, login_manager
from ..security import client_network
from ..urls import next_path
from .forms import ConfirmForm, LanguageForm, LoginForm, PasswordChangeForm
from .models import User
from .passwords import verify_password
from .services import AccountError, authenticate, end_all_sessions, set_password

bp = Blueprint("auth", __name__)


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour voir cette page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    from .session_timeouts import configure_session_timeouts

    configure_session_timeouts(app)  # before the policy table (configured after this)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The account of a session, if the session is still valid (same session version)."""
    try:
        ident, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, ident)
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


def flash_login_notices(user: User) -> None:
    """Show once, right after logging in, the notices the person must not miss (their access was
    reset by an admin), and mark them read."""
    from ..notifications.services import take_login_notices

    texts = take_login_notices(user)
    for text in texts:
        flash(text, "info")
    if texts:
        db.session.commit()


def login_limit() -> str:
    """The login form's rate limit (RATELIMIT_LOGIN); the association's console uses it too."""
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        next_url = next_path(url_for("auth.home"))  # checked before the session changes
        try:
            user = authenticate(form.login.data, form.password.data, client_network())
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            chosen_language = session.get("lang")
            session.clear()  # a fresh session on login: no fixation
            login_user(user)
            if user.locale or chosen_language:
                session["lang"] = user.locale or chosen_language
            flash_login_notices(user)
            return redirect(next_url)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.route("/deconnexion", methods=["POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        # The session is a signed cookie: only a new session version makes a copy of it (kept
        # by a shared computer, a proxy, a thief) worthless once the person logged out. This
        # ends the account's other sessions too, which is the safer side for this public.
        user = db.session.get(User, current_user.id)
        user.session_version += 1
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Déconnexion faite. À bientôt !"), "success")
        response = redirect(url_for("public.home"))
        # The offline café desk's copy on this device (names, queue, kept pages): erased.
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return redirect(url_for("public.home"))


@bp.route("/accueil")
def home():
    from ..listings.browse import NEW_CAP, new_count
    from ..members.sponsorship import subject

    return render_template(
        "auth/home.html", new_listings=new_count(subject()), new_listings_cap=NEW_CAP
    )


@bp.route("/compte")
def account():
    return _account_page()


def _account_page(**forms):
    language = forms.get("language") or LanguageForm(locale=current_user.locale or "fr")
    password = forms.get("password") or PasswordChangeForm(formdata=None)
    status = 422 if any(f.errors for f in forms.values()) else 200
    from ..privacy.services import pending_erasure

    return render_template(
        "auth/account.html",
        language_form=language,
        password_form=password,
        sessions_form=ConfirmForm(),
        erasure=pending_erasure(current_user),
    ), status


@bp.route("/compte/langue", methods=["POST"])
def change_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return _account_page(language=form)
    current_user.locale = form.locale.data
    session["lang"] = form.locale.data
    db.session.commit()
    refresh()  # the confirmation below speaks the newly chosen language
    flash(_("Votre langue est enregistrée."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/compte/mot-de-passe", methods=["POST"])
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.id == current_user.id).with_for_update())
        if not verify_password(user.password_hash, form.current.data):
            form.current.errors.append(_("Ce n'est pas votre mot de passe actuel."))
        else:
            try:
                set_password(user, form.new.data)
            except AccountError as error:
                form.new.errors.append(str(error))
            else:
                db.session.commit()
                login_user(user)  # this device stays logged in with the new session version
                flash(
                    _("Votre mot de passe est changé. Vos autres appareils sont déconnectés."),
                    "success",
                )
                return redirect(url_for("auth.account"))
    return _account_page(password=form)


@bp.route("/compte/deconnexion-partout", methods=["POST"])
def end_sessions():
    form = ConfirmForm()
    if form.validate_on_submit():
        end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Déconnexion faite sur tous vos appareils."), "success")
        return redirect(url_for("auth.login"))
    return _account_page()
