"""Finding listings benchmark: browse, search, a listing page and the member's home at 100 and at
10,000 listings, in the same run, on one throw-away SQLite perimeter of 500 members.

1. Builds the perimeter (10 streets, 500 dwellings, 500 members, the 14 themes) and 100 listings
   (bulk insert, with their search words), logs a member in, measures the median in-process server
   time of each page and its number of SQL queries;
2. adds 9,900 listings to the same database and measures again;
3. serves the same database with gunicorn (2 workers) and sends the browse page to 20 concurrent
   loopback clients (threads + http.client, at most 2,000 requests or 10 s), then the same for a
   bare page of the same layout that does no database work of its own (a route registered here, on
   the benchmark's app only).

Targets from the issue: query counts equal at both sizes and at most 8; browse and search at
10,000 listings at most 1.3 × their time at 100 (the search is for a word of a third of the
listings, so that its first page is full at both sizes). Last line: one JSON object.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from flask import render_template_string  # noqa: E402
from sqlalchemy import select  # noqa: E402

from coopere import create_app  # noqa: E402
from coopere.auth.models import Role, User  # noqa: E402
from coopere.auth.passwords import hash_password  # noqa: E402
from coopere.dwellings.models import Dwelling  # noqa: E402
from coopere.extensions import db  # noqa: E402
from coopere.listings.models import Listing, ListingTerm, Theme  # noqa: E402
from coopere.listings.search import terms_of  # noqa: E402
from coopere.listings.themes import seed_themes  # noqa: E402
from coopere.perimeter.services import DEFAULT_CHARTER, save_settings  # noqa: E402
from coopere.policy import POLICY, Access  # noqa: E402
from coopere.timeutil import utcnow  # noqa: E402
from helpers import page_queries  # noqa: E402  (tests/helpers.py: the tests' query counter)

PASSWORD = "benchmark-passphrase"
VIEWER = "viewer@example.org"
MEMBERS = 500
SMALL, LARGE = 100, 10_000
ROUNDS, RUNS = (
    6,
    10,
)  # timed requests per page and size: RUNS in each of ROUNDS rounds over the pages
CLIENTS, MAX_REQUESTS, MAX_SECONDS = 20, 2_000, 10.0
STREETS = (
    "rue des Lilas",
    "allée des Roses",
    "boulevard des Tilleuls",
    "impasse du Moulin",
    "place du Marché",
    "rue de la Fontaine",
    "chemin des Vignes",
    "avenue de la Gare",
    "rue Jules Verne",
    "rue des Écoles",
)
OFFERS = (
    "Je prête ma perceuse",
    "Je répare les vélos",
    "Cours de cuisine du monde",
    "Je garde vos chats",
    "Je peux arroser vos plantes",
    "Aide aux devoirs de mathématiques",
    "Je prête mon escabeau",
    "Covoiturage vers le marché",
    "Je dépanne les ordinateurs",
    "Conseils de jardinage",
    "Je tricote des écharpes",
    "Je promène les chiens",
    "Lecture à voix haute",
    "Je prête des livres pour enfants",
    "Montage de meubles",
)
NEEDS = (
    "Cherche un vélo pour le marché",
    "Besoin d'aide pour mon ordinateur",
    "Quelqu'un pour garder mon chien",
    "Cherche une tondeuse",
    "Aide pour remplir les papiers",
    "Cherche covoiturage vers l'hôpital",
    "Besoin d'un coup de main pour déménager",
    "Cherche des pots de confiture",
    "Apprendre à utiliser ma tablette",
    "Visite à ma voisine âgée",
)
PROJECTS = (
    "Jardin partagé de la rue",
    "Achat groupé de bois de chauffage",
    "Journée réparation de vélos",
    "Sortie au marché de Noël",
)
DESCRIPTIONS = (
    "Dans le quartier, le samedi matin de préférence.",
    "En semaine après 18 h.",
    "Pendant les vacances scolaires.",
    "Partout dans le quartier, contactez-moi par le site !",
    "Une ou deux heures suffisent.",
    "",
)
# A word of a third of the listings (and a plural, folded to its singular): the first page of
# results is full at 100 listings as at 10,000, so that the two times compare the same amount of
# page (a page's time grows with what it shows, which is not what this measures).
SEARCH = "quartiers"


def make_app(folder: Path):
    """The benchmark's app on the SQLite file in `folder`, with a bare page for the comparison."""
    app = create_app(
        {"SECRET_KEY": "bench-pages", "RATELIMIT_ENABLED": False}, instance_path=folder
    )
    POLICY.setdefault("bench_bare", Access.MEMBER)

    @app.route("/bench-bare", endpoint="bench_bare")
    def bench_bare():  # the same layout (header, menu, footer), no database work of its own
        return render_template_string(
            '{% extends "base.html" %}{% block title %}Bare{% endblock %}'
            "{% block content %}<h1>Page sans base de données</h1>{% endblock %}"
        )

    return app


def gunicorn_app():
    """Entry point for gunicorn (`pages:gunicorn_app()`): the app on BENCH_INSTANCE's database."""
    return make_app(Path(os.environ["BENCH_INSTANCE"]))


# --- data --------------------------------------------------------------------------------------


def build(app) -> None:
    with app.app_context():
        db.create_all()
        save_settings(
            {
                "name": "Coop-ère Benchmark",
                "short_name": "Bench",
                "city": "Nantes",
                "postcode": "44300",
                "estimated_dwellings": MEMBERS,
                "meeting_place": "Place",
                "contact": "06 12 34 56 78",
                "charter_text": DEFAULT_CHARTER,
            }
        )
        seed_themes()
        dwellings = []
        for n in range(MEMBERS):  # 10 streets × 25 numbers × 2 flats
            street, number, flat = STREETS[n % 10], n // 20 + 1, n // 10 % 2 + 1
            dwellings.append(
                {
                    "number": number,
                    "rep": "",
                    "street": street,
                    "complement": f"apt {flat}",
                    "postcode": "44300",
                    "city": "Nantes",
                    "address_key": f"{number}||{street}|apt {flat}|44300",
                    "reference": f"B{n:07d}",
                    "created_at": utcnow(),
                    "notes": "",
                    "no_letters": False,
                    "vacant": False,
                }
            )
        db.session.execute(Dwelling.__table__.insert(), dwellings)
        ids = db.session.scalars(select(Dwelling.id).order_by(Dwelling.id)).all()
        hashed = hash_password(PASSWORD)
        for n, dwelling_id in enumerate(ids):
            db.session.add(
                User(
                    first_name=f"Voisin{n}",
                    last_name=f"Nom{n}",
                    dwelling_id=dwelling_id,
                    email=VIEWER if n == 0 else f"v{n}@example.org",
                    role=Role.MEMBER.value,
                    password_hash=hashed if n == 0 else None,
                    activated_at=utcnow() - timedelta(days=200),
                )
            )
        db.session.commit()


def add_listings(app, count: int, rng: random.Random) -> None:
    """`count` listings (90 % open) of random members and themes, published over the last 180 days,
    inserted in bulk with their search words."""
    with app.app_context():
        themes = {theme.id: theme for theme in db.session.scalars(select(Theme))}
        owners = db.session.scalars(select(User.id)).all()
        first_id = (
            db.session.scalar(select(Listing.id).order_by(Listing.id.desc()).limit(1)) or 0
        ) + 1
        now = utcnow()
        rows, terms = [], []
        for listing_id in range(first_id, first_id + count):
            kind = rng.choices(("offer", "need", "project"), weights=(45, 45, 10))[0]
            title = rng.choice({"offer": OFFERS, "need": NEEDS, "project": PROJECTS}[kind])
            description = rng.choice(DESCRIPTIONS)
            theme = themes[rng.choice(list(themes))]
            status = rng.choices(("open", "draft", "closed", "paused"), weights=(90, 4, 4, 2))[0]
            published = (
                now - timedelta(minutes=rng.randrange(180 * 24 * 60)) if status != "draft" else None
            )
            rows.append(
                {
                    "id": listing_id,
                    "owner_id": rng.choice(owners),
                    "theme_id": theme.id,
                    "kind": kind,
                    "title": title,
                    "description": description,
                    "status": status,
                    "created_at": published or now,
                    "updated_at": now,
                    "published_at": published,
                    "availability": "",
                    "days": "",
                    "details": {},
                }
            )
            terms += [
                {"term": term, "listing_id": listing_id}
                for term in terms_of(f"{title} {description} {theme.label_fr} {theme.label_en}")
            ]
        db.session.execute(Listing.__table__.insert(), rows)
        db.session.execute(ListingTerm.__table__.insert(), terms)
        db.session.commit()


# --- in-process measures -------------------------------------------------------------------------


def log_in(client) -> None:
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/connexion", data={"csrf_token": token, "login": VIEWER, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code


def pages(app) -> dict[str, str]:
    """The measured pages: an open need with matching offers for the listing page."""
    with app.app_context():
        listing_id = db.session.scalar(
            select(Listing.id)
            .where(Listing.status == "open", Listing.kind == "need")
            .order_by(Listing.id)
            .limit(1)
        )
    return {
        "browse": "/annonces",
        "search": "/annonces?" + urlencode({"q": SEARCH}),
        "listing": f"/annonces/{listing_id}",
        "member_home": "/accueil",
    }


def first_visit(app, days: int = 7) -> None:
    """The viewer last saw the listings a week ago (the browse page then records the visit)."""
    with app.app_context():
        viewer = db.session.scalar(select(User).where(User.email == VIEWER))
        viewer.listings_seen_at = utcnow() - timedelta(days=days)
        db.session.commit()


def measure(app, client) -> tuple[dict, dict]:
    """(median ms, query count) of each page."""
    counts, samples = {}, {}
    paths = pages(app)
    for name, path in paths.items():
        first_visit(app)
        counts[name] = page_queries(app, client, path)  # a first visit: the worst case
        for _ in range(3):
            client.get(path)
    for _ in range(
        ROUNDS
    ):  # rounds over the pages: a burst of load on the machine hits them all alike
        for name, path in paths.items():
            for _ in range(RUNS):
                start = time.perf_counter()
                response = client.get(path)
                samples.setdefault(name, []).append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
    return {name: round(statistics.median(values), 2) for name, values in samples.items()}, counts


# --- under gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(
    port: int, method: str, path: str, headers: dict | None = None, body: str | None = None
):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def http_login(port: int) -> str:
    """Log the viewer in over HTTP; returns the Cookie header of the session."""
    status, headers, body = request(port, "GET", "/connexion")
    cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()
    status, headers, _ = request(
        port,
        "POST",
        "/connexion",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"csrf_token": token, "login": VIEWER, "password": PASSWORD}),
    )
    assert status == 302, status
    return "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie") or cookie


def load(port: int, path: str, cookie: str) -> dict:
    """CLIENTS threads request `path` until MAX_REQUESTS are done or MAX_SECONDS have passed."""
    lock, done, errors = threading.Lock(), [0], [0]
    deadline = time.perf_counter() + MAX_SECONDS

    def worker():
        while time.perf_counter() < deadline:
            with lock:
                if done[0] + errors[0] >= MAX_REQUESTS:
                    return
                done[0] += 1
            try:
                status, _, _ = request(port, "GET", path, {"Cookie": cookie})
                ok = status == 200
            except OSError:
                ok = False
            if not ok:
                with lock:
                    done[0] -= 1
                    errors[0] += 1

    for _ in range(20):  # warm up both workers
        request(port, "GET", path, {"Cookie": cookie})
    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {
        "requests": done[0],
        "errors": errors[0],
        "seconds": round(elapsed, 2),
        "requests_per_s": round(done[0] / elapsed, 1),
    }


def under_gunicorn(folder: Path) -> dict:
    port = free_port()
    env = {**os.environ, "BENCH_INSTANCE": str(folder)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            str(Path(__file__).resolve().parent),
            "--log-level",
            "warning",
            "pages:gunicorn_app()",
        ],
        env=env,
        cwd=str(ROOT),
    )
    try:
        for _ in range(200):
            try:
                request(port, "GET", "/connexion")
                break
            except OSError:
                time.sleep(0.1)
        cookie = http_login(port)
        assert request(port, "GET", "/bench-bare", {"Cookie": cookie})[0] == 200
        browse = load(port, "/annonces", cookie)
        bare = load(port, "/bench-bare", cookie)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "browse": browse,
        "bare": bare,
        "browse_to_bare": round(browse["requests_per_s"] / bare["requests_per_s"], 2),
    }


def main() -> None:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = make_app(folder)
        build(app)
        add_listings(app, SMALL, rng)
        client = app.test_client()
        log_in(client)
        small_times, small_counts = measure(app, client)
        add_listings(app, LARGE - SMALL, rng)
        large_times, large_counts = measure(app, client)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        served = under_gunicorn(folder)
    ratios = {name: round(large_times[name] / small_times[name], 2) for name in small_times}
    for name in small_times:
        print(
            f"{name:12} {SMALL:>6} listings: {small_times[name]:7.2f} ms, "
            f"{small_counts[name]} queries | {LARGE:>6}: {large_times[name]:7.2f} ms, "
            f"{large_counts[name]} queries | ratio {ratios[name]}"
        )
    print(
        f"gunicorn 2 workers, {CLIENTS} clients: "
        f"browse {served['browse']['requests_per_s']} req/s, "
        f"bare page {served['bare']['requests_per_s']} req/s, ratio {served['browse_to_bare']}"
    )
    print(
        json.dumps(
            {
                "benchmark": "pages",
                "members": MEMBERS,
                "listings": [SMALL, LARGE],
                "median_ms": {str(SMALL): small_times, str(LARGE): large_times},
                "queries": {str(SMALL): small_counts, str(LARGE): large_counts},
                "ratio_10k_to_100": ratios,
                "queries_constant": small_counts == large_counts,
                "queries_at_most_8": all(count <= 8 for count in large_counts.values()),
                "browse_search_ratio_ok": ratios["browse"] <= 1.3 and ratios["search"] <= 1.3,
                "gunicorn": served,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
