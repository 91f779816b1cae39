"""The print engine's URL fetcher serves static/ files and in-memory images, nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coopere.printing import ResourceRefused
from coopere.printing.engine import html_to_pdf
from coopere.printing.fetcher import StaticOnlyFetcher

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

FONT = "fonts/AtkinsonHyperlegible-Regular.ttf"


def test_serves_a_static_font(static_root: Path) -> None:
    response = StaticOnlyFetcher().fetch("coopere-static:" + FONT)
    assert response.read() == (static_root / FONT).read_bytes()
    assert response.content_type == "font/ttf"


def test_serves_in_memory_images() -> None:
    response = StaticOnlyFetcher({"qr/0": b"\x89PNG..."}).fetch("coopere-mem:qr/0")
    assert response.read() == b"\x89PNG..."
    assert response.content_type == "image/png"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://" + str(Path(__file__).resolve()),
        "http://example.com/logo.png",
        "https://example.com/font.woff",
        "http://127.0.0.1:5000/admin",
        "ftp://example.com/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        "/etc/passwd",
        "fonts/AtkinsonHyperlegible-Regular.ttf",  # relative: no base URL exists
        "coopere-mem:qr/unknown",
    ],
)
def test_refuses_everything_else(url: str) -> None:
    with pytest.raises(ResourceRefused):
        StaticOnlyFetcher().fetch(url)


@pytest.mark.parametrize(
    "path",
    [
        "../coopere/__init__.py",
        "../../etc/passwd",
        "fonts/../../setup.cfg",
        "%2e%2e/setup.cfg",
        "fonts/%2e%2e/%2e%2e/setup.cfg",
        "/etc/passwd",
        "..\\setup.cfg",
        "fonts/\x00.woff",
        "",
        "fonts/",
        "fonts/missing.woff",
        "fonts/OFL.txt",  # exists, but not a type a printout loads
        "fonts/README.md",
    ],
)
def test_refuses_path_traversal_and_non_assets(path: str) -> None:
    with pytest.raises(ResourceRefused):
        StaticOnlyFetcher().fetch("coopere-static:" + path)


def test_refuses_symlink_out_of_static(tmp_path: Path) -> None:
    root = tmp_path / "static"
    root.mkdir()
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for printing")
    os.symlink(secret, root / "innocent.png")
    (root / "real.png").write_bytes(b"ok")
    fetcher = StaticOnlyFetcher(root=root)
    assert fetcher.fetch("coopere-static:real.png").read() == b"ok"
    with pytest.raises(ResourceRefused):
        fetcher.fetch("coopere-static:innocent.png")


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<img src="http://example.com/tracker.png">',
        '<link rel="stylesheet" href="https://example.com/style.css">',
        '<p style="background: url(file:///etc/hostname)">x</p>',
        '<img src="coopere-static:../setup.cfg">',
    ],
)
def test_a_render_that_asks_for_a_refused_url_fails(markup: str) -> None:
    html = f'<!DOCTYPE html><html lang="fr"><title>t</title><body>{markup}</body></html>'
    with pytest.raises(ResourceRefused):
        html_to_pdf(html, ("base.css",))


def test_a_render_with_static_and_memory_resources_works(static_root: Path) -> None:
    from coopere.printing import qr_png

    html = (
        '<!DOCTYPE html><html lang="fr"><title>t</title><body>'
        '<img src="coopere-mem:qr"><p>Bonjour</p></body></html>'
    )
    pdf = html_to_pdf(html, ("base.css",), {"qr": qr_png("https://example.org")})
    assert pdf.startswith(b"%PDF-")
