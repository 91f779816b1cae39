"""Registration desk benchmark: server time of each desk screen and of the welcome card PDF.

Builds a throw-away perimeter on SQLite (500 dwellings, 300 members, the 14 themes), logs an
animator in, then registers 25 residents through the three screens exactly as the browser
posts them, and prints each one's welcome card. Server time is measured in-process around
each request (median). Targets from the issue: under 100 ms a screen, under 300 ms the card.
Last line: one JSON object.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from benchmarks.support.perimeter import build_perimeter  # noqa: E402
from coopere.extensions import db  # noqa: E402
from coopere.listings.models import Theme  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import form_fields  # noqa: E402

PASSWORD = "benchmark-passphrase"
RESIDENTS = 25
STREETS = (
    "rue des Lilas",
    "allée des Roses",
    "boulevard des Tilleuls",
    "impasse du Moulin",
    "place du Marché",
)


def build(folder: Path):
    return build_perimeter(
        folder, public_url="https://lilas.example.org", streets=STREETS, password=PASSWORD
    )


def timed(samples: dict, name: str, call):
    start = time.perf_counter()
    response = call()
    samples.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    return response


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp))
        client = app.test_client()
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            client.get("/connexion").get_data(as_text=True),
        ).group(1)
        client.post(
            "/connexion",
            data={"csrf_token": token, "login": "anim@example.org", "password": PASSWORD},
        )
        with app.app_context():
            themes = db.session.scalars(select(Theme.id).order_by(Theme.position)).all()
        samples: dict[str, list[float]] = {}
        client.get("/inscription")  # warm up templates
        for n in range(RESIDENTS):
            page = timed(samples, "screen_1_page", lambda: client.get("/inscription"))
            data = form_fields(page, "/inscription")
            data.update(
                {
                    "first_name": f"Résidente{n}",
                    "last_name": "Bench",
                    "address": f"{n + 1} rue des Lilas",
                    "phone": f"06 45 67 {n // 100:02d} {n % 100:02d}",
                    "has_internet": "yes",
                    "contact_preference": "phone",
                    "go": "next",
                }
            )
            page = timed(samples, "screen_1_to_2", lambda: client.post("/inscription", data=data))
            assert "2." in page.get_data(as_text=True) and page.status_code == 200, page.get_data(
                as_text=True
            )[:3000]
            data = form_fields(page, "/inscription")
            data.update(
                {
                    f"offer_{themes[1]}": "y",
                    f"need_{themes[5]}": "y",
                    f"details_{themes[5]}": "Le marché",
                    f"offer_{themes[12]}": "y",
                    "go": "next",
                }
            )
            page = timed(samples, "screen_2_to_3", lambda: client.post("/inscription", data=data))
            assert page.status_code == 200
            data = form_fields(page, "/inscription")
            data.update(
                {
                    "charter": "y",
                    "privacy": "y",
                    "share_phone": "y",
                    "method": "tablet",
                    "go": "save",
                }
            )
            saved = timed(samples, "screen_3_save", lambda: client.post("/inscription", data=data))
            assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
            member_page = timed(
                samples, "member_page", lambda: client.get(saved.headers["Location"])
            )
            card_form = form_fields(member_page, "/carte")
            member_id = saved.headers["Location"].split("/membres/")[1].split("?")[0]
            card = timed(
                samples,
                "welcome_card_pdf",
                lambda: client.post(f"/membres/{member_id}/carte", data=card_form),
            )
            assert card.mimetype == "application/pdf"
            card.close()
    medians = {name: round(statistics.median(values), 1) for name, values in samples.items()}
    screens = [name for name in medians if name.startswith("screen")] + ["member_page"]
    for name, value in medians.items():
        target = 300 if name == "welcome_card_pdf" else 100
        print(f"{name:18} median {value:7.1f} ms (target < {target} ms)")
    print(
        json.dumps(
            {
                "benchmark": "registration",
                "residents": RESIDENTS,
                "median_ms": medians,
                "screens_under_100ms": all(medians[name] < 100 for name in screens),
                "card_under_300ms": medians["welcome_card_pdf"] < 300,
            }
        )
    )


if __name__ == "__main__":
    main()
