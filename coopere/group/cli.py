"""`flask --app coopere roster remind`: remind volunteers of the tasks they took (run it from
cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .reminders import send_reminders

roster_cli = AppGroup("roster", help="The animation group's rosters of tasks.")


@roster_cli.command("remind")
@click.option(
    "--days",
    default=2,
    show_default=True,
    type=click.IntRange(0, 60),
    help="Remind the volunteers of events starting within this many days.",
)
def remind_command(days):
    """Send each volunteer a notice about the task they took at an event starting soon, once
    (running it again sends nothing new): add it to a daily cron job."""
    sent = send_reminders(days)
    db.session.commit()
    click.echo(f"Rappels envoyés : {sent}")
