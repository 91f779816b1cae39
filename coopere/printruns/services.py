"""Print runs: which dwellings get a letter, building the print engine's plain data, running
the job, confirming delivery. Counting the letters' QR scans: printruns/scans.py."""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import printing
from ..audit.services import record
from ..dwellings.models import Dwelling, LetterSent
from ..events.models import Event, EventKind
from ..events.printouts import event_data
from ..extensions import db
from ..perimeter.models import Perimeter, get_perimeter
from ..retention import setting
from ..timeutil import PARIS, utcnow
from .letter import DEFAULT_LETTER, FETE_LETTER
from .models import PrintRun, RunStatus


STALL_MINUTES = 10  # a running job silent this long is stalled (taken again by the queue's sweep)


class PrintRunError(ValueError):
    """A print run that cannot be made; the message is French and safe to show."""


# --- plain data for the print engine -------------------------------------------------------


def letter_text(perimeter: Perimeter, event: printing.Event, template: str | None = None) -> str:
    """The admin's letter template filled for this event (TemplateError lists every mistake)."""
    text = template if template is not None else (perimeter.letter_template or DEFAULT_LETTER)
    return printing.fill_letter_template(text, printing.event_placeholders(event))


def template_for(event: Event) -> str | None:
    """The wording of a letter about `event`: the Fête de la Coopération has its own invitation
    (FETE_LETTER); other events use the perimeter's letter (None)."""
    return FETE_LETTER if event.kind == EventKind.FETE.value else None


# --- letters ----------------------------------------------------------------------------


def letter_dwellings(streets: list[str] | None = None, building: str = "") -> list[Dwelling]:
    """Dwellings that get a letter: never "no letters please" nor vacant ones; optionally only
    some streets, or a building (a word of the complement, e.g. « Bât. B »)."""
    query = select(Dwelling).where(Dwelling.receives_letters)
    if streets:
        query = query.where(Dwelling.street.in_(streets))
    if building.strip():
        query = query.where(func.lower(Dwelling.complement).contains(building.strip().lower()))
    return list(
        db.session.scalars(
            query.order_by(
                Dwelling.street, Dwelling.number, Dwelling.rep, Dwelling.complement, Dwelling.id
            )
        )
    )


def create_letter_run(
    *,
    event: Event,
    base_url: str,
    addressed: bool = True,
    streets: list[str] | None = None,
    building: str = "",
    unaddressed: int = 0,
    actor=None,
) -> PrintRun:
    """A queued letter run for these dwellings; checks everything before any page is rendered.

    The run keeps the list of dwellings it prints, so that confirming it later records a letter
    for exactly those dwellings.
    """
    perimeter = get_perimeter()
    if perimeter is None:
        raise PrintRunError(_l("Le périmètre n'est pas encore installé."))
    if not 0 <= unaddressed <= 1000:
        raise PrintRunError(_l("Le nombre d'exemplaires sans adresse va de 0 à 1 000."))
    dwellings = letter_dwellings(streets, building) if addressed else []
    if not dwellings and not unaddressed:
        raise PrintRunError(
            _l(
                "Aucun logement ne correspond : vérifiez les rues choisies, ou les logements "
                "marqués « pas de courrier » ou « vide »."
            )
        )
    letter_text(perimeter, event_data(event, perimeter), template_for(event))  # TemplateError
    run = PrintRun(
        kind="letters",
        created_by_id=getattr(actor, "id", None),
        total_pages=1 + len(dwellings) + unaddressed,
        letters_count=len(dwellings) + unaddressed,
    )
    run.params = {
        "event_id": event.id,
        "base_url": base_url.rstrip("/"),
        "streets": streets or [],
        "building": building,
        "unaddressed": unaddressed,
        "dwelling_ids": [d.id for d in dwellings],
    }
    db.session.add(run)
    db.session.flush()
    record("printrun.created", actor=actor, run=run.id, letters=run.letters_count)
    return run


def build_letter_run(run: PrintRun) -> printing.LetterRun:
    params = run.params
    perimeter = get_perimeter()
    event = db.session.get(Event, params["event_id"])
    if event is None:
        raise PrintRunError(_l("Le rendez-vous de cette impression a été supprimé."))
    scan_url = params["base_url"] + "/bienvenue"
    event_info = event_data(event, perimeter, public_url=params["base_url"] + "/")
    return printing.LetterRun(
        event=event_info,
        body=letter_text(perimeter, event_info, template_for(event)),
        recipients=_recipients(params["dwelling_ids"]),
        qr_base_url=printing.models.with_query(scan_url, run=run.code),
        unaddressed_copies=params.get("unaddressed", 0),
        summary_page=True,
        title=f"Lettres d'invitation – {event_info.kind} du {event_info.date_text}",
    )


def _recipients(ids: list[int]) -> list[printing.Recipient]:
    """The run's dwellings, in the run's order, as letter recipients (a dwelling deleted since
    the run was made is left out)."""
    found = db.session.scalars(select(Dwelling).where(Dwelling.id.in_(ids))) if ids else []
    by_id = {d.id: d for d in found}
    return [
        printing.Recipient(
            address_lines=printing.postal_address_lines(
                d.number, d.rep, d.street, d.complement, d.postcode, d.city
            ),
            reference=d.reference,
            street=d.street,
        )
        for d in (by_id[i] for i in ids if i in by_id)
    ]


# --- the newsletter to every dwelling that accepts mail (coopere/newsletter) --------------------


def create_newsletter_run(paper: dict, *, base_url: str, actor=None) -> PrintRun:
    """A queued run of the newsletter, one copy (two pages) per dwelling that accepts mail, each
    with its QR code as on the invitation letters. `paper`: the issue's texts (JSON-ready)."""
    dwellings = letter_dwellings()
    if not dwellings:
        raise PrintRunError(_l("Aucun logement n'accepte le courrier : rien à imprimer."))
    run = PrintRun(
        kind="newsletter",
        created_by_id=getattr(actor, "id", None),
        total_pages=2 * len(dwellings),
        letters_count=len(dwellings),
    )
    run.params = {
        "paper": paper,
        "base_url": base_url.rstrip("/"),
        "dwelling_ids": [d.id for d in dwellings],
    }
    db.session.add(run)
    db.session.flush()
    record("printrun.created", actor=actor, run=run.id, letters=run.letters_count)
    return run


def build_newsletter_run(run: PrintRun) -> printing.NewsletterPaper:
    params = run.params
    paper = params["paper"]
    return printing.NewsletterPaper(
        perimeter=printing.Perimeter(**paper["perimeter"]),
        name=paper["name"],
        month_text=paper["month_text"],
        blocks=[tuple(pair) for pair in paper["blocks"]],
        qr_url=printing.models.with_query(params["base_url"] + "/bienvenue", run=run.code),
        recipients=_recipients(params["dwelling_ids"]),
        title=f"{paper['name']} – {paper['month_text']} – tous les logements",
    )


# --- running a job ----------------------------------------------------------------------


def output_folder() -> Path:
    folder = Path(current_app.instance_path) / "printruns"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def execute(run_id: int) -> None:
    """Render a queued run to a PDF in the instance folder, reporting progress as pages finish.

    Progress and the final state are committed in their own short transactions, so the status
    page shows them while the job runs; any failure is recorded on the run, never lost.
    """
    delete_old_files()  # each new run tidies up: no cron job is needed for the 30-day limit
    if not claim(run_id):
        return
    run = db.session.get(PrintRun, run_id)

    def progress(done: int, _total: int) -> None:
        db.session.execute(
            update(PrintRun)
            .where(PrintRun.id == run_id)
            .values(done_pages=done, heartbeat_at=utcnow())
        )
        db.session.commit()

    try:
        if run.kind == "newsletter":
            paper = build_newsletter_run(run)
            db.session.commit()  # as below
            pdf = printing.render_newsletter_run(paper, progress=progress)
        else:
            letter_run = build_letter_run(run)
            # End the transaction that read the run before rendering: on SQLite it holds the
            # write lock, which would stop every other writer of the site for the whole render.
            db.session.commit()
            pdf = printing.render_letters(letter_run, progress=progress)
    except (ValueError, OSError) as error:
        db.session.rollback()
        run = db.session.get(PrintRun, run_id)
        run.status, run.error, run.finished_at = RunStatus.FAILED.value, str(error), utcnow()
        db.session.commit()
        return
    name = f"{run_id}-{secrets.token_hex(8)}.pdf"
    path = output_folder() / name
    tmp = path.with_suffix(".part")
    tmp.write_bytes(pdf)
    os.replace(tmp, path)
    run = db.session.get(PrintRun, run_id)
    run.status, run.file_name, run.finished_at = RunStatus.DONE.value, name, utcnow()
    run.done_pages = run.total_pages
    db.session.commit()


def claim(run_id: int) -> bool:
    """Take a queued (or stalled) run for this worker, atomically: False when it is done, failed,
    or being rendered by another worker (a run enqueued twice is rendered once)."""
    now = utcnow()
    result = db.session.execute(
        update(PrintRun)
        .where(
            PrintRun.id == run_id,
            (PrintRun.status == RunStatus.QUEUED.value)
            | (
                (PrintRun.status == RunStatus.RUNNING.value)
                & (
                    PrintRun.heartbeat_at.is_(None)
                    | (PrintRun.heartbeat_at < now - timedelta(minutes=STALL_MINUTES))
                )
            ),
        )
        .values(status=RunStatus.RUNNING.value, heartbeat_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def pdf_path(run: PrintRun) -> Path | None:
    if run.status != RunStatus.DONE or not run.file_name:
        return None
    path = output_folder() / run.file_name
    return path if path.exists() else None


def is_stalled(run: PrintRun) -> bool:
    """A running job whose process stopped reporting (killed, machine restarted)."""
    return run.status == RunStatus.RUNNING and (
        run.heartbeat_at is None or utcnow() - run.heartbeat_at > timedelta(minutes=STALL_MINUTES)
    )


def runs_with_old_files(days: int | None = None, *, now: datetime | None = None) -> list[PrintRun]:
    """Runs whose PDF is older than `days` (from when it finished, or was queued if it never did);
    by default the PRINT_FILES_RETENTION_DAYS setting."""
    days = files_kept_days() if days is None else days
    limit = (now or utcnow()) - timedelta(days=days)
    return list(
        db.session.scalars(
            select(PrintRun).where(
                PrintRun.file_name.is_not(None),
                func.coalesce(PrintRun.finished_at, PrintRun.created_at) < limit,
            )
        )
    )


def files_kept_days() -> int:
    """How many days a run's PDF is kept (it holds addresses)."""
    return setting("PRINT_FILES_RETENTION_DAYS")


def delete_old_files(days: int | None = None, *, now: datetime | None = None) -> int:
    """Delete PDFs older than `days`; the runs stay listed, without their file. The runs forget
    their file in a commit first: a failure never leaves a run pointing at a missing file."""
    old = runs_with_old_files(days, now=now)
    names = [run.file_name for run in old]
    for run in old:
        run.file_name = None
    db.session.commit()
    folder = output_folder()
    for name in names:
        (folder / Path(name).name).unlink(missing_ok=True)  # a bare name, never a path
    return len(names)


def confirm_run(run: PrintRun, *, actor=None) -> int:
    """Record "letter sent" today on every dwelling of the run, once; returns how many."""
    if run.kind != "letters" or run.status != RunStatus.DONE:
        raise PrintRunError(_l("Seule une série de lettres terminée peut être confirmée."))
    if run.confirmed_at is not None:
        raise PrintRunError(_l("Cette série a déjà été confirmée."))
    today = datetime.now(PARIS).date()
    ids = db.session.scalars(
        select(Dwelling.id).where(Dwelling.id.in_(run.params["dwelling_ids"]))
    ).all()
    db.session.add_all(LetterSent(dwelling_id=i, print_run_id=run.id, sent_on=today) for i in ids)
    run.confirmed_at, run.confirmed_by_id = utcnow(), getattr(actor, "id", None)
    record("printrun.confirmed", actor=actor, run=run.id, letters=len(ids))
    return len(ids)
