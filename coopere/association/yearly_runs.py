"""The network's yearly report, prepared in the background: at 1,000 perimeters WeasyPrint takes
some 16 s of CPU, too long for a web request. « Préparer le rapport » records a run (queued) and
enqueues it on the network's queue (coopere/network/queue.py: the task runs in the network's own
app, by the consumer, or at once with QUEUE_URL = "immediate"); the task renders the PDF into
<network>/rapports/ and marks the run done, or failed with a French message.

A second click while a run of the same year and perimeters is being prepared gives that run
back; a run left queued or running STALL_MINUTES after it was asked (a consumer stopped, a
process killed) counts as failed and may be asked again. A done run replaces the file of the
previous one of the same year and perimeters."""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..printing.network_report import render_network_report
from ..queue import site_task
from ..timeutil import paris_today
from ..network.queue import network_site, use_network_queue
from .figures import Selection, month_key, network_figures
from .models import Account, YearlyReportRun
from .phases import PHASE_LABELS
from .perimeters import in_scope
from .store import db_session, network
from .yearly_report import yearly_report_data

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALL_MINUTES = 30  # far above a report's time at 1,000 perimeters (about 16 s)
FOLDER = "rapports"  # in the network folder


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def is_stalled(run: YearlyReportRun, now: datetime | None = None) -> bool:
    return run.status in (QUEUED, RUNNING) and _aware(run.created_at) < (
        now or utc_now()
    ) - timedelta(minutes=STALL_MINUTES)


def state(run: YearlyReportRun) -> str:
    """« preparing », « ready » or « failed », as the pages show it."""
    if run.status == DONE:
        return "ready"
    if run.status == FAILED or is_stalled(run):
        return "failed"
    return "preparing"


def error_text(run: YearlyReportRun) -> str:
    if run.status == FAILED:
        return run.error or _("La préparation du rapport a échoué.")
    return _(
        "La préparation ne s'est pas terminée : la file des tâches du réseau ne tourne peut-être "
        "pas (README, « Background queue »)."
    )


def selection_of(run: YearlyReportRun, today=None) -> Selection:
    """The run's months (the calendar year, up to this month for the current one) and filters."""
    today = today or paris_today()
    filters = json.loads(run.filters or "{}")
    last = f"{run.year}-12" if run.year < today.year else month_key(today)
    return Selection(
        f"{run.year}-01",
        last,
        departement=filters.get("departement") or None,
        coach_id=filters.get("coach_id"),
        phase=filters.get("phase") or None,
    )


def _filters(selection: Selection) -> str:
    return json.dumps(
        {
            "departement": selection.departement,
            "coach_id": selection.coach_id,
            "phase": selection.phase,
        },
        sort_keys=True,
    )


def _same(year: int, scope_id: int | None, filters: str):
    scope = (
        YearlyReportRun.scope_id.is_(None)
        if scope_id is None
        else YearlyReportRun.scope_id == scope_id
    )
    return select(YearlyReportRun).where(
        YearlyReportRun.year == year, scope, YearlyReportRun.filters == filters
    )


def latest_runs(scope_id: int | None, selection: Selection, years) -> dict[int, YearlyReportRun]:
    """The last run of each year for these perimeters and filters (the figures page's list)."""
    filters = _filters(selection)
    found = {}
    for year in years:
        run = (
            db_session()
            .scalars(_same(year, scope_id, filters).order_by(YearlyReportRun.id.desc()).limit(1))
            .first()
        )
        if run is not None:
            found[year] = run
    return found


def ask(
    year: int, scope_id: int | None, selection: Selection, account
) -> tuple[YearlyReportRun, bool]:
    """The run being prepared for this year, perimeters and filters, or a new one, enqueued:
    (run, whether it is new). The new run is committed before it is enqueued (with an immediate
    queue the task runs at once, in a session of its own)."""
    session = db_session()
    filters = _filters(selection)
    running = session.scalars(
        _same(year, scope_id, filters)
        .where(YearlyReportRun.status.in_((QUEUED, RUNNING)))
        .order_by(YearlyReportRun.id.desc())
    ).all()
    for run in running:
        if not is_stalled(run):
            return run, False
    run = YearlyReportRun(
        year=year, scope_id=scope_id, filters=filters, status=QUEUED, requested_by=account.id
    )
    session.add(run)
    session.flush()
    from .audit import record

    record(
        "figures.yearly_asked", account=account, target=str(year), detail=", ".join(describe(run))
    )
    session.commit()
    run_id = run.id
    use_network_queue(network())
    prepare_yearly_report.for_site(network_site(network()), run_id)
    return session.get(YearlyReportRun, run_id), True


def describe(run: YearlyReportRun) -> list[str]:
    """The run's perimeters in words: « Tous les périmètres » or its filters."""
    filters = json.loads(run.filters or "{}")
    words = []
    if run.scope_id is not None:
        coach = db_session().get(Account, run.scope_id)
        words.append(_("les périmètres qu'accompagne %(name)s", name=coach.name if coach else "?"))
    if filters.get("departement"):
        words.append(_("département %(code)s", code=filters["departement"]))
    if filters.get("coach_id"):
        coach = db_session().get(Account, filters["coach_id"])
        words.append(_("accompagnés par %(name)s", name=coach.name if coach else "?"))
    if filters.get("phase"):
        label = PHASE_LABELS.get(filters["phase"], filters["phase"])
        words.append(_("en phase « %(phase)s »", phase=label))
    return words or [_("tous les périmètres du réseau")]


def folder() -> Path:
    return network().root / FOLDER


def pdf_path(run: YearlyReportRun) -> Path | None:
    if run.status != DONE or not run.file_name:
        return None
    path = folder() / run.file_name
    return path if path.is_file() else None


def download_name(run: YearlyReportRun) -> str:
    return f"reseau-rapport-{run.year}.pdf"


@site_task(name="coopere.association.yearly_report")
def prepare_yearly_report(run_id: int) -> None:
    """The queue's task, in the network's app: render the run's PDF (nothing when another worker
    has it or it is over)."""
    session = db_session()
    taken = session.execute(
        update(YearlyReportRun)
        .where(YearlyReportRun.id == run_id, YearlyReportRun.status == QUEUED)
        .values(status=RUNNING)
    )
    session.commit()
    if taken.rowcount != 1:
        return
    run = session.get(YearlyReportRun, run_id)
    try:
        today = paris_today()
        selection = selection_of(run, today)
        rows = in_scope(run.scope_id)
        session.commit()  # end the read before the long render (SQLite's write lock)
        with force_locale("fr"):  # the report is in French, whatever the asker's language
            data = yearly_report_data(network_figures(rows, selection), run.year, today)
            pdf = render_network_report(data)
        name = f"reseau-rapport-{run.year}-{run_id}-{secrets.token_hex(6)}.pdf"
        folder().mkdir(parents=True, exist_ok=True)
        part = folder() / f"{name}.part"
        part.write_bytes(pdf)
        os.replace(part, folder() / name)
    except ValueError as error:  # the print engine says what is wrong, in French
        _fail(run_id, str(error))
        return
    except OSError:
        _fail(run_id, _("le fichier n'a pas pu être écrit dans le dossier du réseau"))
        return
    except Exception:  # noqa: BLE001 - any failure is the run's, never lost
        _fail(run_id, _("une erreur imprévue, notée dans le journal du serveur"))
        return
    run = session.get(YearlyReportRun, run_id)
    previous = session.scalars(
        _same(run.year, run.scope_id, run.filters).where(
            YearlyReportRun.id != run_id, YearlyReportRun.file_name.is_not(None)
        )
    ).all()
    for old in previous:  # superseded: the newest report of these perimeters is kept
        (folder() / old.file_name).unlink(missing_ok=True)
        old.file_name = None
    run.status, run.file_name, run.finished_at = DONE, name, utc_now()
    session.commit()


def _fail(run_id: int, reason: str) -> None:
    log.exception("yearly report run %s failed", run_id)
    session = db_session()
    session.rollback()
    run = session.get(YearlyReportRun, run_id)
    run.status, run.finished_at = FAILED, utc_now()
    run.error = _(
        "Le rapport n'a pas pu être préparé : %(reason)s. Réessayez ; si cela recommence, "
        "prévenez la personne qui gère le serveur.",
        reason=reason,
    )
    session.commit()
