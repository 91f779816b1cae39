"""`flask --app coopere events extend`: keep 12 months of dates ahead for every series
(monthly cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .recurrence import extend_all, HORIZON_MONTHS

events_cli = AppGroup("events", help="Events: recurring series.")


@events_cli.command("extend")
def extend_command():
    """Add the missing dates of every running series, 12 months ahead (run it monthly from cron)."""
    created = extend_all()
    db.session.commit()
    click.echo(
        f"{created} date(s) ajoutée(s) : les séries sont prévues {HORIZON_MONTHS} mois à l'avance."
    )
