"""Rate limits with several gunicorn workers: does a client get the configured limit, or one per
worker?

For each rate-limit store, starts gunicorn with 2 workers on a throw-away SQLite instance, then one
client (one address, its own cookie and CSRF token) posts ATTEMPTS failed logins in a row (a new
connection each time, so either worker may answer; gunicorn's access log tells which one did).
Counts the answers: 422 (refused password, the attempt was allowed) and 429 (rate limit).

Stores: `memory://` (counters in each worker), `coopere-db://` (the default: counters in a file
next to the SQLite database, or in the PostgreSQL database), and `coopere-db://` on PostgreSQL
(database `test` at 127.0.0.1:5432, in a schema created and dropped here) and
`redis://127.0.0.1:6379/15` when reachable. The login limit is the shipped one,
RATELIMIT_LOGIN = "20 per minute;200 per hour". RATELIMIT_ATTEMPTS changes the number of attempts
(default 46). Loopback only, bounded. Last line: one JSON object.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from coopere import create_app  # noqa: E402
from coopere.config import Defaults  # noqa: E402
from coopere.extensions import db  # noqa: E402

ATTEMPTS = int(os.environ.get("RATELIMIT_ATTEMPTS", "46"))
WORKERS = 2
LIMIT = Defaults.RATELIMIT_LOGIN
PER_MINUTE = int(LIMIT.split(" per minute")[0])
PG_URL = os.environ.get("COOPERE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = ("127.0.0.1", 6379)
CSRF_RE = re.compile(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# Cheap password hashes: the benchmark counts answers, not argon2 time.
CONFIG = {
    "SECRET_KEY": "bench-ratelimit",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
    "QUEUE_URL": "immediate",
}


def make_app(folder: Path, settings: dict):
    return create_app({**CONFIG, **settings}, instance_path=folder)


def gunicorn_app():
    """Entry point for gunicorn (`ratelimit_workers:gunicorn_app()`): BENCH_INSTANCE,
    BENCH_SETTINGS (JSON)."""
    return make_app(Path(os.environ["BENCH_INSTANCE"]), json.loads(os.environ["BENCH_SETTINGS"]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


class Client:
    """One browser at one address: its cookies, one new connection per request."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = (
                {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
                if self.cookies
                else {}
            )
            body = None
            if data is not None:
                body = urlencode(data)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie, _, rest = value.partition("=")
                    self.cookies[cookie] = rest.split(";")[0]
            return response.status, content
        finally:
            connection.close()


def run(name: str, settings: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="coopere-ratelimit-") as tmp:
        folder = Path(tmp) / "instance"
        app = make_app(folder, settings)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        port, log = free_port(), Path(tmp) / "access.log"
        env = {**os.environ, "BENCH_INSTANCE": str(folder), "BENCH_SETTINGS": json.dumps(settings)}
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--pythonpath",
                str(Path(__file__).resolve().parent),
                "--access-logfile",
                str(log),
                "--access-logformat",
                "%(p)s %(m)s %(s)s",
                "--log-level",
                "warning",
                "ratelimit_workers:gunicorn_app()",
            ],
            env=env,
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            client = Client(port)
            for _ in range(300):
                try:
                    status, page = client.request("GET", "/connexion")
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("gunicorn did not start")
            token = CSRF_RE.search(page).group(1).decode()
            started = time.monotonic()
            statuses = Counter(
                client.request(
                    "POST",
                    "/connexion",
                    {
                        "csrf_token": token,
                        "login": "personne@example.org",
                        "password": "pas-le-bon-mot",
                    },
                )[0]
                for _ in range(ATTEMPTS)
            )
            seconds = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        served = Counter(
            line.split()[0] for line in log.read_text().splitlines() if " POST " in line
        )
    allowed = statuses.get(422, 0)
    result = {
        "store": name,
        "attempts": ATTEMPTS,
        "allowed": allowed,
        "refused_429": statuses.get(429, 0),
        "other": {str(k): v for k, v in statuses.items() if k not in (422, 429)},
        "limit_per_minute": PER_MINUTE,
        "holds": allowed <= PER_MINUTE,
        "posts_per_worker": sorted(served.values(), reverse=True),
        "seconds": round(seconds, 2),
    }
    print(
        f"{name:26} {allowed:3d} allowed, {result['refused_429']:3d} × 429 "
        f"(limit {PER_MINUTE} per minute; "
        f"posts per worker {result['posts_per_worker']})",
        flush=True,
    )
    return result


def main() -> None:
    results = [
        run("memory://", {"RATELIMIT_STORAGE_URI": "memory://"}),
        run("coopere-db:// (SQLite)", {"RATELIMIT_STORAGE_URI": "coopere-db://"}),
    ]
    try:
        import psycopg

        psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means "no server to try"
        results.append({"store": "coopere-db:// (PostgreSQL)", "skipped": f"no server at {PG_URL}"})
    else:
        schema = f"ratelimit_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            results.append(
                run(
                    "coopere-db:// (PostgreSQL)",
                    {
                        "RATELIMIT_STORAGE_URI": "coopere-db://",
                        "SQLALCHEMY_DATABASE_URI": PG_URL,
                        "SQLALCHEMY_ENGINE_OPTIONS": {
                            "connect_args": {"options": f"-c search_path={schema}"}
                        },
                    },
                )
            )
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
    try:
        import redis  # noqa: F401
    except ImportError:
        results.append(
            {
                "store": "redis://",
                "skipped": "the redis package is not installed (pip install -e '.[redis]')",
            }
        )
    else:
        if reachable(*REDIS):
            results.append(
                run(
                    "redis://",
                    {
                        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
                        "RATELIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex}",
                    },
                )
            )
        else:
            results.append({"store": "redis://", "skipped": "no Redis server at 127.0.0.1:6379"})
    print(
        json.dumps(
            {
                "benchmark": "ratelimit_workers",
                "workers": WORKERS,
                "limit": LIMIT,
                "results": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
