"""The console's one blueprint, `/association/…`: each views module adds its pages to it."""

from flask import Blueprint

bp = Blueprint("association", __name__, url_prefix="/association")
