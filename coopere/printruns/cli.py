"""`flask --app coopere letters …` and `flask --app coopere print-runs work|cleanup`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .. import printing
from ..events.models import Event, EventKind
from ..events.services import upcoming_events
from ..extensions import db
from ..urls import PublicUrlInvalid, normalise_public_url
from .services import PrintRunError, build_letter_run, create_letter_run, delete_old_files, execute

print_runs = AppGroup("print-runs", help="Background print jobs.")


@print_runs.command("work")
@click.argument("run_id", type=int)
def work_command(run_id):
    """Render one queued print run (started by the web pages; rarely typed by hand)."""
    execute(run_id)


@print_runs.command("cleanup")
@click.option(
    "--days",
    type=click.IntRange(0),
    default=None,
    help="Keep the PDFs of this many days (default: the PRINT_FILES_RETENTION_DAYS setting).",
)
def cleanup_command(days):
    """Delete the PDFs of print runs older than --days (run it daily from cron)."""
    click.echo(f"{delete_old_files(days)} fichier(s) supprimé(s).")


@click.command("letters")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
@click.option("--street", "streets", multiple=True, help="Only this street (repeat for several).")
@click.option("--building", default="", help="Only dwellings whose complement contains this text.")
@click.option(
    "--event",
    "event_id",
    type=int,
    help="The event the letter announces (default: the next "
    "apéro-info, else the next café-rencontre).",
)
@click.option(
    "--unaddressed", default=0, type=click.IntRange(0, 1000), help="Extra copies without address."
)
@click.option(
    "--base-url",
    default=None,
    help="The site's public address for the QR codes (default: the PUBLIC_URL setting).",
)
@with_appcontext
def letters_command(out, streets, building, event_id, unaddressed, base_url):
    """Print invitation letters, one per dwelling, to a PDF file (with a progress bar)."""
    try:
        base_url = normalise_public_url(base_url) or current_app.config.get("PUBLIC_URL")
    except PublicUrlInvalid as error:
        raise click.ClickException(f"--base-url refusée : {error}")
    if not base_url:
        raise click.ClickException(
            "l'adresse publique du site n'est pas réglée : renseignez le réglage "
            "PUBLIC_URL (ou --base-url https://…), les codes QR y mènent."
        )
    event = _event(event_id)
    try:
        run = create_letter_run(
            event=event,
            base_url=base_url,
            streets=list(streets) or None,
            building=building,
            unaddressed=unaddressed,
        )
        letter_run = build_letter_run(run)
    except (PrintRunError, printing.TemplateError) as error:
        raise click.ClickException(str(error))
    db.session.commit()
    with click.progressbar(
        length=run.total_pages, label="Préparation des lettres", show_pos=True
    ) as bar:
        shown = 0

        def progress(done, _total):
            nonlocal shown
            bar.update(done - shown)
            shown = done

        pdf = printing.render_letters(letter_run, progress=progress)
    out.write_bytes(pdf)
    click.echo(
        f"{run.letters_count} lettre(s) écrite(s) dans {out} (série {run.code}). "
        "Après la distribution, confirmez-la sur le site (Impressions)."
    )


def _event(event_id: int | None) -> Event:
    if event_id is not None:
        event = db.session.get(Event, event_id)
        if event is None:
            raise click.ClickException(f"aucun rendez-vous n'a le numéro {event_id}.")
        return event
    for kinds in ((EventKind.APERO_INFO,), (EventKind.CAFE,)):
        found = upcoming_events(limit=1, kinds=kinds)
        if found:
            return found[0]
    raise click.ClickException(
        "aucun apéro-info ni café-rencontre à venir : programmez-en un sur le site, "
        "ou indiquez --event."
    )
