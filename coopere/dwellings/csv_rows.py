"""A dwelling CSV checked line by line: result types, cell rules, number and index, coordinates."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .normalize import address_key

MAX_LENGTHS = {"street": 200, "complement": 200, "city": 80, "rep": 10}
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
