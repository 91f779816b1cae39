"""Command-line tools: `flask --app coopere init | demo | set-password`."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .audit.services import record
from .auth.identifiers import InvalidIdentifier, parse_login
from .auth.models import GroupRole, Role, User
from .auth.passwords import password_problems
from .auth.services import AccountError, create_account, set_password
from .config import write_instance_setting
from .extensions import db
from .listings.themes import seed_themes
from .perimeter.models import get_perimeter
from .perimeter.services import DEFAULT_CHARTER, save_settings
from .urls import PublicUrlInvalid, normalise_public_url


def register_cli(app: Flask) -> None:
    from .backup.cli import backup_command, restore_command
    from .dwellings.cli import dwellings_cli
    from .events.cli import events_cli
    from .group.cli import roster_cli
    from .listings.cli import listings_cli
    from .printruns.cli import letters_command, print_runs
    from .privacy.cli import purge_command
    from .privacy.register_command import registre_command
    from .reports.cli import report_command
    from .schedule import queue_cli

    for command in (
        init_command,
        demo_command,
        set_password_command,
        dwellings_cli,
        letters_command,
        print_runs,
        roster_cli,
        events_cli,
        listings_cli,
        report_command,
        backup_command,
        restore_command,
        purge_command,
        registre_command,
        queue_cli,
    ):
        app.cli.add_command(command)


def upgrade_database() -> None:
    """Bring the database schema up to date (creates it on first run)."""
    upgrade()


def _postcode(_ctx, _param, value: str) -> str:
    value = (value or "").strip()
    if len(value) != 5 or not value.isdigit():
        raise click.BadParameter("un code postal compte 5 chiffres, par exemple 44300.")
    return value


def _password(_ctx, _param, value: str) -> str:
    problems = password_problems(value)
    if problems:
        raise click.BadParameter(str(problems[0]))
    return value


def _public_url(value: str | None) -> str | None:
    try:
        return normalise_public_url(value)
    except PublicUrlInvalid as error:
        raise click.BadParameter(str(error))


def _ask_public_url() -> str:
    """The site's public address, asked until it is a valid one (links in emails and QR codes)."""

    def check(value: str) -> str:
        checked = _public_url(value)
        if not checked:
            raise click.BadParameter(
                "l'adresse publique est nécessaire pour les courriels et les codes QR."
            )
        return checked

    return click.prompt(
        "Adresse publique du site, pour les liens des courriels et les codes QR "
        "(ex. https://lilas.example.org)",
        value_proc=check,
    )


def _login(_ctx, _param, value: str) -> str:
    try:
        parse_login(value)
    except InvalidIdentifier:
        raise click.BadParameter(
            "indiquez une adresse e-mail ou un numéro de téléphone français valide."
        )
    return value


@click.command("init")
@click.option(
    "--name", prompt="Nom du réseau (ex. Coop-ère du quartier des Lilas)", help="Perimeter name."
)
@click.option("--short-name", prompt="Nom court (affiché en haut des pages)", help="Short name.")
@click.option("--city", prompt="Commune", help="City.")
@click.option("--postcode", prompt="Code postal", callback=_postcode, help="French postcode.")
@click.option(
    "--dwellings",
    type=click.IntRange(1, 100_000),
    prompt="Nombre estimé de logements",
    help="Estimated number of dwellings (100–500 for a micro-perimeter).",
)
@click.option(
    "--meeting-place",
    prompt="Lieu habituel des cafés-rencontres",
    default="",
    help="Usual meeting place.",
)
@click.option(
    "--contact",
    prompt="Contact du groupe d'animation (téléphone ou e-mail)",
    default="",
    help="The animation group's contact, shown on the public page.",
)
@click.option(
    "--public-url",
    default=None,
    callback=lambda _ctx, _param, value: _public_url(value),
    help="The site's public address (PUBLIC_URL), e.g. https://lilas.example.org; "
    "asked when not set.",
)
@click.option(
    "--charter-file",
    type=click.File(encoding="utf-8"),
    default=None,
    help="A text file with the charter (default: the four principles of the method).",
)
@click.option(
    "--admin-first-name",
    prompt="Prénom de l'administrateur (pilote)",
    help="First admin's first name.",
)
@click.option(
    "--admin-last-name", prompt="Nom de l'administrateur", help="First admin's last name."
)
@click.option(
    "--admin-login",
    prompt="E-mail ou téléphone de l'administrateur (pour se connecter)",
    callback=_login,
    help="First admin's email or French phone number.",
)
@click.option(
    "--admin-password",
    prompt="Mot de passe de l'administrateur (8 caractères au moins)",
    hide_input=True,
    callback=_password,
    confirmation_prompt="Le même mot de passe, une deuxième fois",
    help="First admin's password.",
)
@with_appcontext
def init_command(
    name,
    short_name,
    city,
    postcode,
    dwellings,
    meeting_place,
    contact,
    public_url,
    charter_file,
    admin_first_name,
    admin_last_name,
    admin_login,
    admin_password,
):
    """Set up a new perimeter and its first administrator (the pilote)."""
    upgrade_database()
    if get_perimeter() is not None:
        raise click.ClickException(
            "ce périmètre est déjà installé. Modifiez ses réglages sur le site "
            "(Réglages), ou choisissez un autre dossier d'instance (COOPERE_INSTANCE)."
        )
    configured = current_app.config.get("PUBLIC_URL")
    if public_url is None:
        public_url = configured or _ask_public_url()
    charter = charter_file.read() if charter_file else DEFAULT_CHARTER
    save_settings(
        {
            "name": name.strip(),
            "short_name": short_name.strip(),
            "city": city.strip(),
            "postcode": postcode,
            "estimated_dwellings": dwellings,
            "meeting_place": meeting_place.strip(),
            "contact": contact.strip(),
            "charter_text": charter,
        }
    )
    admin = _create_account(
        admin_first_name.strip(),
        admin_last_name.strip(),
        admin_login,
        admin_password,
        role=Role.ADMIN,
        group_role=GroupRole.PILOTE,
    )
    seed_themes()
    record("perimeter.created", actor=admin)
    db.session.commit()
    if public_url != configured:
        path = write_instance_setting(
            current_app.instance_path,
            "PUBLIC_URL",
            public_url,
            "The site's public address: links in emails and QR codes (flask init)",
        )
        current_app.config["PUBLIC_URL"] = public_url
        click.echo(f"Adresse publique du site enregistrée dans {path} : {public_url}")
        if os.environ.get("COOPERE_PUBLIC_URL"):
            click.echo(
                "Attention : la variable d'environnement COOPERE_PUBLIC_URL "
                "l'emporte sur ce fichier."
            )
    else:
        click.echo(f"Adresse publique du site (réglage PUBLIC_URL) : {public_url}")
    click.echo(f"Le périmètre « {name} » est installé. Connectez-vous avec {admin_login}.")


def _create_account(*args, **kwargs) -> User:
    try:
        return create_account(*args, **kwargs)
    except AccountError as error:
        raise click.ClickException(str(error))


@click.command("demo")
@click.option("--password", required=True, help="The password of every demo account.")
@click.option("--seed", default=2026, show_default=True, help="Random seed for the generated data.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) when the instance already holds a perimeter.",
)
@with_appcontext
def demo_command(password, seed, if_empty):
    """Fill an empty instance with a realistic demo perimeter and print the logins."""
    from .demo import DEMO_LOGINS, create_demo, is_demo

    upgrade_database()
    if get_perimeter() is not None:
        if not if_empty:
            raise click.ClickException(
                "ce dossier d'instance contient déjà un périmètre : la démo ne "
                "s'installe que dans une instance vide."
            )
        click.echo("Ce dossier d'instance contient déjà un périmètre : rien n'a été ajouté.")
        if is_demo():
            _print_logins(
                DEMO_LOGINS, "Comptes de démonstration (mot de passe donné à la création) :"
            )
        return
    logins = create_demo(password, seed=seed)
    db.session.commit()
    _print_logins(
        logins, f"Périmètre de démonstration créé. Comptes (mot de passe pour tous : {password}) :"
    )


def _print_logins(logins, title: str) -> None:
    click.echo(title)
    for label, login in logins:
        click.echo(f"  {label:<28} {login}")


@click.command("set-password")
@click.argument("login")
@click.option(
    "--password",
    prompt="Nouveau mot de passe",
    hide_input=True,
    callback=_password,
    confirmation_prompt="Le même mot de passe, une deuxième fois",
)
@with_appcontext
def set_password_command(login, password):
    """Set a new password for an account (e.g. an administrator who forgot theirs)."""
    from .auth.lockout import unlock
    from .auth.services import find_by_login

    user = find_by_login(login)
    if user is None:
        raise click.ClickException("aucun compte ne correspond à cet identifiant.")
    try:
        set_password(user, password)
    except AccountError as error:
        raise click.ClickException(f"mot de passe refusé : {error}")
    unlock(user)
    db.session.commit()
    click.echo(f"Nouveau mot de passe enregistré pour {user.full_name}.")
