"""`upgrade`: every perimeter's database to the code's schema, a report line for each.

A perimeter already at the code's revision is only read (one `SELECT` of its alembic_version), its
app is not built: a thousand up-to-date perimeters take seconds. The others are upgraded in a small
pool of processes (coopere/network/each.py), each inside its own app, built for that and disposed
after. The migrations of one perimeter run in one transaction (PostgreSQL; SQLite too: coopere's
engine emits BEGIN itself, see coopere/database.py), so a perimeter whose upgrade fails stays on its
old schema; it is put in maintenance (the dispatcher shows the French maintenance page, and would
not serve a schema that is behind anyway) while the others serve. A perimeter in maintenance that
upgrades well is served again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from . import registry
from .each import first_line, run_each
from .folder import Network
from .registry import Status
from .sites import build_perimeter_app, dispose, head_revision, schema_revision

UP_TO_DATE, UPGRADED, FAILED = "up-to-date", "upgraded", "failed"


@dataclass(frozen=True)
class UpgradeOutcome:
    slug: str
    result: str  # UP_TO_DATE, UPGRADED or FAILED
    before: str | None
    after: str | None
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.result == FAILED

    def line(self) -> str:
        """The report's line, in French."""
        if self.result == UP_TO_DATE:
            return f"{self.slug} : à jour"
        if self.result == UPGRADED:
            return f"{self.slug} : mis à jour ({_rev(self.before)} → {_rev(self.after)})"
        if self.before is None and self.after is None:
            return f"{self.slug} : ÉCHEC — {self.reason}, page de maintenance affichée"
        where = (
            "reste sur son ancien schéma"
            if self.after == self.before
            else f"schéma maintenant {_rev(self.after)}"
        )
        return f"{self.slug} : ÉCHEC — {self.reason}, {where}, page de maintenance affichée"


def _rev(revision: str | None) -> str:
    return revision or "aucun schéma"


def upgrade_one(root: str, slug: str) -> UpgradeOutcome:
    """Upgrade one perimeter's database in its own app (run in a worker process)."""
    from flask_migrate import upgrade

    network = Network(root)
    before = schema_revision(network, slug)
    head = head_revision()
    if before == head:
        return UpgradeOutcome(slug, UP_TO_DATE, before, before)
    if before is None:
        # Every perimeter is made from a migrated template: no schema means a database lost or
        # unreadable, never one to build from scratch (that would serve an empty perimeter).
        return UpgradeOutcome(
            slug, FAILED, None, None, "sa base de données est introuvable ou illisible"
        )
    try:
        app = build_perimeter_app(network, slug)
    except Exception as error:  # noqa: BLE001 - reported, the others go on
        return UpgradeOutcome(slug, FAILED, before, before, first_line(error))
    try:
        with app.app_context():
            if db.engine.dialect.name == "sqlite":
                # Alembic commits each SQLite migration apart (it takes SQLite's DDL for
                # non-transactional); coopere's engine emits BEGIN itself, so every migration of
                # this upgrade can run in one transaction: all applied, or none.
                app.extensions["migrate"].configure_args["transactional_ddl"] = True
            upgrade()
    except BaseException as error:  # noqa: BLE001 - alembic may raise SystemExit on bad input
        if isinstance(error, KeyboardInterrupt):
            raise
        return UpgradeOutcome(
            slug, FAILED, before, schema_revision(network, slug), first_line(error)
        )
    finally:
        dispose(app)
    after = schema_revision(network, slug)
    if after != head:
        return UpgradeOutcome(
            slug, FAILED, before, after, f"le schéma est à {_rev(after)} au lieu de {head}"
        )
    return UpgradeOutcome(slug, UPGRADED, before, after)


def _crashed(slug: str, reason: str) -> UpgradeOutcome:
    return UpgradeOutcome(slug, FAILED, None, None, f"le processus s'est arrêté ({reason})")


def maintenance_reason(outcome: UpgradeOutcome) -> str:
    moment = datetime.now().strftime("%d/%m/%Y %H:%M")
    return f"mise à jour du schéma échouée le {moment} : {outcome.reason}"


def upgrade_network(
    network: Network,
    *,
    jobs: int,
    report: Callable[[UpgradeOutcome], None] = lambda _outcome: None,
) -> list[UpgradeOutcome]:
    """Upgrade every perimeter that is not archived; `report` is called with each outcome as it
    comes. The registry follows: a failure puts the perimeter in maintenance, a success (or a
    schema found up to date) puts a perimeter in maintenance back in service."""
    head = head_revision()
    entries = [
        entry for entry in registry.all_entries(network) if entry.status != Status.ARCHIVED.value
    ]
    status = {entry.slug: entry.status for entry in entries}
    outcomes: list[UpgradeOutcome] = []
    behind = []
    for entry in entries:  # the fast path: one SELECT per perimeter, no app built
        revision = schema_revision(network, entry.slug)
        if revision == head:
            outcomes.append(UpgradeOutcome(entry.slug, UP_TO_DATE, revision, revision))
            _settle(network, outcomes[-1], status[entry.slug])
            report(outcomes[-1])
        else:
            behind.append(entry.slug)
    for outcome in run_each(network, behind, upgrade_one, _crashed, jobs=jobs):
        outcomes.append(outcome)
        _settle(network, outcome, status[outcome.slug])
        report(outcome)
    return outcomes


def _settle(network: Network, outcome: UpgradeOutcome, status: str) -> None:
    if outcome.failed:
        registry.set_status(network, outcome.slug, Status.MAINTENANCE, maintenance_reason(outcome))
    elif status == Status.MAINTENANCE.value:
        registry.set_status(network, outcome.slug, Status.ACTIVE)


def refresh_template(network: Network) -> str:
    """The template new perimeters are copied from, at the code's revision (made when missing)."""
    from .databases import pg_template, sqlite_template

    if network.database_url_template:
        return pg_template(network)
    return str(sqlite_template(network))
