"""The café's paper attendance sheet, in French, for the print engine."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from .. import printing
from ..auth.models import User
from ..dwellings.models import Dwelling
from ..events.models import Event, EventSignup
from ..events.printouts import event_data
from ..extensions import db
from ..perimeter.models import Perimeter


def street_text(person: User) -> str:
    """Street and building, never the door number: the sheet lies on a table in the street."""
    dwelling = person.dwelling
    if dwelling is None:
        return ""
    return ", ".join(part for part in (dwelling.street, dwelling.complement) if part)


def attendance_sheet(event: Event, perimeter: Perimeter) -> printing.AttendanceSheet:
    """The sheet of `event`: the people who said they would come, pre-filled, in French."""
    people = db.session.scalars(
        select(User)
        .join(EventSignup, EventSignup.user_id == User.id)
        .outerjoin(Dwelling, User.dwelling_id == Dwelling.id)
        .options(contains_eager(User.dwelling))
        .where(EventSignup.event_id == event.id, User.left_at.is_(None))
        .order_by(func.lower(User.last_name), func.lower(User.first_name), User.id)
    )
    info = event_data(event, perimeter)
    title = info.kind[:1].upper() + info.kind[1:]
    return printing.AttendanceSheet(
        perimeter=info.perimeter,
        event_title=title,
        date_text=info.date_text,
        time_text=info.time_text,
        place=info.place,
        rows=[
            printing.AttendanceRow(
                last_name=p.last_name, first_name=p.first_name, street=street_text(p)
            )
            for p in people.unique()
        ],
    )
