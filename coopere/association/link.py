"""What a perimeter of a network may ask of the network's database, handed to its app as
`app.extensions["coopere.network_link"]` (coopere/network/sites.py): the perimeter's code never
imports the association's. Every method reads or writes rows about this perimeter only."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from ..network import registry
from ..network.folder import Network
from .models import Account, PerimeterProfile, Snapshot


class NetworkLink:
    def __init__(self, network: Network, slug: str):
        self.network = network
        self.slug = slug

    def _session(self):
        return registry.session(self.network)

    def coaches(self) -> list[tuple[int, str]]:
        """The association's coach of this perimeter, as (account id, name): whom the group may
        open its animator pages to. Empty while no coach is chosen."""
        with self._session() as db:
            row = db.execute(
                select(Account.id, Account.name)
                .join(PerimeterProfile, PerimeterProfile.coach_id == Account.id)
                .where(PerimeterProfile.slug == self.slug, Account.active.is_(True))
            ).first()
        return [(row.id, row.name)] if row else []

    def training_days(self) -> list[dict]:
        """The network's training days this perimeter's group sees, with its own answers."""
        from .training import days_for_perimeter

        with self._session() as db:
            return days_for_perimeter(db, self.slug)

    def answer_training(self, day_id: int, member_id: int, first_name: str, role: str,
                        coming: bool) -> None:  # fmt: skip
        """A pilote's or copilote's answer; TrainingError (French) when the day is past or
        cancelled."""
        from .training import answer

        with self._session() as db:
            answer(db, self.slug, day_id, member_id, first_name, role, coming)
            db.commit()

    def sheets(self):
        """The network's sheets, shared by all its perimeters (coopere/sheets/library.source reads
        them through `app.extensions["coopere.network_sheets"]`)."""
        from .sheets import NetworkSheets

        return NetworkSheets(self.network)

    def write_snapshot(self, data: dict, taken_at: datetime | None = None) -> None:
        """Replace this perimeter's snapshot (the console reads nothing else of it). A milestone met
        once stays met with its first date, even if the data that showed it has gone since (the
        audit log is purged after a year; a group may shrink below 6 for a while)."""
        taken_at = taken_at or registry.now()
        with self._session() as db:
            shot = db.get(Snapshot, self.slug)
            if shot is not None:
                data = keep_first_dates(json.loads(shot.data), data)
            text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
            if shot is None:
                db.add(Snapshot(slug=self.slug, taken_at=taken_at, data=text))
            else:
                shot.taken_at, shot.data = taken_at, text
            db.commit()


def keep_first_dates(before: dict, after: dict) -> dict:
    """`after`, whose milestones keep the earliest date known in either snapshot."""
    old, new = before.get("milestones") or {}, dict(after.get("milestones") or {})
    for key, first in old.items():
        if first and (not new.get(key) or str(first) < str(new[key])):
            new[key] = first
    return {**after, "milestones": new} if new or "milestones" in after else after
