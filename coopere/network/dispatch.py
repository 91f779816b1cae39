"""One WSGI entry for the whole network: `/<slug>/…` (or a perimeter's own host name) goes to that
perimeter's app; everything else to the network's own site (coopere/network/app.py).

The perimeter's app sees the request as a single deployment mounted under `/<slug>` (WSGI
SCRIPT_NAME), so every address it makes — links, redirects, forms, QR codes, `.ics` files —
carries the prefix, and its cookies are scoped to that path (coopere/network/sites.py)."""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

from werkzeug.wrappers import Response

from .app import MAINTENANCE_MESSAGE, MAINTENANCE_TITLE, create_network_app, message_page
from .folder import Network
from .registry import Status, routes
from .sites import head_revision, public_url, schema_revision, warm_apps

ROUTES_SECONDS = 2.0  # the list of perimeters is read again at most this often (a new one is served
# within 2 s of its creation, an archived one stops within 2 s)


class NetworkDispatcher:
    def __init__(self, network: Network, *, warm: int | None = None):
        self.network = network
        self.network_app = create_network_app(network)
        self.apps = warm_apps(network)
        if warm:
            self.apps.size = warm
        self._routes: dict[str, tuple[str, str]] = {}
        self._routes_read = float("-inf")
        self._checked: set[str] = set()  # perimeters whose schema was found up to date
        self._lock = threading.Lock()

    def routes(self) -> dict[str, tuple[str, str]]:
        if time.monotonic() - self._routes_read > ROUTES_SECONDS:
            with self._lock:
                self._routes = routes(self.network)
                self._routes_read = time.monotonic()
                self._checked &= set(self._routes)
                for slug in self.apps.slugs():
                    if self._routes.get(slug, ("",))[0] != Status.ACTIVE.value:
                        self.apps.drop(slug)
        return self._routes

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
        slug = self.network.hosts.get(host)
        if slug is not None and slug in self.routes():
            return self.serve(slug, environ, start_response)
        path = environ.get("PATH_INFO", "")
        first, slash, rest = path.lstrip("/").partition("/")
        if first and first in self.routes():
            if self.network.host_of(first):  # served on its own name: the path form leads there
                # PATH_INFO is the path's bytes read as latin-1 (PEP 3333): quoted from those
                # bytes, kept with its query, on the perimeter's public address (the proxy may
                # speak plain HTTP to the workers).
                path = quote(rest.encode("latin-1"), safe="/:@!$&'()*+,;=-._~%")
                query = environ.get("QUERY_STRING")
                target = f"{public_url(self.network, first)}/{path}" + (
                    f"?{query}" if query else ""
                )
                return self.redirect(target, environ, start_response)
            if not slash:  # /lilas → /lilas/
                base = environ.get("SCRIPT_NAME", "")
                query = environ.get("QUERY_STRING")
                target = f"{base}/{first}/" + (f"?{query}" if query else "")
                return self.redirect(target, environ, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + first
            environ["PATH_INFO"] = "/" + rest
            return self.serve(first, environ, start_response)
        return self.network_app(environ, start_response)

    def serve(self, slug: str, environ, start_response):
        status, _reason = self.routes()[slug]
        if status != Status.ACTIVE.value or not self.up_to_date(slug):
            return self.maintenance(environ, start_response)
        return self.apps.get(slug)(environ, start_response)

    def up_to_date(self, slug: str) -> bool:
        """Whether the perimeter's schema is the code's (checked once per process, before its app
        is first built): a perimeter left behind by a failed upgrade is never served half-way."""
        if slug in self._checked:
            return True
        if schema_revision(self.network, slug) != head_revision():
            return False
        self._checked.add(slug)
        return True

    def maintenance(self, environ, start_response):
        with self.network_app.request_context(environ):
            body, status = message_page(MAINTENANCE_TITLE, MAINTENANCE_MESSAGE, 503)
            response = self.network_app.make_response((body, status))
            response.headers["Retry-After"] = "600"
            response = self.network_app.process_response(response)
        return response(environ, start_response)

    @staticmethod
    def redirect(target: str, environ, start_response):
        return Response("", status=308, headers={"Location": target})(environ, start_response)


def make_wsgi(network: Network | None = None) -> NetworkDispatcher:
    """The network's WSGI application: `gunicorn 'coopere.network:make_wsgi()'`."""
    return NetworkDispatcher(network or Network.from_env())
