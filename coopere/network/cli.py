"""The network's commands: `flask --app coopere.network perimeters create|list|…` (COOPERE_NETWORK
names the network folder). README « Héberger un réseau de périmètres »."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from ..auth.services import AccountError
from ..backup.cli import Failure, human_size
from ..cli import _login, _postcode
from ..members.checks import MemberError
from . import registry
from .archive import SETTLE_SECONDS, ArchiveError, archive_perimeter, restore_perimeter
from .backups import backup_network, hosted_slugs
from .create import CreateError, NewPerimeter, create_perimeter
from .each import default_jobs, first_line
from .folder import Network, NetworkError
from .sites import head_revision, public_url, schema_revision
from .slugs import SlugError, check_slug
from .upgrade import UPGRADED, refresh_template, upgrade_network

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
    """Create perimeter SLUG, served at <PUBLIC_URL>/SLUG/, with its first pilote (starting from
    the network's common texts when the association's console has set them)."""
    from ..association.defaults import network_starting_texts

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
            texts=network_starting_texts(network),
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


def _jobs_option(command):
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="How many perimeters are worked on at once (default: one per core).",
    )(command)


@click.command("upgrade")
@_jobs_option
@with_appcontext
def upgrade_command(jobs):
    """Upgrade every perimeter's database to this code's schema (a report line for each).

    A perimeter whose upgrade fails stays on its old schema and shows the maintenance page while
    the others serve; the exit code is then 1."""
    network = current_network()
    started = time.monotonic()
    outcomes = upgrade_network(
        network, jobs=jobs or default_jobs(), report=lambda outcome: click.echo(outcome.line())
    )
    failed = [outcome for outcome in outcomes if outcome.failed]
    try:
        template = refresh_template(network)
        click.echo(f"Base modèle des nouveaux périmètres prête ({head_revision()}) : {template}")
    except Exception as error:  # noqa: BLE001 - reported; perimeters are upgraded already
        failed.append(error)
        click.echo(f"Base modèle des nouveaux périmètres : ÉCHEC — {first_line(error)}")
    upgraded = sum(outcome.result == UPGRADED for outcome in outcomes)
    click.echo(
        f"{len(outcomes)} périmètre(s) : {upgraded} mis à jour, "
        f"{len(outcomes) - upgraded - sum(o.failed for o in outcomes)} déjà à jour, "
        f"{sum(o.failed for o in outcomes)} en échec ({time.monotonic() - started:.1f} s)."
    )
    if failed:
        click.echo(
            "Les périmètres en échec restent en maintenance : corrigez la cause, puis relancez "
            "`upgrade` (ils seront remis en service).",
            err=True,
        )
        raise click.exceptions.Exit(1)


@click.command("backup")
@click.argument("slugs", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Back up every perimeter (not archived).")
@_jobs_option
@with_appcontext
def backup_command(slugs, every, jobs):
    """Back up perimeters (--all, or those named), each copy checked; exit code 1 if one failed."""
    network = current_network()
    if every == bool(slugs):
        raise click.UsageError("indiquez --all, ou les identifiants des périmètres à sauvegarder.")
    hosted = hosted_slugs(network)
    unknown = [slug for slug in slugs if slug not in hosted]
    if unknown:
        raise Failure(f"périmètre(s) inconnu(s) ou archivé(s) : {', '.join(unknown)}")
    outcomes = backup_network(
        network,
        hosted if every else slugs,
        jobs=jobs or default_jobs(),
        report=lambda outcome: click.echo(outcome.line()),
    )
    failed = sum(outcome.failed for outcome in outcomes)
    click.echo(
        f"{len(outcomes) - failed} sauvegarde(s) faite(s) et vérifiée(s), {failed} échec(s)."
    )
    if failed:
        raise click.exceptions.Exit(1)


@perimeters_cli.command("archive")
@click.argument("slug")
def archive_command(slug):
    """Archive perimeter SLUG into <network>/archives/ and stop serving it (its folder and database
    are removed once the archive is checked)."""
    network = current_network()
    try:
        archived = archive_perimeter(network, slug, settle=SETTLE_SECONDS)
    except ArchiveError as error:
        raise Failure(str(error))
    click.echo(
        f"Périmètre « {slug} » archivé et vérifié : {archived.path} "
        f"({human_size(archived.size)}, schéma {archived.revision}). Il n'est plus servi ; "
        "gardez une copie de l'archive hors de cette machine."
    )


@perimeters_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", default=None, help="Restore under another identifier.")
def restore_command(archive, slug):
    """Restore a perimeter from ARCHIVE (made by `perimeters archive`, on any network)."""
    network = current_network()
    try:
        restored = restore_perimeter(network, archive, slug=slug)
    except ArchiveError as error:
        raise Failure(str(error))
    click.echo(
        f"Périmètre « {restored.slug} » restauré : "
        f"{public_url(network, restored.slug) or '/' + restored.slug + '/'}"
    )
    if restored.needs_upgrade:
        click.echo(
            f"Son schéma ({restored.revision}) est plus ancien que celui du programme : il reste "
            "en maintenance jusqu'à `flask --app coopere.network upgrade`."
        )


def register_cli(app: Flask, network: Network) -> None:
    from ..association.cli import association_cli
    from .queue import queue_cli

    app.cli.add_command(association_cli)
    app.cli.add_command(perimeters_cli)
    app.cli.add_command(upgrade_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(queue_cli)
