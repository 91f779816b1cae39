"""The network figures in the console: the perimeters' snapshot months added up (stocks at the end
of the period, flows summed, reach recomputed), the filters, the month by month table, the CSV
exports, the yearly report PDF (totals, no one's name), who sees what, and a query count that
does not grow with the number of perimeters."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import event

from coopere.association.figures import FLOW_KEYS, STOCK_KEYS, over_months
from coopere.association.link import NetworkLink
from coopere.association.models import PerimeterProfile
from coopere.network import dispatch, registry
from coopere.network.registry import PerimeterEntry
from coopere.reports.summary import EXTRA_KEYS, SUMMARY_KEYS
from coopere.timeutil import add_months, paris_today
from coopere.association import figures_tables, yearly_runs
from console_support import (
    BASE,
    COACH,
    CONSOLE,
    COORD,
    OTHER,
    close_console,
    make_console,
    pdf_text,
    post_form,
)
from helpers import flat, text, words

TODAY = paris_today().replace(day=1)


def month(back: int) -> str:
    day = add_months(TODAY, -back)
    return f"{day.year:04d}-{day.month:02d}"


M0, M1, M2, M13 = month(0), month(1), month(2), month(13)
PILOTE = "Zéphyrine Q."  # a pilote named in a snapshot: never printed in the yearly report

SNAPSHOTS = {
    "a": {
        M0: {"members": 10, "dwellings": 100, "dwellings_reached": 8, "exchanges_done": 3,
             "cafes_held": 1, "cafe_attendance": 12, "members_new": 3, "group_size": 6},
        M1: {"members": 7, "dwellings": 100, "dwellings_reached": 6, "exchanges_done": 2,
             "cafes_held": 1, "cafe_attendance": 9, "members_new": 7, "group_size": 5},
        M13: {"members": 2, "dwellings": 100, "exchanges_done": 50},
    },
    "b": {
        M0: {"members": 30, "dwellings": 200, "dwellings_reached": 25, "exchanges_done": 5,
             "cafes_held": 2, "cafe_attendance": 20, "members_new": 5, "group_size": 8},
        M2: {"members": 25, "dwellings": 200, "dwellings_reached": 20, "exchanges_done": 4,
             "members_new": 25, "group_size": 4},
    },
}  # fmt: skip


def snapshot(slug: str, months: dict) -> dict:
    return {
        "version": 1,
        "perimeter_name": slug,
        "pilote": PILOTE,
        "copilote": None,
        "months": {key: {**dict.fromkeys(SUMMARY_KEYS + EXTRA_KEYS, 0), **values}
                   for key, values in months.items()},
    }  # fmt: skip


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """A network of this file's own: it rewrites postcodes, phases and snapshots, and adds
    perimeters, which the other files' shared network must not see."""
    made = make_console(tmp_path_factory.mktemp("figures"), {"QUEUE_URL": "immediate"})
    try:
        yield made
    finally:
        close_console(made)


@pytest.fixture(scope="module")
def network_console(console):
    for slug, months in SNAPSHOTS.items():
        NetworkLink(console.network, slug).write_snapshot(snapshot(slug, months))
    with registry.session(console.network) as db:
        for entry in db.query(PerimeterEntry):
            entry.postcode = "44300" if entry.slug == "a" else "75011"
        db.get(PerimeterProfile, "b").phase = "structuration"
        db.commit()
    return console


def figures_page(client, **args):
    return client.get(f"{CONSOLE}/chiffres", query_string=args)


def key_figure(page: str, label: str) -> str:
    """The number shown before `label` in the « En bref » list."""
    before = page.split(f"</strong> <span>{label}</span>")[0]
    return before.rsplit("<strong>", 1)[1]


def csv_rows(response) -> list[list[str]]:
    body = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


@pytest.mark.no_database
def test_every_figure_is_either_a_stock_or_a_flow():
    assert set(STOCK_KEYS) | set(FLOW_KEYS) == set(SUMMARY_KEYS + EXTRA_KEYS)
    assert not set(STOCK_KEYS) & set(FLOW_KEYS)
    figures = over_months(snapshot("a", SNAPSHOTS["a"])["months"], [M1, M0])
    assert figures["members"] == 10  # a stock: the period's last month
    assert figures["exchanges_done"] == 5  # a flow: summed
    assert figures["reach"] == 0.1


def test_totals_add_up_the_perimeters_over_the_last_12_months(network_console):
    response = figures_page(network_console.login(COORD))
    page = text(response)
    assert response.status_code == 200
    assert key_figure(page, "Périmètres") == "2"
    assert key_figure(page, "Membres") == "40"  # 10 + 30 at the end; M13 is out of the period
    assert key_figure(page, "Logements") == "300"
    assert key_figure(page, "Membres par logement") == "0,13"  # 40 ÷ 300, not 0.1 + 0.15
    assert key_figure(page, "Échanges faits") == "14"  # 3 + 2 + 5 + 4: every month summed
    assert key_figure(page, "Cafés-rencontres tenus") == "4"
    assert key_figure(page, "Présences aux cafés") == "41"
    assert page.count("<svg") >= 3  # members, activity, per perimeter


def test_the_period_filter_takes_stocks_at_its_end(network_console):
    client = network_console.login(COORD)
    page = text(figures_page(client, du=M1, au=M1))
    assert key_figure(page, "Membres") == "7"  # b holds no month in that period
    assert key_figure(page, "Échanges faits") == "2"
    page = text(figures_page(client, du=M13, au=M13))
    assert key_figure(page, "Échanges faits") == "50"
    assert key_figure(page, "Membres") == "2"


@pytest.mark.parametrize(
    "args, message",
    [
        ({"du": "mars", "au": M0}, "n&#39;est pas un mois"),
        ({"du": M0, "au": M2}, "Le premier mois doit venir avant le dernier"),
        ({"du": month(30), "au": M0}, "Choisissez au plus 24 mois"),
        ({"phase": "<script>"}, "Ce filtre n&#39;est pas valide"),
    ],
)
def test_a_bad_filter_says_why_in_french_and_shows_the_default(network_console, args, message):
    response = figures_page(network_console.login(COORD), **args)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "<script>" not in page.split("<main")[1]


def test_the_chosen_set_departement_phase_coach(network_console):
    client = network_console.login(COORD)
    assert key_figure(text(figures_page(client, departement="75")), "Membres") == "30"
    assert key_figure(text(figures_page(client, phase="structuration")), "Membres") == "30"
    assert key_figure(text(figures_page(client, phase="amorcage")), "Membres") == "10"
    coach = network_console.account_id(COACH)
    assert key_figure(text(figures_page(client, accompagnateur=coach)), "Membres") == "10"


def test_the_month_by_month_table(network_console):
    response = network_console.login(COORD).get(f"{CONSOLE}/chiffres/mois.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    header = rows[0]
    assert header[:3] == ["Mois", "Membres", "Logements touchés"]
    months = rows[1:-1]
    assert len(months) == 12
    by_column = [dict(zip(header, row)) for row in months]
    assert by_column[-1]["Membres"] == "40"  # this month: a and b
    assert by_column[-2]["Membres"] == "7"  # last month: a only
    assert by_column[-3]["Membres"] == "25"  # two months ago: b only
    assert by_column[-3]["Échanges faits"] == "4"
    total = dict(zip(header, rows[-1]))
    assert total["Mois"] == "Sur la période"
    assert total["Membres"] == "40" and total["Échanges faits"] == "14"
    assert total["Membres par logement"] == "0,133"


def test_the_per_perimeter_csv(network_console):
    response = network_console.login(COORD).get(f"{CONSOLE}/chiffres/perimetres.csv")
    rows = csv_rows(response)
    header = rows[0]
    table = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    names = {entry.slug: entry.name for entry in registry.all_entries(network_console.network)}
    assert table[names["a"]]["Membres"] == "10"
    assert table[names["b"]]["Département"] == "75"
    assert table[names["b"]]["Phase"] == "Structuration"
    assert table["Total"]["Membres"] == "40"
    assert PILOTE not in response.get_data().decode("utf-8-sig")


def test_the_page_lists_the_first_perimeters_and_the_csv_every_one(network_console, monkeypatch):
    client = network_console.login(COORD)
    names = {entry.slug: entry.name for entry in registry.all_entries(network_console.network)}
    assert "premiers sur" not in text(figures_page(client))  # 2 perimeters: all listed
    monkeypatch.setattr(figures_tables, "WEB_ROWS", 1)
    response = figures_page(client)
    listed = text(response).split('id="table-reseau-perimetres"')[1].split("</table>")[0]
    assert names["a"] in listed and names["b"] not in listed
    assert '<td class="num">40</td>' in listed.split("<tfoot>")[1]  # the total: a and b
    assert "1 premiers sur 2 — tout est dans le CSV" in words(response)
    rows = csv_rows(client.get(f"{CONSOLE}/chiffres/perimetres.csv"))
    assert [row[0] for row in rows[1:]] == [names["a"], names["b"], "Total"]


def test_an_accompagnateur_gets_only_their_perimeters(network_console):
    coach = network_console.login(COACH)
    page = text(figures_page(coach))
    assert key_figure(page, "Membres") == "10"
    assert key_figure(page, "Périmètres") == "1"
    names = {entry.slug: entry.name for entry in registry.all_entries(network_console.network)}
    rows = csv_rows(coach.get(f"{CONSOLE}/chiffres/perimetres.csv"))
    assert [row[0] for row in rows[1:]] == [names["a"], "Total"]
    # asking for another coach's perimeters is refused: back to their own
    response = figures_page(coach, accompagnateur=network_console.account_id(COORD))
    assert response.status_code == 400
    assert key_figure(text(response), "Membres") == "10"
    nobody = network_console.login(OTHER)
    assert key_figure(text(figures_page(nobody)), "Membres") == "0"
    assert "Chiffres du réseau" in text(nobody.get(f"{CONSOLE}/perimetres"))  # in the menu


def test_anonymous_is_sent_to_the_login(network_console):
    for path in ("chiffres", "chiffres/mois.csv", f"chiffres/rapport-{TODAY.year}.pdf"):
        response = network_console.client().get(f"{CONSOLE}/{path}")
        assert response.status_code == 302
        assert "/association/connexion" in response.headers["Location"]


def prepare(client, year: int, **filters):
    """Click « Préparer le rapport annuel <year> » on the figures page (its filters posted)."""
    return post_form(
        client,
        f"{CONSOLE}/chiffres/rapport-annuel",
        {"annee": year, **filters},
        form_url=f"{CONSOLE}/chiffres",
    )


def run_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_the_yearly_report_is_prepared_in_the_background_and_names_no_one(network_console):
    client = network_console.login(COORD)
    assert f"Préparer le rapport annuel {TODAY.year}" in text(figures_page(client))
    run = run_id_of(prepare(client, TODAY.year))
    page = text(client.get(f"{CONSOLE}/chiffres/rapport-annuel/{run}"))
    assert "prêt" in page and "tous les périmètres du réseau" in page
    assert f"Télécharger le rapport {TODAY.year} (PDF)" in text(figures_page(client))
    response = client.get(f"{CONSOLE}/chiffres/rapport-annuel/{run}/rapport.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    stored = list((network_console.network.root / "rapports").glob("*.pdf"))
    assert [path.read_bytes() for path in stored] == [response.data]  # in the network folder
    words = flat(pdf_text(response.data))
    assert "Rapport annuel du réseau" in words
    assert "Structuration" in words and "Amorçage" in words  # a page per phase
    names = {entry.slug: entry.name for entry in registry.all_entries(network_console.network)}
    assert names["a"] in words and names["b"] in words
    this_year = [key for key in (M0, M1, M2) if key.startswith(str(TODAY.year))]
    months = [values for shots in SNAPSHOTS.values() for key, values in shots.items()
              if key in this_year]  # fmt: skip
    flows = [sum(values.get(key, 0) for values in months)
             for key in ("exchanges_done", "cafes_held", "cafe_attendance")]  # fmt: skip
    # the phases' summary, total row: perimeters, dwellings, members, reach, group size, flows
    assert "Total 2 300 40 0,13 14 {} {} {}".format(*flows) in words
    # each perimeter in its phase's table: « city (département) », then its figures
    assert "Nantes (75) 200 30 0,15" in words
    assert "Phase Structuration" in words
    assert "Sur la période 40 33 0,13" in words  # the month by month table's total row
    for name in (PILOTE, "Zéphyrine", "Claire Coordination", "Bruno Accompagne", "Odile"):
        assert name not in words
    journal = text(client.get(f"{CONSOLE}/journal"))
    assert "Rapport annuel demandé" in journal and "Rapport annuel téléchargé" in journal
    # the former address leads to the figures page's report part
    old = client.get(f"{CONSOLE}/chiffres/rapport-{TODAY.year}.pdf")
    assert old.status_code == 302 and old.headers["Location"].endswith("#rapport-annuel")


def test_a_second_click_while_it_is_prepared_starts_no_other(network_console, monkeypatch):
    enqueued = []
    waiting = yearly_runs.prepare_yearly_report.for_site
    monkeypatch.setattr(  # a consumer that has not taken the task yet
        yearly_runs.prepare_yearly_report, "for_site", lambda *args: enqueued.append(args)
    )
    client = network_console.login(COORD)
    year = TODAY.year - 1
    first = run_id_of(prepare(client, year, phase="structuration"))
    assert "en préparation" in text(client.get(f"{CONSOLE}/chiffres/rapport-annuel/{first}"))
    second = prepare(client, year, phase="structuration")
    assert run_id_of(second) == first and len(enqueued) == 1
    assert "déjà en préparation" in text(client.get(BASE + second.headers["Location"]))
    assert "en préparation" in text(figures_page(client, phase="structuration"))
    other = run_id_of(prepare(client, year))  # other perimeters: another report
    assert other != first and len(enqueued) == 2
    waiting(*enqueued[0])  # the consumer takes it
    page = text(client.get(f"{CONSOLE}/chiffres/rapport-annuel/{first}"))
    assert "prêt" in page and "en phase « Structuration »" in page


def test_a_failed_report_says_why_and_may_be_asked_again(network_console, monkeypatch):
    def broken(_data):
        raise ValueError("Rapport du réseau incomplet : la période.")

    monkeypatch.setattr(yearly_runs, "render_network_report", broken)
    client = network_console.login(COORD)
    year = TODAY.year - 2
    run = run_id_of(prepare(client, year))
    page = text(client.get(f"{CONSOLE}/chiffres/rapport-annuel/{run}"))
    assert "échec" in page and "Rapport du réseau incomplet" in page and "Réessayer" in page
    assert client.get(f"{CONSOLE}/chiffres/rapport-annuel/{run}/rapport.pdf").status_code == 404
    monkeypatch.undo()
    again = run_id_of(prepare(client, year))
    assert again != run
    assert "prêt" in text(client.get(f"{CONSOLE}/chiffres/rapport-annuel/{again}"))


def test_an_accompagnateur_prepares_and_opens_their_perimeters_reports_only(network_console):
    coach, coord = network_console.login(COACH), network_console.login(COORD)
    theirs = run_id_of(prepare(coach, TODAY.year))
    names = {entry.slug: entry.name for entry in registry.all_entries(network_console.network)}
    pdf = coach.get(f"{CONSOLE}/chiffres/rapport-annuel/{theirs}/rapport.pdf").data
    words = flat(pdf_text(pdf))
    assert names["a"] in words and names["b"] not in words
    network_wide = run_id_of(prepare(coord, TODAY.year))
    assert network_wide != theirs  # the coordination's report is of every perimeter
    for path in (f"{network_wide}", f"{network_wide}/rapport.pdf", f"{network_wide}/etat.json"):
        assert coach.get(f"{CONSOLE}/chiffres/rapport-annuel/{path}").status_code == 404
    assert coord.get(f"{CONSOLE}/chiffres/rapport-annuel/{theirs}").status_code == 200
    # another coach's perimeters cannot be asked for: nothing is prepared
    response = prepare(coach, TODAY.year, accompagnateur=network_console.account_id(COORD))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#rapport-annuel")


def test_the_yearly_report_of_a_year_out_of_reach_is_not_found(network_console):
    client = network_console.login(COORD)
    assert client.get(f"{CONSOLE}/chiffres/rapport-1999.pdf").status_code == 404
    assert client.get(f"{CONSOLE}/chiffres/rapport-{TODAY.year + 1}.pdf").status_code == 404
    response = prepare(client, TODAY.year + 1)
    assert response.status_code == 302
    assert "ne peut pas être préparé" in text(client.get(BASE + response.headers["Location"]))


def count_queries(console, client) -> int:
    engine = registry.engine(console.network)
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert figures_page(client).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_query_count_does_not_grow_with_the_perimeters(network_console, monkeypatch):
    # The dispatcher's own reading of the perimeters' list (every ROUTES_SECONDS) is not the
    # page's: none during this test, however slow the machine.
    monkeypatch.setattr(dispatch, "ROUTES_SECONDS", 3600.0)
    client = network_console.login(COORD)
    figures_page(client)
    before = count_queries(network_console, client)
    for number in range(5):
        slug = f"z{number}"
        registry.add(network_console.network, slug=slug, name=f"Z {number}", city="Rezé",
                     postcode="44400", estimated_dwellings=100)  # fmt: skip
        NetworkLink(network_console.network, slug).write_snapshot(snapshot(slug, SNAPSHOTS["b"]))
    figures_page(client)  # their profiles are made on first sight
    assert count_queries(network_console, client) == before
    assert key_figure(text(figures_page(client)), "Périmètres") == "7"
