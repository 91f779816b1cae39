"""`backup --all`: every perimeter backed up with coopere's own backup service (coopere/backup/),
inside its app, each copy checked there (SQLite integrity check, or pg_restore reading the whole
dump back) and the perimeter's BACKUP_KEEP newest kept. One failing never stops the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..backup.cli import human_size
from ..backup.files import BackupError
from ..backup.services import backup_database
from . import registry
from .each import first_line, run_each
from .folder import Network
from .registry import Status
from .sites import build_perimeter_app, dispose


@dataclass(frozen=True)
class BackupOutcome:
    slug: str
    path: str | None  # the checked copy, None when it failed
    size: int = 0
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.path is None

    def line(self) -> str:
        if self.failed:
            return f"{self.slug} : ÉCHEC — {self.reason}"
        name = self.path.rsplit("/", 1)[-1]
        return f"{self.slug} : {name} ({human_size(self.size)}), vérifiée"


def backup_one(root: str, slug: str) -> BackupOutcome:
    """Back up one perimeter in its own app (run in a worker process)."""
    network = Network(root)
    try:
        app = build_perimeter_app(network, slug)
    except Exception as error:  # noqa: BLE001 - reported, the others go on
        return BackupOutcome(slug, None, reason=first_line(error))
    try:
        with app.app_context():
            result = backup_database()
        return BackupOutcome(slug, str(result.path), result.size)
    except BackupError as error:
        return BackupOutcome(slug, None, reason=str(error))
    except Exception as error:  # noqa: BLE001
        return BackupOutcome(slug, None, reason=first_line(error))
    finally:
        dispose(app)


def _crashed(slug: str, reason: str) -> BackupOutcome:
    return BackupOutcome(slug, None, reason=f"le processus s'est arrêté ({reason})")


def hosted_slugs(network: Network) -> list[str]:
    """Every perimeter whose data lives here: served or in maintenance (not archived)."""
    return [
        entry.slug
        for entry in registry.all_entries(network)
        if entry.status != Status.ARCHIVED.value
    ]


def backup_network(
    network: Network,
    slugs: Sequence[str],
    *,
    jobs: int,
    report: Callable[[BackupOutcome], None] = lambda _outcome: None,
) -> list[BackupOutcome]:
    outcomes = []
    for outcome in run_each(network, list(slugs), backup_one, _crashed, jobs=jobs):
        outcomes.append(outcome)
        report(outcome)
    return outcomes
