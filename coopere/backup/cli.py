"""`flask --app coopere backup [--keep N] [--list]`, `flask --app coopere restore FILE [--yes]`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from .files import BackupError, backup_directory, list_backups
from .services import backup_database, check_backup, restore_database


class Failure(click.ClickException):
    """An error for a French reader: « Erreur : … », exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True)


def human_size(size: int) -> str:
    """1 234 567 -> « 1,2 Mo »."""
    if size < 1024:
        return f"{size} octets"
    for unit in ("Ko", "Mo", "Go", "To"):
        size /= 1024
        if size < 1024 or unit == "To":
            return f"{size:.1f} {unit}".replace(".", ",")
    raise AssertionError("unreachable")


def local_time(moment: datetime) -> str:
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))
    return moment.astimezone(zone).strftime("%d/%m/%Y à %H:%M:%S")


@click.command("backup")
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=None,
    help="How many backups to keep (the newest); older ones are deleted. Default: BACKUP_KEEP "
    "(14); 0 keeps them all.",
)
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="List the backups (size and date) instead of making one.",
)
@with_appcontext
def backup_command(keep, list_only):
    """Back up the database while the site runs, check the copy, and keep the newest N backups."""
    directory = backup_directory()
    if list_only:
        backups = list_backups(directory)
        if not backups:
            click.echo(f"Aucune sauvegarde dans {directory}.")
            return
        click.echo(f"{len(backups)} sauvegarde(s) dans {directory} (la plus récente d'abord) :")
        for info in backups:
            click.echo(
                f"  {info.path.name:<52} {local_time(info.created_at):<24} "
                f"{human_size(info.size):>10}"
            )
        return
    try:
        result = backup_database(directory=directory, keep=keep)
    except BackupError as error:
        raise Failure(f"sauvegarde impossible : {error}")
    click.echo(f"Sauvegarde faite et vérifiée : {result.path} ({human_size(result.size)}).")
    if result.pruned:
        kept = keep if keep is not None else current_app.config.get("BACKUP_KEEP", 14)
        click.echo(
            f"{len(result.pruned)} ancienne(s) sauvegarde(s) supprimée(s) : "
            f"on garde les {kept} plus récentes."
        )
    click.echo("Pensez à en garder une copie hors de cette machine.")


def _resolve(file: str) -> Path:
    """A path, or just a name shown by `backup --list` (looked up in the backup folder)."""
    path = Path(file).expanduser()
    if not path.exists() and not path.is_absolute() and len(path.parts) == 1:
        candidate = backup_directory() / path
        if candidate.exists():
            return candidate
    return path


@click.command("restore")
@click.argument("file")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file, yes):
    """Replace the site's data with a backup (after checking it and backing up the current data)."""
    try:
        checked = check_backup(_resolve(file))
    except BackupError as error:
        raise Failure(f"restauration refusée, rien n'a changé : {error}")
    click.echo(
        f"Sauvegarde vérifiée : {checked.path} (faite le {local_time(checked.created_at)}, "
        f"schéma {checked.revision})."
    )
    if not yes and not click.confirm(
        "Remplacer TOUTES les données actuelles du site par celles de cette sauvegarde ? "
        "(l'état actuel sera d'abord sauvegardé) — y = oui, n = non",
        default=False,
    ):
        click.echo("Restauration annulée : rien n'a changé.")
        raise click.exceptions.Exit(1)
    try:
        result = restore_database(checked.path, checked=checked)
    except BackupError as error:
        raise Failure(f"restauration impossible : {error}")
    if result.safety_backup:
        click.echo(f"État d'avant enregistré dans {result.safety_backup}.")
    click.echo(
        f"Données restaurées depuis {checked.path.name} (état du {local_time(checked.created_at)})."
    )
    if checked.needs_upgrade:
        click.echo(
            "Cette sauvegarde vient d'une version plus ancienne : lancez maintenant "
            "`flask --app coopere db upgrade`."
        )
