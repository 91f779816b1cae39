"""The console's perimeters page: rows read from the snapshots, filters, sorting, alerts, CSV, a
constant number of queries. Creating a perimeter, its coach: test_console_perimeter_creation.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from coopere.association.alerts import alerts, months_between
from coopere.association.link import NetworkLink
from coopere.association.models import (
    CoachingSession,
    PerimeterProfile,
    Snapshot,
)
from coopere.network import dispatch, registry
from console_support import COACH, CONSOLE, COORD, OTHER

NOW = datetime.now(timezone.utc)


def figures(**changes) -> dict:
    """A snapshot as collect() writes it (console-design.md), with `changes`."""
    today = NOW.date()
    data = {
        "version": 1,
        "taken_at": NOW.isoformat(),
        "perimeter_name": "",
        "dwellings": 250,
        "members": 40,
        "members_offline": 5,
        "reach": 0.16,
        "group_size": 7,
        "pilote": "Anatole A.",
        "copilote": None,
        "pilote_set": True,
        "copilote_set": True,
        "last_cafe": (today - timedelta(days=10)).isoformat(),
        "next_cafe": (today + timedelta(days=20)).isoformat(),
        "cafes_last_3_months": 3,
        "last_backup": (NOW - timedelta(hours=5)).isoformat(),
        "milestones": {},
        "months": {},
    }
    data.update(changes)
    return data


def set_profile(console, slug: str, **values) -> None:
    with registry.session(console.network) as db:
        profile = db.get(PerimeterProfile, slug)
        if profile is None:
            profile = PerimeterProfile(slug=slug, phase="amorcage", phase_since=date.today())
            db.add(profile)
        for key, value in values.items():
            setattr(profile, key, value)
        db.commit()


def page(client, query: str = "") -> str:
    response = client.get(f"{CONSOLE}/perimetres{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row_names(html: str, names=("Coop-ère des Lilas", "Coop-ère Tilleuls")) -> list[str]:
    """The perimeters' names in the order the page shows them."""
    return sorted((name for name in names if name in html), key=html.index)


# --- the rules of the alerts (no database) ---------------------------------------------------


@pytest.mark.no_database
def test_months_between_counts_whole_calendar_months():
    assert months_between(date(2026, 3, 14), date(2026, 5, 13)) == 1
    assert months_between(date(2026, 3, 14), date(2026, 5, 14)) == 2
    assert months_between(date(2025, 12, 31), date(2026, 1, 1)) == 0


@pytest.mark.no_database
def test_each_alert_in_words_and_only_in_the_phases_it_concerns():
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app)
    today = NOW.date()
    bad = figures(
        group_size=3,
        copilote_set=False,
        last_cafe=(today - timedelta(days=75)).isoformat(),
        last_backup=(NOW - timedelta(days=4)).isoformat(),
    )
    with app.test_request_context():
        texts = [a.text for a in alerts("structuration", bad, NOW, NOW, NOW)]
        assert "groupe de 3 personnes" in texts
        assert "pas de copilote" in texts
        assert "sauvegarde de plus de 2 jours" in texts
        assert any(text.startswith("pas de café depuis 2 mois") for text in texts)
        # amorçage: no café nor group yet, but the backups and the figures matter
        assert [a.key for a in alerts("amorcage", bad, NOW, NOW, NOW)] == ["old_backup"]
        assert alerts("ferme", bad, NOW, NOW, NOW) == []
        assert alerts("structuration", figures(), NOW, NOW, NOW) == []
        stale = alerts("lancement", figures(), NOW - timedelta(days=5), NOW, NOW)
        assert [a.text for a in stale] == ["pas de chiffres depuis 5 jours"]
        # no snapshot yet: counted from the perimeter's creation
        assert [a.text for a in alerts("amorcage", {}, None, NOW - timedelta(days=3), NOW)] == [
            "pas de chiffres depuis 3 jours"
        ]
        assert alerts("amorcage", {}, None, NOW, NOW) == []


# --- the page ---------------------------------------------------------------------------------


def test_each_account_sees_the_perimeters_it_follows(console):
    coordination = page(console.login(COORD))
    assert row_names(coordination) == ["Coop-ère des Lilas", "Coop-ère Tilleuls"]
    coach = page(console.login(COACH))
    assert "Coop-ère des Lilas" in coach and "Coop-ère Tilleuls" not in coach
    assert "Mise en route" not in coach  # the coordination's page
    nobody = page(console.login(OTHER))
    assert "Aucun périmètre ne vous est confié" in nobody


def test_a_row_shows_the_snapshot_figures_and_its_alerts(console):
    today = NOW.date()
    set_profile(console, "a", phase="structuration")
    NetworkLink(console.network, "a").write_snapshot(
        figures(
            group_size=3,
            pilote="Anatole A.",
            copilote=None,
            copilote_set=False,
            last_cafe=(today - timedelta(days=100)).isoformat(),
            last_backup=(NOW - timedelta(days=4)).isoformat(),
            cafes_last_3_months=0,
        ),
        taken_at=NOW,
    )
    with console.app.app_context():
        with registry.session(console.network) as db:
            coach_id = console.account_id(COACH)
            db.add_all(
                [
                    CoachingSession(slug="a", account_id=coach_id, held_on=today.replace(day=1),
                                    minutes=60, form="visio"),
                    CoachingSession(slug="a", account_id=coach_id, held_on=today, minutes=30,
                                    form="telephone"),
                    CoachingSession(slug="a", account_id=coach_id,
                                    held_on=today.replace(day=1) - timedelta(days=3), minutes=120,
                                    form="reunion"),
                ]
            )  # fmt: skip
            db.commit()
    html = page(console.login(COACH))
    for text in (
        "Structuration",
        "Bruno Accompagne",
        "Anatole A.",
        "pas de copilote",
        "3 / au moins 6",
        "groupe de 3 personnes",
        "pas de café depuis 3 mois",
        "sauvegarde de plus de 2 jours",
        "1,5 h",  # this month's 90 minutes, not last month's
        NOW.strftime("%d/%m/%Y"),
    ):
        assert text in html, text
    assert re.search(r"16\s%", html)  # the reach, a percentage (with a no-break space)
    with registry.session(console.network) as db:
        db.query(CoachingSession).delete()
        db.commit()


def test_a_pilote_without_consent_is_not_named(console):
    NetworkLink(console.network, "b").write_snapshot(
        figures(pilote=None, pilote_set=True, copilote=None, copilote_set=True), taken_at=NOW
    )
    html = page(console.login(COORD), "?q=tilleuls")
    assert "pilote : oui" in html and "copilote : oui" in html
    assert "Zéphyrine" not in html


def test_missing_or_old_figures_are_said(console):
    with registry.session(console.network) as db:
        db.query(Snapshot).filter(Snapshot.slug == "b").delete()
        db.commit()
    html = page(console.login(COORD), "?q=tilleuls")
    assert "pas encore de chiffres" in html
    NetworkLink(console.network, "b").write_snapshot(figures(), taken_at=NOW - timedelta(days=6))
    html = page(console.login(COORD), "?q=tilleuls")
    assert "pas de chiffres depuis 6 jours" in html


def test_filters_and_sorting_by_query_string(console):
    NetworkLink(console.network, "a").write_snapshot(figures(members=90), taken_at=NOW)
    NetworkLink(console.network, "b").write_snapshot(figures(members=12), taken_at=NOW)
    set_profile(console, "a", phase="lancement")
    set_profile(console, "b", phase="amorcage")
    client = console.login(COORD)
    assert row_names(page(client, "?tri=membres")) == ["Coop-ère Tilleuls", "Coop-ère des Lilas"]
    assert row_names(page(client, "?tri=membres&sens=desc")) == [
        "Coop-ère des Lilas",
        "Coop-ère Tilleuls",
    ]
    assert row_names(page(client, "?phase=amorcage")) == ["Coop-ère Tilleuls"]
    coach = console.account_id(COACH)
    assert row_names(page(client, f"?accompagnateur={coach}")) == ["Coop-ère des Lilas"]
    assert row_names(page(client, "?accompagnateur=aucun")) == ["Coop-ère Tilleuls"]
    assert row_names(page(client, "?q=LILAS")) == ["Coop-ère des Lilas"]
    assert row_names(page(client, "?q=nant")) == ["Coop-ère des Lilas", "Coop-ère Tilleuls"]
    assert row_names(page(client, "?departement=44")) == ["Coop-ère des Lilas", "Coop-ère Tilleuls"]
    assert row_names(page(client, "?departement=75")) == []
    # alerts only: A loses its copilote
    NetworkLink(console.network, "a").write_snapshot(figures(copilote_set=False), taken_at=NOW)
    assert row_names(page(client, "?alertes=1")) == ["Coop-ère des Lilas"]
    # nonsense in the query string is ignored, never a 500
    assert row_names(page(client, "?tri=%3Cscript%3E&phase=xyz&accompagnateur=abc")) == [
        "Coop-ère des Lilas",
        "Coop-ère Tilleuls",
    ]


def test_the_csv_export_has_the_same_rows_and_french_headers(console):
    set_profile(console, "a", phase="structuration")
    NetworkLink(console.network, "a").write_snapshot(
        figures(copilote_set=False, members=41), taken_at=NOW
    )
    NetworkLink(console.network, "b").write_snapshot(figures(), taken_at=NOW)
    response = console.login(COORD).get(f"{CONSOLE}/perimetres.csv?alertes=1")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, rows = lines[0], lines[1:]
    assert header[:3] == ["Identifiant", "Périmètre", "Commune"]
    assert "Alertes" in header and "Heures d'accompagnement ce mois-ci" in header
    assert [row[0] for row in rows] == ["a"]
    row = dict(zip(header, rows[0]))
    assert row["Membres"] == "41" and row["Portée"] == "0,16"
    assert row["Phase"] == "Structuration"
    assert "pas de copilote" in row["Alertes"]
    # a coach's export: their perimeters only
    coach_csv = console.login(COACH).get(f"{CONSOLE}/perimetres.csv").get_data().decode("utf-8-sig")
    assert "Tilleuls" not in coach_csv and "Lilas" in coach_csv


def _fake_perimeters(console, slugs: list[str]) -> None:
    """Perimeters the console knows of (entry, profile, snapshot) without their databases: the
    console's pages never open them."""
    with registry.session(console.network) as db:
        for n, slug in enumerate(slugs):
            db.add(
                registry.PerimeterEntry(
                    slug=slug, name=f"Essai {slug}", city="Lyon", postcode=f"69{n % 10}00",
                    estimated_dwellings=200, created_at=NOW, status_changed_at=NOW,
                )
            )  # fmt: skip
            db.add(PerimeterProfile(slug=slug, phase="lancement", phase_since=date.today()))
        db.commit()
    for slug in slugs:
        NetworkLink(console.network, slug).write_snapshot(figures(), taken_at=NOW)


def _remove_fakes(console, slugs: list[str]) -> None:
    with registry.session(console.network) as db:
        for model, column in (
            (registry.PerimeterEntry, registry.PerimeterEntry.slug),
            (PerimeterProfile, PerimeterProfile.slug),
            (Snapshot, Snapshot.slug),
        ):
            db.query(model).filter(column.in_(slugs)).delete()
        db.commit()


def test_the_page_makes_the_same_number_of_queries_for_3_and_30_perimeters(console, monkeypatch):
    engine = registry.engine(console.network)
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    client = console.login(COORD)
    fakes = [f"essai-{n:02d}" for n in range(28)]
    counts, pages = {}, {}

    def counted(url: str):
        # The network's dispatcher reads its list of perimeters again at most every
        # ROUTES_SECONDS: read on the first request, never during the counted one (however slow).
        monkeypatch.setattr(dispatch, "ROUTES_SECONDS", 0.0)
        client.get(url)
        monkeypatch.setattr(dispatch, "ROUTES_SECONDS", 3600.0)
        statements.clear()
        response = client.get(url)
        return len(statements), response.get_data(as_text=True)

    event.listen(engine, "before_cursor_execute", count)
    try:
        _fake_perimeters(console, fakes[:1])
        counts[3], pages[3] = counted(f"{CONSOLE}/perimetres")
        _fake_perimeters(console, fakes[1:])
        counts[30], pages[30] = counted(f"{CONSOLE}/perimetres")
        counts["csv"], _ = counted(f"{CONSOLE}/perimetres.csv")
    finally:
        event.remove(engine, "before_cursor_execute", count)
        _remove_fakes(console, fakes)
    assert pages[3].count("(essai-") == 1 and pages[30].count("(essai-") == 28
    assert counts[3] == counts[30], (counts, statements)
    assert counts["csv"] <= 8
    assert counts[30] <= 8, statements
