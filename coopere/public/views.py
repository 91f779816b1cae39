"""The public home page (no personal data) and the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..extensions import db
from ..perimeter.models import get_perimeter
from ..urls import local_path

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("public/home.html", perimeter=get_perimeter())


@bp.route("/langue", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(local_path(request.form.get("next")) or url_for("public.home"))
