"""Dwelling register CSV: read and validate an import file (all or nothing), write an export."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .normalize import address_key

MAX_BYTES = 5 * 1024 * 1024
MAX_LENGTHS = {"street": 200, "complement": 200, "city": 80, "rep": 10}

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
# The column names users know, for error messages.
_FRENCH_NAME = {
    "number": "numero",
    "rep": "rep",
    "street": "voie",
    "complement": "complement",
    "postcode": "code_postal",
    "city": "commune",
    "lon": "lon",
    "lat": "lat",
    "locality": "nom_ld",
}
# Columns that only the national address base (BAN) has.
_BAN_MARKERS = {"id", "idfantoir", "codeinsee", "nomvoie", "nomcommune"}
_BAN_NO_NUMBER = 99999  # the BAN numbers its lieux-dits 99999

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"(\d{1,5})\s*([a-z]+)?")  # « 12 », « 12bis », « 12 B »
_REP = re.compile(r"bis|ter|quater|quinquies|sexies|septies|octies|novies|[a-z]")
_POSTCODE = re.compile(r"\d{5}")
_FLOAT = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class DwellingRow:
    """One valid dwelling of the file, with its spreadsheet line number and comparison key."""

    line: int
    number: int | None  # None for a lieu-dit
    rep: str  # lower case: bis, ter, a, b…
    street: str
    complement: str
    postcode: str  # 5 digits
    city: str
    lon: float | None = None
    lat: float | None = None
    key: str = ""


@dataclass(frozen=True)
class Duplicate:
    """The same address twice in the file."""

    first_line: int
    line: int
    address: str


@dataclass
class ImportResult:
    """What a file holds. Import ``rows`` only if ``ok``: they are empty otherwise.

    Line numbers are those a spreadsheet shows (the header is line 1); 0 means the file as a
    whole (empty, too big, not a CSV…).
    """

    format: str = ""  # "coopere" (the project's) or "ban" (national address base)
    encoding: str = ""  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    delimiter: str = ""
    rows: list[DwellingRow] = field(default_factory=list)  # new dwellings, to import
    already_present: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    errors: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    checked_rows: int = 0  # data lines read, blank lines aside

    @property
    def ok(self) -> bool:
        return not self.errors and not self.duplicates

    @property
    def new_count(self) -> int:
        return len(self.rows)

    @property
    def present_count(self) -> int:
        return len(self.already_present)


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


def _row(
    line: int, cells: Sequence[str], columns: dict[str, int], result: ImportResult
) -> DwellingRow | None:
    """The valid dwelling of one line, or None after adding its errors to ``result``."""
    errors = result.errors
    count = len(errors)
    values: dict[str, str] = {}
    for name, index in columns.items():
        value = cells[index].strip() if index < len(cells) else ""
        if value.startswith("'") and value[1:2] in _FORMULA_START:
            value = value[1:]  # our own export's escape (and spreadsheets' text marker)
        if value.startswith(_FORMULA_START) and not (
            name in ("lon", "lat") and _FLOAT.fullmatch(value)
        ):
            errors.append(
                (
                    line,
                    f"Colonne {_FRENCH_NAME[name]} : « {value[:40]} » ressemble à "
                    "une formule de tableur ; retirez le signe du début "
                    "(= + - @).",
                )
            )
            return None  # one message is enough: the other checks would only echo it
        values[name] = _SPACES.sub(" ", value)

    number, rep = _number_and_rep(line, values.get("number", ""), values.get("rep", ""), result)
    street = values.get("street", "") or values.get("locality", "")
    if not street:
        errors.append((line, "La voie est vide."))
    postcode = values.get("postcode", "")
    if len(postcode) == 4 and postcode.isdigit():
        postcode = "0" + postcode  # Excel drops the leading zero of 01000…09999
    if not _POSTCODE.fullmatch(postcode) or postcode.startswith("00"):
        errors.append(
            (line, f"Code postal invalide : « {postcode[:20]} » (5 chiffres, par exemple 44300).")
        )
    city = values.get("city", "")
    if not city:
        errors.append((line, "La commune est vide."))
    complement = values.get("complement", "")
    for name, value in (
        ("street", street),
        ("complement", complement),
        ("city", city),
        ("rep", rep),
    ):
        if len(value) > MAX_LENGTHS[name]:
            errors.append(
                (
                    line,
                    f"Colonne {_FRENCH_NAME[name]} trop longue "
                    f"({len(value)} caractères ; {MAX_LENGTHS[name]} au plus).",
                )
            )
    lon = _coordinate(line, values.get("lon", ""), "longitude", 180, result)
    lat = _coordinate(line, values.get("lat", ""), "latitude", 90, result)
    if len(errors) > count:
        return None
    return DwellingRow(
        line,
        number,
        rep,
        street,
        complement,
        postcode,
        city,
        lon,
        lat,
        address_key(number, rep, street, complement, postcode),
    )


def _number_and_rep(
    line: int, number_text: str, rep: str, result: ImportResult
) -> tuple[int | None, str]:
    rep = rep.casefold().rstrip(".").strip()
    number: int | None = None
    if number_text:
        match = _NUMBER.fullmatch(number_text.casefold())
        if not match:
            result.errors.append(
                (
                    line,
                    f"Numéro invalide : « {number_text[:20]} » (un nombre "
                    "entier, vide pour un lieu-dit).",
                )
            )
            return None, rep
        number = int(match[1])
        if match[2]:  # « 12bis » written in the number column
            if rep and rep != match[2]:
                result.errors.append(
                    (line, f"Deux indices de répétition : « {number_text} » et « {rep} ».")
                )
            rep = match[2]
        if result.format == "ban" and number == _BAN_NO_NUMBER:
            number = None
    if rep and not _REP.fullmatch(rep):
        result.errors.append(
            (
                line,
                f"Indice de répétition non reconnu : « {rep[:20]} » (bis, "
                "ter, quater… ou une lettre).",
            )
        )
    return number, rep


def _coordinate(
    line: int, text: str, label: str, limit: float, result: ImportResult
) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -limit <= value <= limit:
        result.errors.append(
            (
                line,
                f"{label.capitalize()} invalide : « {text[:20]} » (un nombre "
                f"entre -{limit:g} et {limit:g}).",
            )
        )
        return None
    return value


def _describe(row: DwellingRow) -> str:
    street_line = " ".join(
        p for p in ("" if row.number is None else str(row.number), row.rep, row.street) if p
    )
    complement = f", {row.complement}" if row.complement else ""
    return f"{street_line}{complement}, {row.postcode} {row.city}"


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
