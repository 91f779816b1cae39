"""What the snapshot's tests share (tests/association/test_snapshot_*.py)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from coopere.association import snapshot
from coopere.auth.models import GroupRole, Role, User
from coopere.timeutil import paris_today, to_utc

ADDRESSES = (
    "numero;rep;voie;complement;code_postal;commune\r\n"
    "7;;Allée des Quatre-Vents;;44300;Nantes\r\n"
    "9;;Allée des Quatre-Vents;;44300;Nantes\r\n"
    "11;ter;Chemin de la Gaudinière;;44300;Nantes\r\n"
)
NAME = "Coop-ère du Port"


def collect(app, **kw) -> dict:
    """The snapshot, in its own app context, after a JSON round trip (what the network stores)."""
    with app.app_context():
        return json.loads(json.dumps(snapshot.collect(**kw)))


def milestone(app, key: str) -> str | None:
    return collect(app)["milestones"][key]


def today() -> str:
    return paris_today().isoformat()


def days_ago(days: int) -> str:
    return (paris_today() - timedelta(days=days)).isoformat()


def noon(days: int) -> datetime:
    """Noon (Paris) `days` days ago, as the naive UTC the database stores."""
    return to_utc(paris_today() - timedelta(days=days), time(12))


def new_perimeter(create_perimeter) -> dict:
    """A perimeter created without a meeting place (amorçage: the place is found later)."""
    return create_perimeter(name=NAME, short_name="Coop du Port", meeting_place="")


def group_of(create_user, size: int, *, since: datetime | None = None) -> list[User]:
    """`size` animators, the first one pilote and the second copilote."""
    people = []
    for n in range(size):
        columns = {"created_at": since} if since else {}
        role = {0: GroupRole.PILOTE.value, 1: GroupRole.COPILOTE.value}.get(n)
        people.append(create_user(Role.ANIMATOR, group_role=role, **columns))
    return people
