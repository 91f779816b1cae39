"""The dwelling register written as CSV in the project's format, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from .csv_import import PROJECT_HEADER
from .csv_rows import _FORMULA_START, DwellingRow


def export_csv(
    rows: Iterable[DwellingRow | Mapping[str, object]], extra_columns: Sequence[str] = ()
) -> bytes:
    """CSV of dwellings in the project format (UTF-8 with BOM, « ; »), for Excel and back.

    ``rows`` are DwellingRow objects or mappings keyed by the header names (numero, rep,
    voie, complement, code_postal, commune, then ``extra_columns``). A cell that a
    spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading
    « ' », which spreadsheets show as text and parse_dwellings_csv() removes.
    """
    header = (*PROJECT_HEADER, *extra_columns)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        values = _export_values(row) if isinstance(row, DwellingRow) else row
        writer.writerow([_safe_cell(values.get(name)) for name in header])
    return "\ufeff".encode() + buffer.getvalue().encode()


def _export_values(row: DwellingRow) -> dict[str, object]:
    return {
        "numero": row.number,
        "rep": row.rep,
        "voie": row.street,
        "complement": row.complement,
        "code_postal": row.postcode,
        "commune": row.city,
        "lon": row.lon,
        "lat": row.lat,
    }


def _safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
