"""coopere: a neighbourhood mutual-aid network, one Flask instance per micro-perimeter."""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

from flask import Flask

from .config import ROOT, Defaults, database_uri, default_instance_path, ensure_secret_key

__version__ = "0.1.0"


def create_app(
    test_config: dict | None = None,
    instance_path: str | os.PathLike | None = None,
    defaults: dict | None = None,
) -> Flask:
    """Build the application for one perimeter.

    Configuration is layered: defaults, then `defaults` (a network's shared settings, see
    coopere/network), then `<instance>/config.py` (optional), then the `COOPERE_*` environment
    variables, then `test_config`.
    """
    instance_path = Path(instance_path or default_instance_path()).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure_config(app, test_config, defaults)
    configure_extensions(app)
    configure_blueprints(app)
    configure_templates(app)
    configure_cli(app)
    return app


def configure_config(app: Flask, test_config: dict | None, defaults: dict | None = None) -> None:
    app.config.from_object(Defaults)
    if defaults:
        app.config.from_mapping(defaults)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("COOPERE")
    # The usual name in hosting panels, when COOPERE_DATABASE_URL is not set.
    if "DATABASE_URL" in app.config:
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", app.config["DATABASE_URL"])
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            app.config.get("DATABASE_URL")
            or os.environ.get("DATABASE_URL")
            or database_uri(app.instance_path)
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = _psycopg3(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(app.instance_path)
    from .urls import configure_public_url

    configure_public_url(
        app
    )  # checked now: a malformed PUBLIC_URL stops the start with a French message


def _psycopg3(uri: str) -> str:
    """postgres:// and postgresql:// URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def configure_extensions(app: Flask) -> None:
    from .auth.views import configure_login
    from .database import configure_database
    from .errors import configure_errors
    from .extensions import csrf, limiter, migrate
    from .i18n import configure_i18n
    from .logs import configure_logging
    from .policy import configure_policy
    from .security import configure_security

    configure_logging(app)  # first: no email address nor phone number in any log record
    configure_database(app)
    from . import idempotency  # noqa: F401  (its table)
    from . import ratelimit  # noqa: F401  (its table, and the coopere-db:// rate-limit storage)
    from .extensions import db
    from .reports import models as _reports  # noqa: F401  (its table)
    from .group import services as _group  # noqa: F401  (receives volunteer_leaving)
    from .listings import search as _search  # noqa: F401  (receives listings_drafted)

    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    configure_login(app)
    from .perimeter.support_visit import configure_support_visits

    # A coach's read-only support visit: its visitor and its limits, before the policy table.
    configure_support_visits(app)
    # The policy table runs before the CSRF check: a denied route answers 403 (or the login
    # page) whatever was posted to it.
    configure_policy(app)
    from .menu import configure_menu

    configure_menu(app)
    csrf.init_app(app)
    limiter.init_app(app)
    configure_i18n(app)
    configure_security(app)
    configure_errors(app)
    from .notifications.transport import configure_mail

    configure_mail(app)
    configure_queue(app)
    # Last: a write refused by the policy, the CSRF check or the rate limits never records its key.
    from .idempotency import configure_idempotency

    configure_idempotency(app)


def configure_queue(app: Flask) -> None:
    """The background queue (coopere/queue.py): where it is, and how a task finds its site."""
    from functools import partial

    from . import queue
    from .schedule import load_site

    if queue.site_loader is None:  # a network's commands install their own
        queue.site_loader = partial(load_site, create_app)
    queue.configure_queue(app)


def configure_blueprints(app: Flask) -> None:
    from .auth.views import bp as auth_bp
    from .events.views import bp as events_bp
    from .listings.views import bp as listings_bp
    from .members.resident_views import bp as resident_bp
    from .members.sponsor_views import bp as sponsorship_bp
    from .members.views import bp as members_bp
    from .cafe.views import bp as cafe_bp
    from .cafe.offline_views import bp as cafe_offline_bp
    from .group.views import bp as group_bp
    from .notifications.views import bp as notifications_bp
    from .dwellings.views import bp as dwellings_bp
    from .perimeter.views import bp as perimeter_bp
    from .perimeter.support_views import bp as support_bp
    from .printruns.views import bp as printruns_bp
    from .public.views import bp as public_bp
    from .exchanges.views import bp as exchanges_bp
    from .moderation.views import bp as moderation_bp
    from .listings.browse_views import bp as browse_bp
    from .reports.views import bp as reports_bp
    from .newsletter.views import bp as newsletter_bp

    for blueprint in (
        public_bp,
        auth_bp,
        perimeter_bp,
        support_bp,
        events_bp,
        dwellings_bp,
        printruns_bp,
        listings_bp,
        members_bp,
        resident_bp,
        sponsorship_bp,
        cafe_bp,
        cafe_offline_bp,
        group_bp,
        notifications_bp,
        moderation_bp,
        browse_bp,
        exchanges_bp,
        reports_bp,
        newsletter_bp,
    ):
        app.register_blueprint(blueprint)

    from .sheets.views import configure_sheets
    from .sheets.fete_views import bp as fete_bp

    configure_sheets(app)
    app.register_blueprint(fete_bp)


def configure_templates(app: Flask) -> None:
    from .audit.services import action_label
    from .auth.identifiers import format_phone
    from .perimeter.models import get_perimeter

    @app.context_processor
    def site_context():
        perimeter = get_perimeter()
        return {
            "site_name": perimeter.short_name if perimeter else "coopere",
            "audit_label": action_label,
        }

    app.jinja_env.filters["phone"] = format_phone


def configure_cli(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)
    _refuse_public_debugger()


def _refuse_public_debugger() -> None:
    """The debugger executes code typed in the browser: never let it listen beyond this machine."""
    debug = os.environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes")
    if not debug and "--debug" not in sys.argv:
        return
    host = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    for i, arg in enumerate(sys.argv):
        if arg in ("-h", "--host") and i + 1 < len(sys.argv):
            host = sys.argv[i + 1]
        elif arg.startswith("--host="):
            host = arg.split("=", 1)[1]
    if not is_local_address(host):
        raise SystemExit(
            f"coopere refuses to start in debug mode on the non-local address {host!r}."
        )


def is_local_address(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
