"""The console's perimeters: the list of the perimeters one follows."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from . import perimeters
from .blueprint import bp
from .phases import PHASE_LABELS


@bp.get("/perimetres", endpoint="perimeters")
def perimeters_page():
    rows = perimeters.followed(current_user)
    return render_template("association/perimeters.html", rows=rows, phase_labels=PHASE_LABELS)
