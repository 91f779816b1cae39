"""The perimeter's figures for a period: one place for how each one is counted.

Definitions (the French guide repeats them in plain words):
- a **member** at a date is a person registered before it who had not left the perimeter then.
  A member erased at their request stays counted: their row is kept, anonymous.
- **dwellings** are the register's dwellings that are not marked vacant; **reach** is members ÷
  dwellings, and a dwelling is **reached** when at least one member lives there.
- figures about **activity** (listings published, exchanges accepted and done, cafés held,
  letters sent) count what happened within the period; **open** offers and needs are the
  listings open today.
- a **café held** is a café-rencontre of the period, not cancelled, already started;
  its **attendance** is the people checked in at the desk plus the « +1 visiteur » counter.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..auth.models import Role, User
from ..cafe.models import CheckIn
from ..dwellings.models import Dwelling, LetterSent
from ..events.models import Event
from ..exchanges.models import Exchange, ExchangeStatus
from ..extensions import db
from ..i18n import person_name
from ..group.models import RosterSlot
from ..listings.models import Listing, ListingKind, ListingStatus, Participation, Theme
from ..members.models import Sponsorship
from ..printruns.models import LetterScan, PrintRun
from ..timeutil import add_months, paris_today, to_paris, to_utc, utcnow
from .tables import Column, Table

# The keys `flask report --json` always prints; --merge adds them up (reach is recomputed).
SUMMARY_KEYS = (
    "dwellings",
    "members",
    "members_offline",
    "reach",
    "dwellings_reached",
    "offers_open",
    "needs_open",
    "exchanges_done",
    "cafes_held",
    "cafe_attendance",
    "letters_sent",
)
# Further counts in the JSON report, added up by --merge as well.
EXTRA_KEYS = (
    "members_sponsored",
    "members_new",
    "activations_pending",
    "offers_published",
    "needs_published",
    "exchanges_accepted",
    "projects",
    "project_participants",
    "cafe_newcomers",
    "cafe_registrations",
    "letter_scans",
    "group_size",
)
PERIOD_KINDS = ("month", "year", "last12", "custom", "all")
PERIOD_LABELS = {
    "month": _l("Ce mois-ci"),
    "year": _l("Cette année"),
    "last12": _l("Les 12 derniers mois"),
    "custom": _l("Dates choisies"),
    "all": _l("Depuis le début"),
}
EARLIEST = date(2000, 1, 1)


class PeriodError(ValueError):
    """A period that cannot be reported on; the message is for the person who asked."""


@dataclass(frozen=True)
class Period:
    """Calendar days `start` to `end`, both included, in Europe/Paris."""

    start: date
    end: date
    kind: str = "custom"

    @property
    def start_utc(self) -> datetime:
        return _utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return _utc(self.end + timedelta(days=1))

    @property
    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def months(self) -> list[str]:
        """« 2026-01 », « 2026-02 »… every month the period touches."""
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day.strftime("%Y-%m"))
            day = add_months(day, 1)
        return months


def _utc(day: date) -> datetime:
    """Midnight of a Paris calendar day, as the naive UTC the database stores."""
    return to_utc(day, time(0))


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def make_period(
    kind: str = "year",
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> Period:
    """The period a person chose: this month, this year, the last 12 months, custom dates, or all."""
    today = today or paris_today()
    if kind == "month":
        return Period(today.replace(day=1), today, kind)
    if kind == "year":
        return Period(today.replace(month=1, day=1), today, kind)
    if kind == "last12":
        first = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
        return Period(first, today, kind)
    if kind == "all":
        return Period(start or first_activity() or today, today, kind)
    if kind != "custom":
        raise PeriodError(_("Cette période n'existe pas."))
    start, end = start or today.replace(month=1, day=1), end or today
    if end < start:
        raise PeriodError(_("La fin de la période doit venir après son début."))
    if start < EARLIEST or end > today.replace(year=today.year + 5):
        raise PeriodError(_("Choisissez des dates entre l'an 2000 et les cinq années à venir."))
    return Period(start, end, kind)


def first_activity() -> date | None:
    """The day the first person was registered (start of « depuis le début »)."""
    first = db.session.scalar(select(func.min(User.created_at)))
    return to_paris(first).date() if first else None


# --- members and reach -----------------------------------------------------------------------


def _member_at(moment: datetime):
    """SQL condition: a member at this moment (registered before, not left yet)."""
    return and_(User.created_at < moment, or_(User.left_at.is_(None), User.left_at >= moment))


def _ratio(part: int, whole: int) -> float | None:
    """part ÷ whole rounded to 3 decimals, None when there is nothing to divide by."""
    return round(part / whole, 3) if whole else None


def _percent(part: int, whole: int) -> float | None:
    """part ÷ whole as a percentage with one decimal, None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def _dwelling_count() -> int:
    return db.session.scalar(select(func.count(Dwelling.id)).where(Dwelling.vacant.is_(False))) or 0


def summary(period: Period, shared: dict | None = None) -> dict:
    """Every figure of the perimeter for the period, as plain numbers (the JSON report)."""
    shared = {} if shared is None else shared
    end = min(period.end_utc, utcnow())
    members = db.session.execute(
        select(
            func.count(User.id), func.sum(func.cast(User.has_internet.is_(False), db.Integer))
        ).where(_member_at(end))
    ).one()
    dwellings = _dwelling_count()
    # Members living in a vacant or deleted dwelling do not make the register's dwellings reached.
    reached = (
        db.session.scalar(
            select(func.count(func.distinct(User.dwelling_id)))
            .join(Dwelling, Dwelling.id == User.dwelling_id)
            .where(_member_at(end), Dwelling.vacant.is_(False))
        )
        or 0
    )
    in_period = (period.start_utc, period.end_utc)
    listings = dict(
        db.session.execute(
            select(Listing.kind, func.count())
            .where(Listing.published_at >= in_period[0], Listing.published_at < in_period[1])
            .group_by(Listing.kind)
        ).all()
    )
    open_now = dict(
        db.session.execute(
            select(Listing.kind, func.count())
            .where(Listing.status == ListingStatus.OPEN.value)
            .group_by(Listing.kind)
        ).all()
    )
    cafes = _shared_rows(shared, "cafes", cafe_rows, period)
    projects = _shared_rows(shared, "projects", project_rows, period)
    letters = (
        db.session.scalar(
            select(func.count(LetterSent.id)).where(
                LetterSent.sent_on >= period.start, LetterSent.sent_on <= period.end
            )
        )
        or 0
    )
    scans = (
        db.session.scalar(
            select(func.count(LetterScan.id)).where(
                LetterScan.at >= in_period[0], LetterScan.at < in_period[1]
            )
        )
        or 0
    )
    sponsored = (
        db.session.scalar(
            select(func.count(func.distinct(Sponsorship.sponsee_id)))
            .join(User, User.id == Sponsorship.sponsee_id)
            .where(
                _member_at(end),
                Sponsorship.started_at < end,
                or_(Sponsorship.ended_at.is_(None), Sponsorship.ended_at >= end),
            )
        )
        or 0
    )
    figures = {
        "period_from": period.start.isoformat(),
        "period_to": period.end.isoformat(),
        "dwellings": dwellings,
        "members": members[0],
        "members_offline": int(members[1] or 0),
        "reach": _ratio(members[0], dwellings),
        "dwellings_reached": reached,
        "offers_open": open_now.get(ListingKind.OFFER.value, 0),
        "needs_open": open_now.get(ListingKind.NEED.value, 0),
        "exchanges_done": _count_exchanges(Exchange.done_at, in_period),
        "cafes_held": len(cafes),
        "cafe_attendance": sum(row["attendance"] for row in cafes),
        "letters_sent": letters,
        "members_sponsored": sponsored,
        "members_new": db.session.scalar(
            select(func.count(User.id)).where(
                User.created_at >= in_period[0], User.created_at < in_period[1]
            )
        )
        or 0,
        "activations_pending": db.session.scalar(
            select(func.count(User.id)).where(
                _member_at(utcnow()),
                User.has_internet.is_(True),
                User.password_hash.is_(None),
                User.erased_at.is_(None),
            )
        )
        or 0,
        "offers_published": listings.get(ListingKind.OFFER.value, 0),
        "needs_published": listings.get(ListingKind.NEED.value, 0),
        "exchanges_accepted": _count_exchanges(Exchange.decided_at, in_period, accepted=True),
        "projects": len(projects),
        "project_participants": sum(row["participants"] for row in projects),
        "cafe_newcomers": sum(row["first_visits"] for row in cafes),
        "cafe_registrations": sum(row["registrations"] for row in cafes),
        "letter_scans": scans,
        "group_size": db.session.scalar(
            select(func.count(User.id)).where(
                _member_at(end), User.role.in_([Role.ANIMATOR.value, Role.ADMIN.value])
            )
        )
        or 0,
    }
    figures["dwellings_reached_share"] = _ratio(reached, dwellings)
    return figures


def _count_exchanges(column, in_period: tuple[datetime, datetime], accepted: bool = False) -> int:
    query = select(func.count(Exchange.id)).where(column >= in_period[0], column < in_period[1])
    if accepted:  # decided_at is also set on a decline
        query = query.where(
            Exchange.status.in_([ExchangeStatus.ACCEPTED.value, ExchangeStatus.DONE.value])
        )
    return db.session.scalar(query) or 0


def dwellings_and_members(period: Period) -> tuple[list, Counter]:
    """The register's occupied dwellings, and the number of members living in each at the period's end."""
    end = min(period.end_utc, utcnow())
    dwellings = db.session.execute(
        select(Dwelling.id, Dwelling.number, Dwelling.rep, Dwelling.street).where(
            Dwelling.vacant.is_(False)
        )
    ).all()
    members = Counter(
        db.session.scalars(
            select(User.dwelling_id).where(_member_at(end), User.dwelling_id.is_not(None))
        ).all()
    )
    return dwellings, members


def reach_rows(
    period: Period, by: str = "street", register: tuple[list, Counter] | None = None
) -> list[dict]:
    """Dwellings, reached dwellings and members per street, or per building (an address with several
    dwellings: a house is counted in its street's row only), in street then number order.
    `register` is what dwellings_and_members(period) gave, when the caller has it already."""
    dwellings, members = register or dwellings_and_members(period)
    rows: dict[tuple, dict] = {}
    for d in dwellings:
        if by == "street":
            key, place = (d.street.casefold(),), d.street
        else:
            key = (d.street.casefold(), d.number if d.number is not None else -1, d.rep)
            place = " ".join(
                p for p in (str(d.number) if d.number is not None else "", d.rep, d.street) if p
            )
        row = rows.setdefault(key, {"place": place, "dwellings": 0, "reached": 0, "members": 0})
        row["dwellings"] += 1
        row["reached"] += 1 if members.get(d.id) else 0
        row["members"] += members.get(d.id, 0)
    for row in rows.values():
        row["reach"] = _ratio(row["members"], row["dwellings"])
        row["reached_share"] = _percent(row["reached"], row["dwellings"])
    return [rows[key] for key in sorted(rows) if by == "street" or rows[key]["dwellings"] > 1]


def members_by_month(period: Period) -> list[dict]:
    """For each month of the period: new members, and members, offline members at its end."""
    people = db.session.execute(select(User.created_at, User.left_at, User.has_internet)).all()
    rows = []
    for month in period.months():
        year, number = int(month[:4]), int(month[5:])
        first = date(year, number, 1)
        after = _utc(add_months(first, 1))
        end = min(after, period.end_utc, utcnow())
        start = max(_utc(first), period.start_utc)
        alive = [
            p for p in people if p.created_at < end and (p.left_at is None or p.left_at >= end)
        ]
        rows.append(
            {
                "month": month,
                "new": sum(1 for p in people if start <= p.created_at < end),
                "members": len(alive),
                "offline": sum(1 for p in alive if not p.has_internet),
            }
        )
    return rows


# --- listings, exchanges, projects -----------------------------------------------------------


def theme_rows(period: Period) -> list[dict]:
    """Per theme: offers and needs open today, published within the period, and fulfilled among those."""
    themes = db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)).all()
    open_now = {
        (theme_id, kind): count
        for theme_id, kind, count in db.session.execute(
            select(Listing.theme_id, Listing.kind, func.count())
            .where(Listing.status == ListingStatus.OPEN.value)
            .group_by(Listing.theme_id, Listing.kind)
        )
    }
    in_period, fulfilled = Counter(), Counter()
    for theme_id, kind, status, count in db.session.execute(
        select(Listing.theme_id, Listing.kind, Listing.status, func.count())
        .where(
            Listing.published_at >= period.start_utc,
            Listing.published_at < period.end_utc,
            Listing.kind != ListingKind.PROJECT.value,
        )
        .group_by(Listing.theme_id, Listing.kind, Listing.status)
    ):
        in_period[(theme_id, kind)] += count
        fulfilled[theme_id] += count if status == ListingStatus.FULFILLED.value else 0
    rows = []
    for theme in themes:
        row = {
            "theme": theme.label(_language()),
            "offers_open": open_now.get((theme.id, ListingKind.OFFER.value), 0),
            "needs_open": open_now.get((theme.id, ListingKind.NEED.value), 0),
            "offers_published": in_period.get((theme.id, ListingKind.OFFER.value), 0),
            "needs_published": in_period.get((theme.id, ListingKind.NEED.value), 0),
            "fulfilled": fulfilled.get(theme.id, 0),
        }
        if theme.retired and not any(v for k, v in row.items() if k != "theme"):
            continue  # a retired theme with nothing to show
        rows.append(row)
    return rows


STATUS_LABELS = {
    ListingStatus.DRAFT: _l("Pas encore publiées"),
    ListingStatus.OPEN: _l("Ouvertes"),
    ListingStatus.PAUSED: _l("En pause"),
    ListingStatus.FULFILLED: _l("Réalisées"),
    ListingStatus.CLOSED: _l("Fermées"),
    ListingStatus.EXPIRED: _l("Expirées"),
    ListingStatus.HIDDEN: _l("Masquées par le groupe d'animation"),
}


def status_rows(_period: Period) -> list[dict]:
    """Every listing by its state today, offers, needs and projects apart (the life of the listings)."""
    counts = {
        (status, kind): count
        for status, kind, count in db.session.execute(
            select(Listing.status, Listing.kind, func.count()).group_by(
                Listing.status, Listing.kind
            )
        )
    }
    return [
        {
            "status": str(label),
            **{kind.value: counts.get((status.value, kind.value), 0) for kind in ListingKind},
        }
        for status, label in STATUS_LABELS.items()
    ]


def exchange_rows(period: Period) -> list[dict]:
    """Per month: exchanges accepted (decided) and done."""
    month_of = _month_finder(period)
    rows = {month: {"month": month, "accepted": 0, "done": 0} for month in period.months()}
    accepted = db.session.scalars(
        select(Exchange.decided_at).where(
            Exchange.decided_at >= period.start_utc,
            Exchange.decided_at < period.end_utc,
            Exchange.status.in_([ExchangeStatus.ACCEPTED.value, ExchangeStatus.DONE.value]),
        )
    )
    for moment in accepted:
        rows[month_of(moment)]["accepted"] += 1
    for moment in db.session.scalars(
        select(Exchange.done_at).where(
            Exchange.done_at >= period.start_utc, Exchange.done_at < period.end_utc
        )
    ):
        rows[month_of(moment)]["done"] += 1
    return [rows[month] for month in sorted(rows)]


def _month_finder(period: Period):
    """moment -> « 2026-03 », the Paris month of a naive-UTC moment within the period (a lookup of
    the months' first instants: a time-zone conversion per row would cost more than the query)."""
    months = period.months()
    starts = [_utc(date(int(m[:4]), int(m[5:]), 1)) for m in months]
    return lambda moment: months[max(0, bisect_right(starts, moment) - 1)]


def project_rows(period: Period) -> list[dict]:
    """Collective projects published within the period (or dated within it), with their participants."""
    participants = func.count(Participation.user_id)
    query = (
        select(
            Listing.id,
            Listing.title,
            Listing.status,
            Listing.project_date,
            Listing.max_participants,
            Theme.label_fr,
            Theme.label_en,
            participants,
        )
        .join(Theme, Theme.id == Listing.theme_id)
        .outerjoin(Participation, Participation.listing_id == Listing.id)
        .where(
            Listing.kind == ListingKind.PROJECT.value,
            Listing.status.not_in([ListingStatus.DRAFT.value, ListingStatus.HIDDEN.value]),
            or_(
                and_(
                    Listing.published_at >= period.start_utc, Listing.published_at < period.end_utc
                ),
                and_(Listing.project_date >= period.start, Listing.project_date <= period.end),
            ),
        )
        .group_by(
            Listing.id,
            Listing.title,
            Listing.status,
            Listing.project_date,
            Listing.max_participants,
            Theme.label_fr,
            Theme.label_en,
        )
        .order_by(Listing.id)
    )
    english = _language() == "en"
    return [
        {
            "title": row.title,
            "theme": row.label_en if english and row.label_en else row.label_fr,
            "date": row.project_date.isoformat() if row.project_date else "",
            "participants": row[7],
            "maximum": row.max_participants,
        }
        for row in db.session.execute(query)
    ]


# --- cafés and the animation group -------------------------------------------------------------


def cafe_rows(period: Period) -> list[dict]:
    """Per café held: attendance (check-ins + visitors), first visits, registrations at the desk."""
    cafes = db.session.execute(
        select(Event.id, Event.starts_at, Event.visitors)
        .where(
            Event.kind == "cafe",
            Event.cancelled.is_(False),
            Event.starts_at >= period.start_utc,
            Event.starts_at < period.end_utc,
            Event.starts_at <= utcnow(),
        )
        .order_by(Event.starts_at)
    ).all()
    if not cafes:
        return []
    ids = [cafe.id for cafe in cafes]
    checkins = db.session.execute(
        select(CheckIn.event_id, CheckIn.user_id, CheckIn.newcomer).where(CheckIn.event_id.in_(ids))
    ).all()
    # A first visit: the person's earliest check-in (at any event) is at this café.
    first_event = (
        dict(
            db.session.execute(
                select(CheckIn.user_id, func.min(Event.starts_at))
                .join(Event, Event.id == CheckIn.event_id)
                .where(CheckIn.user_id.in_({c.user_id for c in checkins}))
                .group_by(CheckIn.user_id)
            ).all()
        )
        if checkins
        else {}
    )
    starts = {cafe.id: cafe.starts_at for cafe in cafes}
    per_cafe: dict[int, dict] = defaultdict(
        lambda: {"checked_in": 0, "first_visits": 0, "registrations": 0}
    )
    for c in checkins:
        row = per_cafe[c.event_id]
        row["checked_in"] += 1
        row["registrations"] += 1 if c.newcomer else 0
        row["first_visits"] += 1 if first_event.get(c.user_id) == starts[c.event_id] else 0
    rows = []
    for cafe in cafes:
        counts = per_cafe[cafe.id]
        rows.append(
            {
                "date": to_paris(cafe.starts_at).date().isoformat(),
                "attendance": counts["checked_in"] + cafe.visitors,
                "visitors": cafe.visitors,
                **counts,
            }
        )
    return rows


def group_rows(period: Period) -> list[dict]:
    """How the roster's tasks of the period's events were shared: tasks taken per volunteer."""
    taken = Counter(
        db.session.scalars(
            select(RosterSlot.volunteer_id)
            .join(Event, Event.id == RosterSlot.event_id)
            .where(
                RosterSlot.volunteer_id.is_not(None),
                Event.cancelled.is_(False),
                Event.starts_at >= period.start_utc,
                Event.starts_at < period.end_utc,
            )
        ).all()
    )
    open_slots = (
        db.session.scalar(
            select(func.count(RosterSlot.id))
            .join(Event, Event.id == RosterSlot.event_id)
            .where(
                RosterSlot.volunteer_id.is_(None),
                Event.cancelled.is_(False),
                Event.starts_at >= period.start_utc,
                Event.starts_at < period.end_utc,
            )
        )
        or 0
    )
    end = min(period.end_utc, utcnow())
    volunteers = db.session.execute(
        select(User.id, User.first_name, User.last_name).where(
            or_(
                User.id.in_(list(taken)),
                and_(_member_at(end), User.role.in_([Role.ANIMATOR.value, Role.ADMIN.value])),
            )
        )
    ).all()
    total = sum(taken.values())
    rows = [
        {
            "volunteer": person_name(v.first_name, v.last_name, initial=True),
            "tasks": taken.get(v.id, 0),
            "share": _percent(taken.get(v.id, 0), total) if total else 0.0,
        }
        for v in volunteers
    ]
    rows.sort(key=lambda r: (-r["tasks"], r["volunteer"].casefold()))
    return rows + (
        [{"volunteer": _("Tâches restées sans volontaire"), "tasks": open_slots, "share": None}]
        if open_slots
        else []
    )


# --- letters -------------------------------------------------------------------------------


def letter_rows(period: Period) -> list[dict]:
    """Per confirmed letter run of the period: letters sent, QR scans, registrations from those dwellings."""
    runs = db.session.execute(
        select(PrintRun.id, PrintRun.code, PrintRun.confirmed_at)
        .where(
            PrintRun.kind == "letters",
            PrintRun.confirmed_at.is_not(None),
            PrintRun.confirmed_at >= period.start_utc,
            PrintRun.confirmed_at < period.end_utc,
        )
        .order_by(PrintRun.confirmed_at)
    ).all()
    if not runs:
        return []
    ids = [run.id for run in runs]
    sent: dict[int, set[int]] = defaultdict(set)
    for run_id, dwelling_id in db.session.execute(
        select(LetterSent.print_run_id, LetterSent.dwelling_id).where(
            LetterSent.print_run_id.in_(ids)
        )
    ):
        sent[run_id].add(dwelling_id)
    scans = Counter(
        db.session.scalars(select(LetterScan.print_run_id).where(LetterScan.print_run_id.in_(ids)))
    )
    newcomers = (
        db.session.execute(
            select(User.dwelling_id, User.created_at).where(
                User.dwelling_id.in_(set().union(*sent.values())),
                User.created_at >= runs[0].confirmed_at,
            )
        ).all()
        if any(sent.values())
        else []
    )
    rows = []
    for run in runs:
        registered = sum(
            1
            for person in newcomers
            if person.dwelling_id in sent[run.id] and person.created_at >= run.confirmed_at
        )
        rows.append(
            {
                "run": run.code,
                "date": to_paris(run.confirmed_at).date().isoformat(),
                "letters": len(sent[run.id]),
                "scans": scans.get(run.id, 0),
                "registrations": registered,
                "scan_rate": _ratio(scans.get(run.id, 0), len(sent[run.id])),
            }
        )
    return rows


# --- the tables the dashboard, the CSV exports and the yearly report show ---------------------


def _table(name, title, columns, rows, *, caption="", total=None, public=True) -> Table:
    """A Table from dict rows; `public` tables hold no personal data and go into the yearly report."""
    return Table(
        name=name,
        title=str(title),
        caption=str(caption),
        columns=tuple(Column(key, str(label), numeric) for key, label, numeric in columns),
        rows=tuple(tuple(row.get(key) for key, _label, _numeric in columns) for row in rows),
        total=tuple(total.get(key) for key, _label, _numeric in columns) if total else None,
        meta={"public": public},
    )


REACH_COLUMNS = (
    ("place", _l("Rue"), False),
    ("dwellings", _l("Logements"), True),
    ("members", _l("Membres"), True),
    ("reached", _l("Logements touchés"), True),
    ("reached_share", _l("Logements touchés (%)"), True),
    ("reach", _l("Membres par logement"), True),
)


def _reach_streets(period: Period, shared: dict) -> Table:
    streets = reach_rows(
        period, "street", _shared_rows(shared, "register", dwellings_and_members, period)
    )
    total = {
        "place": _("Tout le périmètre"),
        "dwellings": sum(r["dwellings"] for r in streets),
        "reached": sum(r["reached"] for r in streets),
        "members": sum(r["members"] for r in streets),
    }
    total["reach"] = _ratio(total["members"], total["dwellings"])
    total["reached_share"] = _percent(total["reached"], total["dwellings"])
    return _table(
        "reach-streets",
        _l("Portée par rue"),
        REACH_COLUMNS,
        streets,
        total=total,
        caption=_l(
            "Membres inscrits à la fin de la période, logements du registre "
            "(hors logements vacants)."
        ),
    )


def _reach_buildings(period: Period, shared: dict) -> Table:
    return _table(
        "reach-buildings",
        _l("Portée par immeuble"),
        (("place", _l("Immeuble"), False),) + REACH_COLUMNS[1:],
        reach_rows(
            period, "building", _shared_rows(shared, "register", dwellings_and_members, period)
        ),
        caption=_l(
            "Les adresses de plusieurs logements ; les maisons sont comptées dans leur rue."
        ),
    )


def _members(period: Period, _shared: dict) -> Table:
    return _table(
        "members",
        _l("Membres au fil des mois"),
        (
            ("month", _l("Mois"), False),
            ("new", _l("Nouveaux membres"), True),
            ("members", _l("Membres à la fin du mois"), True),
            ("offline", _l("dont sans internet"), True),
        ),
        members_by_month(period),
    )


def _themes(period: Period, _shared: dict) -> Table:
    themes = theme_rows(period)
    keys = ("offers_open", "needs_open", "offers_published", "needs_published", "fulfilled")
    return _table(
        "themes",
        _l("Offres et besoins par thème"),
        (
            ("theme", _l("Thème"), False),
            ("offers_open", _l("Offres ouvertes aujourd'hui"), True),
            ("needs_open", _l("Besoins ouverts aujourd'hui"), True),
            ("offers_published", _l("Offres publiées"), True),
            ("needs_published", _l("Besoins publiés"), True),
            ("fulfilled", _l("Réalisés"), True),
        ),
        themes,
        total={"theme": _("Tous les thèmes"), **{k: sum(r[k] for r in themes) for k in keys}},
        caption=_l("« Publiées » et « Réalisés » : annonces publiées pendant la période."),
    )


def _statuses(period: Period, _shared: dict) -> Table:
    rows = status_rows(period)
    return _table(
        "statuses",
        _l("Les annonces par état"),
        (
            ("status", _l("État aujourd'hui"), False),
            ("offer", _l("Offres"), True),
            ("need", _l("Besoins"), True),
            ("project", _l("Projets collectifs"), True),
        ),
        rows,
        total={
            "status": _("Toutes les annonces"),
            **{k: sum(r[k] for r in rows) for k in ("offer", "need", "project")},
        },
        caption=_l("Toutes les annonces, quelle que soit leur date : leur état aujourd'hui."),
    )


def _exchanges(period: Period, _shared: dict) -> Table:
    exchanges = exchange_rows(period)
    return _table(
        "exchanges",
        _l("Échanges par mois"),
        (
            ("month", _l("Mois"), False),
            ("accepted", _l("Échanges acceptés"), True),
            ("done", _l("Échanges faits"), True),
        ),
        exchanges,
        total={
            "month": _("Total"),
            "accepted": sum(r["accepted"] for r in exchanges),
            "done": sum(r["done"] for r in exchanges),
        },
    )


def _projects(period: Period, shared: dict) -> Table:
    return _table(
        "projects",
        _l("Projets collectifs"),
        (
            ("title", _l("Projet"), False),
            ("theme", _l("Thème"), False),
            ("date", _l("Date"), False),
            ("participants", _l("Participants"), True),
            ("maximum", _l("Places"), True),
        ),
        _shared_rows(shared, "projects", project_rows, period),
        public=False,
    )  # titles are free text a resident typed


def _cafes(period: Period, shared: dict) -> Table:
    cafes = _shared_rows(shared, "cafes", cafe_rows, period)
    keys = ("attendance", "first_visits", "registrations", "visitors")
    return _table(
        "cafes",
        _l("Cafés-rencontres"),
        (
            ("date", _l("Date"), False),
            ("attendance", _l("Présents"), True),
            ("first_visits", _l("Première venue"), True),
            ("registrations", _l("Inscrits au café"), True),
            ("visitors", _l("dont visiteurs non inscrits"), True),
        ),
        cafes,
        total={"date": _("Total"), **{k: sum(r[k] for r in cafes) for k in keys}}
        if cafes
        else None,
    )


def _group(period: Period, _shared: dict) -> Table:
    return _table(
        "group",
        _l("Partage des tâches du groupe d'animation"),
        (
            ("volunteer", _l("Bénévole"), False),
            ("tasks", _l("Tâches prises"), True),
            ("share", _l("Part des tâches (%)"), True),
        ),
        group_rows(period),
        public=False,
        caption=_l("Tâches des tableaux de service des rendez-vous de la période."),
    )


def _letters(period: Period, _shared: dict) -> Table:
    return _table(
        "letters",
        _l("Lettres d'invitation"),
        (
            ("run", _l("Série"), False),
            ("date", _l("Distribuée le"), False),
            ("letters", _l("Lettres"), True),
            ("scans", _l("QR codes ouverts"), True),
            ("scan_rate", _l("QR codes ouverts par lettre"), True),
            ("registrations", _l("Inscriptions de ces logements depuis"), True),
        ),
        letter_rows(period),
    )


# The dashboard's tables, in the order they are shown.
TABLES = {
    "reach-streets": _reach_streets,
    "reach-buildings": _reach_buildings,
    "members": _members,
    "themes": _themes,
    "statuses": _statuses,
    "exchanges": _exchanges,
    "projects": _projects,
    "cafes": _cafes,
    "group": _group,
    "letters": _letters,
}


def _shared_rows(shared: dict, key: str, compute, period: Period):
    """Rows several tables or the summary use (cafés, projects, the register), computed once per page."""
    if key not in shared:
        shared[key] = compute(period)
    return shared[key]


def tables(period: Period, names=None, shared: dict | None = None) -> dict[str, Table]:
    """The dashboard's tables by name (all of them, or those named), in the order they are shown.
    `shared` holds rows already computed for this period (see `report`)."""
    shared = {} if shared is None else shared
    return {
        name: build(period, shared)
        for name, build in TABLES.items()
        if names is None or name in names
    }


def report(period: Period) -> tuple[dict, dict[str, Table]]:
    """The summary and every table of one period, sharing the rows both need."""
    shared = {"cafes": cafe_rows(period), "projects": project_rows(period)}
    return summary(period, shared), tables(period, shared=shared)


def merge(reports: list[dict]) -> dict:
    """Add up the JSON reports of several perimeters; the ratios are recomputed from the sums."""
    merged: dict = {"perimeters": len(reports)}
    for key in SUMMARY_KEYS + EXTRA_KEYS:
        if key in ("reach",):
            continue
        merged[key] = sum(int(report.get(key) or 0) for report in reports)
    merged["reach"] = _ratio(merged["members"], merged["dwellings"])
    merged["dwellings_reached_share"] = _ratio(merged["dwellings_reached"], merged["dwellings"])
    starts = [r["period_from"] for r in reports if r.get("period_from")]
    ends = [r["period_to"] for r in reports if r.get("period_to")]
    merged["period_from"] = min(starts) if starts else None
    merged["period_to"] = max(ends) if ends else None
    merged["names"] = [r.get("perimeter", "") for r in reports]
    return {
        key: merged[key]
        for key in (
            "perimeters",
            "names",
            "period_from",
            "period_to",
            *SUMMARY_KEYS,
            *EXTRA_KEYS,
            "dwellings_reached_share",
        )
    }
