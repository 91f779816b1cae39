"""`flask --app coopere purge [--dry-run]`: the monthly retention run (coopere.privacy.purge)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .purge import purge


def _date(moment) -> str:
    return f"{moment:%d/%m/%Y}" if moment else "jamais"


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would be done, change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Apply the retention rules: erase members who left long ago, flag inactive accounts, delete
    old audit entries, print files, expired activation codes and idempotency keys. Monthly."""
    try:
        report = purge(dry_run=dry_run)
    except Exception as error:  # a database that cannot be reached: say so, exit non-zero
        raise click.ClickException(f"la purge n'a pas pu se faire : {error}") from error
    if dry_run:
        click.echo("Simulation (--dry-run) : rien n'est changé.")
    click.echo(
        "Comptes inactifs depuis longtemps (à voir par le groupe, rien n'est supprimé) : "
        f"{len(report.inactive)}"
    )
    for person in report.inactive:
        note = "" if person.newly_flagged else " (déjà signalé)"
        click.echo(
            f"  n° {person.id} {person.name} — "
            f"dernière connexion : {_date(person.last_login_at)}{note}"
        )
    verb = "à effacer" if dry_run else "effacés"
    click.echo(
        f"Membres partis {verb} : {len(report.erased)}"
        + (f" (n° {', '.join(str(i) for i in report.erased)})" if report.erased else "")
    )
    for ident, why in report.refused:
        click.echo(f"  n° {ident} non effacé : {why}")
    gone = "à supprimer" if dry_run else "supprimés"
    click.echo(f"Entrées du journal {gone} : {report.audit_deleted}")
    click.echo(f"Fichiers d'impression {gone} : {report.print_files_deleted}")
    click.echo(f"Codes d'activation expirés {gone} : {report.codes_deleted}")
    click.echo(f"Clés anti-doublon {gone} : {report.idempotency_keys_deleted}")
    click.echo(f"Lieux de connexion {gone} : {report.login_places_deleted}")
