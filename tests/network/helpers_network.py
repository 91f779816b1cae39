"""Helpers of the network tests: the routes of a perimeter's map as addresses, a fingerprint of a
perimeter's database, the text of any answer (PDFs read as text)."""

from __future__ import annotations

import hashlib
import io

from flask import url_for
from sqlalchemy import select

from coopere.extensions import db
from routes import EXAMPLE_ARGS


def route_urls(app, prefix: str) -> list[tuple[str, str, list[str]]]:
    """(endpoint, address below `prefix`, methods) for every rule of `app`'s map."""
    found = []
    with app.test_request_context("/", base_url=f"https://reseau.example.org{prefix}"):
        for rule in app.url_map.iter_rules():
            url = url_for(rule.endpoint, **EXAMPLE_ARGS.get(rule.endpoint, {}))
            methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
            found.append((rule.endpoint, url, methods))
    return sorted(found)


def fingerprint(app) -> dict[str, str]:
    """Every table of the perimeter's database → a hash of its rows (any change shows)."""
    hashes = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            hashes[table.name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        db.session.remove()
    return hashes


def body_text(response) -> str:
    """What a reader of the answer sees: the HTML or text, a PDF's text, a zip's files' text."""
    data = response.get_data()
    kind = response.headers.get("Content-Type", "")
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        try:
            return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        except Exception:  # noqa: BLE001 - a PDF too damaged to read: its bytes as text
            return data.decode("latin-1")
    if "zip" in kind:
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    import html

    return html.unescape(data.decode("utf-8", "replace"))
