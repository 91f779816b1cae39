"""`flask --app coopere registre`: print the register of processing, write it to a file, or check
that docs/registre.md is up to date."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..config import ROOT
from .register import retention_settings
from .register_markdown import render_markdown

DOC_PATH = ROOT / "docs" / "registre.md"


@click.command("registre")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the register to this file instead of printing it.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 if docs/registre.md differs from the register (built-in durations).",
)
@with_appcontext
def registre_command(output: Path | None, check: bool):
    """Print the register of processing (registre des traitements, RGPD art. 30) in Markdown.

    The durations are this instance's settings; --check compares docs/registre.md with the
    register at the built-in durations, which is what the file documents."""
    if check:
        expected = render_markdown()
        try:
            current = DOC_PATH.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != expected:
            click.echo(
                f"{DOC_PATH} n'est pas à jour. Régénérez-le avec : "
                f"flask --app coopere registre --output docs/registre.md",
                err=True,
            )
            raise SystemExit(1)
        click.echo(f"{DOC_PATH} est à jour.")
        return
    text = render_markdown(retention_settings(current_app.config))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"impossible d'écrire {output} : {error.strerror or error}.")
    click.echo(f"Registre écrit dans {output}.")
