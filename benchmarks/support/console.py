"""The association's console pages, timed for benchmarks/network.py (issue #16); not a benchmark
of its own (`make bench` runs benchmarks/*.py only, not this folder).

`fill(network, slugs)` gives every perimeter of `slugs` a profile (phase, one of 20
accompagnateurs), a coaching session this month and a synthetic snapshot of realistic size (24
months of every key of coopere/reports/summary.py, the perimeters page's top-level figures): the
snapshots the nightly job takes of new perimeters hold almost nothing, so the pages are timed on
these. `add_entries(network, count)` writes perimeter entries straight into the network database
for a run without perimeter databases (the console never opens one). `measure_pages(network)`
times, in the network's app (Flask test client: the server's time, no network), the perimeters
page (all rows, then filtered and sorted) and its CSV, the network figures page and its two CSVs
for a coordinator, and the figures page for an accompagnateur: median of CONSOLE_ROUNDS (5)
requests after one warm-up, wall time and the request's CPU time (what a shared machine does not
stretch). With CONSOLE_PDF=1 the yearly report's background task is timed once, run inline,
for information (no bar).
Bar from the issue: the perimeters page and the figures page ≤ 1 s each."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import date, timedelta

from coopere.network import Network, registry

ROUNDS = int(os.environ.get("CONSOLE_ROUNDS", "5"))
PDF = os.environ.get("CONSOLE_PDF", "") == "1"
COACHES = 20
PUBLIC_URL = "https://reseau.example.org"
PASSWORD = "banc-d-essai-console-2026"
BAR_SECONDS = 1.0
PHASES = ("amorcage", "lancement", "structuration", "structuration", "autonome", "sommeil")


def month_keys(today: date, count: int = 24) -> list[str]:
    keys = []
    year, month = today.year, today.month
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def synthetic_snapshot(rng: random.Random, months: list[str], name: str) -> dict:
    """A snapshot of the nightly job's shape (coopere/association/snapshot.py, version 1)."""
    from coopere.reports.summary import EXTRA_KEYS, SUMMARY_KEYS

    now = registry.now()
    today = now.date()
    dwellings = rng.randrange(100, 500)
    members = rng.randrange(0, 20)
    figures_by_month = {}
    for key in months:
        members += rng.randrange(0, 8)
        figures = {name: rng.randrange(0, 12) for name in SUMMARY_KEYS + EXTRA_KEYS}
        figures |= {
            "dwellings": dwellings,
            "members": members,
            "members_offline": members // 5,
            "dwellings_reached": min(members, dwellings),
            "reach": round(min(members, dwellings) / dwellings, 3),
            "group_size": rng.randrange(2, 12),
        }
        figures_by_month[key] = figures
    current = figures_by_month[months[-1]]
    return {
        "version": 1,
        "taken_at": now.isoformat(),
        "perimeter_name": name,
        "dwellings": dwellings,
        "members": current["members"],
        "members_offline": current["members_offline"],
        "reach": current["reach"],
        "group_size": current["group_size"],
        "pilote": rng.choice([None, "Jeanne L."]),
        "copilote": None,
        "pilote_set": True,
        "copilote_set": rng.random() > 0.3,
        "last_cafe": (today - timedelta(days=rng.randint(0, 120))).isoformat(),
        "next_cafe": (today + timedelta(days=rng.randint(1, 40))).isoformat(),
        "cafes_last_3_months": rng.randint(0, 3),
        "last_backup": (now - timedelta(hours=rng.randint(1, 100))).isoformat(),
        "milestones": {},
        "months": figures_by_month,
    }


def make_accounts(network: Network, coaches: int = COACHES) -> list[int]:
    """coord@ (coordination) and `coaches` accompagnateurs; their ids."""
    from coopere.association import accounts
    from coopere.association.store import db_session
    from coopere.network.app import create_network_app

    app = create_network_app(network)
    with app.test_request_context():
        accounts.create_account("coord@example.org", "Coordination", "coordination", PASSWORD)
        ids = [
            accounts.create_account(
                f"coach{n}@example.org", f"Accompagnateur {n}", "accompagnateur", PASSWORD
            ).id
            for n in range(coaches)
        ]
        db_session().commit()
    return ids


def add_entries(network: Network, count: int) -> list[str]:
    """`count` perimeter entries (varied départements) written straight into the network
    database, without perimeter databases; their slugs."""
    now = registry.now()
    slugs = [f"p{number:04d}" for number in range(count)]
    with registry.session(network) as db:
        for number, slug in enumerate(slugs):
            db.add(
                registry.PerimeterEntry(
                    slug=slug, name=f"Coop-ère du quartier {number}", city=f"Ville {number % 90}",
                    postcode=f"{number % 95 + 1:02d}100", estimated_dwellings=300,
                    created_at=now, status_changed_at=now,
                )
            )  # fmt: skip
        db.commit()
    return slugs


def fill(network: Network, slugs: list[str]) -> dict:
    """Accounts, then for each perimeter its profile, a coaching session and a synthetic snapshot
    (replacing the nightly one, if any)."""
    from coopere.association.models import CoachingSession, PerimeterProfile, Snapshot

    started = time.perf_counter()
    coaches = make_accounts(network)
    rng = random.Random(20261207)
    now = registry.now()
    months = month_keys(date.today())
    size = 0
    with registry.session(network) as db:
        for number, slug in enumerate(slugs):
            data = json.dumps(synthetic_snapshot(rng, months, slug), sort_keys=True)
            size += len(data)
            db.merge(Snapshot(slug=slug, taken_at=now, data=data))
            db.merge(
                PerimeterProfile(
                    slug=slug, phase=PHASES[number % len(PHASES)],
                    coach_id=coaches[number % len(coaches)], phase_since=date.today(),
                )
            )  # fmt: skip
            db.add(
                CoachingSession(
                    slug=slug, account_id=coaches[number % len(coaches)], held_on=date.today(),
                    minutes=90, form="visio",
                )
            )  # fmt: skip
        db.commit()
    return {
        "perimeters": len(slugs),
        "months": len(months),
        "snapshot_kib_each": round(size / max(len(slugs), 1) / 1024, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def login(app, email: str):
    client = app.test_client()
    response = client.post(
        "/association/connexion",
        data={"email": email, "password": PASSWORD},
        base_url=PUBLIC_URL,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} refused: {response.status_code}")
    return client


def time_page(client, path: str, rounds: int = ROUNDS) -> dict:
    response = client.get(path, base_url=PUBLIC_URL)  # warm: templates compiled, caches filled
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    times, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, base_url=PUBLIC_URL)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
    median, cpu_median = statistics.median(times), statistics.median(cpu)
    return {
        "median_ms": round(median * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "cpu_median_ms": round(cpu_median * 1000, 1),
        "bytes": len(response.data),
        "ratio_to_1_s_bar": round(median / BAR_SECONDS, 3),
        "cpu_ratio_to_1_s_bar": round(cpu_median / BAR_SECONDS, 3),
    }


def measure_pages(network: Network) -> dict:
    """The console's pages at this network's size, for a coordinator and an accompagnateur."""
    from coopere.network.app import create_network_app

    # No CSRF token to fetch and no login limit in this in-process client (this process's copy
    # of the settings only: network.py is not changed).
    network.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    app = create_network_app(network)
    coord = login(app, "coord@example.org")
    figures: dict = {"perimeters": len(registry.all_entries(network))}
    figures["perimeters_page"] = time_page(coord, "/association/perimetres")
    figures["perimeters_page_filtered"] = time_page(
        coord, "/association/perimetres?alertes=1&tri=membres&sens=desc"
    )
    figures["perimeters_csv"] = time_page(coord, "/association/perimetres.csv")
    figures["figures_page"] = time_page(coord, "/association/chiffres")
    figures["figures_months_csv"] = time_page(coord, "/association/chiffres/mois.csv")
    figures["figures_perimeters_csv"] = time_page(coord, "/association/chiffres/perimetres.csv")
    figures["figures_page_accompagnateur"] = time_page(
        login(app, "coach0@example.org"), "/association/chiffres"
    )
    if PDF:  # the yearly report's background task, run inline here (an immediate queue)
        network.config["QUEUE_URL"] = "immediate"
        started, started_cpu = time.perf_counter(), time.process_time()
        response = coord.post(
            "/association/chiffres/rapport-annuel",
            data={"annee": date.today().year},
            base_url=PUBLIC_URL,
        )
        figures["yearly_report_task_once"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() - started_cpu, 2),
            "status": response.status_code,  # 302: to the report's page (« prêt »)
        }
    return figures


def bars(pages: dict) -> dict:
    return {
        f"{name}_le_1_s": pages[name]["median_ms"] <= BAR_SECONDS * 1000
        for name in ("perimeters_page", "figures_page")
    }
