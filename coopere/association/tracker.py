"""The phase tracker of one perimeter: each milestone of the method, done either because the
perimeter's own data shows it (the snapshot's "milestones", dated) or because the coach ticked it
(MilestoneTick, a date and a note); the coach's decision to move the perimeter to another phase,
recorded with the milestones done then (PhaseChange); the perimeter's history of phases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..timeutil import paris_today
from . import audit
from .alerts import parse_day
from .phases import MILESTONE_PHASES, MILESTONES
from .models import MilestoneTick, PerimeterProfile, PhaseChange
from .phases import PHASE_LABELS, PHASES
from .store import db_session

NOTE_MAX = 2000


class TrackerError(ValueError):
    """A change the tracker refuses, with the French sentence that says why."""


@dataclass
class MilestoneState:
    key: str
    phase: str
    label: str
    source: str  # the catalogue's: "data" or "manual"
    data_on: date | None  # the day the perimeter's data first showed it
    tick: MilestoneTick | None  # the coach's tick, if any

    @property
    def done(self) -> bool:
        return self.data_on is not None or self.tick is not None

    @property
    def done_on(self) -> date | None:
        """The day it was met: the data's, else the coach's."""
        if self.data_on is not None:
            return self.data_on
        return self.tick.done_on if self.tick is not None else None

    @property
    def from_data(self) -> bool:
        return self.data_on is not None


def ticks(slug: str) -> dict[str, MilestoneTick]:
    rows = db_session().scalars(select(MilestoneTick).where(MilestoneTick.slug == slug))
    return {row.key: row for row in rows}


def states(slug: str, figures: dict) -> list[MilestoneState]:
    """Every milestone of the method for this perimeter, in the method's order."""
    read = figures.get("milestones") or {}
    ticked = ticks(slug)
    return [
        MilestoneState(
            key=key,
            phase=milestone.phase,
            label=str(milestone.label),
            source=milestone.source,
            data_on=parse_day(read.get(key)) if isinstance(read, dict) else None,
            tick=ticked.get(key),
        )
        for key, milestone in MILESTONES.items()
    ]


def by_phase(rows: list[MilestoneState]) -> list[tuple[str, str, list[MilestoneState]]]:
    """The milestones grouped by phase: (phase key, its label, its milestones)."""
    return [
        (phase, str(PHASE_LABELS[phase]), [row for row in rows if row.phase == phase])
        for phase in MILESTONE_PHASES
    ]


def tick(account, slug: str, key: str, done_on: date, note: str) -> MilestoneTick:
    """Tick a milestone by hand (or change the date and note of the tick)."""
    if key not in MILESTONES:
        raise TrackerError(str(_l("Cette étape n'existe pas.")))
    if done_on > paris_today():
        raise TrackerError(str(_l("La date ne peut pas être dans le futur.")))
    if len(note) > NOTE_MAX:
        raise TrackerError(str(_l("La note est trop longue (2 000 caractères au plus).")))
    session = db_session()
    row = session.scalar(
        select(MilestoneTick).where(MilestoneTick.slug == slug, MilestoneTick.key == key)
    )
    if row is None:
        row = MilestoneTick(slug=slug, key=key)
        session.add(row)
    row.done_on, row.note, row.account_id = done_on, note, account.id
    audit.record(
        "perimeter.milestone_ticked",
        account=account,
        target=slug,
        detail=f"{key} {done_on.isoformat()}",
    )
    return row


def untick(account, slug: str, key: str) -> bool:
    """Remove the coach's tick (the data's own dates stay). False when there was none."""
    session = db_session()
    row = session.scalar(
        select(MilestoneTick).where(MilestoneTick.slug == slug, MilestoneTick.key == key)
    )
    if row is None:
        return False
    session.delete(row)
    audit.record("perimeter.milestone_unticked", account=account, target=slug, detail=key)
    return True


def phase_index(phase: str) -> int:
    return tuple(PHASES).index(phase)  # PHASES: key -> label, in the method's order


def pending_before(current: str, target: str, rows: list[MilestoneState]) -> list[MilestoneState]:
    """The milestones not done that a forward move from `current` to `target` leaves behind: those
    of the phases from the current one to the one before the target (none for a move back, nor
    to « en sommeil » or « fermé »)."""
    if target not in MILESTONE_PHASES + ("autonome",):
        return []
    start, end = phase_index(current), phase_index(target)
    if end <= start:
        return []
    passed = {phase for phase in MILESTONE_PHASES if start <= phase_index(phase) < end}
    return [row for row in rows if row.phase in passed and not row.done]


def next_phase(phase: str) -> str:
    """The phase the method goes to after `phase` (autonome, sommeil and fermé: none, itself)."""
    order = MILESTONE_PHASES + ("autonome",)
    if phase in order[:-1]:
        return order[order.index(phase) + 1]
    return phase


def change_phase(
    account,
    profile: PerimeterProfile,
    target: str,
    note: str,
    rows: list[MilestoneState],
    confirmed: bool,
) -> PhaseChange:
    """Move the perimeter to `target`, the coach's decision, recorded with the milestones done."""
    if target not in PHASES:
        raise TrackerError(str(_l("Choisissez une phase de la liste.")))
    if target == profile.phase:
        raise TrackerError(str(_l("Le périmètre est déjà dans cette phase.")))
    if len(note) > NOTE_MAX:
        raise TrackerError(str(_l("La note est trop longue (2 000 caractères au plus).")))
    if pending_before(profile.phase, target, rows) and not confirmed:
        raise TrackerError(
            str(
                _l(
                    "Des étapes ne sont pas faites : cochez la case de confirmation pour passer "
                    "quand même à la phase suivante."
                )
            )
        )
    done = [row.key for row in rows if row.done]
    change = PhaseChange(
        slug=profile.slug,
        from_phase=profile.phase,
        to_phase=target,
        account_id=account.id,
        note=note,
        milestones_done=json.dumps(done),
    )
    db_session().add(change)
    audit.record(
        "perimeter.phase_changed",
        account=account,
        target=profile.slug,
        detail=f"{profile.phase} → {target}",
    )
    profile.phase, profile.phase_since = target, paris_today()
    return change


@dataclass
class HistoryRow:
    change: PhaseChange
    done: list[str]  # labels of the milestones done then

    @property
    def from_label(self) -> str:
        return str(PHASE_LABELS.get(self.change.from_phase, self.change.from_phase or "—"))

    @property
    def to_label(self) -> str:
        return str(PHASE_LABELS.get(self.change.to_phase, self.change.to_phase))


def history(slug: str) -> list[HistoryRow]:
    """The perimeter's phase changes, the newest first."""
    rows = db_session().scalars(
        select(PhaseChange)
        .where(PhaseChange.slug == slug)
        .order_by(PhaseChange.at.desc(), PhaseChange.id.desc())
    )
    result = []
    for change in rows:
        try:
            keys = json.loads(change.milestones_done or "[]")
        except ValueError:
            keys = []
        labels = [str(MILESTONES[key].label) for key in keys if key in MILESTONES]
        result.append(HistoryRow(change, labels))
    return result
