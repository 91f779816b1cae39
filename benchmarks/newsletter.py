"""Benchmark: the newsletter of a 500-member perimeter, drafted, emailed, printed to every dwelling.

Run from the repository root: ``.venv/bin/python benchmarks/newsletter.py``. Prints human lines,
then one JSON object as the last line.

1. Builds a throw-away SQLite perimeter: 500 dwellings, 500 members with an email address who all
   consent to the newsletter, 120 listings published this month, 8 coming events, 20 exchanges done
   this month with a thank-you (half of them quotable).
2. draft_s: server time of `services.create_draft` (every block from the month's data, the figures
   from reports.summary), median of 5 (each rolled back). Target ≤ 1 s.
3. queue_s: server time of `sending.queue_emails`: 500 emails built (HTML + text), accepted in the
   outbox with their per-recipient keys and committed, each handed to the background queue (the
   SQLite queue file: nothing is sent, no consumer runs). Median of 3. Target ≤ 2 s.
4. The every-dwelling print run (500 copies of two pages, the drafted texts), measured as
   benchmarks/letters.py measures the letters: the plain-text floor is the same copies without QR
   code, every copy laid out in ONE document rendered in ONE process; the run is the real thing
   (`render_newsletter_run`, one QR code per dwelling: the shared pages laid out once, each
   copy's address, reference and QR code stamped on, printing/stamp.py); each in a fresh
   subprocess after the same 1-copy warm-up. Target: run_s ≤ 0.8 × plain_text_s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from letters import TARGET_RATIO, _page_count, make_recipients, peak_rss_mib  # noqa: E402

MEMBERS = 500
MAX_DRAFT_S, MAX_QUEUE_S = 1.0, 2.0


def build(app) -> None:
    from coopere.auth.models import Role, User
    from coopere.dwellings.models import Dwelling
    from coopere.events.models import Event
    from coopere.exchanges.models import Exchange
    from coopere.extensions import db
    from coopere.listings.models import Listing, Theme
    from coopere.listings.themes import seed_themes
    from coopere.members.models import Consent
    from coopere.perimeter.services import DEFAULT_CHARTER, save_settings
    from coopere.timeutil import utcnow
    from sqlalchemy import select

    now = utcnow()
    with app.app_context():
        db.create_all()
        save_settings(
            {
                "name": "Coop-ère Benchmark",
                "short_name": "Bench",
                "city": "Nantes",
                "postcode": "44300",
                "estimated_dwellings": MEMBERS,
                "meeting_place": "Place de la Bottière",
                "contact": "bonjour@bench.example.org",
                "charter_text": DEFAULT_CHARTER,
            }
        )
        seed_themes()
        recipients = make_recipients(MEMBERS)
        db.session.execute(
            Dwelling.__table__.insert(),
            [
                {
                    "number": n + 1,
                    "rep": "",
                    "street": recipient.street,
                    "complement": "",
                    "postcode": "44300",
                    "city": "Nantes",
                    "address_key": f"{n}|{recipient.street}",
                    "reference": recipient.reference,
                    "created_at": now,
                    "notes": "",
                    "no_letters": False,
                    "vacant": False,
                }
                for n, recipient in enumerate(recipients)
            ],
        )
        ids = db.session.scalars(select(Dwelling.id).order_by(Dwelling.id)).all()
        db.session.execute(
            User.__table__.insert(),
            [
                {
                    "first_name": f"Voisin{n}",
                    "last_name": f"Nom{n}",
                    "dwelling_id": dwelling_id,
                    "email": f"v{n}@example.org",
                    "role": Role.ANIMATOR.value if n == 0 else Role.MEMBER.value,
                    "created_at": now - timedelta(days=40),
                }
                for n, dwelling_id in enumerate(ids)
            ],
        )
        users = db.session.scalars(select(User.id).order_by(User.id)).all()
        consent = {"given": True, "version": "1", "method": "online", "recorded_at": now}
        db.session.execute(
            Consent.__table__.insert(),
            [{"user_id": u, "kind": "newsletter", **consent} for u in users]
            + [{"user_id": u, "kind": "quote_story", **consent} for u in users[::2]],
        )
        themes = db.session.scalars(select(Theme.id)).all()
        listings = [
            Listing(
                owner_id=users[n % MEMBERS],
                theme_id=themes[n % len(themes)],
                kind=("offer", "need", "project")[n % 3],
                title=f"Annonce du mois numéro {n}",
                status="open",
                published_at=now - timedelta(hours=n),
            )
            for n in range(120)
        ]
        db.session.add_all(listings)
        db.session.flush()
        for n in range(8):
            start = now + timedelta(days=3 + 7 * n)
            db.session.add(
                Event(
                    kind="cafe",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    place="Place de la Bottière",
                )
            )
        for n in range(20):
            db.session.add(
                Exchange(
                    listing_id=listings[3 * n].id,
                    owner_id=listings[3 * n].owner_id,
                    requester_id=users[(3 * n + 1) % MEMBERS],
                    status="done",
                    done_at=now - timedelta(hours=n),
                    requester_thanks="Merci beaucoup !",
                )
            )
        db.session.commit()


def server_times(folder: Path) -> dict:
    from coopere import create_app
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.newsletter import sending, services
    from coopere.newsletter.models import NewsletterIssue
    from coopere.notifications.models import OutboxEmail

    app = create_app(
        {
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "PUBLIC_URL": "https://bench.example.org",
            "MAIL_SERVER": "127.0.0.1",  # never contacted: no queue consumer runs
            "MAIL_DEFAULT_SENDER": "bench@example.org",
        },
        instance_path=folder / "instance",
    )
    build(app)
    with app.test_request_context():
        animator = db.session.get(User, 1)
        drafts = []
        for _ in range(5):
            started = time.perf_counter()
            issue = services.create_draft(actor=animator)
            drafts.append(time.perf_counter() - started)
            db.session.rollback()
        issue = services.create_draft(actor=animator)
        db.session.commit()
        blocks = issue.blocks
        queues = []
        for _ in range(3):
            started = time.perf_counter()
            queued = sending.queue_emails(issue)
            queues.append(time.perf_counter() - started)
            db.session.execute(db.delete(OutboxEmail))
            db.session.commit()
        issue = db.session.get(NewsletterIssue, issue.id)
        from coopere.newsletter.printouts import paper_params
        from coopere.perimeter.models import get_perimeter

        params = paper_params(issue, get_perimeter(), blocks)
    return {
        "draft_s": statistics.median(drafts),
        "queue_s": statistics.median(queues),
        "emails_queued": queued,
        "blocks": [item["kind"] for item in blocks],
        "paper": params,
    }


def measure_print(mode: str, paper_file: str, workers: int | None) -> dict:
    from coopere.newsletter.printouts import paper
    from coopere.printing import newsletter, render_newsletter_run

    params = json.loads(Path(paper_file).read_text())
    run = paper(params, "https://bench.example.org/bienvenue?run=ABC123", make_recipients(MEMBERS))
    if mode == "baseline":
        run = dataclasses.replace(run, qr_url="")  # no QR code, no image at all
    # The draft is for one sheet: the blocks that fit it (the editor asks the group to shorten).
    # The floor lays out every copy in one document (the run without stamping, printing/stamp.py).
    render = (
        (lambda run, workers: newsletter._render_chunk(run, run.recipients))
        if mode == "baseline"
        else (lambda run, workers: render_newsletter_run(run, workers=workers))
    )
    render(dataclasses.replace(run, recipients=run.recipients[:1]), 1)
    started = time.perf_counter()
    pdf = render(run, workers)
    return {
        "seconds": time.perf_counter() - started,
        "pages": _page_count(pdf),
        "pdf_bytes": len(pdf),
        "rss_parent_mib": peak_rss_mib(0),
        "rss_workers_mib": peak_rss_mib(-1),
    }


def in_subprocess(mode: str, paper_file: str, workers: int | None) -> dict:
    command = [sys.executable, __file__, "--measure", mode, "--paper", paper_file]
    if workers:
        command += ["--workers", str(workers)]
    output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if output.returncode:
        raise SystemExit(f"{mode} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--measure", choices=["baseline", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--paper", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_print(args.measure, args.paper, args.workers)))
        return
    load_before = os.getloadavg()[0]
    print(f"{MEMBERS} members, {os.cpu_count()} CPU, load average {load_before:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        times = server_times(folder)
        print(
            f"draft {times['draft_s'] * 1000:.0f} ms ({len(times['blocks'])} blocks: "
            f"{', '.join(times['blocks'])}); {times['emails_queued']} emails queued in "
            f"{times['queue_s'] * 1000:.0f} ms"
        )
        paper_file = folder / "paper.json"
        paper_file.write_text(json.dumps(times["paper"], ensure_ascii=False))
        baseline = in_subprocess("baseline", str(paper_file), None)
        print(
            f"floor (no QR code, one document, one process): {baseline['seconds']:.2f} s, "
            f"{baseline['pages']} pages"
        )
        run = in_subprocess("run", str(paper_file), args.workers)
        print(
            f"run (QR codes, shared pages stamped): {run['seconds']:.2f} s, "
            f"{run['pages']} pages, {run['pdf_bytes'] / 1e6:.1f} MB"
        )
    ratio = run["seconds"] / baseline["seconds"]
    ok = (
        times["draft_s"] <= MAX_DRAFT_S
        and times["queue_s"] <= MAX_QUEUE_S
        and times["emails_queued"] == MEMBERS
        and ratio <= TARGET_RATIO
        and run["pages"] == 2 * MEMBERS
    )
    print("OK" if ok else "TARGET MISSED")
    print(
        json.dumps(
            {
                "members": MEMBERS,
                "draft_s": round(times["draft_s"], 3),
                "max_draft_s": MAX_DRAFT_S,
                "emails_queued": times["emails_queued"],
                "queue_s": round(times["queue_s"], 3),
                "max_queue_s": MAX_QUEUE_S,
                "copies": MEMBERS,
                "pages": run["pages"],
                "plain_text_s": round(baseline["seconds"], 3),
                "run_s": round(run["seconds"], 3),
                "ratio": round(ratio, 3),
                "target_ratio": TARGET_RATIO,
                "peak_rss_mib": round(max(run["rss_parent_mib"], run["rss_workers_mib"]), 1),
                "pdf_mb": round(run["pdf_bytes"] / 1e6, 2),
                "cpus": os.cpu_count(),
                "load_average": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2),
                "ok": ok,
            }
        )
    )


if __name__ == "__main__":
    main()
