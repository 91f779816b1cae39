"""Background print jobs: a separate process renders the run, so no web worker waits for it."""

from __future__ import annotations

import json
import os

# The only use: start `flask print-runs work ID` with a fixed argument list and no shell.
import subprocess  # nosec B404
import sys
from pathlib import Path

from flask import current_app

from .models import PrintRun
from .services import execute

# Started job processes, kept so that they are reaped (no zombies) once they end.
_children: set[subprocess.Popen] = set()


def launch(run: PrintRun) -> None:
    """Start rendering `run` (already committed as queued).

    PRINT_JOBS = "process" (default): a detached `flask print-runs work ID` process with the
    same instance and database; "inline": render now, in this process (tests, command line).
    """
    if current_app.config.get("PRINT_JOBS", "process") == "inline":
        execute(run.id)
        return
    config = current_app.config
    env = {
        **os.environ,
        "COOPERE_INSTANCE": current_app.instance_path,
        "COOPERE_SQLALCHEMY_DATABASE_URI": config["SQLALCHEMY_DATABASE_URI"],
        "COOPERE_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(
            config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        ),
    }
    env.pop("FLASK_DEBUG", None)
    log = Path(current_app.instance_path) / "printruns" / "jobs.log"
    log.parent.mkdir(mode=0o700, exist_ok=True)
    for child in list(_children):
        if child.poll() is not None:
            _children.discard(child)
    with open(log, "ab") as output:
        # A fixed argument list (this Python, an integer id), no shell, nothing a person typed:
        # nosec B603.
        _children.add(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "flask",
                    "--app",
                    "coopere",
                    "print-runs",
                    "work",
                    str(run.id),
                ],  # nosec B603
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
                close_fds=True,
            )
        )
