"""Redirect targets taken from a request, kept on this site."""
from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: never send a person to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


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
