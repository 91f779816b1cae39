"""Redirect targets taken from a request, kept on this site; bounded integer ids in routes.

Every redirect to an address that came with the request (a `next` field or parameter) goes through
`local_path`, through `next_path` in the views: one check, nowhere else.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import request
from werkzeug.routing import IntegerConverter


def _unsafe(text: str) -> bool:
    """Whether `text`, as written, holds what a browser could read as another site or a new header:
    a control character (CR, LF, TAB, any below 0x20, DEL), a backslash, or a second leading slash."""
    return (any(ord(char) < 0x20 or ord(char) == 0x7F for char in text) or "\\" in text
            or not text.startswith("/") or text.startswith("//"))


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: never send a person to another host.

    Refused: anything not starting with a single « / » (« https://x », « //x », « javascript:… »,
    « http: »), a backslash (« /\\x », read « //x » by browsers), a control character (« /\\t/x » is
    « //x » once the browser drops the tab; CR/LF would split the Location header: a 500), and the
    same written percent-encoded (« %0d%0a », « %5c », « /%2f/x »).
    """
    if not isinstance(target, str) or not target:
        return None
    if _unsafe(target) or _unsafe(unquote(target)):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def next_path(default: str) -> str:
    """Where to go after a form: the request's `next` (posted, else in the query string) if it is a
    local path (`local_path`), else `default` (an address built by url_for)."""
    target = request.form.get("next") if "next" in request.form else request.args.get("next")
    return local_path(target) or default


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` in routes, bounded to what a database integer column holds (2**31 - 1).

    Werkzeug's own converter takes any number of digits: /logements/99999999999999999999 reached
    the view and the database driver failed on the overflow (a 500). Beyond the bound the URL
    simply matches no route: a 404, like any id that does not exist.
    """

    MAX = 2**31 - 1

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:  # noqa: A002 - werkzeug's argument names
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=self.MAX if max is None else max, signed=signed)


def configure_url_converters(app) -> None:
    """Before any blueprint is registered: every `<int:…>` rule uses the bounded converter."""
    app.url_map.converters["int"] = DatabaseIntConverter
