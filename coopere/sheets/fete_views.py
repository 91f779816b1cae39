"""The yearly Fête de la Coopération for the animation group: its next dates with their poster
and invitation letters (the print runs' pages), and the « Nos réalisations » panels."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..actions import made_file
from ..audit.services import record
from ..events.models import Event, EventKind
from ..extensions import db
from ..perimeter.models import get_perimeter
from ..reports.achievements import achievements_pdf
from ..reports.services import ReportError
from ..timeutil import paris_today, utcnow

bp = Blueprint("fete", __name__, url_prefix="/fete")
SIZES = {"a4": "A4", "a3": "A3"}


@bp.route("/")
def index():
    fetes = db.session.scalars(
        select(Event)
        .where(Event.kind == EventKind.FETE.value, Event.ends_at >= utcnow())
        .order_by(Event.starts_at)
        .limit(3)
    ).all()
    this_year = paris_today().year
    year = request.args.get("annee", type=int) or this_year
    return render_template(
        "sheets/fete.html",
        fetes=fetes,
        year=year,
        years=list(range(this_year, this_year - 6, -1)),
    )


@bp.route("/realisations-<any(a4, a3):size>.pdf")
def panels(size: str):
    year = request.args.get("annee", type=int) or paris_today().year
    try:
        pdf = achievements_pdf(year, get_perimeter() or abort(404), SIZES[size])
    except ReportError as error:
        flash(str(error), "error")
        return redirect(url_for("fete.index"))
    record("fete.panels_printed", actor=current_user, year=year, size=SIZES[size])
    db.session.commit()
    return made_file(pdf, f"nos-realisations-{year}-{size}.pdf", attachment=False)
