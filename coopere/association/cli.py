"""`flask --app coopere.network association …`: the association's accounts from the command line
(the first coordination account is made here; the others from the console's « Comptes » page)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from . import accounts
from .models import ROLE_LABELS, ROLES, Account
from .store import db_session

association_cli = AppGroup("association", help="The association's console: its accounts.")


@association_cli.command("account-create")
@click.option("--email", prompt="Adresse e-mail")
@click.option("--name", prompt="Nom")
@click.option("--role", type=click.Choice(ROLES), prompt="Rôle", default="coordination")
@click.option(
    "--password",
    prompt="Mot de passe de départ",
    hide_input=True,
    confirmation_prompt="Encore une fois",
)
def account_create(email: str, name: str, role: str, password: str) -> None:
    """Create an account of the association (coordination or accompagnateur)."""
    try:
        account = accounts.create_account(email, name, role, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error))
    db_session().commit()
    click.echo(f"Compte créé : {account.name} <{account.email}>, {ROLE_LABELS[role]}.")


@association_cli.command("accounts")
def account_list() -> None:
    """List the association's accounts."""
    for account in db_session().scalars(select(Account).order_by(Account.name)):
        state = "" if account.active else " (fermé)"
        click.echo(f"{account.email}\t{account.name}\t{account.role}{state}")
