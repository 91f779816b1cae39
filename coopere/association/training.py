"""The pilotes' and copilotes' training days: the network plans them, every perimeter's pilote and
copilote answer « je viendrai » from their group's page (through coopere/association/link.py), the
association records who came after the day, and each perimeter keeps its training history."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..network.models import now
from . import audit
from .models import TrainingAnswer, TrainingDay
from .topics import TOPICS

SHOWN_AFTER = timedelta(days=60)  # a past day stays on the group's page this long


class TrainingError(ValueError):
    """A refusal, in French (lazily translated)."""


def aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their time zone (they are stored in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=now().tzinfo)


def create_day(db: Session, *, title, topic, place, starts_at, ends_at, details, account):
    if topic not in TOPICS:
        raise TrainingError(_l("Choisissez un thème de la liste."))
    if ends_at <= starts_at:
        raise TrainingError(_l("La fin doit venir après le début."))
    if aware(starts_at) < now():
        raise TrainingError(_l("Cette date est passée : choisissez une date à venir."))
    day = TrainingDay(
        title=title.strip(),
        topic=topic,
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        details=(details or "").strip(),
        created_by=getattr(account, "id", None),
    )
    db.add(day)
    db.flush()
    audit.record("training.created", account=account, target=f"#{day.id}", detail=day.title)
    return day


def cancel_day(db: Session, day: TrainingDay, account) -> None:
    if day.cancelled_at is None:
        day.cancelled_at = now()
        audit.record("training.cancelled", account=account, target=f"#{day.id}", detail=day.title)


def all_days(db: Session) -> tuple[list[TrainingDay], list[TrainingDay]]:
    """(upcoming, past) days, cancelled ones included; the next first, the latest past first."""
    days = list(db.scalars(select(TrainingDay).order_by(TrainingDay.starts_at)))
    moment = now()
    upcoming = [day for day in days if aware(day.ends_at) >= moment]
    past = [day for day in reversed(days) if aware(day.ends_at) < moment]
    return upcoming, past


def answers_of(db: Session, day_ids) -> dict[int, list[TrainingAnswer]]:
    """day id → its answers, by perimeter then first name (one query)."""
    found = defaultdict(list)
    ids = list(day_ids)
    if ids:
        rows = db.scalars(
            select(TrainingAnswer)
            .where(TrainingAnswer.day_id.in_(ids))
            .order_by(TrainingAnswer.slug, TrainingAnswer.first_name)
        )
        for answer in rows:
            found[answer.day_id].append(answer)
    return found


def record_attendance(db: Session, day: TrainingDay, came_ids: set[int], account) -> int:
    """After the day: who came among those who answered. The number recorded as present."""
    if aware(day.starts_at) > now():
        raise TrainingError(_l("Les présences se notent après la journée."))
    answers = answers_of(db, [day.id])[day.id]
    for answer in answers:
        answer.attended = answer.id in came_ids
    audit.record(
        "training.attendance",
        account=account,
        target=f"#{day.id}",
        detail=f"{len(came_ids & {a.id for a in answers})}/{len(answers)}",
    )
    return sum(1 for answer in answers if answer.attended)


def history(db: Session, slug: str) -> list[tuple[TrainingDay, list[TrainingAnswer]]]:
    """A perimeter's training history: every day one of its pilotes answered, latest first."""
    answers = list(db.scalars(select(TrainingAnswer).where(TrainingAnswer.slug == slug)))
    by_day = defaultdict(list)
    for answer in answers:
        by_day[answer.day_id].append(answer)
    if not by_day:
        return []
    days = db.scalars(
        select(TrainingDay)
        .where(TrainingDay.id.in_(list(by_day)))
        .order_by(TrainingDay.starts_at.desc())
    )
    return [(day, by_day[day.id]) for day in days]


# --- what a perimeter's group page reads and writes (through the network link) ----------------


def days_for_perimeter(db: Session, slug: str) -> list[dict]:
    """The days a perimeter's group sees: the coming ones and those of the last SHOWN_AFTER, not
    cancelled, each with this perimeter's answers only."""
    moment = now()
    days = list(
        db.scalars(
            select(TrainingDay)
            .where(TrainingDay.cancelled_at.is_(None), TrainingDay.ends_at >= moment - SHOWN_AFTER)
            .order_by(TrainingDay.starts_at)
        )
    )
    answers = defaultdict(list)
    if days:
        for answer in db.scalars(
            select(TrainingAnswer).where(
                TrainingAnswer.slug == slug, TrainingAnswer.day_id.in_([d.id for d in days])
            )
        ):
            answers[answer.day_id].append(answer)
    return [
        {
            "id": day.id,
            "title": day.title,
            "topic": str(TOPICS.get(day.topic, day.topic)),
            "place": day.place,
            "starts_at": aware(day.starts_at),
            "ends_at": aware(day.ends_at),
            "details": day.details,
            "past": aware(day.starts_at) < moment,
            "answers": [
                {
                    "member_id": a.member_id,
                    "first_name": a.first_name,
                    "role": a.role,
                    "coming": a.coming,
                    "attended": a.attended,
                }
                for a in answers[day.id]
            ],
        }
        for day in days
    ]


def answer(db: Session, slug: str, day_id: int, member_id: int, first_name: str, role: str,
           coming: bool) -> None:  # fmt: skip
    day = db.get(TrainingDay, day_id)
    if day is None or day.cancelled_at is not None:
        raise TrainingError(_l("Cette journée de formation n'a plus lieu."))
    if aware(day.starts_at) < now():
        raise TrainingError(_l("Cette journée de formation est passée."))
    found = db.scalar(
        select(TrainingAnswer).where(
            TrainingAnswer.day_id == day_id,
            TrainingAnswer.slug == slug,
            TrainingAnswer.member_id == member_id,
        )
    )
    if found is None:
        found = TrainingAnswer(day_id=day_id, slug=slug, member_id=member_id)
        db.add(found)
    found.first_name, found.role, found.coming, found.answered_at = first_name, role, coming, now()
