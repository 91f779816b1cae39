"""The background queue (coopere/queue.py, coopere/schedule.py) as an operator sees it: emails and
print runs leave the web request and are carried out by the consumer, once; a consumer killed
with kill -9 loses nothing; a periodic job failing for one site does not stop the others.

These tests use a real SQLite queue file (QUEUE_URL unset: <instance>/queue.sqlite3) and either
the queue's own drain (what a consumer's worker does, in the test's process) or a real consumer
process (`flask --app coopere queue work`)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from factories import make_event
from helpers import ROOT, login, post_form, redis_reachable, text
from smtp_inbox import SENDER, free_port
from coopere.dwellings.services import save_dwelling
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.members.models import Consent
from coopere.notifications.outbox import send_email, sweep_outbox
from coopere.notifications.models import OutboxEmail
from coopere.printruns.models import PrintRun
from coopere.queue import drain, huey, pending_count, site_name
from coopere.schedule import JOBS, due_jobs, fan_out, run_job
from coopere.timeutil import utcnow


@pytest.fixture
def app(make_app, inbox):
    """An app whose queue is the SQLite file of its instance folder: nothing runs until a
    consumer takes the tasks (overrides conftest's `app`)."""
    app = make_app(
        QUEUE_URL=None,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_DEFAULT_SENDER=SENDER,
        PUBLIC_URL="https://lilas.example.org",
    )
    assert not huey.immediate
    yield app
    huey.flush()


@pytest.fixture
def queued(app):
    return app


def consent(app, user, kind="email_notices"):
    with app.app_context():
        db.session.add(
            Consent(user_id=user.id, kind=kind, given=True, version="1", method="online")
        )
        db.session.commit()


def reply(app, author, listing_id):
    client = app.test_client()
    assert login(client, author).status_code == 302
    response = post_form(client, f"/annonces/{listing_id}/repondre", {"body": "Bonjour !"})
    assert response.status_code == 302, text(response)


def outbox(app) -> list[OutboxEmail]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
        db.session.expunge_all()
        return rows


# --- emails -------------------------------------------------------------------------------------


def test_an_email_leaves_the_request_and_arrives_when_the_consumer_runs_once(
    queued, users, create_user, create_listing, inbox
):
    paul = create_user(first_name="Paul", email="paul@example.org")
    consent(queued, paul)
    reply(queued, users["member"], create_listing(paul))
    assert inbox.messages == []  # the page answered before any SMTP conversation
    (row,) = outbox(queued)
    assert row.sent_at is None and pending_count() == 1

    assert drain() == 1
    (message,) = inbox.to("paul@example.org")
    assert "a répondu à votre annonce" in message.get_content()
    assert outbox(queued)[0].sent_at is not None

    # The same task again (a retry, a second enqueue, the sweep): the confirmed send is not
    # repeated.
    send_email.for_site(site_name(queued), row.id)
    assert drain() == 1
    with queued.app_context():
        assert sweep_outbox(now=utcnow() + timedelta(hours=1)) == 0
    assert drain() == 0
    assert len(inbox.messages) == 1


def test_a_lost_enqueue_is_recovered_by_the_sweep(
    queued, users, create_user, create_listing, inbox
):
    paul = create_user(first_name="Paul", email="paul@example.org")
    consent(queued, paul)
    reply(queued, users["member"], create_listing(paul))
    huey.flush()  # the task never reached the queue (a crash right after the commit)
    assert drain() == 0 and inbox.messages == []
    with queued.app_context():
        assert sweep_outbox() == 0  # just accepted: not late yet
        assert sweep_outbox(now=utcnow() + timedelta(minutes=11)) == 1
    assert drain() == 1
    assert len(inbox.to("paul@example.org")) == 1


def test_a_down_smtp_server_is_retried_later_then_given_up_without_the_address_in_logs(
    make_app, users, create_user, create_listing, caplog
):
    app = make_app(QUEUE_URL=None, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # no server
    paul = create_user(first_name="Paul", email="paul@example.org")
    consent(app, paul)
    reply(app, users["member"], create_listing(paul))
    with caplog.at_level(logging.WARNING, logger="coopere.notifications.email"):
        drain()
        (row,) = outbox(app)
        assert row.attempts == 1 and row.sent_at is None and row.failed_at is None
        assert huey.scheduled_count() == 1  # the retry waits, with a delay
        later = datetime.now() + timedelta(hours=1)  # each retry waits under an hour
        for _ in range(10):  # the later tries, taken from the schedule as a consumer's would
            for task in huey.read_schedule(later):
                huey.execute(task, later)
        (row,) = outbox(app)
    assert row.failed_at is not None and row.attempts == 6
    assert "SMTP server unreachable" in caplog.text and "given up after 6 tries" in caplog.text
    assert "paul@example.org" not in caplog.text
    huey.flush()


# --- print runs ---------------------------------------------------------------------------------


def big_register(app, users, count: int) -> int:
    with app.app_context():
        for n in range(1, count + 1):
            save_dwelling(
                None,
                {
                    "number": n,
                    "street": "Rue du Grand Tirage",
                    "postcode": "44300",
                    "city": "Nantes",
                },
            )
        db.session.commit()
    return make_event(app, kind="apero_info", place="Square des Lilas")


def start_run(app, users, event_id) -> int:
    client = app.test_client()
    assert login(client, users["animator"]).status_code == 302
    response = post_form(
        client,
        "/impressions/lettres",
        {"event": str(event_id), "addressed": "y", "unaddressed": "0"},
        token_from="/impressions/lettres",
    )
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def run_state(app, run_id) -> PrintRun:
    with app.app_context():
        run = db.session.get(PrintRun, run_id)
        db.session.expunge(run)
        return run


def test_a_print_run_waits_in_the_queue_and_the_consumer_renders_it(queued, users):
    run_id = start_run(queued, users, big_register(queued, users, 3))
    assert run_state(queued, run_id).status == "queued"
    assert drain() == 1
    run = run_state(queued, run_id)
    assert run.status == "done" and run.done_pages == run.total_pages == 4
    # Enqueued again by mistake: nothing is rendered twice.
    with queued.app_context():
        from coopere.printruns.jobs import render_print_run

        render_print_run.enqueue(run_id)
    drain()
    assert run_state(queued, run_id).file_name == run.file_name


# --- a real consumer process, killed -------------------------------------------------------------


def consumer(app) -> subprocess.Popen:
    """`flask --app coopere queue work` for the app's instance (its settings in config.py)."""
    env = {**os.environ, "COOPERE_INSTANCE": app.instance_path}
    env.pop("FLASK_DEBUG", None)
    with open(Path(app.instance_path) / "consumer.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "coopere", "queue", "work", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def write_instance_config(app) -> None:
    keys = (
        "SQLALCHEMY_DATABASE_URI",
        "SQLALCHEMY_ENGINE_OPTIONS",
        "SECRET_KEY",
        "PUBLIC_URL",
        "MAIL_SERVER",
    )
    lines = [f"{key} = {app.config[key]!r}" for key in keys]
    (Path(app.instance_path) / "config.py").write_text("\n".join(lines) + "\n")


def wait_for(predicate, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("not reached in time")


@pytest.mark.slow
def test_a_consumer_killed_with_kill_9_loses_no_print_run(queued, users):
    write_instance_config(queued)
    event_id = big_register(queued, users, 120)

    # 1. Accepted while no consumer runs: the task waits in the SQLite file.
    run_id = start_run(queued, users, event_id)
    assert pending_count() == 1

    # 2. A consumer takes it and is killed mid-way: the task has left the queue, the run is
    # left "running" with its last progress.
    second = consumer(queued)
    try:
        wait_for(lambda: run_state(queued, run_id).done_pages > 0)
    finally:
        os.kill(second.pid, signal.SIGKILL)
        second.wait()
    killed = run_state(queued, run_id)
    assert killed.status == "running" and killed.done_pages < killed.total_pages
    assert not [task for task in huey.pending() if "render_print_run" in task.name]

    # 3. Ten minutes without a heartbeat make it stalled; the schedule's sweep enqueues it
    # again and a new consumer carries it out.
    with queued.app_context():
        db.session.execute(
            update(PrintRun)
            .where(PrintRun.id == run_id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=11))
        )
        db.session.commit()
        assert "1 print run(s) enqueued again" in JOBS["sweep"].run()
    third = consumer(queued)
    try:
        wait_for(lambda: run_state(queued, run_id).status in ("done", "failed"))
    finally:
        third.send_signal(signal.SIGINT)
        third.wait(timeout=60)
    run = run_state(queued, run_id)
    assert run.status == "done" and run.done_pages == run.total_pages == 121


# --- the schedule -------------------------------------------------------------------------------


def test_a_job_failing_for_one_site_does_not_stop_the_others(
    app, users, create_listing, tmp_path, caplog
):
    """Two sites; the first one's database is broken (no tables): its job fails, is logged and
    will be retried; the second one's listings still expire."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.py").write_text(
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(broken / 'empty.sqlite3')!r}\n"
        "SECRET_KEY = 'broken-site'\n"
    )
    listing_id = create_listing(users["member"], expires_at=utcnow() - timedelta(days=1))
    good = site_name(app)
    with caplog.at_level(logging.ERROR, logger="coopere.schedule"):
        assert fan_out("listings-expire", [str(broken), good]) == 2
        assert drain() >= 2  # the two sites' ticks (and what the good one's job enqueued)
    assert f"job listings-expire failed for site {broken}" in caplog.text
    with app.app_context():
        assert db.session.get(Listing, listing_id).status == "expired"
    assert huey.scheduled_count() >= 1  # the failed site's retry, later
    huey.flush()


def test_a_retried_backup_makes_no_second_copy(app, users):
    from coopere.backup.files import list_backups

    with app.app_context():
        assert run_job.call_local("backup", site_name(app)).startswith("backup ")
        assert run_job.call_local("backup", site_name(app)) == "recent backup kept"
        run_job("backup", site_name(app))
        assert drain() == 1
        assert run_job.call_local("backup", site_name(app)) == "recent backup kept"
        assert len(list_backups()) == 1


def test_the_seven_cron_lines_are_jobs_of_the_schedule_at_their_times():
    at = {
        (1, 3, 0): ["backup"],
        (1, 3, 30): ["print-runs-cleanup"],
        (1, 4, 0): ["events-extend"],
        (2, 4, 0): [],  # monthly: the 1st only
        (1, 5, 0): ["purge"],
        (1, 7, 30): ["listings-expire"],
        (5, 8, 0): ["weekly-digest"],  # Saturday 5 December 2026
        (4, 8, 0): [],
        (1, 9, 0): ["roster-remind"],
        (1, 9, 10): ["sweep"],
        (1, 9, 11): [],
    }
    for (day, hour, minute), jobs in at.items():
        due = [job for job in due_jobs(datetime(2026, 12, day, hour, minute)) if job != "sweep"]
        expected = [job for job in jobs if job != "sweep"]
        assert due == expected, (day, hour, minute)
    assert "sweep" in due_jobs(datetime(2026, 12, 1, 9, 10))
    assert "sweep" not in due_jobs(datetime(2026, 12, 1, 9, 11))


def test_a_tick_with_nothing_due_runs_every_job_quietly(app, users, runner):
    result = runner.invoke(args=["queue", "tick"])
    assert result.exit_code == 0, result.output
    assert '"failed": 0' in result.output and '"sites": 1' in result.output


# --- Redis, when several machines serve ----------------------------------------------------------


def test_with_redis_the_email_waits_in_redis_until_a_consumer_takes_it(
    make_app, inbox, users, create_user, create_listing
):
    """QUEUE_URL=redis://…: the queue shared by several machines (a real Redis server)."""
    pytest.importorskip(
        "redis", reason="redis:// needs the redis package: pip install -e '.[redis]'"
    )
    if not redis_reachable():
        pytest.skip("no Redis server at 127.0.0.1:6379: the redis:// queue is not tried")
    url = "redis://127.0.0.1:6379/13"
    app = make_app(
        QUEUE_URL=url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_DEFAULT_SENDER=SENDER,
        PUBLIC_URL="https://lilas.example.org",
    )
    huey.flush()
    try:
        paul = create_user(first_name="Paul", email="paul@example.org")
        consent(app, paul)
        reply(app, users["member"], create_listing(paul))
        assert inbox.messages == [] and pending_count() == 1
        import redis

        assert redis.Redis.from_url(url).dbsize() > 0  # the task is in Redis, not in a file
        assert drain() == 1
        (message,) = inbox.to("paul@example.org")
        assert "a répondu à votre annonce" in message.get_content()
    finally:
        huey.flush()
