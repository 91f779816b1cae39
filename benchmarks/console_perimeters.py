"""Console benchmark: the association's perimeters page and its CSV at NETWORK_PERIMETERS
perimeters (1,000 by default), read from snapshots of realistic size (24 months of figures each).

A throw-away network folder (SQLite network database) gets the perimeters' entries, profiles,
snapshots and a month of coaching sessions; no perimeter database is made: the console never
opens one. Times the page (all rows, then filtered) and the CSV export through the network's app,
server side (the test client, no network), median of NETWORK_ROUNDS (5) runs after a warm-up,
wall and CPU time (the process's).
Bar from the issue: ≤ 1 s each. Last line: one JSON object."""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopere.association import accounts  # noqa: E402
from coopere.association.models import CoachingSession, PerimeterProfile, Snapshot  # noqa: E402
from coopere.network import Network  # noqa: E402
from coopere.network import registry  # noqa: E402
from coopere.network.app import create_network_app  # noqa: E402
from coopere.reports.summary import EXTRA_KEYS, SUMMARY_KEYS  # noqa: E402

PERIMETERS = int(os.environ.get("NETWORK_PERIMETERS", "1000"))
ROUNDS = int(os.environ.get("NETWORK_ROUNDS", "5"))
PASSWORD = "Benchmark-console-2026!"
PHASES = ("amorcage", "lancement", "structuration", "autonome", "sommeil")


def snapshot(rng: random.Random, now: datetime) -> dict:
    today = now.date()
    months = {}
    for back in range(24):
        month = (today.replace(day=1) - timedelta(days=31 * back)).strftime("%Y-%m")
        months[month] = {key: rng.randint(0, 300) for key in SUMMARY_KEYS + EXTRA_KEYS}
        months[month]["reach"] = round(rng.random(), 3)
    return {
        "version": 1,
        "taken_at": now.isoformat(),
        "perimeter_name": "",
        "dwellings": rng.randint(100, 500),
        "members": rng.randint(0, 200),
        "members_offline": rng.randint(0, 20),
        "reach": round(rng.random(), 3),
        "group_size": rng.randint(0, 12),
        "pilote": rng.choice([None, "Jeanne L."]),
        "copilote": None,
        "pilote_set": True,
        "copilote_set": rng.random() > 0.3,
        "last_cafe": (today - timedelta(days=rng.randint(0, 120))).isoformat(),
        "next_cafe": (today + timedelta(days=rng.randint(1, 40))).isoformat(),
        "cafes_last_3_months": rng.randint(0, 3),
        "last_backup": (now - timedelta(hours=rng.randint(1, 100))).isoformat(),
        "milestones": {},
        "months": months,
    }


def fill(network: Network) -> int:
    rng = random.Random(16)
    now = datetime.now(timezone.utc)
    size = 0
    with registry.session(network) as db:
        for number in range(PERIMETERS):
            slug = f"q{number:04d}"
            db.add(
                registry.PerimeterEntry(
                    slug=slug, name=f"Coop-ère du quartier {number}", city=f"Ville {number % 90}",
                    postcode=f"{number % 90 + 1:02d}100", estimated_dwellings=250,
                    created_at=now, status_changed_at=now,
                )
            )  # fmt: skip
            db.add(
                PerimeterProfile(
                    slug=slug, phase=PHASES[number % len(PHASES)], phase_since=date.today()
                )
            )
            data = json.dumps(snapshot(rng, now), sort_keys=True)
            size += len(data)
            db.add(Snapshot(slug=slug, taken_at=now, data=data))
            db.add(CoachingSession(slug=slug, held_on=date.today(), minutes=90, form="visio"))
        db.commit()
    return size


def timed(client, url: str) -> tuple[float, float]:
    """Median wall time and median CPU time of the request (the CPU time is what a loaded
    machine does not stretch)."""
    client.get(url)
    walls, cpus = [], []
    for _ in range(ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200, response.status_code
    return round(statistics.median(walls), 3), round(statistics.median(cpus), 3)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "network.py").write_text(
            "PUBLIC_URL = 'https://reseau.example.org'\nSECRET_KEY = 'benchmark'\n"
            "RATELIMIT_STORAGE_URI = 'memory://'\nWTF_CSRF_ENABLED = False\n"
        )
        network = Network(root)
        app = create_network_app(network)
        size = fill(network)
        with app.test_request_context():
            accounts.create_account("coord@example.org", "Coordination", "coordination", PASSWORD)
            from coopere.association.store import db_session

            db_session().commit()
        client = app.test_client()
        login = client.post(
            "/association/connexion",
            data={"email": "coord@example.org", "password": PASSWORD},
            base_url="https://reseau.example.org",
        )
        assert login.status_code == 302, login.get_data(as_text=True)[:300]
        base = "https://reseau.example.org/association"

        def url(path):
            return base + path

        results = {
            "perimeters": PERIMETERS,
            "snapshot_kib_each": round(size / PERIMETERS / 1024, 1),
            "page_s": timed(client, url("/perimetres")),
            "page_filtered_s": timed(client, url("/perimetres?alertes=1&tri=membres&sens=desc")),
            "csv_s": timed(client, url("/perimetres.csv")),
        }
    for key, value in results.items():
        if isinstance(value, tuple):
            value = f"{value[0]:.3f} s (CPU {value[1]:.3f} s)"
        print(f"{key}: {value}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
