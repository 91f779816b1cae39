"""The factory: configuration layers, instance folders, secret key, debug refusal."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT
from coopere import create_app, is_local_address


def test_instance_folder_gets_a_private_random_secret_key(tmp_path):
    first = create_app(instance_path=tmp_path / "a")
    again = create_app(instance_path=tmp_path / "a")
    other = create_app(instance_path=tmp_path / "b")
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == again.config["SECRET_KEY"]
    assert first.config["SECRET_KEY"] != other.config["SECRET_KEY"]
    mode = stat.S_IMODE(os.stat(tmp_path / "a" / "secret_key").st_mode)
    assert mode == 0o600


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    app = create_app(instance_path=tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'coopere.sqlite3'}"


def test_config_layers_defaults_instance_file_environment_test(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "MAX_CONTENT_LENGTH = 111\nPROXY_FIX = 1\nLOGIN_LOCK_MINUTES = 5\n"
    )
    monkeypatch.setenv("COOPERE_PROXY_FIX", "2")
    monkeypatch.setenv("COOPERE_LOGIN_LOCK_MINUTES", "7")
    app = create_app({"LOGIN_LOCK_MINUTES": 9}, instance_path=tmp_path)
    assert app.config["MAX_CONTENT_LENGTH"] == 111  # instance file over defaults
    assert app.config["PROXY_FIX"] == 2  # environment over instance file
    assert app.config["LOGIN_LOCK_MINUTES"] == 9  # test config last
    assert app.config["RATELIMIT_STORAGE_URI"] == "coopere-db://"  # untouched default


def test_coopere_instance_chooses_the_perimeter(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPERE_INSTANCE", str(tmp_path / "rue-des-lilas"))
    app = create_app()
    assert Path(app.instance_path) == tmp_path / "rue-des-lilas"
    assert (tmp_path / "rue-des-lilas" / "secret_key").exists()


def test_database_url_selects_postgresql_with_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPERE_DATABASE_URL", "postgresql://coop@db.invalid/lilas")
    app = create_app(instance_path=tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://coop@db.invalid/lilas"


def test_plain_database_url_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://coop@db.invalid/lilas")
    app = create_app(instance_path=tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://coop@db.invalid/lilas"


@pytest.mark.parametrize(
    "host, local",
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_local_addresses(host, local):
    assert is_local_address(host) is local


def test_debug_mode_refuses_a_public_address(tmp_path):
    env = {**os.environ, "COOPERE_INSTANCE": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "coopere",
            "--debug",
            "run",
            "--host",
            "0.0.0.0",
            "--port",
            "5999",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refuses to start in debug mode" in result.stderr


def test_wsgi_entry_point_builds_the_app(tmp_path):
    env = {**os.environ, "COOPERE_INSTANCE": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi; print(wsgi.app.name)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "coopere", result.stderr
