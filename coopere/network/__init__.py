"""A network deployment: many perimeters served by one set of processes.

Each perimeter keeps its own instance folder (`<network>/perimeters/<slug>/`), database, secret key,
printouts and backups, exactly as a single-perimeter deployment; the network adds a small database
of its own (the list of perimeters and their state), one WSGI entry that routes `/<slug>/…` (or a
host name) to the perimeter's app, and the commands that create, upgrade, back up, archive and
restore perimeters. docs/reseau.md tells the operator's side."""

from .app import create_network_app
from .dispatch import NetworkDispatcher, make_wsgi
from .folder import Network


def create_app():
    """For `flask --app coopere.network …`: the network's own app (COOPERE_NETWORK names the
    folder)."""
    return create_network_app(Network.from_env())


__all__ = ["Network", "NetworkDispatcher", "create_app", "create_network_app", "make_wsgi"]
