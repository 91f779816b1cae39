"""iCalendar: one event's .ics and the perimeter's public feed parse with `icalendar`, carry the
Europe/Paris VTIMEZONE and TZID, keep each event's UID across edits (of the series and of one
date), mark cancelled events, and leave the group's meetings out of public view."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from factories import get_event, make_event
from helpers import post_form
from coopere.events.models import Event, EventSeries
from coopere.events.recurrence import save_series
from coopere.timeutil import paris_today, to_paris
from coopere.extensions import db
from coopere.timeutil import utcnow

PARIS = ZoneInfo("Europe/Paris")


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def vevents(cal) -> dict[str, icalendar.Event]:
    return {str(item["UID"]): item for item in cal.walk("VEVENT")}


def make_series(app) -> EventSeries:
    with app.app_context():
        result = save_series(
            None,
            {
                "kind": "cafe",
                "title": "",
                "weekday": 5,
                "week_of_month": 1,
                "start_time": time(10),
                "end_time": time(12),
                "place": "Place des Lilas",
                "rain_place": "",
                "description": "",
                "max_places": None,
                "first_date": paris_today() + timedelta(days=1),
                "last_date": None,
                "months_off": [],
            },
        )
        db.session.commit()
        db.session.refresh(result.series)
        db.session.expunge(result.series)
        return result.series


def test_the_public_feed_is_a_calendar_with_the_paris_timezone(app, client_as, users):
    next_year, rain = paris_today().year + 1, "Salle de la Maison de quartier"
    summer = get_event(app, make_event(app, day=date(next_year, 7, 4), rain_place=rain))
    winter = get_event(
        app, make_event(app, day=date(next_year, 1, 9), start=time(14), rain_place=rain)
    )
    cal = parse(client_as(None).get("/calendrier.ics"))
    assert str(cal["VERSION"]) == "2.0" and "coopere" in str(cal["PRODID"]).lower()
    assert str(cal["X-WR-CALNAME"]) == "Coop-ère de la rue des Lilas"
    [zone] = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    offsets = {str(part.name): part["TZOFFSETTO"].td for part in zone.subcomponents}
    assert offsets == {"DAYLIGHT": timedelta(hours=2), "STANDARD": timedelta(hours=1)}
    items = vevents(cal)
    for event, local_start in ((summer, time(10)), (winter, time(14))):
        item = items[event.uid]
        assert item["DTSTART"].params["TZID"] == "Europe/Paris"
        assert item["DTEND"].params["TZID"] == "Europe/Paris"
        start = item.decoded("DTSTART")
        assert start.tzinfo is not None and start.astimezone(PARIS).time() == local_start
        assert start.astimezone(ZoneInfo("UTC")).replace(tzinfo=None) == event.starts_at
        assert str(item["SUMMARY"]) == "Café-rencontre"
        assert str(item["LOCATION"]) == "Place des Lilas"
        assert "En cas de pluie : Salle de la Maison de quartier" in str(item["DESCRIPTION"])
        assert str(item["STATUS"]) == "CONFIRMED" and "DTSTAMP" in item
    # The raw text says it too, as calendar programs read it.
    raw = client_as(None).get("/calendrier.ics").get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Paris:" in raw and "BEGIN:VTIMEZONE" in raw


def test_the_feed_marks_cancelled_events_and_leaves_group_meetings_out(app, client_as, users):
    cancelled = get_event(app, make_event(app, cancelled=True))
    meeting = get_event(app, make_event(app, kind="group_meeting", title="Réunion du groupe"))
    items = vevents(parse(client_as(None).get("/calendrier.ics")))
    assert str(items[cancelled.uid]["STATUS"]) == "CANCELLED"
    assert str(items[cancelled.uid]["SUMMARY"]).startswith("Annulé : ")
    assert meeting.uid not in items


def test_the_feed_goes_a_month_back_and_a_year_ahead(app, client_as, users):
    uids = {
        name: get_event(app, make_event(app, starts_at=utcnow() + timedelta(days=days))).uid
        for name, days in (("old", -60), ("recent", -7), ("far", 400))
    }
    items = vevents(parse(client_as(None).get("/calendrier.ics")))
    assert uids["recent"] in items and uids["old"] not in items and uids["far"] not in items


def test_uids_stay_the_same_when_the_series_or_one_date_is_edited(app, client_as, users):
    series = make_series(app)
    anonymous = client_as(None)
    before = vevents(parse(anonymous.get("/calendrier.ics")))
    with app.app_context():
        dates = list(
            db.session.scalars(
                select(Event).where(Event.series_id == series.id).order_by(Event.starts_at)
            )
        )
        first_id, first_uid = dates[0].id, dates[0].uid
        uids = {event.uid for event in dates}
    assert uids <= set(before)
    sequence_before = int(before[first_uid]["SEQUENCE"])

    animator = client_as("animator")
    edit = f"/evenements/series/{series.id}/modifier"
    form = {
        "kind": "cafe",
        "title": "",
        "weekday": "5",
        "week_of_month": "1",
        "start_time": "14:00",
        "end_time": "16:00",
        "place": "Square des Tilleuls",
        "rain_place": "",
        "description": "",
        "max_places": "",
        "first_date": series.first_date.isoformat(),
        "last_date": "",
    }
    assert post_form(animator, edit, form, token_from=edit).status_code == 302
    moved = vevents(parse(anonymous.get("/calendrier.ics")))
    assert {uid for uid in moved if uid in uids} == uids
    item = moved[first_uid]
    assert item.decoded("DTSTART").astimezone(PARIS).time() == time(14)
    assert str(item["LOCATION"]) == "Square des Tilleuls"

    # One date moved alone: same UID again, its own .ics says so too.
    one = f"/evenements/{first_id}/modifier"
    day = to_paris(
        item.decoded("DTSTART").astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    ).date() + timedelta(days=1)
    assert (
        post_form(
            animator,
            one,
            {
                "kind": "cafe",
                "title": "Café du dimanche",
                "day": day.isoformat(),
                "start": "11:00",
                "end": "13:00",
                "place": "Jardin partagé",
                "rain_place": "",
                "description": "",
                "max_places": "",
            },
            token_from=one,
        ).status_code
        == 302
    )
    single = vevents(parse(anonymous.get(f"/rendez-vous/{first_id}.ics")))
    assert list(single) == [first_uid]
    assert single[first_uid].decoded("DTSTART") == datetime(
        day.year, day.month, day.day, 11, tzinfo=PARIS
    )
    assert str(single[first_uid]["SUMMARY"]) == "Café du dimanche"
    assert int(single[first_uid]["SEQUENCE"]) >= sequence_before


def test_one_events_ics_is_a_download(app, client_as, users):
    event = get_event(app, make_event(app))
    response = client_as(None).get(f"/rendez-vous/{event.id}.ics")
    cal = parse(response)
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="cafe-rencontre-'
    )
    assert [str(item["UID"]) for item in cal.walk("VEVENT")] == [event.uid]
    assert len(cal.walk("VTIMEZONE")) == 1


@pytest.mark.parametrize(
    "role, status", [(None, 404), ("member", 404), ("animator", 200), ("admin", 200)]
)
def test_a_group_meetings_ics_is_for_animators(app, client_as, users, role, status):
    meeting = get_event(app, make_event(app, kind="group_meeting"))
    response = client_as(role).get(f"/rendez-vous/{meeting.id}.ics")
    assert response.status_code == status
    if status == 200:
        assert meeting.uid in response.get_data(as_text=True)
    response.close()


def test_an_unknown_event_is_not_found(client_as, users):
    assert client_as(None).get("/rendez-vous/999.ics").status_code == 404
