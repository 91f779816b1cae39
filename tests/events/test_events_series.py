"""Recurring series: their dates (right weekday in Paris time, months off, a 5th Saturday only
where there is one), refused series with nothing saved, editing the whole series in place
(same ids and calendar UIDs, dropped dates cancelled and those signed up told), editing or
cancelling one date, and `flask events extend`."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from factories import make_event
from helpers import post_form, text
from coopere.auth.models import User
from coopere.events.models import Event, EventSeries, EventSignup
from coopere.events.recurrence import extend_all
from coopere.timeutil import add_months, paris_today, to_paris
from coopere.extensions import db
from coopere.notifications.models import Notification

NEW = "/evenements/series/nouvelle"


def series_form(**changes) -> dict:
    """A café every first Saturday, 10:00-12:00, from today, as the animator types it."""
    values = {
        "kind": "cafe",
        "title": "",
        "weekday": "5",
        "week_of_month": "1",
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "Place des Lilas",
        "rain_place": "Salle de la Maison de quartier",
        "description": "Café, thé et gâteaux.",
        "max_places": "",
        "first_date": paris_today().isoformat(),
        "last_date": "",
        "months_off": [],
    }
    values.update(changes)
    return values


def create_series(client, **changes):
    return post_form(client, NEW, series_form(**changes), token_from=NEW)


def occurrences(app, series_id: int | None = None) -> list[Event]:
    with app.app_context():
        query = select(Event).where(Event.series_id.is_not(None))
        if series_id is not None:
            query = query.where(Event.series_id == series_id)
        rows = list(db.session.scalars(query.order_by(Event.starts_at)))
        db.session.expunge_all()
        return rows


def only_series(app) -> EventSeries:
    with app.app_context():
        series = db.session.scalars(select(EventSeries)).one()
        db.session.expunge(series)
        return series


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th `weekday` of a month, counted the plain way (n = -1: the last one)."""
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    if n == -1:
        return date(year, month, days[-1])
    return date(year, month, days[n - 1]) if n <= len(days) else None


def expected_dates(
    weekday: int, n: int, months_off=(), start: date | None = None, months: int = 12
) -> list[date]:
    start = start or paris_today()
    end = add_months(paris_today(), months)  # the site prepares 12 months from today
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        day = nth_weekday(year, month, weekday, n)
        if day and month not in months_off and start <= day <= end:
            found.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def signed_up_member(app, event_id: int, user: User) -> None:
    with app.app_context():
        db.session.add(EventSignup(event_id=event_id, user_id=user.id, created_by_id=user.id))
        db.session.commit()


def notices_of(app, user: User) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.text)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        )


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(EventSeries.id))),
            db.session.scalar(select(func.count(Event.id))),
        )


# --- the dates a series gives ---------------------------------------------------------------------


def test_a_series_gives_twelve_months_of_first_saturdays_at_ten_paris_time(app, client_as):
    animator = client_as("animator")
    # From tomorrow: today's date would be skipped once 10:00 has passed, as it should.
    start = paris_today() + timedelta(days=1)
    response = create_series(animator, first_date=start.isoformat())
    assert response.status_code == 302
    flash = text(animator.get(response.headers["Location"]))
    wanted = expected_dates(5, 1, start=start)
    assert f"Dates ajoutées : {len(wanted)}" in flash
    assert (
        "Le premier samedi du mois, de 10:00 à 12:00." in flash
    )  # the series, in words, on /evenements/

    events = occurrences(app)
    assert [event.occurrence_date for event in events] == wanted
    for event in events:
        start_paris, end_paris = to_paris(event.starts_at), to_paris(event.ends_at)
        assert start_paris.weekday() == 5 and start_paris.day <= 7
        assert (start_paris.time(), end_paris.time()) == (time(10), time(12))
        assert start_paris.date() == event.occurrence_date
        assert (
            event.place == "Place des Lilas"
            and event.rain_place == "Salle de la Maison de quartier"
        )
    # Stored in UTC: 09:00 in winter, 08:00 in summer; a year holds both.
    assert {event.starts_at.hour for event in events} == {8, 9}
    assert len({event.uid for event in events}) == len(events)


def test_months_off_are_skipped(app, client_as):
    animator = client_as("animator")
    start = paris_today() + timedelta(days=1)
    create_series(animator, first_date=start.isoformat(), months_off=["7", "8"])
    days = [event.occurrence_date for event in occurrences(app)]
    assert days == expected_dates(5, 1, months_off=(7, 8), start=start)
    assert not any(day.month in (7, 8) for day in days)
    assert only_series(app).months_off == "7,8"
    page = text(animator.get("/evenements/"))
    assert "sauf en juillet, août" in page


def test_a_fifth_saturday_series_only_falls_in_months_that_have_one(app, client_as):
    animator = client_as("animator")
    start = paris_today() + timedelta(days=1)
    create_series(animator, first_date=start.isoformat(), week_of_month="5", months_off=[])
    days = [event.occurrence_date for event in occurrences(app)]
    wanted = expected_dates(5, 5, start=start)
    assert days == wanted and days  # a year always has months with five Saturdays
    assert all(day.weekday() == 5 and day.day >= 29 for day in days)
    assert len(days) < 12  # months with four Saturdays have no date


def test_a_last_wednesday_series(app, client_as):
    animator = client_as("animator")
    start = paris_today() + timedelta(days=1)
    create_series(
        animator,
        kind="group_meeting",
        weekday="2",
        week_of_month="-1",
        start_time="18:30",
        end_time="20:00",
        first_date=start.isoformat(),
    )
    events = occurrences(app)
    assert [event.occurrence_date for event in events] == expected_dates(2, -1, start=start)
    for event in events:
        day = event.occurrence_date
        assert day.weekday() == 2 and day.day + 7 > calendar.monthrange(day.year, day.month)[1]
        assert to_paris(event.starts_at).time() == time(18, 30) and event.kind == "group_meeting"


def test_a_last_date_ends_the_series(app, client_as):
    animator = client_as("animator")
    start = paris_today() + timedelta(days=1)
    last = add_months(start, 3)
    create_series(animator, first_date=start.isoformat(), last_date=last.isoformat())
    days = [event.occurrence_date for event in occurrences(app)]
    assert days == [day for day in expected_dates(5, 1, start=start) if day <= last]
    assert 2 <= len(days) <= 4


# --- refused series: a French message, nothing saved ----------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"start_time": "12:00", "end_time": "10:00"},
            "L'heure de fin doit venir après l'heure de début.",
        ),
        (
            {"start_time": "10:00", "end_time": "10:00"},
            "L'heure de fin doit venir après l'heure de début.",
        ),
        (
            {"first_date": (date.today() - timedelta(days=2)).isoformat()},
            "La première date est déjà passée : choisissez une date à venir.",
        ),
        (
            {"months_off": [str(m) for m in range(1, 13)]},
            "Tous les mois sont sans rendez-vous : cette série ne donnerait aucune date.",
        ),
        (
            {
                "last_date": (date.today() + timedelta(days=5)).isoformat(),
                "first_date": (date.today() + timedelta(days=9)).isoformat(),
            },
            "La dernière date doit venir après la première date.",
        ),
        ({"place": ""}, "Indiquez le lieu."),
        ({"first_date": "31/02/2027"}, "Indiquez une date valide"),
    ],
)
def test_a_refused_series_saves_nothing(app, client_as, changes, message):
    animator = client_as("animator")
    response = create_series(animator, **changes)
    assert response.status_code == 422
    page = text(response)
    assert message in page and "Rien n'a été enregistré" in page
    assert counts(app) == (0, 0)


def test_a_series_that_never_gives_a_date_is_refused(app, client_as):
    """First Saturday of the month, but between two first Saturdays: no date at all."""
    animator = client_as("animator")
    month = add_months(paris_today().replace(day=1), 1)
    first_saturday = nth_weekday(month.year, month.month, 5, 1)
    following = add_months(month, 1)
    next_first = nth_weekday(following.year, following.month, 5, 1)
    response = create_series(
        animator,
        first_date=(first_saturday + timedelta(days=1)).isoformat(),
        last_date=(next_first - timedelta(days=1)).isoformat(),
    )
    assert response.status_code == 422
    assert "Cette série ne donnerait aucune date entre la première et la dernière date" in text(
        response
    )
    assert counts(app) == (0, 0)
    # A 5th Saturday in February only: rare (a leap year whose 29th is a Saturday) but it does
    # come, so the series is kept; the list says it has no date in the next twelve months.
    only_february = [str(m) for m in range(1, 13) if m != 2]
    response = create_series(animator, week_of_month="5", weekday="5", months_off=only_february)
    assert response.status_code == 302
    assert counts(app) == (1, 0)
    assert "Pas de date dans les douze prochains mois." in text(animator.get("/evenements/"))


def test_members_cannot_create_edit_or_cancel(app, client_as, users):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    series = only_series(app)
    first = occurrences(app)[0]
    member = client_as("member")
    assert member.get(NEW).status_code == 403
    data = series_form(place="Chez moi")
    assert post_form(member, NEW, data, token_from="/").status_code == 403
    assert post_form(member, f"/evenements/series/{series.id}/modifier", data).status_code == 403
    assert post_form(member, f"/evenements/{first.id}/annuler").status_code == 403
    assert (
        post_form(member, f"/evenements/{first.id}/modifier", {"place": "Chez moi"}).status_code
        == 403
    )
    assert counts(app)[0] == 1
    assert all(
        event.place == "Place des Lilas" and not event.cancelled for event in occurrences(app)
    )


# --- editing the whole series ---------------------------------------------------------------------


def test_editing_the_series_updates_its_dates_in_place(app, client_as, users):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    series = only_series(app)
    before = occurrences(app)
    ids = {event.occurrence_date: (event.id, event.uid) for event in before}
    edit = f"/evenements/series/{series.id}/modifier"
    page = text(animator.get(edit))
    assert 'value="Place des Lilas"' in page and "Prochaines dates de la série" in page

    response = post_form(
        animator,
        edit,
        series_form(
            first_date=series.first_date.isoformat(),
            start_time="14:00",
            end_time="16:30",
            place="Square des Tilleuls",
            max_places="25",
        ),
        token_from=edit,
    )
    assert response.status_code == 302
    after = occurrences(app)
    assert {event.occurrence_date: (event.id, event.uid) for event in after} == ids
    for event in after:
        assert (to_paris(event.starts_at).time(), to_paris(event.ends_at).time()) == (
            time(14),
            time(16, 30),
        )
        assert (
            event.place == "Square des Tilleuls" and event.max_places == 25 and not event.cancelled
        )
    flash = text(animator.get("/evenements/"))
    assert f"Dates modifiées : {len(after)}" in flash and "Dates annulées : 0" in flash


def test_dropped_dates_are_cancelled_and_those_signed_up_told_in_their_language(
    app, client_as, users, create_user
):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    series = only_series(app)
    events = occurrences(app)
    dropped = events[1]
    english = create_user(first_name="Emma", last_name="Stone", locale="en")
    signed_up_member(app, dropped.id, users["member"])
    signed_up_member(app, dropped.id, english)
    signed_up_member(app, events[2].id, users["member"])

    edit = f"/evenements/series/{series.id}/modifier"
    response = post_form(
        animator,
        edit,
        series_form(
            first_date=series.first_date.isoformat(),
            months_off=[str(dropped.occurrence_date.month)],
        ),
        token_from=edit,
    )
    assert response.status_code == 302
    after = {event.id: event for event in occurrences(app)}
    assert len(after) == len(events)  # cancelled, not deleted
    assert after[dropped.id].cancelled and after[dropped.id].uid == dropped.uid
    assert not after[dropped.id].detached  # the series may bring the date back
    assert [event.id for event in after.values() if event.cancelled] == [dropped.id]
    flash = text(animator.get("/evenements/"))
    assert "Dates annulées : 1" in flash and "Personnes prévenues : 2" in flash

    day = dropped.occurrence_date
    french_day = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"][
        day.weekday()
    ]
    french_month = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ][day.month - 1]
    assert notices_of(app, users["member"]) == [
        f"Le café-rencontre du {french_day} {'1er' if day.day == 1 else day.day} "
        f"{french_month} est annulé."
    ]
    # Emma reads English: the date at least is hers (the sentence is until it is translated).
    assert f"Saturday {day.day} {day.strftime('%B')}" in notices_of(app, english)[0]
    # The cancelled date stays visible, marked.
    member = client_as("member")
    page = text(member.get("/rendez-vous"))
    assert page.count("Annulé") >= 1 and "Ce rendez-vous est annulé." in page


def test_a_dropped_date_comes_back_when_the_series_gives_it_again(app, client_as, users):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    series = only_series(app)
    dropped = occurrences(app)[1]
    signed_up_member(app, dropped.id, users["member"])
    edit = f"/evenements/series/{series.id}/modifier"
    post_form(
        animator,
        edit,
        series_form(
            first_date=series.first_date.isoformat(),
            months_off=[str(dropped.occurrence_date.month)],
        ),
        token_from=edit,
    )
    post_form(
        animator, edit, series_form(first_date=series.first_date.isoformat()), token_from=edit
    )
    back = {event.id: event for event in occurrences(app)}[dropped.id]
    assert not back.cancelled and back.uid == dropped.uid
    assert notices_of(app, users["member"])[-1].endswith("aura bien lieu.")


def test_editing_the_series_leaves_dates_edited_or_cancelled_alone(app, client_as, users):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    series = only_series(app)
    events = occurrences(app)
    moved, cancelled = events[0], events[1]
    # Move the first date one day later and to another place: that date alone.
    new_day = moved.occurrence_date + timedelta(days=1)
    edit_one = f"/evenements/{moved.id}/modifier"
    page = text(animator.get(edit_one))
    assert "Cette date fait partie d'une série" in page and "Modifier plutôt toute la série" in page
    response = post_form(
        animator,
        edit_one,
        {
            "kind": "cafe",
            "title": "",
            "day": new_day.isoformat(),
            "start": "10:00",
            "end": "12:00",
            "place": "Jardin partagé",
            "rain_place": "",
            "description": "",
            "max_places": "",
        },
        token_from=edit_one,
    )
    assert response.status_code == 302
    # Cancel the second date (confirmation page, then the button).
    confirm = text(animator.get(f"/evenements/{cancelled.id}/annuler"))
    assert "Seule cette date est annulée" in confirm
    assert (
        post_form(
            animator,
            f"/evenements/{cancelled.id}/annuler",
            token_from=f"/evenements/{cancelled.id}/annuler",
        ).status_code
        == 302
    )

    edit = f"/evenements/series/{series.id}/modifier"
    post_form(
        animator,
        edit,
        series_form(
            first_date=series.first_date.isoformat(),
            start_time="15:00",
            end_time="17:00",
            place="Square des Tilleuls",
        ),
        token_from=edit,
    )
    after = {event.id: event for event in occurrences(app)}
    assert after[moved.id].detached and after[moved.id].place == "Jardin partagé"
    assert to_paris(after[moved.id].starts_at) == datetime(
        new_day.year,
        new_day.month,
        new_day.day,
        10,
        tzinfo=to_paris(after[moved.id].starts_at).tzinfo,
    )
    assert after[cancelled.id].cancelled and after[cancelled.id].detached
    others = [event for event in after.values() if event.id not in (moved.id, cancelled.id)]
    assert all(
        event.place == "Square des Tilleuls" and to_paris(event.starts_at).time() == time(15)
        for event in others
    )
    # No second event for the moved date: the series knows it is the same date, moved.
    assert len(after) == len(events)


def test_moving_one_date_tells_those_signed_up(app, client_as, users):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    event = occurrences(app)[0]
    signed_up_member(app, event.id, users["member"])
    edit_one = f"/evenements/{event.id}/modifier"
    post_form(
        animator,
        edit_one,
        {
            "kind": "cafe",
            "title": "",
            "day": event.occurrence_date.isoformat(),
            "start": "15:00",
            "end": "17:00",
            "place": "Place des Lilas",
            "rain_place": "",
            "description": "",
            "max_places": "",
        },
        token_from=edit_one,
    )
    [notice] = notices_of(app, users["member"])
    assert (
        notice.startswith("Le rendez-vous du ") and "de 15:00 à 17:00, Place des Lilas." in notice
    )


def test_cancelling_one_date_tells_everyone_signed_up_and_keeps_it_visible(
    app, client_as, users, create_user
):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    events = occurrences(app)
    target = events[0]
    other = create_user(first_name="Jeanne", last_name="Morel")
    signed_up_member(app, target.id, users["member"])
    signed_up_member(app, target.id, other)
    page = text(animator.get(f"/evenements/{target.id}/annuler"))
    assert "Personnes inscrites qui seront prévenues : 2" in page
    response = post_form(
        animator, f"/evenements/{target.id}/annuler", token_from=f"/evenements/{target.id}/annuler"
    )
    assert response.status_code == 302
    assert "Personnes prévenues : 2" in text(animator.get(response.headers["Location"]))
    assert len(notices_of(app, users["member"])) == 1 and len(notices_of(app, other)) == 1
    assert notices_of(app, other)[0].startswith("Le café-rencontre du samedi ")
    after = {event.id: event for event in occurrences(app)}
    assert after[target.id].cancelled and not any(after[e.id].cancelled for e in events[1:])
    # Still listed, marked, for animators and members.
    assert "Annulé" in text(animator.get(f"/evenements/{target.id}"))
    member_page = text(client_as("member").get("/rendez-vous"))
    assert "Ce rendez-vous est annulé." in member_page
    # Cancelling again is refused, nothing more sent.
    again = post_form(animator, f"/evenements/{target.id}/annuler", token_from="/evenements/")
    assert "Ce rendez-vous est déjà annulé." in text(animator.get(again.headers["Location"]))
    assert len(notices_of(app, users["member"])) == 1


def test_a_past_event_cannot_be_cancelled(app, client_as, users):
    past_id = make_event(app, days=-3)
    animator = client_as("animator")
    response = post_form(animator, f"/evenements/{past_id}/annuler", token_from="/evenements/")
    assert "Ce rendez-vous est déjà passé" in text(animator.get(response.headers["Location"]))
    with app.app_context():
        assert not db.session.get(Event, past_id).cancelled


# --- keeping twelve months ahead ------------------------------------------------------------------


def test_flask_events_extend_adds_the_missing_dates(app, client_as, runner):
    animator = client_as("animator")
    create_series(animator, first_date=(paris_today() + timedelta(days=1)).isoformat())
    events = occurrences(app)
    with app.app_context():  # as if the last two dates had never been generated
        for event in events[-2:]:
            db.session.delete(db.session.get(Event, event.id))
        db.session.commit()
    result = runner.invoke(args=["events", "extend"])
    assert result.exit_code == 0, result.output
    assert "2 date(s) ajoutée(s)" in result.output
    assert [event.occurrence_date for event in occurrences(app)] == [
        event.occurrence_date for event in events
    ]
    again = runner.invoke(args=["events", "extend"])
    assert "0 date(s) ajoutée(s)" in again.output
    # A month later, one more month is prepared.
    with app.app_context():
        assert extend_all(today=add_months(paris_today(), 1)) in (
            1,
            2,
        )  # a first Saturday, maybe two months' worth
        db.session.rollback()


def test_the_programme_page_lists_series_and_links(app, client_as):
    animator = client_as("animator")
    page = text(animator.get("/evenements/"))
    assert "Nouvelle série" in page and "Programme du mois à imprimer" in page
    assert 'href="/evenements/programme.pdf?mois=' in page
    assert "Aucune série." in page


def test_started_and_ended_have_one_definition_with_inclusive_edges(app):
    """At its start time an event has started (sign-ups close); at its end time it has ended (the
    desk report and the roster treat it as past). Five copies once disagreed on these edges."""
    from datetime import datetime

    from coopere.events.models import Event

    event = Event(starts_at=datetime(2026, 3, 7, 9), ends_at=datetime(2026, 3, 7, 11))
    assert not event.has_started(datetime(2026, 3, 7, 8, 59))
    assert event.has_started(datetime(2026, 3, 7, 9)) and not event.has_ended(
        datetime(2026, 3, 7, 10, 59)
    )
    assert event.has_ended(datetime(2026, 3, 7, 11))
