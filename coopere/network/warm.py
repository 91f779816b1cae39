"""Imported once by the fork server of the operation commands' process pool (each.py): every module
a perimeter's app needs (the print engine, the blueprints…) is loaded there, once, and each worker
forked from it starts warm — a worker started afresh would spend seconds on imports before its first
perimeter. It holds no connection and no state of the command's own."""

from __future__ import annotations

import tempfile


def _load_app_modules() -> None:
    from .. import create_app

    # An app never served, on a database in memory: its key signs nothing.
    key = "only-to-import-modules"
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            test_config={
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "SECRET_KEY": key,
                "PUBLIC_URL": None,
            },
            instance_path=folder,
        )
        from .sites import dispose

        dispose(app)


_load_app_modules()
