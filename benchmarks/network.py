"""Network benchmark: many perimeters on one deployment (issue « Essaimage, part 1 »).

In one run, on a throw-away network folder (SQLite perimeters):

1. creates NETWORK_PERIMETERS perimeters (1,000 by default) with `perimeters create`'s function, in
   two processes (both cores), each with its pilote and activation letter, then checks that every
   schema is at the code's newest revision;
2. serves the network with ONE gunicorn worker (sync) and sends a random walk of NETWORK_REQUESTS
   requests (5,000) over all the perimeters' public pages; reads the worker's peak RSS (VmHWM) and
   the median time of a perimeter's first (cold) request;
3. compares, in the same run, one page of a warm perimeter through the network with the same page
   of the same perimeter served alone (`wsgi:app`, COOPERE_INSTANCE), alternating the two servers;
4. times `upgrade` over every perimeter when all are up to date, then with one real migration to
   run (one perimeter's database taken back one revision, copied over every other one);
5. times one tick of the periodic jobs over every perimeter when nothing is due;
6. the association's console (issue #16) over these perimeters: the nightly snapshot of every
   perimeter as the network's consumer runs it (`queue tick --job network-snapshot`: each
   perimeter's app, coopere.association.snapshot.collect(), the snapshot written to the network
   database), total seconds and per perimeter; then the console's pages (benchmarks/support/
   console.py: the perimeters page, filtered, its CSV, the network figures page and its CSVs,
   the figures page of an accompagnateur; server time in process, wall and CPU), on synthetic
   24-month snapshots of the same perimeters (the collected ones of new perimeters hold almost
   nothing). NETWORK_CONSOLE=0 skips this step.

NETWORK_PERIMETERS, NETWORK_REQUESTS and NETWORK_WARM_ROUNDS change the sizes; NETWORK_UPGRADE=0
skips step 4 (its one-migration run took 0.8 s a perimeter on 2 shared cores);
NETWORK_CONSOLE_ONLY=1 runs step 6's pages only, on perimeter entries written straight into the
network database (no perimeter databases, no nightly snapshot; a minute instead of half an hour).

Bars from the issue: creation ≤ 300 s; peak RSS ≤ 400 MiB; warm ≤ 1.1 × single; cold median
≤ 300 ms; upgrade (up to date) ≤ 60 s; one tick ≤ 120 s; each console page ≤ 1 s (the nightly
snapshot: time reported). Last line: one JSON object.

Measured 2026-12-07, 1,000 perimeters, NETWORK_REQUESTS=2000 NETWORK_UPGRADE=0 CONSOLE_PDF=1, one
run on an idle 2-core machine: creation 91.4 s; peak RSS 176 MiB; cold median 24.9 ms; warm/single
1.024; tick 9.7 s; nightly snapshot 85.3 s (82 ms a perimeter, 1,000 written); perimeters page
0.276 s (CPU 0.275 s); figures page 0.289 s (CPU 0.289 s); an accompagnateur's figures page
0.054 s; the yearly report's task 9.5 s CPU. The figures page before and after its work,
NETWORK_CONSOLE_ONLY=1, four runs alternating, load average 4 to 8: CPU 0.27-0.43 s (before
0.44-0.64 s), 49 KB (before 317 KB).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support import console  # noqa: E402
from coopere.network import Network, registry  # noqa: E402
from coopere.network.create import NewPerimeter, create_perimeter  # noqa: E402
from coopere.network.databases import sqlite_template  # noqa: E402
from coopere.network.registry import served_slugs  # noqa: E402
from coopere.network.sites import head_revision, schema_revision  # noqa: E402

PERIMETERS = int(os.environ.get("NETWORK_PERIMETERS", "1000"))
REQUESTS = int(os.environ.get("NETWORK_REQUESTS", "5000"))
WARM_ROUNDS = int(os.environ.get("NETWORK_WARM_ROUNDS", "300"))
PUBLIC_URL = "https://reseau.example.org"
CONSOLE = os.environ.get("NETWORK_CONSOLE", "1") != "0"
UPGRADE = os.environ.get("NETWORK_UPGRADE", "1") != "0"
CONSOLE_ONLY = os.environ.get("NETWORK_CONSOLE_ONLY", "") == "1"


def slug(number: int) -> str:
    return f"q{number:04d}"


def new_perimeter(number: int) -> NewPerimeter:
    return NewPerimeter(
        slug=slug(number),
        name=f"Coop-ère du quartier {number}",
        short_name=f"Quartier {number}",
        city="Nantes",
        postcode="44300",
        estimated_dwellings=300,
        meeting_place="Salle des fêtes",
        pilote_first_name="Odile",
        pilote_last_name=f"Martin {number}",
        pilote_login=f"pilote{number}@example.org",
    )


def _create_range(root: str, numbers: list[int]) -> int:
    network = Network(root)
    for number in numbers:
        create_perimeter(network, new_perimeter(number))
    return len(numbers)


def create_all(network: Network) -> dict:
    sqlite_template(network)  # once, before the two processes start (it is part of the time)
    numbers = list(range(PERIMETERS))
    halves = [numbers[0::2], numbers[1::2]]
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        created = sum(pool.map(_create_range, [str(network.root)] * 2, halves))
    seconds = time.perf_counter() - started
    head = head_revision()
    behind = [s for s in served_slugs(network) if schema_revision(network, s) != head]
    return {
        "perimeters": created,
        "seconds": round(seconds, 1),
        "per_perimeter_ms": round(seconds * 1000 / max(created, 1), 1),
        "schemas_behind": len(behind),
    }


# --- serving -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, target: str, env: dict, log: Path):
        self.port = free_port()
        self.log = open(log, "ab")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                target,
            ],  # fmt: skip
            env={**os.environ, **env},
            cwd=str(ROOT),
            stdout=self.log,
            stderr=self.log,
        )
        self.connection = None
        for _ in range(600):
            try:
                self.get("/")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn {target} did not start (see {log})")

    def get(self, path: str) -> tuple[int, float]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        return response.status, time.perf_counter() - started

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return int(children.split()[0])

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def random_walk(network: Network, log: Path) -> dict:
    server = Gunicorn("network_wsgi:app", {"COOPERE_NETWORK": str(network.root)}, log)
    rng = random.Random(20261206)
    seen: set[str] = set()
    cold: list[float] = []
    warm: list[float] = []
    statuses: dict[int, int] = {}
    pages = ("/", "/connexion", "/donnees-personnelles")
    try:
        for _ in range(REQUESTS):
            chosen = slug(rng.randrange(PERIMETERS))
            status, seconds = server.get(f"/{chosen}{rng.choice(pages)}")
            statuses[status] = statuses.get(status, 0) + 1
            (warm if chosen in seen else cold).append(seconds)
            seen.add(chosen)
        peak = server.peak_rss_mib()
    finally:
        server.stop()
    return {
        "requests": REQUESTS,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "perimeters_visited": len(seen),
        "peak_rss_mib": round(peak, 1),
        "cold_median_ms": round(statistics.median(cold) * 1000, 1),
        "cold_p90_ms": round(sorted(cold)[int(len(cold) * 0.9)] * 1000, 1),
        "revisit_median_ms": round(statistics.median(warm) * 1000, 1) if warm else None,
    }


def warm_against_single(network: Network, log: Path) -> dict:
    """The same page of the same perimeter: through the network (warm) and served alone."""
    chosen = slug(0)
    folder = network.instance_path(chosen)
    single_env = {
        "COOPERE_INSTANCE": str(folder),
        "COOPERE_PUBLIC_URL": f"{PUBLIC_URL}/{chosen}",
    }
    alone = Gunicorn("wsgi:app", single_env, log)
    through = Gunicorn("network_wsgi:app", {"COOPERE_NETWORK": str(network.root)}, log)
    times: dict[str, list[float]] = {"network": [], "single": []}
    try:
        for _ in range(20):  # warm both (templates compiled, connections open)
            through.get(f"/{chosen}/connexion")
            alone.get("/connexion")
        for _ in range(WARM_ROUNDS):
            times["network"].append(through.get(f"/{chosen}/connexion")[1])
            times["single"].append(alone.get("/connexion")[1])
    finally:
        through.stop()
        alone.stop()
    network_ms = statistics.median(times["network"]) * 1000
    single_ms = statistics.median(times["single"]) * 1000
    return {
        "page": "/connexion",
        "network_median_ms": round(network_ms, 2),
        "single_median_ms": round(single_ms, 2),
        "ratio": round(network_ms / single_ms, 3),
    }


# --- commands ----------------------------------------------------------------------------------


def flask_network(network: Network, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "coopere.network", *args],
        env={**os.environ, "COOPERE_NETWORK": str(network.root)},
        cwd=str(ROOT),
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, result


def command_available(network: Network, *args: str) -> bool:
    _seconds, result = flask_network(network, *args, "--help")
    return result.returncode == 0


def one_revision_back(network: Network) -> str:
    """Every perimeter's database one real migration behind the code: one perimeter's database is
    taken back one revision (flask_migrate.downgrade), then copied over every other one (their own
    settings are lost, which the upgrade's time does not depend on)."""
    from flask_migrate import downgrade

    from coopere.network.sites import build_perimeter_app, dispose

    first = slug(0)
    app = build_perimeter_app(network, first)
    try:
        with app.app_context():
            downgrade(revision="-1")
    finally:
        dispose(app)
    source = network.instance_path(first) / "coopere.sqlite3"
    for number in range(1, PERIMETERS):
        shutil.copyfile(source, network.instance_path(slug(number)) / "coopere.sqlite3")
    return schema_revision(network, first)


def upgrade_figures(network: Network) -> dict:
    if not command_available(network, "upgrade"):
        return {"skipped": "no `upgrade` command in this version"}
    seconds, result = flask_network(network, "upgrade")
    figures = {
        "up_to_date_seconds": round(seconds, 1),
        "exit_code": result.returncode,
        "last_line": (result.stdout.strip().splitlines() or [""])[-1],
    }
    behind = one_revision_back(network)
    seconds, result = flask_network(network, "upgrade")
    figures["one_migration"] = {
        "from": behind,
        "to": head_revision(),
        "seconds": round(seconds, 1),
        "per_perimeter_ms": round(seconds * 1000 / PERIMETERS, 1),
        "exit_code": result.returncode,
        "last_line": (result.stdout.strip().splitlines() or [""])[-1],
    }
    return figures


def tick_figures(network: Network) -> dict:
    if not command_available(network, "queue", "tick"):
        return {"skipped": "no `queue tick` command in this version"}
    seconds, result = flask_network(network, "queue", "tick")
    return {
        "nothing_due_seconds": round(seconds, 1),
        "exit_code": result.returncode,
        "last_line": (result.stdout.strip().splitlines() or [""])[-1],
    }


# --- the association's console ------------------------------------------------------------------


def snapshot_count(network: Network) -> int:
    from sqlalchemy import func, select

    from coopere.association.models import Snapshot

    with registry.session(network) as db:
        return db.scalar(select(func.count()).select_from(Snapshot))


def nightly_snapshot(network: Network) -> dict:
    """The nightly `network-snapshot` job over every served perimeter, as the network's consumer
    runs it (`queue tick --job network-snapshot`, one process: each perimeter's warm app,
    coopere.association.snapshot.collect() on its database, the snapshot written to the network
    database); timed from outside (process start included) and inside (the tick's own seconds)."""
    if not command_available(network, "queue", "tick"):
        return {"skipped": "no `queue tick` command in this version: not measured"}
    seconds, result = flask_network(network, "queue", "tick", "--job", "network-snapshot")
    try:
        summary = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"exit_code": result.returncode, "error": result.stderr.strip()[-500:]}
    sites = summary.get("sites", 0)
    return {
        "perimeters": sites,
        "seconds": round(seconds, 1),
        "tick_seconds": summary.get("seconds"),
        "per_perimeter_ms": round(summary.get("seconds", seconds) * 1000 / max(sites, 1), 1),
        "failed": summary.get("failed"),
        "snapshots_written": snapshot_count(network),
        "exit_code": result.returncode,
    }


def console_figures(network: Network, slugs: list[str]) -> dict:
    """Step 6: the nightly snapshot over the real perimeters (when they have databases), then
    the console's pages over synthetic 24-month snapshots of the same perimeters."""
    snapshot = nightly_snapshot(network) if not CONSOLE_ONLY else {"skipped": "no databases"}
    print(f"nightly snapshot: {snapshot}", flush=True)
    filled = console.fill(network, slugs)
    print(f"synthetic snapshots: {filled}", flush=True)
    pages = console.measure_pages(network)
    for name, value in pages.items():
        print(f"{name}: {value}", flush=True)
    return {
        "nightly_snapshot": snapshot,
        "synthetic_snapshots": filled,
        "pages": pages,
        "bars": console.bars(pages),
    }


def console_only(root: Path) -> dict:
    """NETWORK_CONSOLE_ONLY=1: step 6's pages only, on perimeter entries written straight into the
    network database (no perimeter database, no nightly snapshot): minutes quicker."""
    network = Network(root)
    return console_figures(network, console.add_entries(network, PERIMETERS))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="coopere-network-bench-") as folder:
        root = Path(folder) / "network"
        root.mkdir()
        (root / "network.py").write_text(f"PUBLIC_URL = {PUBLIC_URL!r}\nWARM_APPS = 16\n")
        if CONSOLE_ONLY:
            association = console_only(root)
            print(json.dumps({"benchmark": "network", "console": association}, ensure_ascii=False))
            return
        network = Network(root)
        log = Path(folder) / "gunicorn.log"
        creation = create_all(network)
        print(f"creation: {creation}", flush=True)
        walk = random_walk(network, log)
        print(f"random walk: {walk}", flush=True)
        warm = warm_against_single(network, log)
        print(f"warm against single: {warm}", flush=True)
        upgrade = upgrade_figures(network) if UPGRADE else {"skipped": "NETWORK_UPGRADE=0"}
        print(f"upgrade: {upgrade}", flush=True)
        tick = tick_figures(network)
        print(f"tick: {tick}", flush=True)
        slugs = served_slugs(network)
        association = (
            console_figures(network, slugs) if CONSOLE else {"skipped": "NETWORK_CONSOLE=0"}
        )
        print(f"console: {association}", flush=True)
        errors = log.read_text(errors="replace").count("Traceback")
    print(
        json.dumps(
            {
                "benchmark": "network",
                "creation": creation,
                "random_walk": walk,
                "warm_against_single": warm,
                "upgrade": upgrade,
                "tick": tick,
                "console": association,
                "server_tracebacks": errors,
                "bars": {
                    "creation_le_300_s": creation["seconds"] <= 300,
                    "peak_rss_le_400_mib": walk["peak_rss_mib"] <= 400,
                    "warm_le_1_1": warm["ratio"] <= 1.1,
                    "cold_median_le_300_ms": walk["cold_median_ms"] <= 300,
                    "upgrade_le_60_s": None
                    if "skipped" in upgrade
                    else upgrade.get("up_to_date_seconds", 1e9) <= 60,
                    "tick_le_120_s": tick.get("nothing_due_seconds", 1e9) <= 120,
                    **association.get("bars", {}),
                },
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
