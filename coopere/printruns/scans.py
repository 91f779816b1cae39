"""Counting the QR codes of the letters being opened: people, not reloads.

A scan is counted once per browser, per run and per day. Nothing identifies the browser: it keeps
its own memory, a signed cookie sent only to the scan address, holding today's date and the runs
already counted for it today, and gone at midnight. No IP address, no identifier, nothing more in
the database than before (the run, the dwelling of an addressed letter, the time)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from ..database import per_key
from ..dwellings.models import Dwelling
from ..extensions import db
from ..timeutil import PARIS, paris_today, to_paris, utcnow
from .models import LetterScan, PrintRun

SCAN_COOKIE = "coopere_lectures"
SCAN_COOKIE_RUNS = 20  # runs remembered at most (a code is 12 characters: the cookie stays small)


def _scan_memory() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="letter-scans")


def _runs_counted_today(memory: str | None, today: date) -> list[str]:
    """The runs a browser's cookie says it was counted for today; none if it is from another day,
    damaged or forged."""
    try:
        value = _scan_memory().loads(memory) if memory else None
    except BadSignature:
        return []
    if not isinstance(value, dict) or value.get("day") != today.isoformat():
        return []
    runs = value.get("runs")
    return [code for code in runs if isinstance(code, str)] if isinstance(runs, list) else []


def record_scan(run_code: str, reference: str | None, *, memory: str | None = None) -> str | None:
    """Count a letter's QR code being opened, unless this browser was already counted for this run
    today (`memory`: its cookie). Returns the cookie to give it back, or None when there is nothing
    new to remember (an unknown run, or already counted)."""
    run = db.session.execute(
        select(PrintRun.id, PrintRun.code).where(PrintRun.code == run_code[:12])
    ).first()
    if run is None:
        return None
    run_id, code = run
    today = paris_today()
    counted = _runs_counted_today(memory, today)
    if code in counted:
        return None
    dwelling_id = None
    if reference:
        dwelling_id = db.session.scalar(
            select(Dwelling.id).where(Dwelling.reference == reference[:12])
        )
    db.session.add(LetterScan(print_run_id=run_id, dwelling_id=dwelling_id))
    db.session.commit()
    return _scan_memory().dumps(
        {"day": today.isoformat(), "runs": [*counted, code][-SCAN_COOKIE_RUNS:]}
    )


def scan_memory_seconds() -> int:
    """How long a browser keeps its scan memory: until midnight, Paris time."""
    now = to_paris(utcnow())
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=PARIS)
    return max(int((midnight - now).total_seconds()), 1)


def scan_counts(run_ids: list[int]) -> dict[int, int]:
    """Scans per run: each is one browser on one day (see record_scan), as the reports count it."""
    return per_key(LetterScan.print_run_id, func.count(LetterScan.id), run_ids)
