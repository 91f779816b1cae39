"""« Actualiser les chiffres »: a fresh snapshot of one perimeter now, instead of waiting for the
nightly job. The snapshot is read inside the perimeter's own app (coopere.association.snapshot's
collect(), from the perimeter's database only) and written to the network's database through the
perimeter's NetworkLink, exactly as the nightly job does."""

from __future__ import annotations

import importlib
import importlib.util
import logging

from ..network.folder import Network
from ..network.sites import perimeter_app
from .link import NetworkLink

log = logging.getLogger(__name__)

SNAPSHOT_MODULE = "coopere.association.snapshot"


def _collector():
    """The snapshot's collect(), or None while coopere/association/snapshot.py is not there (the
    figures then come from the nightly job only)."""
    if importlib.util.find_spec(SNAPSHOT_MODULE) is None:
        return None
    return getattr(importlib.import_module(SNAPSHOT_MODULE), "collect", None)


def available() -> bool:
    return _collector() is not None


def refresh_snapshot(network: Network, slug: str) -> dict | None:
    """Take perimeter `slug`'s snapshot now and store it; the figures taken, or None when this
    installation cannot take snapshots on demand. A perimeter whose database cannot be read
    raises (the view says so in French)."""
    collect = _collector()
    if collect is None:
        return None
    app = perimeter_app(network, slug)
    with app.app_context():
        data = collect()
        link = app.extensions.get("coopere.network_link") or NetworkLink(network, slug)
        link.write_snapshot(data)
    log.info("snapshot of %s refreshed on demand", slug)
    return data
