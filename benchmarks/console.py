"""Console benchmark (issue #16): the association's console pages at NETWORK_PERIMETERS perimeters
(1,000 by default), without creating 1,000 real perimeters.

On a throw-away network folder, writes straight into the network database NETWORK_PERIMETERS
perimeter entries (varied départements), their profiles (phases, 20 accompagnateurs) and one
snapshot each holding 24 months of synthetic figures (every key of coopere/reports/summary.py),
then times, in the network's app (Flask test client: the server's time, no network), the
perimeters page (`association.perimeters`) and the network figures page (`association.figures`)
for a coordinator, plus the figures' CSV and the figures page for an accompagnateur (wall time
and the request's CPU time: the machine may be shared); with CONSOLE_PDF=1 the yearly report PDF
at that size is timed once, for information (no bar).

Bar from the issue: each page ≤ 1 s server time (median of CONSOLE_ROUNDS requests after one warm
one). The nightly snapshot over real perimeters is measured by benchmarks/network.py. Last line:
one JSON object. `measure_pages(network)` is reused by benchmarks/network.py on real perimeters.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopere.network import Network  # noqa: E402
from coopere.network import registry  # noqa: E402

PERIMETERS = int(os.environ.get("NETWORK_PERIMETERS", "1000"))
ROUNDS = int(os.environ.get("CONSOLE_ROUNDS", "5"))
COACHES = 20
PUBLIC_URL = "https://reseau.example.org"
PASSWORD = "banc-d-essai-console-2026"
BAR_SECONDS = 1.0
PDF = os.environ.get("CONSOLE_PDF", "") == "1"  # also time the yearly report PDF once
PHASES = ("amorcage", "lancement", "structuration", "structuration", "autonome", "sommeil")


def network_settings() -> str:
    """network.py of the bench's network: a cheap argon2 (the login is not what is measured)."""
    return (
        f"PUBLIC_URL = {PUBLIC_URL!r}\n"
        "ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 8192\nARGON2_PARALLELISM = 1\n"
    )


def month_keys(today: date, count: int = 24) -> list[str]:
    keys = []
    year, month = today.year, today.month
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def synthetic_months(rng: random.Random, months: list[str]) -> dict:
    from coopere.reports.summary import EXTRA_KEYS, SUMMARY_KEYS

    dwellings = rng.randrange(100, 500)
    members = rng.randrange(0, 20)
    result = {}
    for key in months:
        members += rng.randrange(0, 8)
        figures = {name: rng.randrange(0, 12) for name in SUMMARY_KEYS + EXTRA_KEYS}
        figures |= {
            "dwellings": dwellings,
            "members": members,
            "members_offline": members // 5,
            "dwellings_reached": min(members, dwellings),
            "reach": round(members / dwellings, 3),
            "group_size": rng.randrange(2, 12),
        }
        result[key] = figures
    return result


def write_synthetic(network: Network, count: int) -> dict:
    """`count` perimeter entries, their profiles and 24-month snapshots, and the accounts."""
    from coopere.association.models import PerimeterProfile, Snapshot
    from coopere.network.registry import PerimeterEntry

    started = time.perf_counter()
    rng = random.Random(20261207)
    now = registry.now()
    months = month_keys(date.today())
    with registry.session(network) as db:
        for number in range(count):
            slug = f"p{number:04d}"
            db.add(
                PerimeterEntry(
                    slug=slug,
                    name=f"Coop-ère du quartier {number}",
                    city="Nantes",
                    postcode=f"{(number % 95) + 1:02d}000",
                    estimated_dwellings=300,
                    created_at=now,
                    status_changed_at=now,
                )
            )
            data = {
                "version": 1,
                "taken_at": now.isoformat(),
                "perimeter_name": f"Coop-ère du quartier {number}",
                "pilote": None,
                "copilote": None,
                "months": synthetic_months(rng, months),
            }
            db.add(Snapshot(slug=slug, taken_at=now, data=json.dumps(data, sort_keys=True)))
        db.commit()
    coaches = make_accounts(network)
    with registry.session(network) as db:
        for number in range(count):
            db.add(
                PerimeterProfile(
                    slug=f"p{number:04d}",
                    phase=PHASES[number % len(PHASES)],
                    coach_id=coaches[number % len(coaches)],
                    phase_since=date.today(),
                )
            )
        db.commit()
    return {
        "perimeters": count,
        "months": len(months),
        "seconds": round(time.perf_counter() - started, 1),
    }


def write_snapshots(network: Network, slugs: list[str]) -> float:
    """A synthetic 24-month snapshot for each of these existing perimeters; seconds taken."""
    from coopere.association.models import Snapshot

    started = time.perf_counter()
    rng = random.Random(20261207)
    now = registry.now()
    months = month_keys(date.today())
    with registry.session(network) as db:
        for slug in slugs:
            data = {"version": 1, "pilote": None, "months": synthetic_months(rng, months)}
            db.merge(Snapshot(slug=slug, taken_at=now, data=json.dumps(data, sort_keys=True)))
        db.commit()
    return time.perf_counter() - started


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
    median = statistics.median(times)
    return {
        "median_ms": round(median * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        # CPU time of the request: what the page costs when the machine is not shared
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
        "bytes": len(response.data),
        "ratio_to_1_s_bar": round(median / BAR_SECONDS, 3),
    }


def measure_pages(
    network: Network, *, coach_email: str | None = "coach0@example.org", pdf: bool = True
) -> dict:
    """The console's pages at this network's size, for a coordinator (and a coach)."""
    from coopere.network.app import create_network_app

    # No CSRF token to fetch and no login limit in this in-process client (only this process's
    # copy of the settings: network.py is not changed). NB: with network.py's default
    # RATELIMIT_STORAGE_URI (coopere-db://) the console's login answers 500 — the network app has
    # no perimeter database to count in; reported to the integrator.
    network.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    app = create_network_app(network)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    coord = login(app, "coord@example.org")
    figures: dict = {"perimeters": len(registry.all_entries(network))}
    if "association.perimeters" in endpoints:
        figures["perimeters_page"] = time_page(coord, "/association/perimetres")
    else:
        figures["perimeters_page"] = {"skipped": "no association.perimeters on this branch"}
    figures["figures_page"] = time_page(coord, "/association/chiffres")
    figures["figures_months_csv"] = time_page(coord, "/association/chiffres/mois.csv")
    figures["figures_perimeters_csv"] = time_page(coord, "/association/chiffres/perimetres.csv")
    if coach_email:
        figures["figures_page_accompagnateur"] = time_page(
            login(app, coach_email), "/association/chiffres"
        )
    if pdf:  # the yearly report's background task, run inline here (an immediate queue)
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
    result = {}
    for name in ("perimeters_page", "figures_page"):
        median = pages.get(name, {}).get("median_ms")
        result[f"{name}_le_1_s"] = None if median is None else median <= BAR_SECONDS * 1000
    return result


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="coopere-console-bench-") as folder:
        root = Path(folder) / "network"
        root.mkdir()
        (root / "network.py").write_text(network_settings())
        network = Network(root)
        written = write_synthetic(network, PERIMETERS)
        print(f"synthetic network: {written}", flush=True)
        pages = measure_pages(network, pdf=PDF)
        for name, value in pages.items():
            print(f"{name}: {value}", flush=True)
    print(
        json.dumps(
            {"benchmark": "console", "synthetic": written, "pages": pages, "bars": bars(pages)},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
