"""WSGI entry of a network of perimeters: `gunicorn network_wsgi:app` (COOPERE_NETWORK names the
network folder; README « Héberger un réseau de périmètres »)."""

from coopere.network import make_wsgi

app = make_wsgi()
