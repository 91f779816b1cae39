"""CSV export of a figure Table, for the group's spreadsheets (LibreOffice Calc, Excel).

Written for a French spreadsheet opened by a double click: UTF-8 with a byte order mark (Excel
otherwise reads « Ã© » for « é »), « ; » between cells (« , » is the decimal mark in French),
CRLF line ends (RFC 4180), integers plainly and decimals with a comma (« 0,42 »). A text cell
starting with = + - @ or a tab / carriage return gets a leading apostrophe, so that a street
name such as « =HYPERLINK(…) » stays text instead of running as a formula (CSV injection);
numbers of a numeric column, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from decimal import Decimal

from ..printing.models import Table

BOM = "\ufeff"
SEPARATOR = ";"
#: First characters a spreadsheet may take as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _number_text(value: int | float | Decimal) -> str:
    """« 12 », « -3 », « 0,42 »: no thousands separator (a spreadsheet would take it for text)."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    value = float(value)  # a Decimal from PostgreSQL
    if math.isnan(value) or math.isinf(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    # Up to 6 decimals, trailing zeros dropped: 1/3 gives « 0,333333 », not 17 digits.
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _cell(value: object, numeric: bool) -> str:
    if value is None:
        return ""
    if numeric and isinstance(value, (int, float, Decimal)):
        return _number_text(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def table_to_csv(table: Table) -> bytes:
    """The table as CSV bytes: header of column labels, one line per row, the total row last."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=SEPARATOR, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL
    )
    # A label is text like any other cell: a translated label starting with « - » is escaped too.
    writer.writerow([_cell(column.label, False) for column in table.columns])
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    for row in rows:
        writer.writerow([_cell(value, column.numeric) for column, value in zip(table.columns, row)])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _slug(text: str) -> str:
    """ASCII letters, digits and single hyphens: « Année 2026 / T1 » gives « annee-2026-t1 »."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def csv_filename(table: Table, period_label: str) -> str:
    """A safe ASCII file name: ``coopere-<table name>-<period>.csv``, e.g.
    ``coopere-reach-streets-2026-01-01_2026-11-27.csv``.

    The period keeps its « _ » between two dates; everything else that is not a letter or a
    digit becomes a hyphen, so the name never holds a quote, a slash or a space that a
    Content-Disposition header or a file system would mind.
    """
    name = _slug(table.name) or "tableau"
    period = "_".join(part for part in (_slug(piece) for piece in period_label.split("_")) if part)
    name = f"coopere-{name}-{period}" if period else f"coopere-{name}"
    return name[:120].rstrip("-_") + ".csv"
