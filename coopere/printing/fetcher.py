"""The only way WeasyPrint may load a resource: files under static/ and images made in memory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

#: Repository's static folder: the only place on disk a printout may read from.
STATIC_ROOT = Path(__file__).resolve().parents[2] / "static"

#: Scheme of files served from STATIC_ROOT, e.g. ``coopere-static:fonts/x.woff``.
STATIC_SCHEME = "coopere-static:"
#: Scheme of resources generated for one render (QR code PNGs), e.g. ``coopere-mem:qr/3``.
MEMORY_SCHEME = "coopere-mem:"

# Fonts, CSS and images are all a printout needs; anything else in static/ stays unreachable.
_MIME_TYPES = {
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


class ResourceRefused(ValueError):
    """A printout asked for a resource outside what the fetcher may serve."""


def static_url(relative_path: str) -> str:
    """URL under which a file of static/ is served to WeasyPrint."""
    return STATIC_SCHEME + relative_path


def resolve_static(relative_path: str, root: Path = STATIC_ROOT) -> Path:
    """Path of a file under root, or ResourceRefused if it escapes root or is not servable."""
    decoded = unquote(relative_path)
    # Backslashes and NUL bytes have no business in a static path; they only serve tricks.
    if not decoded or "\x00" in decoded or "\\" in decoded or decoded.startswith("/"):
        raise ResourceRefused(f"Chemin refusé : {relative_path!r}")
    root = root.resolve()
    # resolve() follows symlinks and "..", so the containment test below sees the real target.
    path = (root / decoded).resolve()
    if not path.is_relative_to(root) or path == root:
        raise ResourceRefused(f"Chemin hors du dossier static refusé : {relative_path!r}")
    if path.suffix.lower() not in _MIME_TYPES:
        raise ResourceRefused(f"Type de fichier refusé : {relative_path!r}")
    if not path.is_file():
        raise ResourceRefused(f"Fichier introuvable dans static : {relative_path!r}")
    return path


class StaticOnlyFetcher(URLFetcher):
    """URL fetcher serving static/ files and in-memory resources; every other URL raises.

    ``fail_on_errors=True`` makes WeasyPrint stop the render on a refused URL instead of
    silently printing a page without its image or font.
    """

    def __init__(self, memory: Mapping[str, bytes] | None = None, root: Path = STATIC_ROOT):
        super().__init__(fail_on_errors=True)
        self._memory = memory or {}
        self._root = root

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url.startswith(STATIC_SCHEME):
            path = resolve_static(url[len(STATIC_SCHEME) :], self._root)
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": _MIME_TYPES[path.suffix.lower()]}
            )
        if url.startswith(MEMORY_SCHEME):
            key = url[len(MEMORY_SCHEME) :]
            if key not in self._memory:
                raise ResourceRefused(f"Ressource en mémoire inconnue : {url!r}")
            return URLFetcherResponse(url, self._memory[key], headers={"Content-Type": "image/png"})
        # file:, http(s):, data:, ftp:… : a printout never reads the disk or the network.
        raise ResourceRefused(f"Adresse refusée par le moteur d'impression : {url[:200]!r}")
