"""Configuration layers: defaults, then instance/config.py, then COOPERE_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Safe defaults; every value can be overridden by the instance config or the environment."""

    # Storage
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 30_000
    # FULL: a commit waits until it is on disk. The test suite uses OFF (a throw-away file).
    SQLITE_SYNCHRONOUS = "FULL"

    # i18n
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    # Security
    WTF_CSRF_TIME_LIMIT = None  # slow typists are never thrown out
    SESSION_IDLE_MINUTES = (
        120  # a logged-in session unused this long ends (coopere/auth/session_timeouts.py)
    )
    SESSION_ABSOLUTE_HOURS = 12  # and any session ends this long after its login
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True automatically when PREFERRED_URL_SCHEME is https
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # a 5 MB photo plus the form; more gets a French 413 page
    IMPORT_MAX_BYTES = 5 * 1024 * 1024  # largest dwelling list accepted (about 60,000 addresses)
    PREFERRED_URL_SCHEME = "http"
    PUBLIC_URL: str | None = (
        None  # e.g. https://lilas.example.org, for QR codes printed from the command line
    )
    # The background queue (coopere/queue.py): emails, print runs and the periodic jobs.
    # None: a SQLite file, <COOPERE_NETWORK>/queue.sqlite3 in a network, else
    # <instance>/queue.sqlite3, read by `flask --app coopere queue work`; "redis://host:6379/0"
    # when several machines serve; "immediate": tasks run at once in the process that makes them
    # (the tests, `make run`'s demo), with no consumer.
    QUEUE_URL: str | None = None
    PROXY_FIX = 0  # number of trusted reverse proxies in front of the app (0 = none)
    # Where rate-limit counters live: "coopere-db://" is a table shared by every gunicorn worker,
    # in the PostgreSQL database or in <instance>/ratelimit.sqlite3 next to a SQLite one
    # (coopere/ratelimit.py); "redis://host:6379" when several machines serve; "memory://" counts
    # per process (one worker only).
    RATELIMIT_STORAGE_URI = "coopere-db://"
    RATELIMIT_LOGIN = "20 per minute;200 per hour"
    RATELIMIT_HEADERS_ENABLED = False
    # Registration and sponsorship
    ACTIVATION_CODE_DAYS = 30  # a welcome card's code works this long, once
    RATELIMIT_ACTIVATION = "10 per hour"  # code attempts per address
    RATELIMIT_ACTIVATION_GLOBAL = "300 per hour"  # code attempts for the whole site
    SPONSEES_MAX = 5  # people one sponsor may represent
    # Email (Flask-Mail): nothing is sent while MAIL_SERVER is empty; then only with the member's
    # consent
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER: str | None = None  # e.g. "Coop-ère Lilas <lilas@example.org>"
    MAIL_TIMEOUT = 10  # seconds to wait for the SMTP server
    # Flask-Mail's default follows TESTING; the tests use a real SMTP server
    MAIL_SUPPRESS_SEND = False
    # Login lockout (coopere/auth/lockout.py, docs/securite.md): this many failures for one account
    # from one place (IPv4 address or IPv6 /64) within the window lock that place out of that
    # account; this many from all places together close the account to places it never logged in
    # from, while the holder's usual places (a login within LOGIN_KNOWN_PLACE_DAYS) still get in.
    LOGIN_MAX_FAILURES = 10
    LOGIN_ACCOUNT_MAX_FAILURES = 20
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_LOCK_MINUTES = 15
    LOGIN_KNOWN_PLACE_DAYS = 180
    # argon2id parameters (argon2-cffi defaults, RFC 9106 "low memory" profile)
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Listings (offers, needs, collective projects)
    LISTING_NEED_DAYS = 56  # a need expires 8 weeks after publication (or renewal)
    LISTING_OFFER_DAYS = 183  # an offer or a project, after 6 months
    LISTING_REMINDER_DAYS = 7  # the owner (or their sponsor) is reminded this many days before
    LISTING_PHOTO_MAX_BYTES = (
        5 * 1024 * 1024
    )  # largest photo accepted (MAX_CONTENT_LENGTH leaves room)
    # Retention (`flask --app coopere purge`, monthly; coopere/privacy/purge.py)
    PURGE_INACTIVE_MONTHS = (
        24  # no login nor activity this long: the account is flagged (never deleted)
    )
    PURGE_LEFT_GRACE_DAYS = 90  # a member who left is erased this long after leaving
    AUDIT_RETENTION_MONTHS = 12  # audit entries older than this are deleted
    PRINT_FILES_RETENTION_DAYS = (
        30  # print-run PDFs older than this are deleted (the run stays listed)
    )
    # Backups (`flask --app coopere backup`): they hold personal data, so they stay in the instance
    # folder
    BACKUP_DIR: str | None = (
        None  # default <instance>/backups; a relative path is inside the instance folder
    )
    BACKUP_KEEP = (
        14  # the newest 14 backups are kept, older ones deleted after each backup (0: keep all)
    )


def database_uri(instance_path: str | os.PathLike) -> str:
    """The SQLite file in the instance folder, the embedded default."""
    return "sqlite:///" + str(Path(instance_path) / "coopere.sqlite3")


def ensure_secret_key(instance_path: str | os.PathLike) -> str:
    """Read the instance's secret key, creating a random one (mode 0600) on first run."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a private temporary file then link it in place: two processes starting at
        # once both end up reading the same key, never a half-written one.
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def write_instance_setting(
    instance_path: str | os.PathLike, name: str, value: str, comment: str = ""
) -> Path:
    """Add `NAME = 'value'` at the end of <instance>/config.py (created mode 0600: it may hold the
    SMTP password); when the file is read, this last line wins over an earlier one."""
    path = Path(instance_path) / "config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        if comment:
            handle.write(f"\n# {comment}\n")
        handle.write(f"{name} = {value!r}\n")
    return path


def default_instance_path() -> str:
    """COOPERE_INSTANCE chooses the perimeter's folder, so one checkout serves several
    perimeters."""
    return os.environ.get("COOPERE_INSTANCE") or str(ROOT / "instance")
