"""Writes under load and faults: 20 loopback clients send mixed writes, each with its own
Idempotency-Key and retried until acknowledged, to gunicorn (2 workers × 4 threads, gthread);
then the database is checked: every acknowledged write present exactly once, nothing half-written.

Writes: registrations at the desk (animators, the three screens sent at once), new listings and
exchange messages (members), café check-ins (animators). A client retries a write with the same
key after a connection error, a timeout or a 5xx, until it is acknowledged (a redirect) or the
phase ends.

Phases, each STRESS_WRITES writes (default 1,000):
  a. plain, on a throw-away SQLite instance with the demo perimeter and bench accounts;
  b. the same while backups of the database are taken again and again (`flask --app coopere
     backup` when the command exists, else the sqlite3 online backup API from this script: the
     JSON says which);
  c. the same with faults: `kill -9` of a worker at about a third of the writes, `kill -9` of the
     master at about two thirds (its workers are then stopped too, as in a crash), gunicorn
     restarted;
  d. the plain run on PostgreSQL (database `test` at 127.0.0.1:5432, in a schema created and dropped
     here), skipped when no server answers;
  e. a perimeter of a network: a network folder (network.py, two other perimeters made by
     `create_perimeter`, and the stress perimeter under perimeters/stress/ with the same data and
     its settings in its own config.py) served by `gunicorn network_wsgi:app`, every path under
     /stress/. Two more kinds of writes go through the background queue: print runs (an animator
     starts a letter run) and emails (a member writes in a thread of their own to a member who
     takes emails; a real SMTP server in this process receives them, each naming its thread).
     The queue's consumer runs as its own process; `kill -9` of a gunicorn worker at about a
     third of the writes, `kill -9` of the consumer at about half (restarted). Then, waiting at
     most STRESS_DRAIN_SECONDS (default 1500: the queue's sweep, every 10 minutes, takes back
     what a killed consumer held for 10 minutes) for the queue: every acknowledged print run
     done once with its PDF, every acknowledged email arrived, none twice. Without
     coopere/queue.py the phase runs as the code was: print runs rendered in the request, emails
     sent after its commit.
     Its writes stop after STRESS_NETWORK_SECONDS (default 300): the consumer renders the print
     runs on the same cores.

Checked after each phase: acknowledged writes present once (found by markers in the written text:
the registration's e-mail, the listing's description, the message's body, the check-in's pair), none
duplicated, registrations with both their consents, `PRAGMA integrity_check` (SQLite), server errors
(5xx answers, "database is locked" in the server's log). STRESS_PHASES=abcde chooses the phases.
Bounded: loopback only, each phase stops after STRESS_PHASE_SECONDS (default 120). Last line: one
JSON object.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from coopere import create_app  # noqa: E402
from coopere.auth.models import Role, User  # noqa: E402
from coopere.auth.passwords import hash_password  # noqa: E402
from coopere.cafe.models import CheckIn  # noqa: E402
from coopere.timeutil import paris_today  # noqa: E402
from coopere.demo import create_demo  # noqa: E402
from coopere.events.models import Event  # noqa: E402
from coopere.timeutil import to_utc  # noqa: E402
from coopere.exchanges.models import Exchange, Message  # noqa: E402
from coopere.extensions import db  # noqa: E402
from coopere.idempotency import IdempotencyKey  # noqa: E402
from coopere.listings.models import Listing, Theme  # noqa: E402
from coopere.members.models import Consent  # noqa: E402
from coopere.timeutil import utcnow  # noqa: E402

PASSWORD = "stress-passphrase"
WRITES = int(os.environ.get("STRESS_WRITES", "1000"))
PHASES = os.environ.get("STRESS_PHASES", "abcde")
PHASE_SECONDS = float(os.environ.get("STRESS_PHASE_SECONDS", "120"))
CLIENTS = 20  # half animators (registrations, check-ins), half members (listings, messages)
ANIMATORS = MEMBERS = CLIENTS // 2
EVENTS, EXTRA_PEOPLE = 8, 100  # café events today × people: check-in pairs for every phase
REQUEST_TIMEOUT = 20.0
PG_URL = os.environ.get("COOPERE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MAIL = "stress.example.org"
# Cheap password hashes: the benchmark measures writes, not argon2.
CONFIG = {
    "SECRET_KEY": "bench-stress",
    "RATELIMIT_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
    "QUEUE_URL": "immediate",
}


def make_app(folder: Path, database: dict | None = None):
    return create_app({**CONFIG, **(database or {})}, instance_path=folder)


def gunicorn_app():
    """Entry point for gunicorn (`stress:gunicorn_app()`): STRESS_INSTANCE, STRESS_DATABASE
    (JSON)."""
    return make_app(
        Path(os.environ["STRESS_INSTANCE"]), json.loads(os.environ.get("STRESS_DATABASE") or "{}")
    )


# --- the instance -----------------------------------------------------------------------------


def build(app) -> dict:
    """Demo perimeter, bench accounts, café events today, people to check in; returns the plan's
    ids."""
    with app.app_context():
        db.create_all()
        create_demo(PASSWORD)
        db.session.commit()
        hashed = hash_password(PASSWORD)
        animators = [
            User(
                first_name="Anim",
                last_name=f"Stress{n}",
                email=f"anim{n}@{MAIL}",
                role=Role.ANIMATOR.value,
                password_hash=hashed,
                activated_at=utcnow(),
            )
            for n in range(ANIMATORS)
        ]
        members = [
            User(
                first_name="Membre",
                last_name=f"Stress{n}",
                email=f"membre{n}@{MAIL}",
                role=Role.MEMBER.value,
                password_hash=hashed,
                activated_at=utcnow(),
            )
            for n in range(MEMBERS)
        ]
        db.session.add_all(animators + members)
        db.session.flush()
        # Each member answers a demo listing: the thread their messages go to.
        listings = db.session.scalars(
            select(Listing)
            .where(Listing.status == "open", Listing.kind.in_(("offer", "need")))
            .order_by(Listing.id)
        ).all()
        threads = {}
        for member, listing in zip(members, listings):
            exchange = Exchange(
                listing_id=listing.id,
                owner_id=listing.owner_id,
                requester_id=member.id,
                status="pending",
                created_at=utcnow(),
                last_message_at=utcnow(),
            )
            db.session.add(exchange)
            db.session.flush()
            db.session.add(
                Message(
                    exchange_id=exchange.id,
                    author_id=member.id,
                    sent_by_id=member.id,
                    body="Bonjour, je peux aider.",
                )
            )
            threads[member.email] = exchange.id
        db.session.execute(
            User.__table__.insert(),
            [
                {
                    "first_name": "Voisin",
                    "last_name": f"Présent{n}",
                    "role": Role.MEMBER.value,
                    "has_internet": False,
                    "contact_preference": "phone",
                    "phone": f"+3319901{n:04d}",
                    "created_at": utcnow(),
                }
                for n in range(EXTRA_PEOPLE)
            ],
        )
        day = paris_today()
        events = [
            Event(
                kind="cafe",
                title=f"Café stress {n}",
                starts_at=to_utc(day, clock(0, 1)),
                ends_at=to_utc(day, clock(23, 59)),
                place="Place des Lilas",
            )
            for n in range(EVENTS)
        ]
        db.session.add_all(events)
        db.session.commit()
        people = db.session.scalars(
            select(User.id).where(User.erased_at.is_(None)).order_by(User.id)
        ).all()
        theme = db.session.scalar(select(Theme.id).where(Theme.slug == "dons-prets"))
        pairs = [(event.id, person) for event in events for person in people]
        return {
            "animators": [a.email for a in animators],
            "members": [m.email for m in members],
            "threads": threads,
            "pairs": pairs,
            "theme": theme,
        }


# --- a browser-like client ---------------------------------------------------------------------

CSRF_RE = re.compile(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Browser:
    """One person's browser: its cookies, its CSRF token read from a form page."""

    def __init__(self, port: int, prefix: str = ""):
        # prefix: "/<slug>" when the perimeter is served by a network (every path is below it)
        self.port, self.prefix, self.cookies, self.token = port, prefix, {}, ""

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            all_headers = dict(headers or {})
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if data is not None:
                body = urlencode(data)
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, self.prefix + path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    self.cookies[cookie_name] = rest.split(";")[0]
            return response.status, response.getheader("Location") or "", content
        finally:
            connection.close()

    def log_in(self, login: str, form_page: str) -> None:
        _, _, page = self.request("GET", "/connexion")
        token = CSRF_RE.search(page).group(1).decode()
        status, _, _ = self.request(
            "POST", "/connexion", {"csrf_token": token, "login": login, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"login {login}: {status}")
        status, _, page = self.request("GET", form_page)
        self.token = CSRF_RE.search(page).group(1).decode()


# --- the load ---------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged: dict[str, tuple] = {}  # key -> (kind, marker)
        self.sent: dict[str, tuple] = {}
        self.server_errors = self.connection_errors = self.refused = self.replays = self.retries = 0
        self.done = 0
        self.last_ack = 0.0
        self.refusals: list[str] = []
        self.slow: list[dict] = []
        self.mail_threads: dict[str, int] = {}  # email write's key -> its thread (exchange id)

    def add(self, **counts):
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def job_payload(kind: str, key: str, plan: dict, person: str, pair=None) -> tuple[str, dict, tuple]:
    """(path, form, marker) of one write."""
    if kind == "registration":
        email = f"r-{key}@{MAIL}"
        return (
            "/inscription",
            {
                "step": "3",
                "go": "save",
                "first_name": "Inscrit",
                "last_name": f"Charge {key[:8]}",
                "not_in_register": "y",
                "address_note": "Test de charge, hors registre",
                "address": "",
                "phone": "",
                "email": email,
                "has_internet": "yes",
                "contact_preference": "email",
                "not_duplicate": "y",
                "charter": "y",
                "privacy": "y",
                "method": "tablet",
                "sponsor_id": "",
            },
            email,
        )
    if kind == "listing":
        marker = f"Réf. {key}"
        return (
            "/mes-annonces/nouvelle",
            {
                "kind": "offer",
                "theme_id": str(plan["theme"]),
                "title": "Je prête ma perceuse",
                "description": marker,
                "confirmed": "1",
            },
            marker,
        )
    if kind == "message":
        marker = f"Message {key}"
        return f"/echanges/{plan['threads'][person]}/repondre", {"body": marker}, marker
    if kind == "printrun":  # a letter run, one unaddressed copy: the marker rides in its params
        marker = f"Série {key}"
        form = {"event": str(plan["print_event"]), "unaddressed": "1", "building": marker}
        return "/impressions/lettres", form, marker
    if kind == "email":  # a message in a thread of its own, to a member who takes emails
        marker = f"Courriel {key}"
        return f"/echanges/{pair}/repondre", {"body": marker}, marker
    event_id, person_id = pair
    return f"/cafe/{event_id}/accueil/present", {"person_id": str(person_id)}, (event_id, person_id)


KINDS = ("registration", "listing", "message", "checkin")
ANIMATOR_KINDS = ("registration", "checkin", "printrun")


def run_clients(
    port: int,
    plan: dict,
    writes: int,
    tally: Tally,
    deadline: float,
    pairs: list,
    *,
    kinds: tuple = KINDS,
    prefix: str = "",
) -> None:
    """CLIENTS threads: each takes writes from its queue and retries each until acknowledged."""
    jobs = {"animator": queue.Queue(), "member": queue.Queue()}
    for n in range(writes):
        kind = kinds[n % len(kinds)]
        role = "animator" if kind in ANIMATOR_KINDS else "member"
        jobs[role].put((kind, pairs.pop() if kind == "checkin" else None))
    mail_threads = {login: list(ids) for login, ids in plan.get("mail_threads", {}).items()}

    def client(role: str, login: str, form_page: str):
        browser = Browser(port, prefix)
        while True:
            try:
                browser.log_in(login, form_page)
                break
            except (OSError, http.client.HTTPException, AttributeError, RuntimeError):
                if time.monotonic() > deadline:
                    return
                time.sleep(0.3)
        while True:
            try:
                kind, pair = jobs[role].get_nowait()
            except queue.Empty:
                return
            key = f"{kind[:3]}-{uuid.uuid4().hex}"
            if kind == "email":  # this member's next thread of its own (one write each)
                pair = mail_threads[login].pop()
            path, form, marker = job_payload(kind, key, plan, login, pair)
            with tally.lock:
                tally.sent[key] = (kind, marker)
                if kind == "email":
                    tally.mail_threads[key] = pair
            began, history = time.monotonic(), []
            while time.monotonic() < deadline:
                try:
                    status, _location, body = browser.request(
                        "POST",
                        path,
                        {"csrf_token": browser.token, **form},
                        {"Idempotency-Key": key},
                    )
                except (OSError, http.client.HTTPException) as error:
                    history.append(f"{time.monotonic() - began:.1f} s {type(error).__name__}")
                    tally.add(connection_errors=1, retries=1)
                    time.sleep(0.2)
                    continue
                history.append(f"{time.monotonic() - began:.1f} s {status}")
                if status >= 500:
                    tally.add(server_errors=1, retries=1)
                    time.sleep(0.2)
                    continue
                # A redirect, or « Déjà enregistré » when the first try's outcome was never stored
                # (its process died between the commit and the outcome).
                if status in (302, 303) or (status == 200 and "Déjà enregistré".encode() in body):
                    with tally.lock:
                        tally.acknowledged[key] = (kind, marker)
                        tally.done += 1
                        tally.last_ack = time.monotonic()
                        tally.replays += status != 302
                else:
                    with tally.lock:
                        tally.refused += (
                            1  # a write refused (a form error): not acknowledged, not retried
                        )
                        tally.refusals.append(history[-1])
                break
            if time.monotonic() - began > 30:
                with tally.lock:
                    tally.slow.append({"key": key, "history": history[-6:]})

    threads = [
        threading.Thread(target=client, args=("animator", login, "/inscription"))
        for login in plan["animators"]
    ]
    threads += [
        threading.Thread(target=client, args=("member", login, "/mes-annonces/nouvelle"))
        for login in plan["members"]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on the instance, restartable; its log is kept for the error count."""

    def __init__(
        self,
        folder: Path,
        database: dict | None,
        log: Path,
        *,
        network: Path | None = None,
        prefix: str = "",
        port: int | None = None,
    ):
        """`network`: serve the network folder with `network_wsgi:app` instead of the instance;
        `prefix` is then the perimeter's path (`/<slug>`)."""
        self.folder, self.database, self.log, self.port = folder, database, log, port or free_port()
        self.network, self.prefix = network, prefix
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "STRESS_INSTANCE": str(self.folder),
            "STRESS_DATABASE": json.dumps(self.database or {}),
        }
        target = "stress:gunicorn_app()"
        if self.network is not None:
            env["COOPERE_NETWORK"] = str(self.network)
            target = "network_wsgi:app"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--worker-class",
                    "gthread",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    "60",
                    "--pythonpath",
                    str(Path(__file__).resolve().parent),
                    "--log-level",
                    "warning",
                    target,
                ],
                env=env,
                cwd=str(ROOT),
                stdout=log,
                stderr=log,
            )
        for _ in range(300):
            try:
                Browser(self.port, self.prefix).request("GET", "/connexion")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        try:
            children = (
                Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
                .read_text()
                .split()
            )
        except OSError:
            return []
        return [int(pid) for pid in children]

    def kill_worker(self) -> None:
        workers = self.workers()
        if workers:
            os.kill(workers[0], signal.SIGKILL)

    def crash(self) -> None:
        """kill -9 the master; its workers notice the lost parent and stop (or are killed by
        pid)."""
        workers = self.workers()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        limit = time.monotonic() + 5
        for pid in workers:
            while time.monotonic() < limit and Path(f"/proc/{pid}").exists() and not _zombie(pid):
                time.sleep(0.1)
            if Path(f"/proc/{pid}").exists() and not _zombie(pid):
                os.kill(pid, signal.SIGKILL)
        for _ in range(100):  # the port is free again: nobody answers on it
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                return
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_counts(self) -> dict:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return {
            "locked": text.count("database is locked"),
            "tracebacks": text.count("Traceback"),
            "bind_retries": text.count("Connection in use"),
        }


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


# --- backups during the load ------------------------------------------------------------------


def backup_command_available() -> bool:
    return importlib.util.find_spec("coopere.backup.cli") is not None


class Backups(threading.Thread):
    """Backs the SQLite database up again and again until stopped."""

    def __init__(self, folder: Path, target: Path, use_command: bool):
        super().__init__()
        self.folder, self.target, self.use_command = folder, target, use_command
        self.stop_event, self.done, self.failed = threading.Event(), 0, 0

    def run(self) -> None:
        n = 0
        while not self.stop_event.is_set():
            n += 1
            try:
                if self.use_command:
                    self._command(n)
                else:
                    self._api(n)
                self.done += 1
            except (OSError, sqlite3.Error, subprocess.CalledProcessError):
                self.failed += 1
            self.stop_event.wait(0.5)

    def _command(self, n: int) -> None:
        env = {
            **os.environ,
            "COOPERE_INSTANCE": str(self.folder),
            "COOPERE_SECRET_KEY": CONFIG["SECRET_KEY"],
        }
        subprocess.run(
            [
                str(Path(sys.executable).with_name("flask")),
                "--app",
                "coopere",
                "backup",
                "--keep",
                "3",
            ],
            env=env,
            cwd=str(ROOT),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def _api(self, n: int) -> None:
        source = sqlite3.connect(self.folder / "coopere.sqlite3", timeout=30)
        copy = sqlite3.connect(self.target / f"api-{n % 3}.sqlite3")
        try:
            source.backup(copy, pages=256, sleep=0.005)  # by steps, as an online backup does
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("backup copy not ok")
        finally:
            copy.close()
            source.close()


# --- checking the database --------------------------------------------------------------------


def verify(app, tally: Tally, extra: dict | None = None) -> dict:
    """`extra`: counts of other kinds of writes, found by the caller ((kind, marker) -> count)."""
    with app.app_context():
        db.session.remove()
        found: dict[tuple, int] = dict(extra or {})
        emails = db.session.execute(
            select(User.email, func.count())
            .where(User.email.like(f"r-%@{MAIL}"))
            .group_by(User.email)
        ).all()
        found.update({("registration", e): c for e, c in emails})
        descriptions = db.session.execute(
            select(Listing.description, func.count())
            .where(Listing.description.like("Réf. %"))
            .group_by(Listing.description)
        ).all()
        found.update({("listing", d): c for d, c in descriptions})
        bodies = db.session.execute(
            select(Message.body, func.count())
            .where(Message.body.like("Message %"))
            .group_by(Message.body)
        ).all()
        found.update({("message", b): c for b, c in bodies})
        pairs = db.session.execute(
            select(CheckIn.event_id, CheckIn.user_id, func.count()).group_by(
                CheckIn.event_id, CheckIn.user_id
            )
        ).all()
        found.update({("checkin", (e, u)): c for e, u, c in pairs})
        keys = set(db.session.scalars(select(IdempotencyKey.key)))
        registered = select(User.id).where(User.email.like(f"r-%@{MAIL}")).subquery()
        with_consents = (
            select(Consent.user_id)
            .where(Consent.kind.in_(("charter", "privacy")), Consent.given.is_(True))
            .group_by(Consent.user_id)
            .having(func.count(func.distinct(Consent.kind)) == 2)
            .subquery()
        )
        partial = db.session.scalar(
            select(func.count())
            .select_from(registered)
            .where(registered.c.id.not_in(select(with_consents.c.user_id)))
        )
        integrity = "n/a (postgresql)"
        if db.engine.dialect.name == "sqlite":
            integrity = db.session.execute(sa.text("PRAGMA integrity_check")).scalar()
        db.session.remove()
    acknowledged = tally.acknowledged
    present = sum(1 for kind, marker in acknowledged.values() if found.get((kind, marker)) == 1)
    lost = sum(1 for kind, marker in acknowledged.values() if not found.get((kind, marker)))
    sent_markers = {(kind, marker) for kind, marker in tally.sent.values()}
    duplicated = sum(1 for marker in sent_markers if found.get(marker, 0) > 1)
    return {
        "acknowledged": len(acknowledged),
        "present": present,
        "duplicated": duplicated,
        "lost": lost,
        "keys_missing": sum(1 for key in acknowledged if key not in keys),
        "partial": partial,
        "integrity": integrity,
    }


# --- the phases -------------------------------------------------------------------------------


def phase(
    name: str,
    app,
    server: Server,
    plan: dict,
    pairs: list,
    *,
    backups: Backups | None = None,
    faults: bool = False,
) -> dict:
    tally = Tally()
    start = time.monotonic()
    deadline = start + PHASE_SECONDS
    before = server.log_counts()
    if backups is not None:
        backups.start()
    watcher = None
    events: list[str] = []
    if faults:

        def watch():
            killed_worker = crashed = False
            while time.monotonic() < deadline and tally.done < WRITES:
                if not killed_worker and tally.done >= WRITES // 3:
                    server.kill_worker()
                    killed_worker = True
                    events.append(
                        f"{time.monotonic() - start:.1f} s: "
                        f"kill -9 worker at {tally.done} acknowledged"
                    )
                if not crashed and tally.done >= 2 * WRITES // 3:
                    server.crash()
                    events.append(
                        f"{time.monotonic() - start:.1f} s: "
                        f"kill -9 master at {tally.done} acknowledged"
                    )
                    time.sleep(1.0)
                    server.start()
                    events.append(f"{time.monotonic() - start:.1f} s: gunicorn restarted")
                    crashed = True
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
    run_clients(server.port, plan, WRITES, tally, deadline, pairs)
    seconds = time.monotonic() - start
    if watcher is not None:
        watcher.join()
    if backups is not None:
        backups.stop_event.set()
        backups.join()
    after = server.log_counts()
    result = {
        "phase": name,
        **verify(app, tally),
        "unacknowledged": len(tally.sent) - len(tally.acknowledged),
        "refused": tally.refused,
        "replayed": tally.replays,
        "retries": tally.retries,
        "errors": {
            "5xx": tally.server_errors,
            "locked": after["locked"] - before["locked"],
            "connection": tally.connection_errors,
            "server_tracebacks": after["tracebacks"] - before["tracebacks"],
            "bind_retries": after["bind_retries"] - before["bind_retries"],
        },
        "seconds": round(seconds, 1),
        "writes_per_s": round(len(tally.acknowledged) / seconds, 1),
    }
    if backups is not None:
        result["backups"] = {
            "method": "flask --app coopere backup" if backups.use_command else "sqlite3 backup API",
            "taken": backups.done,
            "failed": backups.failed,
        }
    if tally.refusals:
        result["refusals"] = tally.refusals[:10]
    if tally.slow:
        result["slow_writes"] = tally.slow[:5]
    if faults:
        result["faults"] = events + [f"{tally.last_ack - start:.1f} s: last write acknowledged"]
    print(f"phase {name}: {json.dumps(result, ensure_ascii=False)}", flush=True)
    return result


# --- the network phase ------------------------------------------------------------------------

SLUG = "stress"
OTHER_SLUGS = ("voisins-nord", "voisins-sud")
NETWORK_KINDS = (*KINDS, "email", *KINDS, "printrun")  # a tenth each: PDFs take long to render
MAIL_TO = f"destinataire@{MAIL}"
# The network phase's writes (print runs rendered by the same two cores) take longer: its own
# bound. The wait for the queue covers its recovery of tasks a killed consumer held (the sweep,
# every 10 minutes, takes back what was held 10 minutes).
NETWORK_SECONDS = float(os.environ.get("STRESS_NETWORK_SECONDS", "300"))
DRAIN_SECONDS = float(os.environ.get("STRESS_DRAIN_SECONDS", "1500"))
THREAD_RE = re.compile(r"/echanges/(\d+)")


def queue_available() -> bool:
    """Whether print runs and emails go through the background queue (coopere/queue.py)."""
    return importlib.util.find_spec("coopere.queue") is not None


def perimeter_config(folder: Path, with_queue: bool) -> None:
    """The stress settings in the perimeter's own config.py (the network builds its app with
    defaults → network.py → <instance>/config.py → env → the network's own settings). With the
    queue, its default: <network>/queue.sqlite3, read by the consumer started here."""
    settings = {k: v for k, v in CONFIG.items() if k not in ("QUEUE_URL", "PRINT_JOBS")}
    if not with_queue:
        settings["PRINT_JOBS"] = "inline"
    text = "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    (folder / "config.py").write_text(text)


def build_network(root: Path, port: int, smtp_port: int, with_queue: bool):
    """A network folder with two other perimeters (from the template) and the stress perimeter
    (the other phases' data, its schema stamped at the code's revision); returns (network, app,
    plan)."""
    from coopere.network import registry
    from coopere.network.create import NewPerimeter, create_perimeter
    from coopere.network.folder import Network

    root.mkdir(parents=True)
    (root / "network.py").write_text(
        f'PUBLIC_URL = "http://127.0.0.1:{port}"\n'
        'MAIL_SERVER = "127.0.0.1"\n'
        f"MAIL_PORT = {smtp_port}\n"
        f'MAIL_DEFAULT_SENDER = "Coop-ère <reseau@{MAIL}>"\n'
    )
    network = Network(root)
    for slug in OTHER_SLUGS:
        create_perimeter(
            network,
            NewPerimeter(
                slug=slug,
                name=f"Coop-ère {slug}",
                city="Nantes",
                postcode="44300",
                estimated_dwellings=200,
                meeting_place="Place du marché",
                pilote_first_name="Pia",
                pilote_last_name="Lote",
                pilote_login=f"pilote@{slug}.{MAIL}",
            ),
            letter=False,
        )
    folder = network.instance_path(SLUG)
    folder.mkdir(mode=0o700, parents=True)
    perimeter_config(folder, with_queue)
    app = make_app(folder)
    plan = build(app)
    plan.update(build_mail_threads(app, plan))
    stamp_schema(app)
    registry.add(
        network,
        slug=SLUG,
        name="Coop-ère du quartier des Lilas",
        city="Nantes",
        postcode="44300",
        estimated_dwellings=320,
        meeting_place="Place des Lilas",
    )
    return network, app, plan


def build_mail_threads(app, plan: dict) -> dict:
    """A member who takes emails (EMAIL_NOTICES, an address) and, for each bench member, threads
    of its own with them (one write each: the email's link names its thread); the event the
    print runs announce."""
    from coopere.events.services import upcoming_events

    # enough threads for each member even if one member sends every email
    per_member = WRITES * NETWORK_KINDS.count("email") // len(NETWORK_KINDS) + 2
    with app.app_context():
        reader = User(
            first_name="Dora",
            last_name="Destinataire",
            email=MAIL_TO,
            role=Role.MEMBER.value,
            password_hash=hash_password(PASSWORD),
            activated_at=utcnow(),
            has_internet=True,
            contact_preference="email",
        )
        db.session.add(reader)
        db.session.flush()
        db.session.add(
            Consent(
                user_id=reader.id, kind="email_notices", given=True, version="1", method="online"
            )
        )
        members = db.session.execute(
            select(User.email, User.id).where(User.email.in_(plan["members"]))
        ).all()
        listings = [
            Listing(
                owner_id=reader.id,
                theme_id=plan["theme"],
                kind="offer",
                title=f"Outil {n}",
                description="Un outil à prêter.",
                status="open",
                published_at=utcnow(),
            )
            for n in range(per_member * len(members))
        ]
        db.session.add_all(listings)
        db.session.flush()
        exchanges = []
        for n, listing in enumerate(listings):
            _, member_id = members[n % len(members)]
            exchanges.append(
                Exchange(
                    listing_id=listing.id,
                    owner_id=reader.id,
                    requester_id=member_id,
                    status="pending",
                    created_at=utcnow(),
                    last_message_at=utcnow(),
                )
            )
        db.session.add_all(exchanges)
        db.session.flush()
        threads: dict[str, list[int]] = {email: [] for email, _ in members}
        for n, exchange in enumerate(exchanges):
            threads[members[n % len(members)][0]].append(exchange.id)
        event = upcoming_events(limit=1)[0].id
        db.session.commit()
    return {"mail_threads": threads, "print_event": event}


def stamp_schema(app) -> None:
    """The database was made by create_all: record it at the code's revision, as the network
    serves only perimeters whose schema is up to date."""
    from coopere.network.sites import head_revision

    with app.app_context():
        db.session.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL "
                "PRIMARY KEY)"
            )
        )
        db.session.execute(
            sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
            {"v": head_revision()},
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def smtp_sink():
    """A real SMTP server in this process (tests/smtp_inbox.py, aiosmtpd): (inbox, controller)."""
    from aiosmtpd.controller import Controller

    spec = importlib.util.spec_from_file_location("smtp_inbox", ROOT / "tests" / "smtp_inbox.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    inbox = module.Inbox()
    inbox.port = module.free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    return inbox, controller


NETWORK_CONSUMER = ["--app", "coopere.network", "queue", "work"]


def consumer_command() -> list[str]:
    """The network's consumer command when the network's command line has one; else this script's
    own (`stress.py consumer`: the schedule's run_consumer for every served perimeter)."""
    flask = str(Path(sys.executable).with_name("flask"))
    with tempfile.TemporaryDirectory() as empty:
        probe = subprocess.run(
            [flask, *NETWORK_CONSUMER, "--help"],
            env={**os.environ, "COOPERE_NETWORK": empty},
            cwd=str(ROOT),
            capture_output=True,
            timeout=120,
        )
    if probe.returncode == 0:
        return [flask, *NETWORK_CONSUMER]
    return [sys.executable, str(Path(__file__).resolve()), "consumer"]


def consumer_main() -> None:
    """`stress.py consumer`: the queue's consumer for the network named by COOPERE_NETWORK, as
    `flask --app coopere queue work` runs it for one perimeter (2 worker threads, the schedule)."""
    import logging

    from coopere.network.folder import Network
    from coopere.network.sites import perimeter_app
    from coopere.schedule import run_consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        from coopere.network.queue import run_consumer as run_network_consumer
    except ImportError:
        perimeter_app(Network.from_env(), SLUG)  # points this process's queue at the network's
        run_consumer(workers=2)
    else:
        run_network_consumer(workers=2)


class Consumer:
    """The queue's consumer for the whole network, in a session of its own (kill -9 takes its
    workers too)."""

    def __init__(self, network: Path, log: Path):
        self.network, self.log, self.command = network, log, consumer_command()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        env = {**os.environ, "COOPERE_NETWORK": str(self.network)}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=env,
                cwd=str(ROOT),
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.starts += 1

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_counts(self) -> dict:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return {"tracebacks": text.count("Traceback"), "locked": text.count("database is locked")}


def mails_by_thread(inbox) -> tuple[dict[int, int], int]:
    """Emails received for MAIL_TO, counted by the thread their link names; and how many others
    (the demo's owners answered by the message writes) arrived."""
    counts: dict[int, int] = {}
    others = 0
    for message in list(inbox.messages):
        if MAIL_TO not in (message["X-Envelope-To"] or ""):
            others += 1
            continue
        found = THREAD_RE.search(message.get_body(("plain",)).get_content())
        if found:
            thread = int(found.group(1))
            counts[thread] = counts.get(thread, 0) + 1
    return counts, others


def print_runs(app) -> dict[str, list[tuple[str, bool]]]:
    """The print runs of the bench, by marker: [(status, PDF present)]."""
    from coopere.printruns.models import PrintRun

    runs: dict[str, list[tuple[str, bool]]] = {}
    with app.app_context():
        db.session.remove()
        rows = db.session.execute(
            select(PrintRun.params_json, PrintRun.status, PrintRun.file_name)
        ).all()
        db.session.remove()
    folder = Path(app.instance_path) / "printruns"
    for params, status, file_name in rows:
        marker = json.loads(params or "{}").get("building", "")
        if marker.startswith("Série "):
            present = bool(file_name) and (folder / file_name).exists()
            runs.setdefault(marker, []).append((status, present))
    return runs


def network_outcome(app, tally: Tally, inbox) -> dict:
    """What the queue carried out for the acknowledged writes: print runs done (their PDF there)
    exactly once, emails arrived exactly once."""
    acknowledged = tally.acknowledged
    runs = print_runs(app)
    wanted_runs = [marker for kind, marker in acknowledged.values() if kind == "printrun"]
    done = sum(1 for m in wanted_runs if len(runs.get(m, [])) == 1 and runs[m][0] == ("done", True))
    mails, others = mails_by_thread(inbox)
    wanted_mails = [tally.mail_threads[key] for key in acknowledged if key in tally.mail_threads]
    missing = [t for t in wanted_mails if not mails.get(t)]
    outcome = {
        "printruns": {
            "acknowledged": len(wanted_runs),
            "done_with_pdf": done,
            "not_done": len(wanted_runs) - done,
            "states": sorted({s for m in wanted_runs for s, _ in runs.get(m, [("absent", 0)])}),
        },
        "emails": {
            "acknowledged": len(wanted_mails),
            "arrived": len(wanted_mails) - len(missing),
            "lost": len(missing),
            "twice": sum(1 for count in mails.values() if count > 1),
            "to_others": others,
        },
    }
    if missing:
        outcome["emails"]["outbox_of_lost"] = outbox_states(app, missing[:5])
    return outcome


def outbox_states(app, threads: list[int]) -> list[str]:
    """Where the emails of these threads are in the outbox (when emails go through one)."""
    try:
        from coopere.notifications.models import OutboxEmail
    except ImportError:
        return []
    states = []
    with app.app_context():
        db.session.remove()
        for thread in threads:
            row = db.session.scalar(
                select(OutboxEmail).where(
                    OutboxEmail.to_address == MAIL_TO,
                    OutboxEmail.body.like(f"%/echanges/{thread}%"),
                )
            )
            if row is None:
                states.append(f"thread {thread}: no outbox row")
                continue
            state = "sent" if row.sent_at else "failed" if row.failed_at else "unsent"
            claimed = f", claimed at {row.claimed_at:%H:%M:%S}" if row.claimed_at else ""
            states.append(
                f"thread {thread}: {state}, {row.attempts} attempt(s), enqueued at "
                f"{row.enqueued_at:%H:%M:%S}{claimed}"
            )
        db.session.remove()
    return states


def drain(app, tally: Tally, inbox, seconds: float) -> float:
    """Wait (at most `seconds`) until every acknowledged print run is done and every acknowledged
    email arrived; returns how long it took."""
    start = told = time.monotonic()
    while time.monotonic() - start < seconds:
        outcome = network_outcome(app, tally, inbox)
        runs, mails = outcome["printruns"]["not_done"], outcome["emails"]["lost"]
        if runs == 0 and mails == 0:
            break
        if time.monotonic() - told > 60:
            told = time.monotonic()
            print(
                f"waiting for the queue ({told - start:.0f} s): {runs} print run(s) not done, "
                f"{mails} email(s) not arrived",
                file=sys.stderr,
                flush=True,
            )
        time.sleep(1.0)
    return time.monotonic() - start


def network_phase(folder: Path, results: list) -> None:
    with_queue = queue_available()
    inbox, controller = smtp_sink()
    port = free_port()
    server = consumer = None
    try:
        network, app, plan = build_network(folder, port, inbox.port, with_queue)
        server = Server(
            network.instance_path(SLUG),
            None,
            folder / "gunicorn.log",
            network=network.root,
            prefix=f"/{SLUG}",
            port=port,
        )
        server.start()
        if with_queue:
            consumer = Consumer(network.root, folder / "consumer.log")
            consumer.start()
        tally = Tally()
        start = time.monotonic()
        deadline = start + NETWORK_SECONDS
        events: list[str] = []

        def note(text: str) -> None:
            events.append(f"{time.monotonic() - start:.1f} s: {text} at {tally.done} acknowledged")

        def watch():
            killed_worker = killed_consumer = False
            while time.monotonic() < deadline and tally.done < WRITES:
                if not killed_worker and tally.done >= WRITES // 3:
                    server.kill_worker()
                    killed_worker = True
                    note("kill -9 gunicorn worker")
                if consumer is not None and not killed_consumer and tally.done >= WRITES // 2:
                    consumer.kill()
                    killed_consumer = True
                    note("kill -9 queue consumer")
                    time.sleep(1.0)
                    consumer.start()
                    note("queue consumer restarted")
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        run_clients(
            port,
            plan,
            WRITES,
            tally,
            deadline,
            list(reversed(plan["pairs"])),
            kinds=NETWORK_KINDS,
            prefix=f"/{SLUG}",
        )
        seconds = time.monotonic() - start
        watcher.join()
        waited = drain(app, tally, inbox, DRAIN_SECONDS if consumer is not None else 5)
        with app.app_context():
            db.session.remove()
            extra = {
                ("email", body): count
                for body, count in db.session.execute(
                    select(Message.body, func.count())
                    .where(Message.body.like("Courriel %"))
                    .group_by(Message.body)
                ).all()
            }
            db.session.remove()
        extra.update({("printrun", m): len(r) for m, r in print_runs(app).items()})
        logs = server.log_counts()
        consumer_logs = consumer.log_counts() if consumer is not None else {}
        result = {
            "phase": "e_network",
            **verify(app, tally, extra),
            **network_outcome(app, tally, inbox),
            "unacknowledged": len(tally.sent) - len(tally.acknowledged),
            "refused": tally.refused,
            "replayed": tally.replays,
            "retries": tally.retries,
            "errors": {
                "5xx": tally.server_errors,
                "locked": logs["locked"] + consumer_logs.get("locked", 0),
                "connection": tally.connection_errors,
                "server_tracebacks": logs["tracebacks"],
                "consumer_tracebacks": consumer_logs.get("tracebacks", 0),
                "bind_retries": logs["bind_retries"],
            },
            "seconds": round(seconds, 1),
            "writes_per_s": round(len(tally.acknowledged) / seconds, 1),
            "network": {
                "served": f"network_wsgi:app, /{SLUG}/ among {len(OTHER_SLUGS) + 1} perimeters",
                "queue": (
                    f"{' '.join(Path(a).name for a in consumer.command)} "
                    f"(started {consumer.starts} times)"
                    if consumer is not None
                    else "absent: print runs rendered in the request (PRINT_JOBS inline), "
                    "emails sent after the request's commit"
                ),
                "drain_s": round(waited, 1),
            },
            "faults": events + [f"{tally.last_ack - start:.1f} s: last write acknowledged"],
        }
        if tally.refusals:
            result["refusals"] = tally.refusals[:10]
        if tally.slow:
            result["slow_writes"] = tally.slow[:5]
        print(f"phase e_network: {json.dumps(result, ensure_ascii=False)}", flush=True)
        results.append(result)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if consumer is not None:
            consumer.stop()
        if server is not None:
            server.stop()
        controller.stop()


def postgresql_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means: skip the phase
        return False


def sqlite_phases(folder: Path, results: list) -> None:
    app = make_app(folder)
    plan = build(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    pairs = list(reversed(plan["pairs"]))
    server = Server(folder, None, folder / "gunicorn.log")
    server.start()
    try:
        if "a" in PHASES:
            results.append(phase("a_plain", app, server, plan, pairs))
        if "b" in PHASES:
            use_command = backup_command_available()
            target = folder / "backups"
            target.mkdir()
            results.append(
                phase(
                    "b_backup",
                    app,
                    server,
                    plan,
                    pairs,
                    backups=Backups(folder, target, use_command),
                )
            )
        if "c" in PHASES:
            results.append(phase("c_kill", app, server, plan, pairs, faults=True))
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def postgresql_phase(folder: Path, results: list) -> None:
    if not postgresql_reachable():
        results.append({"phase": "d_postgresql", "skipped": f"no server at {PG_URL}"})
        return
    schema = f"stress_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    database = {
        "SQLALCHEMY_DATABASE_URI": PG_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-c search_path={schema}"}},
    }
    server = None
    try:
        app = make_app(folder, database)
        plan = build(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        server = Server(folder, database, folder / "gunicorn-pg.log")
        server.start()
        results.append(phase("d_postgresql", app, server, plan, list(reversed(plan["pairs"]))))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if server is not None:
            server.stop()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    results: list[dict] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        if set(PHASES) & set("abc"):
            sqlite_phases(Path(tmp) / "sqlite", results)
        if "d" in PHASES:
            postgresql_phase(Path(tmp) / "postgresql", results)
        if "e" in PHASES:
            network_phase(Path(tmp) / "network", results)
    ran = [r for r in results if "skipped" not in r]
    ok = all(
        r["lost"] == 0
        and r["duplicated"] == 0
        and r["partial"] == 0
        and r["errors"]["5xx"] == 0
        and r["errors"]["locked"] == 0
        and r["integrity"] in ("ok", "n/a (postgresql)")
        and r["acknowledged"] == WRITES
        and r.get("printruns", {}).get("not_done", 0) == 0
        and r.get("emails", {}).get("lost", 0) == 0
        and r.get("emails", {}).get("twice", 0) == 0
        for r in ran
    )
    print(
        json.dumps(
            {
                "benchmark": "stress",
                "writes_per_phase": WRITES,
                "clients": CLIENTS,
                "gunicorn": "2 workers × 4 threads (gthread)",
                "phases": results,
                "all_ok": ok,
                "seconds": round(time.monotonic() - started, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["consumer"]:
        consumer_main()
    else:
        main()
