"""iCalendar (RFC 5545) for events: one event's .ics, and the perimeter's public feed.

Each event keeps its UID from creation (Event.uid), so a calendar that subscribed to the feed
updates the same entry when the date moves and shows it cancelled (STATUS:CANCELLED) rather
than losing it. SEQUENCE grows with each edit. Times are Paris wall-clock times with
TZID=Europe/Paris, and the calendar carries the matching VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import icalendar
from flask_babel import gettext as _

from ..timeutil import UTC, to_paris, utcnow
from .models import Event

PRODID = "-//Coop-ère//coopere//FR"
TZID = "Europe/Paris"


def paris_timezone() -> icalendar.Timezone:
    """Europe/Paris as a VTIMEZONE with its yearly rules (the EU rule, in force since 1996):
    summer time from the last Sunday of March at 02:00, winter time from the last Sunday of
    October at 03:00."""
    zone = icalendar.Timezone()
    zone.add("tzid", TZID)
    zone.add("x-lic-location", TZID)
    zone.add_component(
        _change(icalendar.TimezoneDaylight(), "CEST", 1, 2, datetime(1970, 3, 29, 2))
    )
    zone.add_component(
        _change(icalendar.TimezoneStandard(), "CET", 2, 1, datetime(1970, 10, 25, 3))
    )
    return zone


def _change(part, name: str, before: int, after: int, first: datetime):
    """One yearly change of the clock: from UTC+`before` to UTC+`after` on the last Sunday of
    `first`'s month, at `first`'s hour."""
    part.add("tzname", name)
    part.add("tzoffsetfrom", _offset(before))
    part.add("tzoffsetto", _offset(after))
    part.add("dtstart", first)
    part.add("rrule", {"freq": "yearly", "bymonth": first.month, "byday": "-1su"})
    return part


def _offset(hours: int) -> timedelta:
    return timedelta(hours=hours)


def sequence(event: Event) -> int:
    """Grows with each edit: the seconds between creation and the last change."""
    if event.updated_at is None or event.created_at is None:
        return 0
    return max(int((event.updated_at - event.created_at).total_seconds()), 0)


def vevent(event: Event, *, stamp: datetime, url: str = "") -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", event.uid)
    item.add("dtstamp", stamp.replace(tzinfo=UTC))
    item.add("dtstart", to_paris(event.starts_at))
    item.add("dtend", to_paris(event.ends_at))
    title = event.display_title
    item.add("summary", _("Annulé : %(title)s", title=title) if event.cancelled else title)
    item.add("location", event.place)
    lines = [event.description] if event.description else []
    if event.rain_place:
        lines.append(_("En cas de pluie : %(place)s", place=event.rain_place))
    if lines:
        item.add("description", "\n".join(lines))
    item.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    item.add("sequence", sequence(event))
    if event.updated_at is not None:
        item.add("last-modified", event.updated_at.replace(tzinfo=UTC))
    item.add("transp", "OPAQUE")
    if url:
        item.add("url", url)
    return item


def calendar_bytes(events: Iterable[Event], *, name: str, url: str = "") -> bytes:
    """A VCALENDAR (PRODID, VERSION, X-WR-CALNAME, VTIMEZONE Europe/Paris) of the events."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    cal.add_component(paris_timezone())
    stamp = utcnow()
    for event in events:
        cal.add_component(vevent(event, stamp=stamp, url=url))
    return cal.to_ical()
