"""Dwelling register CSV import: read a file, recognise its format and columns, all or nothing."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Collection, Sequence

from .csv_rows import _FRENCH_NAME, Duplicate, DwellingRow, ImportResult, _row

MAX_BYTES = 5 * 1024 * 1024

#: Header of the project's own format, in this order.
PROJECT_HEADER = ("numero", "rep", "voie", "complement", "code_postal", "commune")

# Header names as users write them, compared without case, accents, spaces or punctuation.
_ALIASES = {
    "number": ("numero", "num", "no", "n", "number", "housenumber", "numerovoie"),
    "rep": ("rep", "repetition", "indicerepetition", "indice", "suffixe", "suffix"),
    "street": ("voie", "nomvoie", "rue", "street", "streetname", "libellevoie"),
    "complement": ("complement", "complementadresse", "complementdadresse", "adresse2"),
    "postcode": ("codepostal", "cp", "postcode", "postalcode", "zip", "zipcode"),
    "city": ("commune", "nomcommune", "ville", "city", "town", "localite"),
    "lon": ("lon", "longitude", "lng"),
    "lat": ("lat", "latitude"),
    "locality": ("nomld", "lieudit"),  # BAN: the lieu-dit's name, when there is no street
}
_FIELD_OF_HEADER = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_REQUIRED = ("number", "street", "postcode", "city")
# Columns that only the national address base (BAN) has.
_BAN_MARKERS = {"id", "idfantoir", "codeinsee", "nomvoie", "nomcommune"}


def parse_dwellings_csv(
    data: bytes,
    existing_keys: Collection[str] = frozenset(),
    max_bytes: int = MAX_BYTES,
) -> ImportResult:
    """Read a dwelling list (project format or BAN extract) and validate every line.

    ``existing_keys``: address_key() of the dwellings already in the register; those lines
    are listed in ``already_present`` and not imported again (not an error).
    Nothing is accepted if any line has an error or the file repeats an address.
    """
    result = ImportResult()
    text = _decode(data, max_bytes, result)
    if text is None:
        return result
    header_text = next((line for line in io.StringIO(text) if line.strip()), "")
    if not header_text:
        result.errors.append((0, "Le fichier est vide."))
        return result
    result.delimiter = ";" if header_text.count(";") >= header_text.count(",") else ","
    # Line numbers count records, as a spreadsheet counts rows: a quoted cell holding a
    # line break is still one row.
    records = _records(text, result)
    first = next(((n, cells) for n, cells in records if any(c.strip() for c in cells)), None)
    if first is None:
        if result.ok:  # not when the very first record was refused (_records said why)
            result.errors.append((0, "Le fichier est vide."))
        return result
    columns = _columns(first[1], first[0], result)
    if columns is None:
        return result

    valid: list[DwellingRow] = []
    first_line_of: dict[str, int] = {}
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets export trailing empty rows
        result.checked_rows += 1
        row = _row(line, cells, columns, result)
        if row is None:
            continue
        if row.key in first_line_of:
            result.duplicates.append(Duplicate(first_line_of[row.key], line, _describe(row)))
        elif row.key in existing_keys:
            first_line_of[row.key] = line
            result.already_present.append((line, f"{_describe(row)} : déjà dans le registre"))
        else:
            first_line_of[row.key] = line
            valid.append(row)
    if result.checked_rows == 0:
        result.errors.append((0, "Le fichier ne contient que la ligne d'en-tête, aucune adresse."))
    if result.ok:
        result.rows = valid
    return result


def _records(text: str, result: ImportResult):
    """The file's records numbered from 1. The csv module refuses a cell over its limit (128 kB:
    a megabyte line, a quote never closed): that ends the reading with a French error, not a 500."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter)
    line = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            result.errors.append(
                (
                    line + 1,
                    "Une case de cette ligne est bien trop longue (plus de 100 000 "
                    "caractères) : vérifiez le fichier, par exemple un guillemet "
                    "jamais refermé.",
                )
            )
            return
        line += 1
        yield line, cells


def _decode(data: bytes, max_bytes: int, result: ImportResult) -> str | None:
    if len(data) > max_bytes:
        result.errors.append(
            (0, f"Fichier trop volumineux ({_size(len(data))} ; {_size(max_bytes)} au plus).")
        )
        return None
    if not data.strip():
        result.errors.append((0, "Le fichier est vide."))
        return None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        result.errors.append(
            (
                0,
                "Ce fichier est un classeur (Excel, LibreOffice), pas un CSV : "
                "ouvrez-le et enregistrez-le au format « CSV ».",
            )
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        result.errors.append(
            (
                0,
                "Ce fichier est encodé en UTF-16 : enregistrez-le au format "
                "« CSV UTF-8 » ou « CSV (séparateur : point-virgule) ».",
            )
        )
        return None
    if b"\x00" in data:
        result.errors.append((0, "Ce fichier n'est pas un fichier texte CSV (contenu binaire)."))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        # Not UTF-8: Excel's "CSV (séparateur : point-virgule)" on Windows writes cp1252.
        encoding = "cp1252"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = None
    # Control characters do not occur in a real address list: the file is something else.
    if text is None or any(
        unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in set(text)
    ):
        result.errors.append(
            (
                0,
                "Encodage du fichier non reconnu (ni UTF-8, ni Windows-1252) "
                "ou fichier qui n'est pas du texte.",
            )
        )
        return None
    result.encoding = encoding
    return text


def _size(count: int) -> str:
    return f"{count / 1048576:.1f} Mo" if count >= 1048576 else f"{count / 1024:.0f} Ko"


def _columns(header: Sequence[str], line: int, result: ImportResult) -> dict[str, int] | None:
    """Index of each known column, or None (with an error) if a required one is missing."""
    names = [_header_name(cell) for cell in header]
    result.format = "ban" if len(_BAN_MARKERS & set(names)) >= 3 else "coopere"
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        field_name = _FIELD_OF_HEADER.get(name)
        if field_name is None:
            continue  # extra columns are allowed and ignored
        if field_name in columns:
            result.errors.append((line, f"Colonne en double : {header[index].strip()}"))
            continue
        columns[field_name] = index
    for name in _REQUIRED:
        if name not in columns:
            result.errors.append((line, f"Colonne manquante : {_FRENCH_NAME[name]}"))
    return None if result.errors else columns


def _header_name(cell: str) -> str:
    decomposed = unicodedata.normalize("NFKD", cell.strip().casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _describe(row: DwellingRow) -> str:
    street_line = " ".join(
        p for p in ("" if row.number is None else str(row.number), row.rep, row.street) if p
    )
    complement = f", {row.complement}" if row.complement else ""
    return f"{street_line}{complement}, {row.postcode} {row.city}"
