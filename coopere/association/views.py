"""The console's own pages: logging in and out, one's account, the association's accounts and its
audit log. The perimeters' pages are in perimeters_views.py (and siblings)."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..auth.views import login_limit
from ..extensions import limiter
from ..urls import next_path
from . import accounts, audit
from .forms import AccountForm, LoginForm, PasswordForm
from .models import Account
from .store import db_session

from .blueprint import bp


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("association.home"))
    form = LoginForm()
    if form.validate_on_submit():
        next_url = next_path(url_for("association.home"))
        try:
            account = accounts.authenticate(form.email.data, form.password.data)
        except accounts.AccountError as error:
            form.password.errors.append(str(error))
        else:
            session.clear()  # a fresh session on login: no fixation
            login_user(account)
            return redirect(next_url)
    return render_template("association/login.html", form=form)


@bp.post("/deconnexion")
def logout():
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté·e de la console."), "info")
    return redirect(url_for("association.login"))


@bp.get("/")
def home():
    return redirect(url_for("association.perimeters"))


@bp.route("/compte", methods=["GET", "POST"])
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError as error:
            form.new.errors.append(str(error))
        else:
            db_session().commit()
            login_user(current_user)  # this session goes on with the new version
            flash(_("Votre mot de passe est changé."), "success")
            return redirect(url_for("association.account"))
    return render_template("association/account.html", form=form)


@bp.route("/comptes", methods=["GET", "POST"], endpoint="accounts")
def accounts_page():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            made = accounts.create_account(
                form.email.data,
                form.name.data,
                form.role.data,
                form.password.data,
                by=current_user,
            )
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db_session().commit()
            flash(_("Le compte de %(name)s est créé.", name=made.name), "success")
            return redirect(url_for("association.accounts"))
    people = db_session().scalars(select(Account).order_by(Account.name))
    return render_template("association/accounts.html", form=form, people=list(people))


@bp.get("/journal", endpoint="audit")
def audit_page():
    names = dict(db_session().execute(select(Account.id, Account.name)).all())
    return render_template(
        "association/audit.html", entries=audit.latest(), label=audit.label, names=names
    )
