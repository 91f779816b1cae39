"""The console inside the network's app: its login, its security and its blueprints."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_login import current_user

from ..config import Defaults, ensure_secret_key
from ..extensions import csrf, limiter
from ..i18n import long_date, long_datetime
from . import accounts
from .login import login_manager
from .models import ROLE_LABELS
from .topics import TOPICS
from .policy import allowed, enforce_console_policy
from .store import close_session

SHARED_SETTINGS = (
    "ARGON2_TIME_COST",
    "ARGON2_MEMORY_COST",
    "ARGON2_PARALLELISM",
    "RATELIMIT_ENABLED",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_LOGIN",
    "WTF_CSRF_ENABLED",
    "SESSION_COOKIE_SECURE",
)


def configure_console(app: Flask, network) -> None:
    config = app.config
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = ensure_secret_key(str(network.root))
    config.update(accounts.argon2_settings())
    for key in (
        "WTF_CSRF_TIME_LIMIT",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "REMEMBER_COOKIE_HTTPONLY",
        "REMEMBER_COOKIE_SAMESITE",
        "RATELIMIT_STORAGE_URI",
        "RATELIMIT_LOGIN",
        "RATELIMIT_HEADERS_ENABLED",
        "SQLITE_BUSY_TIMEOUT_MS",
    ):
        config[key] = getattr(Defaults, key)  # Flask has defaults of its own for some: set them
    config.setdefault(
        "PERMANENT_SESSION_LIFETIME", timedelta(hours=Defaults.SESSION_ABSOLUTE_HOURS)
    )
    # The console's cookie is its own: never sent to a perimeter's pages, and theirs never here.
    # (Flask's defaults already hold these keys: they are set, not defaulted.)
    config["SESSION_COOKIE_NAME"] = "coopere_association"
    config["SESSION_COOKIE_PATH"] = "/association/"
    public = network.public_base or ""
    if public.startswith("https://"):
        config["SESSION_COOKIE_SECURE"] = True
    # network.py's settings of these apply to the console as to every perimeter (tests lower
    # the argon2 cost there, for instance).
    for key in SHARED_SETTINGS:
        if key in network.config:
            config[key] = network.config[key]

    login_manager.init_app(app)
    app.before_request(enforce_console_policy)
    csrf.init_app(app)
    limiter.init_app(app)
    app.teardown_appcontext(close_session)
    app.jinja_env.globals["topic_label"] = lambda key: str(TOPICS.get(key, key))
    app.jinja_env.globals["role_label"] = lambda role: str(ROLE_LABELS.get(role, role))
    app.jinja_env.filters["console_date"] = long_date
    app.jinja_env.filters["console_datetime"] = long_datetime
    app.jinja_env.globals["console_allowed"] = lambda endpoint: allowed(endpoint, current_user)

    from . import (  # noqa: F401  (their pages join the blueprint)
        coaching_views,
        creation_views,
        figures_views,
        perimeters_views,
        sheets_views,
        support_views,
        tracker_views,
        training_views,
        views,
        yearly_views,
    )
    from .blueprint import bp
    from .menu import console_menu

    app.register_blueprint(bp)
    app.jinja_env.globals["console_menu"] = console_menu
