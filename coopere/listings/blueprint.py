"""The listings blueprint, shared by its two view modules (`views`, `project_views`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("listings", __name__)
