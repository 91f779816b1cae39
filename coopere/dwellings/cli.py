"""`flask --app coopere dwellings import FILE | export FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from .services import export_register, import_file

dwellings_cli = AppGroup("dwellings", help="The dwelling register.")


@dwellings_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Import a dwelling list (project CSV or BAN extract): all the new addresses, or none."""
    result = import_file(file.read_bytes())
    for line, message in result.errors:
        click.echo(f"ligne {line} : {message}" if line else message, err=True)
    for duplicate in result.duplicates:
        click.echo(
            f"ligne {duplicate.line} : adresse en double (déjà ligne {duplicate.first_line}) : "
            f"{duplicate.address}",
            err=True,
        )
    if not result.ok:
        db.session.rollback()
        raise click.ClickException(
            f"rien n'a été importé : {len(result.errors)} erreur(s), "
            f"{len(result.duplicates)} doublon(s)."
        )
    db.session.commit()
    click.echo(
        f"{result.new_count} logement(s) ajouté(s), {result.present_count} déjà présent(s) "
        f"(format {result.format}, encodage {result.encoding})."
    )


@dwellings_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path):
    """Write the whole register as CSV (UTF-8 with BOM, « ; »), ready for a spreadsheet."""
    file.write_bytes(export_register())
    click.echo(f"Registre écrit dans {file}.")
