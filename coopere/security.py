"""Security headers on every response (error pages included) and proxy handling."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

# No external host, no inline script or style: everything comes from this site.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def client_network(address: str | None = None) -> str:
    """The client as rate limits and login lockouts see it (default: the request's address, after
    PROXY_FIX): its IPv4 address, or its IPv6 /64 network, since one subscriber gets a whole /64 and
    could otherwise take a new address for every try."""
    address = request.remote_addr if address is None else address
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def rate_limit_key() -> str:
    """The key of the request's rate-limit counters: its client network (`client_network`), and
    in a network of perimeters the perimeter's slug before it. Flask-Limiter's extension and its
    storage are one per process, shared by every perimeter a worker serves: without the slug,
    attempts on one perimeter's login page would use up the allowance of the others."""
    slug = current_app.config.get("NETWORK_SLUG")
    return f"{slug}/{client_network()}" if slug else client_network()


def keyed_digest(text: str) -> str:
    """HMAC-SHA256 of `text` with the secret key: stored instead of an address, it lets the site
    recognise the same value again without keeping it (nor letting anyone recompute it)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.endpoint != "static":
        # Pages may hold personal data: never keep them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def configure_security(app: Flask) -> None:
    from .urls import configure_url_converters

    configure_url_converters(app)  # bounded <int:…> ids: a huge number is a 404, not a 500
    from .inputs import NulFreeRequest

    app.request_class = (
        NulFreeRequest  # no NUL in form fields or query strings (PostgreSQL refuses them)
    )
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        # Never x_host: the Host a proxy passes through is chosen by the client, and links that
        # leave the site come from PUBLIC_URL only (coopere/urls.py).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    if app.config["PREFERRED_URL_SCHEME"] == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.after_request(add_security_headers)
