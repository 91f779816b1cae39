"""Foundation benchmark: server time and SQL queries per page, and the cost of a login.

Builds two throw-away perimeters on SQLite (20 and 500 accounts), times each page in-process with
the test client (median of repeated requests), counts SQL statements per page, and times a login
with the production argon2id parameters. Last line: one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


from coopere import create_app  # noqa: E402
from coopere.auth.models import Role, User  # noqa: E402
from coopere.auth.passwords import hash_password  # noqa: E402
from coopere.extensions import db  # noqa: E402
from coopere.perimeter.services import DEFAULT_CHARTER, save_settings  # noqa: E402
from helpers import page_queries  # noqa: E402  (tests/helpers.py: the tests' query counter)

PASSWORD = "benchmark-passphrase"
PAGES = {
    "home": "/",
    "login_page": "/connexion",
    "member_home": "/accueil",
    "account": "/compte",
    "admin_group": "/admin/groupe",
    "admin_settings": "/admin/perimetre",
}
REPEAT = 30


def build(folder: Path, accounts: int):
    app = create_app({"SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}, instance_path=folder)
    with app.app_context():
        db.create_all()
        save_settings(
            {
                "name": "Coop-ère Benchmark",
                "short_name": "Bench",
                "city": "Nantes",
                "postcode": "44300",
                "estimated_dwellings": 500,
                "meeting_place": "Place",
                "contact": "c@example.org",
                "charter_text": DEFAULT_CHARTER,
            }
        )
        hashed = hash_password(PASSWORD)
        for i in range(accounts):
            role = Role.ADMIN if i == 0 else Role.ANIMATOR if i < 8 else Role.MEMBER
            db.session.add(
                User(
                    first_name=f"Prénom{i}",
                    last_name=f"Nom{i}",
                    email=f"p{i}@example.org",
                    role=role.value,
                    password_hash=hashed,
                )
            )
        db.session.commit()
    return app


def logged_in_client(app):
    import re

    client = app.test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/connexion").get_data(as_text=True),
    ).group(1)
    client.post(
        "/connexion", data={"csrf_token": token, "login": "p0@example.org", "password": PASSWORD}
    )
    return client


def measure(app) -> dict:
    client = logged_in_client(app)
    results = {}
    for name, path in PAGES.items():
        c = app.test_client() if name in ("home", "login_page") else client
        c.get(path)  # warm up
        queries = page_queries(app, c, path)
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            c.get(path)
            times.append(time.perf_counter() - start)
        results[name] = {"median_ms": round(statistics.median(times) * 1000, 2), "queries": queries}
    return results


def login_cost(app) -> float:
    """Median time of a full login POST (argon2id t=3, m=64 MiB, p=4)."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        logged_in_client(app)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(build(Path(tmp) / "small", 20))
        big_app = build(Path(tmp) / "big", 500)
        big = measure(big_app)
        login_ms = login_cost(big_app)
    for name in PAGES:
        print(
            f"{name:16} 20 accounts: {small[name]['median_ms']:7.2f} ms "
            f"{small[name]['queries']} queries"
            f" | 500 accounts: {big[name]['median_ms']:7.2f} ms {big[name]['queries']} queries"
        )
    print(f"login POST (production argon2id): {login_ms} ms")
    summary = {
        "benchmark": "foundation",
        "pages_20_accounts": small,
        "pages_500_accounts": big,
        "queries_constant": all(small[n]["queries"] == big[n]["queries"] for n in PAGES),
        "ratio_500_vs_20": {
            n: round(big[n]["median_ms"] / small[n]["median_ms"], 2) for n in PAGES
        },
        "login_post_ms": login_ms,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
