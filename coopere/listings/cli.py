"""`flask --app coopere listings expire`: expiry reminders and expired listings (daily cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .expiry import run_expiry

listings_cli = AppGroup("listings", help="Listings: offers, needs and projects.")


@listings_cli.command("expire")
def expire_command():
    """Remind owners (or their sponsor) before a listing expires, once, and close expired ones."""
    reminded, expired = run_expiry()
    db.session.commit()
    click.echo(f"{reminded} rappel(s) envoyé(s), {expired} annonce(s) expirée(s).")


@listings_cli.command("reindex")
def reindex_command():
    """Rebuild every listing's search words (after an upgrade, or when a theme's names change)."""
    from .search import reindex_all

    count = reindex_all()
    db.session.commit()
    click.echo(f"{count} annonce(s) indexée(s) pour la recherche.")


@listings_cli.command("weekly-digest")
def weekly_digest_command():
    """Email the week's new listings to the members who asked for it (weekly cron; idempotent
    within 6 days)."""
    from flask import current_app

    from ..notifications.weekly import send_weekly_digest
    from ..urls import has_public_url

    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER n'est pas configuré : aucun courriel envoyé.")
        return
    if not has_public_url():
        raise click.ClickException(
            "l'adresse publique du site n'est pas réglée (PUBLIC_URL) : les liens des "
            "courriels ne peuvent pas être faits, aucun courriel envoyé."
        )
    sent, skipped = send_weekly_digest()
    db.session.commit()
    click.echo(f"{sent} courriel(s) envoyé(s), {skipped} sans nouvelle annonce.")
