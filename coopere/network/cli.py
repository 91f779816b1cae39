"""The network's commands: `flask --app coopere.network perimeters create|list|…` (COOPERE_NETWORK
names the network folder). README « Héberger un réseau de périmètres »."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..auth.services import AccountError
from ..cli import _login, _postcode
from ..members.checks import MemberError
from . import registry
from .create import CreateError, NewPerimeter, create_perimeter
from .folder import Network, NetworkError
from .sites import head_revision, public_url, schema_revision
from .slugs import SlugError, check_slug

perimeters_cli = AppGroup("perimeters", help="Create, list, archive and restore perimeters.")


def _slug(_ctx, _param, value: str) -> str:
    try:
        return check_slug(value)
    except SlugError as error:
        raise click.BadParameter(str(error))


def current_network() -> Network:
    """The network of the app the command runs in (`flask --app coopere.network`)."""
    return current_app.extensions["coopere.network"]


@perimeters_cli.command("create")
@click.argument("slug", callback=_slug)
@click.option("--name", prompt="Nom du réseau (ex. Coop-ère du quartier des Lilas)")
@click.option("--short-name", default="", help="Shown at the top of pages (default: the name).")
@click.option("--city", prompt="Commune")
@click.option("--postcode", prompt="Code postal", callback=_postcode)
@click.option(
    "--dwellings",
    type=click.IntRange(1, 100_000),
    prompt="Nombre estimé de logements",
    help="Estimated number of dwellings (100–500 for a micro-perimeter).",
)
@click.option("--meeting-place", prompt="Lieu des rencontres", default="")
@click.option("--contact", default="", help="The animation group's contact (public page).")
@click.option("--pilote-first-name", prompt="Prénom du pilote")
@click.option("--pilote-last-name", prompt="Nom du pilote")
@click.option(
    "--pilote-login", prompt="E-mail ou téléphone du pilote (pour se connecter)", callback=_login
)
@click.option(
    "--no-letter",
    is_flag=True,
    help="Do not make the pilote's activation letter now (a welcome card can be printed later).",
)
def create_command(slug, name, short_name, city, postcode, dwellings, meeting_place, contact,
                   pilote_first_name, pilote_last_name, pilote_login, no_letter):  # fmt: skip
    """Create perimeter SLUG, served at <PUBLIC_URL>/SLUG/, with its first pilote."""
    network = current_network()
    try:
        created = create_perimeter(
            network,
            NewPerimeter(
                slug=slug,
                name=name.strip(),
                short_name=short_name.strip(),
                city=city.strip(),
                postcode=postcode,
                estimated_dwellings=dwellings,
                meeting_place=meeting_place.strip(),
                contact=contact.strip(),
                pilote_first_name=pilote_first_name.strip(),
                pilote_last_name=pilote_last_name.strip(),
                pilote_login=pilote_login,
            ),
            letter=not no_letter,
        )
    except (CreateError, SlugError, NetworkError, AccountError, MemberError) as error:
        raise click.ClickException(str(error))
    click.echo(f"Le périmètre « {name} » est créé : {created.address or '/' + slug + '/'}")
    if created.letter:
        click.echo(
            f"Lettre d'activation du pilote (à lui remettre en main propre ; elle contient son "
            f"code) : {created.letter}"
        )


@perimeters_cli.command("list")
@click.option("--check", is_flag=True, help="Also read each perimeter's schema revision.")
def list_command(check):
    """List the network's perimeters, their state and address."""
    network = current_network()
    entries = registry.all_entries(network)
    if not entries:
        click.echo("Aucun périmètre dans ce réseau.")
        return
    head = head_revision() if check else None
    for entry in entries:
        line = f"{entry.slug:<20} {entry.status_label:<15} {entry.name} — {entry.city}"
        line += f"  {public_url(network, entry.slug) or '/' + entry.slug + '/'}"
        if entry.status_reason:
            line += f"  ({entry.status_reason})"
        if check and entry.status != registry.Status.ARCHIVED.value:
            line += (
                "  schéma à jour"
                if schema_revision(network, entry.slug) == head
                else "  schéma EN RETARD"
            )
        click.echo(line)
    click.echo(f"{len(entries)} périmètre(s).")


def register_cli(app: Flask, network: Network) -> None:
    from .queue import queue_cli

    app.cli.add_command(perimeters_cli)
    app.cli.add_command(queue_cli)
