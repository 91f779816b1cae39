"""Impact reporting benchmark: the dashboard, a CSV export, the yearly report PDF and the JSON
figures, on the demo perimeter (38 members, a year of cafés) and then on the same database grown
to 500 members, 5,000 listings, 2,000 exchanges and 24 cafés with their check-ins.

Measures the median in-process server time of each (the PDF a few times only: it is seconds, not
milliseconds) and the dashboard's SQL query count at both sizes. The counts must be the same:
each figure is one aggregate query, whatever the number of rows. Last line: one JSON object.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from coopere import create_app  # noqa: E402
from coopere.auth.models import User  # noqa: E402
from coopere.cafe.models import CheckIn  # noqa: E402
from coopere.demo import create_demo  # noqa: E402
from coopere.dwellings.models import Dwelling  # noqa: E402
from coopere.events.models import Event  # noqa: E402
from coopere.exchanges.models import Exchange  # noqa: E402
from coopere.extensions import db  # noqa: E402
from coopere.listings.models import Listing, Theme  # noqa: E402
from coopere.reports.period import make_period  # noqa: E402
from coopere.reports.summary import summary  # noqa: E402
from coopere.timeutil import utcnow  # noqa: E402
from helpers import page_queries  # noqa: E402  (tests/helpers.py: the tests' query counter)

PASSWORD = "benchmark-passphrase"
RUNS, PDF_RUNS = 15, 3
GROWN = {"members": 500, "listings": 5_000, "exchanges": 2_000, "cafes": 24}


def log_in(client) -> None:
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/connexion",
        data={"csrf_token": token, "login": "pilote@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302, response.status_code


def grow(app, rng: random.Random) -> None:
    """Bulk inserts up to the grown sizes (bulk: the benchmark measures reading, not writing)."""
    now = utcnow()
    with app.app_context():
        dwellings = db.session.scalars(select(Dwelling.id)).all()
        themes = db.session.scalars(select(Theme.id)).all()
        have = db.session.scalar(select(func.count(User.id)))
        db.session.execute(
            insert(User),
            [
                {
                    "first_name": f"Voisin{n}",
                    "last_name": "Banc",
                    "name_key": f"voisin{n} banc",
                    "dwelling_id": rng.choice(dwellings),
                    "has_internet": n % 5 != 0,
                    "created_at": now - timedelta(days=rng.randint(1, 700)),
                }
                for n in range(GROWN["members"] - have)
            ],
        )
        people = db.session.scalars(select(User.id)).all()
        db.session.execute(
            insert(Listing),
            [
                {
                    "owner_id": rng.choice(people),
                    "theme_id": rng.choice(themes),
                    "kind": rng.choice(("offer", "need")),
                    "title": f"Annonce {n}",
                    "status": rng.choice(("open", "open", "fulfilled", "closed", "expired")),
                    "published_at": now - timedelta(days=rng.randint(1, 700)),
                    "details": {},
                }
                for n in range(GROWN["listings"])
            ],
        )
        listing_rows = db.session.execute(select(Listing.id, Listing.owner_id)).all()
        pairs = set()
        rows = []
        while len(rows) < GROWN["exchanges"]:
            listing = rng.choice(listing_rows)
            requester = rng.choice(people)
            if requester == listing.owner_id or (listing.id, requester) in pairs:
                continue
            pairs.add((listing.id, requester))
            decided = now - timedelta(days=rng.randint(3, 700))
            rows.append(
                {
                    "listing_id": listing.id,
                    "owner_id": listing.owner_id,
                    "requester_id": requester,
                    "status": "done",
                    "decided_at": decided,
                    "done_at": decided + timedelta(days=2),
                }
            )
        db.session.execute(insert(Exchange), rows)
        for n in range(GROWN["cafes"]):
            start = now - timedelta(days=30 * n + 3)
            cafe = Event(
                kind="cafe",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                place="Place des Lilas",
                visitors=rng.randint(0, 5),
            )
            db.session.add(cafe)
            db.session.flush()
            db.session.execute(
                insert(CheckIn),
                [
                    {
                        "event_id": cafe.id,
                        "user_id": person,
                        "at": start,
                        "newcomer": rng.random() < 0.1,
                    }
                    for person in rng.sample(people, 40)
                ],
            )
        db.session.commit()


def timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def measure(app, client) -> tuple[dict, int]:
    year = date.today().year

    def get(path):
        def run():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    def figures():
        with app.app_context():
            summary(make_period("all"))

    dashboard = "/bilan/?periode=all"
    medians = {
        "dashboard": timed(get(dashboard), RUNS),
        "csv_reach_streets": timed(get("/bilan/reach-streets.csv?periode=all"), RUNS),
        "json_figures": timed(figures, RUNS),
        "yearly_pdf": timed(get(f"/bilan/rapport-annuel/{year}.pdf"), PDF_RUNS),
    }
    return medians, page_queries(app, client, dashboard)


def main() -> None:
    rng = random.Random(7)  # nosec B311 - reproducible benchmark data, not a secret
    with tempfile.TemporaryDirectory(prefix="coopere-bench-reports-") as folder:
        app = create_app(
            {"SECRET_KEY": "bench-reports", "RATELIMIT_ENABLED": False}, instance_path=folder
        )
        with app.app_context():
            upgrade()
            create_demo(PASSWORD)
            db.session.commit()
            small = db.session.scalar(select(func.count(User.id)))
        client = app.test_client()
        log_in(client)
        before, queries_before = measure(app, client)
        grow(app, rng)
        after, queries_after = measure(app, client)
    ratios = {key: round(after[key] / before[key], 2) for key in before}
    print(
        json.dumps(
            {
                "benchmark": "reports",
                "members": [small, GROWN["members"]],
                "grown": GROWN,
                "median_ms": {"demo": before, "grown": after},
                "ratio_grown_to_demo": ratios,
                "dashboard_queries": [queries_before, queries_after],
                "queries_constant": queries_before == queries_after,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
