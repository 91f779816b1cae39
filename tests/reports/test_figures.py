"""The perimeter's figures, checked against a small perimeter whose every number is known."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from known_perimeter import at, seed_known_perimeter
from sqlalchemy import select

from coopere.auth.models import Role, User
from coopere.dwellings.models import Dwelling
from coopere.extensions import db
from coopere.reports.dashboard import tables
from coopere.reports.period import Period, make_period
from coopere.reports.summary import SUMMARY_KEYS, merge, summary

FIRST_HALF = Period(date(2026, 1, 1), date(2026, 6, 30))


@pytest.fixture
def known(app, themes):
    with app.app_context():
        return seed_known_perimeter(themes)


EXPECTED_FIRST_HALF = {
    "dwellings": 3,
    "members": 4,
    "members_offline": 1,
    "reach": 1.333,
    "dwellings_reached": 2,
    "offers_open": 1,
    "needs_open": 2,
    "exchanges_done": 1,
    "cafes_held": 2,
    "cafe_attendance": 6,
    "letters_sent": 2,
    "members_sponsored": 1,
    "members_new": 4,
    "offers_published": 2,
    "needs_published": 2,
    "exchanges_accepted": 2,
    "projects": 1,
    "project_participants": 2,
    "cafe_newcomers": 3,
    "cafe_registrations": 2,
    "letter_scans": 3,
    "group_size": 1,
}


def test_summary_of_a_known_perimeter(app, known):
    with app.app_context():
        figures = summary(FIRST_HALF)
    assert {key: figures[key] for key in EXPECTED_FIRST_HALF} == EXPECTED_FIRST_HALF
    assert figures["activations_pending"] == 4  # Rose, Paul, Marie and Jules have no password yet
    assert figures["dwellings_reached_share"] == 0.667


def test_the_whole_year_counts_what_happened_after_june(app, known):
    with app.app_context():
        figures = summary(Period(date(2026, 1, 1), date(2026, 11, 27)))
    assert figures["exchanges_done"] == 2
    assert figures["members"] == 5  # Jules registered in September
    assert figures["reach"] == 1.667
    assert figures["dwellings_reached"] == 2  # Jules lives where Paul does


def test_reach_per_street_and_building(app, known):
    with app.app_context():
        streets = tables(FIRST_HALF)["reach-streets"]
        buildings = tables(FIRST_HALF)["reach-buildings"]
    rows = {row[0]: row for row in streets.rows}
    # place, dwellings, members, reached, share reached, members per dwelling
    assert rows["Rue des Lilas"] == ("Rue des Lilas", 2, 2, 1, 50.0, 1.0)
    assert rows["Allée des Tilleuls"] == (
        "Allée des Tilleuls",
        1,
        1,
        1,
        100.0,
        1.0,
    )  # the vacant one is left out
    assert streets.total == ("Tout le périmètre", 3, 3, 2, 66.7, 1.0)
    assert buildings.rows == ()  # houses only: each is counted in its street


def test_reach_per_building_lists_addresses_of_several_dwellings(app, known):
    with app.app_context():
        for flat in ("A01", "A02", "B01"):
            db.session.add(
                Dwelling(
                    number=12,
                    street="Boulevard des Tilleuls",
                    complement=flat,
                    postcode="44300",
                    city="Nantes",
                    address_key=f"12 bd tilleuls {flat}",
                )
            )
        db.session.add(
            Dwelling(
                number=2,
                street="Boulevard des Tilleuls",
                complement="A01",
                postcode="44300",
                city="Nantes",
                address_key="2 bd tilleuls a01",
            )
        )
        db.session.add(
            Dwelling(
                number=2,
                street="Boulevard des Tilleuls",
                complement="A02",
                postcode="44300",
                city="Nantes",
                address_key="2 bd tilleuls a02",
            )
        )
        db.session.flush()
        flat = db.session.scalar(
            select(Dwelling.id).where(Dwelling.address_key == "12 bd tilleuls A01")
        )
        db.session.add(
            User(
                first_name="Nina",
                last_name="Exemple",
                dwelling_id=flat,
                created_at=at("2026-02-01"),
            )
        )
        db.session.commit()
        buildings = tables(FIRST_HALF)["reach-buildings"]
    assert buildings.rows == (
        ("2 Boulevard des Tilleuls", 2, 0, 0, 0.0, 0.0),  # 2 before 12: numbers, not text
        ("12 Boulevard des Tilleuls", 3, 1, 1, 33.3, 0.333),
    )


def test_members_exchanges_themes_cafes_letters_tables(app, known):
    with app.app_context():
        out = tables(FIRST_HALF)
    members = {row[0]: row[1:] for row in out["members"].rows}
    assert list(members) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert members["2026-01"] == (1, 2, 0)  # Lucien new; Marie and Lucien at the end of January
    assert members["2026-03"] == (2, 5, 1)
    assert members["2026-04"] == (0, 4, 1)  # Lucien left on 1 April
    exchanges = {row[0]: row[1:] for row in out["exchanges"].rows}
    assert exchanges["2026-03"] == (1, 1) and exchanges["2026-04"] == (1, 0)
    assert out["exchanges"].total == ("Total", 2, 1)
    themes = {row[0]: row[1:] for row in out["themes"].rows}
    assert themes["Coups de main"] == (
        1,
        1,
        2,
        0,
        1,
    )  # open offer, old open need, 2 offers published, 1 fulfilled
    assert themes["Conseils"][:4] == (0, 1, 0, 2)
    statuses = {row[0]: row[1:] for row in out["statuses"].rows}  # offers, needs, projects, today
    assert statuses["Ouvertes"] == (1, 2, 1) and statuses["Réalisées"] == (1, 0, 0)
    assert statuses["Fermées"] == (0, 1, 0) and out["statuses"].total == (
        "Toutes les annonces",
        2,
        3,
        1,
    )
    assert out["cafes"].rows == (("2026-02-07", 4, 2, 1, 2), ("2026-03-07", 2, 1, 1, 0))
    assert out["letters"].rows[0][2:] == (
        2,
        3,
        1.5,
        4,
    )  # letters, scans, per letter, registrations since (Jules too)
    assert out["projects"].rows[0][2:] == ("2026-05-09", 2, 10, "")  # not from a sheet
    group = {row[0]: row[1] for row in out["group"].rows}
    assert group == {"Marie E.": 2, "Rose E.": 1, "Tâches restées sans volontaire": 1}
    assert out["group"].meta["public"] is False  # names: never in the yearly report


def test_an_empty_perimeter_divides_nothing_by_zero(app, themes):
    with app.app_context():
        figures = summary(make_period("year"))
        out = tables(make_period("all"))
    assert figures["reach"] is None and figures["dwellings_reached_share"] is None
    assert {key: figures[key] for key in SUMMARY_KEYS if key != "reach"} == dict.fromkeys(
        (k for k in SUMMARY_KEYS if k != "reach"), 0
    )
    assert out["reach-streets"].rows == () and out["reach-streets"].total[1:] == (
        0,
        0,
        0,
        None,
        None,
    )
    assert out["cafes"].rows == () and out["letters"].rows == ()


def test_periods():
    today = date(2026, 11, 27)
    assert make_period("month", today=today) == Period(date(2026, 11, 1), today, "month")
    assert make_period("year", today=today) == Period(date(2026, 1, 1), today, "year")
    assert make_period("last12", today=today).start == date(2025, 12, 1)
    assert Period(date(2025, 11, 15), date(2026, 2, 3)).months() == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    # Paris midnight is 23:00 UTC in winter and 22:00 in summer
    assert Period(date(2026, 1, 1), date(2026, 6, 30)).start_utc == datetime(2025, 12, 31, 23)
    assert Period(date(2026, 1, 1), date(2026, 6, 30)).end_utc == datetime(2026, 6, 30, 22)


@pytest.mark.parametrize(
    "start, end, message",
    [
        (date(2026, 5, 1), date(2026, 4, 1), "La fin de la période doit venir après son début."),
        (date(1990, 1, 1), date(2026, 4, 1), "Choisissez des dates entre l'an 2000"),
    ],
)
def test_impossible_periods_are_refused_in_french(app, start, end, message):
    from coopere.reports.period import PeriodError

    with app.test_request_context(), pytest.raises(PeriodError, match=message):
        make_period("custom", start, end)


def test_merge_adds_up_and_recomputes_the_ratios():
    one = {
        "perimeter": "Lilas",
        "period_from": "2026-01-01",
        "period_to": "2026-06-30",
        **dict.fromkeys(SUMMARY_KEYS, 0),
        "dwellings": 100,
        "members": 30,
        "reach": 0.3,
        "dwellings_reached": 20,
    }
    two = {
        "perimeter": "Tilleuls",
        "period_from": "2026-02-01",
        "period_to": "2026-07-31",
        **dict.fromkeys(SUMMARY_KEYS, 0),
        "dwellings": 300,
        "members": 10,
        "reach": 0.033,
        "dwellings_reached": 10,
        "cafes_held": 2,
    }
    merged = merge([one, two])
    assert merged["perimeters"] == 2 and merged["names"] == ["Lilas", "Tilleuls"]
    assert (merged["dwellings"], merged["members"], merged["cafes_held"]) == (400, 40, 2)
    assert merged["reach"] == 0.1  # 40 ÷ 400, not the mean of 0.3 and 0.033
    assert merged["dwellings_reached_share"] == 0.075
    assert (merged["period_from"], merged["period_to"]) == ("2026-01-01", "2026-07-31")


def test_report_json_command(app, runner, known):
    result = runner.invoke(args=["report", "--json", "--from", "2026-01-01", "--to", "2026-06-30"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(SUMMARY_KEYS) <= set(figures)
    assert {key: figures[key] for key in EXPECTED_FIRST_HALF} == EXPECTED_FIRST_HALF
    plain = runner.invoke(args=["report", "--from", "2026-01-01", "--to", "2026-06-30"])
    assert (
        "Membres par logement : 1,33" in plain.output
        and "Cafés-rencontres tenus : 2" in plain.output
    )


def test_report_merge_command(app, runner, known, tmp_path):
    figures = runner.invoke(
        args=["report", "--json", "--from", "2026-01-01", "--to", "2026-06-30"]
    ).output
    (tmp_path / "a.json").write_text(figures, encoding="utf-8")
    (tmp_path / "b.json").write_text(figures, encoding="utf-8")
    result = runner.invoke(
        args=["report", "--merge", str(tmp_path / "a.json"), str(tmp_path / "b.json")]
    )
    assert result.exit_code == 0, result.output
    merged = json.loads(result.output)
    assert merged["members"] == 8 and merged["dwellings"] == 6 and merged["reach"] == 1.333
    assert merged["cafe_attendance"] == 12 and merged["letters_sent"] == 4


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "n'existe pas"),
        ("pas du json", "n'est pas un rapport JSON lisible"),
        ("[1, 2]", "n'est pas un rapport de périmètre"),
        ('{"members": 3}', "il manque dwellings"),
        (
            '{"dwellings": 1, "members": "=cmd", "members_offline": 0, "reach": 0, '
            '"dwellings_reached": 0, "offers_open": 0, "needs_open": 0, "exchanges_done": 0, '
            '"cafes_held": 0, "cafe_attendance": 0, '
            '"letters_sent": 0}',
            "valeur invalide pour members",
        ),
    ],
)
def test_report_merge_refuses_what_is_not_a_report(app, runner, tmp_path, content, message):
    path = tmp_path / "rapport.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["report", "--merge", str(path)])
    assert result.exit_code == 2 and message in result.output


def test_report_refuses_bad_dates(app, runner):
    result = runner.invoke(args=["report", "--json", "--from", "31/01/2026"])
    assert result.exit_code == 2 and "n'est pas une date AAAA-MM-JJ" in result.output
    result = runner.invoke(args=["report", "--json", "--from", "2026-05-01", "--to", "2026-04-01"])
    assert (
        result.exit_code == 2
        and "La fin de la période doit venir après son début." in result.output
    )


def test_figures_after_a_member_who_left_is_erased(app, known):
    """Erasing a person keeps an anonymous row: not one figure changes."""
    erasure = pytest.importorskip("coopere.privacy.erasure")
    with app.app_context():
        admin = User(
            first_name="Ada",
            last_name="Admin",
            role=Role.ADMIN.value,
            email="ada@example.org",
            password_hash="x",
            created_at=at("2026-11-01"),
        )
        db.session.add(admin)
        db.session.commit()
        before_summary, before_tables = summary(FIRST_HALF), tables(FIRST_HALF)
        for name in ("gone", "odette"):
            erasure.erase_member(db.session.get(User, known[name]), actor=admin)
            db.session.commit()
        assert (
            db.session.scalar(select(User.first_name).where(User.id == known["odette"])) != "Odette"
        )
        after_summary, after_tables = summary(FIRST_HALF), tables(FIRST_HALF)
    assert after_summary == before_summary
    assert {name: t.rows for name, t in after_tables.items()} == {
        name: t.rows for name, t in before_tables.items()
    }
