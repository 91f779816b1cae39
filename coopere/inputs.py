"""What browsers send, read safely: ids and page numbers, bounded, never an exception; names typed
in a search box, kept out of URLs.

`int()` on what a browser sent fails three ways that `str.isdigit()` does not prevent: « ² » is a
digit for Python but no number (ValueError), more than 4,300 digits are refused (ValueError), and a
20-digit id overflows the database's integer column (OverflowError, DataError). Each was a 500.
"""
from __future__ import annotations

from flask import Request, request, session
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

MAX_ID = 2**31 - 1  # the largest value of a database INTEGER column (ids)
MAX_PAGE = 10_000  # no list of the site has that many pages


def parse_id(value) -> int | None:
    """An id typed or posted as ASCII digits, at most MAX_ID; None for anything else."""
    text = str(value if value is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def page_number(value) -> int:
    """The page of a list asked in the query string: 1 to MAX_PAGE, 1 for anything else."""
    number = parse_id(value)
    return number if number is not None and 1 <= number <= MAX_PAGE else 1


# --- NUL characters -------------------------------------------------------------------------------

def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class _NulFreeMultiDict(ImmutableMultiDict):
    """Form fields and query parameters with every NUL character removed, from names and values.

    A NUL is never meaningful in what a person types, and PostgreSQL refuses it in a text column:
    « a\\x00b » in a listing's title, a message or a search was a 500 there (SQLite stored it).
    Files (FileStorage values) are left alone: their checks read the bytes.
    """

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = mapping.items()
        else:
            pairs = mapping
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in pairs])


class NulFreeRequest(Request):
    """The application's request class: forms and query strings go through _NulFreeMultiDict."""

    parameter_storage_class = _NulFreeMultiDict


SEARCH_MAX = 80


def remembered_search(key: str) -> str:
    """The name typed in a search box for people. It comes by POST and stays in the (signed) session,
    never in the URL: addresses end up in web-server and proxy logs, a neighbour's name must not."""
    if request.method == "POST":
        session[key] = " ".join(request.form.get("q", "").split())[:SEARCH_MAX]
    return session.get(key, "")
