"""WSGI entry point: `gunicorn wsgi:app` (the instance folder comes from COOPERE_INSTANCE)."""

from coopere import create_app

app = create_app()
