"""The public home page (no personal data), the page on personal data, and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from ..events.models import EventKind
from ..events.services import upcoming_events
from ..database import writes_on_get
from ..extensions import db, limiter
from ..listings.browse import counts_by_theme
from ..newsletter.services import latest_public_issue
from ..perimeter.models import get_perimeter
from ..printruns.scans import SCAN_COOKIE, record_scan, scan_memory_seconds
from ..urls import next_path

bp = Blueprint("public", __name__)


PUBLIC_KINDS = (EventKind.CAFE, EventKind.APERO_INFO, EventKind.FETE, EventKind.COLLECTIVE_ACTION)


@bp.route("/")
def home():
    perimeter = get_perimeter()
    events = upcoming_events(limit=3, kinds=PUBLIC_KINDS) if perimeter else []
    counts = (
        counts_by_theme() if perimeter else []
    )  # numbers only: names and titles are for members
    newsletter = latest_public_issue() if perimeter else None
    return render_template(
        "public/home.html",
        perimeter=perimeter,
        events=events,
        listing_counts=counts,
        # the latest issue the group chose to publish for everyone (no names), if any
        newsletter=newsletter,
        newsletter_month=format_date(newsletter.month, "MMMM y") if newsletter else "",
        language=get_locale().language,
    )


@bp.route("/bienvenue")
@limiter.limit("30 per minute")
@writes_on_get
def letter_scan():
    """Where an invitation letter's QR code leads: count the scan for its run (once per browser and
    per day: reloading does not count again), then show home."""
    memory = record_scan(
        request.args.get("run", ""),
        request.args.get("ref"),
        memory=request.cookies.get(SCAN_COOKIE),
    )
    response = redirect(url_for("public.home"))
    if memory is not None:  # sent back to this address only, gone at midnight
        response.set_cookie(
            SCAN_COOKIE,
            memory,
            max_age=scan_memory_seconds(),
            path=url_for("public.letter_scan"),
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.route("/langue", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(next_path(url_for("public.home")))


@bp.route("/donnees-personnelles")
def privacy():
    """What the network keeps about residents and their rights, in plain words; the durations and
    purposes come from the register of processing, so the page and docs/registre.md agree."""
    from ..privacy.register import public_summary, retention_settings

    durations = retention_settings(current_app.config)
    return render_template(
        "public/privacy.html",
        perimeter=get_perimeter(),
        durations=durations,
        purposes=public_summary(durations),
    )
