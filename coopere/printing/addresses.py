"""Postal address lines for a dwelling, laid out the French way (La Poste, NF Z10-011)."""

from __future__ import annotations

import unicodedata

#: La Poste: at most 6 lines of at most 38 characters.
MAX_LINES = 6
MAX_LINE_LENGTH = 38


def postal_address_lines(
    number: int | None,
    rep: str,
    street: str,
    complement: str,
    postcode: str,
    city: str,
    recipient: str | None = "Aux habitants",
) -> tuple[str, ...]:
    """Address lines for an envelope window: recipient, complement, street, postcode + CITY.

    The complement (« Résidence Les Marronniers, Bât. C, esc. 2 ») is split at commas into
    lines of at most 38 characters. The last line is in capitals without accents, as La
    Poste's sorting machines read best.
    """
    street_line = " ".join(
        part for part in (str(number or "").strip(), rep.strip(), street.strip()) if part
    )
    city_line = f"{postcode.strip()} {_postal_city(city)}".strip()
    head = [recipient.strip()] if recipient and recipient.strip() else []
    room = MAX_LINES - len(head) - 2
    complement_lines = _pack(complement, room) if complement.strip() else []
    return tuple(head + complement_lines + [street_line, city_line])


def _postal_city(city: str) -> str:
    decomposed = unicodedata.normalize("NFKD", city.strip())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.upper()


def _pack(complement: str, room: int) -> list[str]:
    """Comma-separated parts packed greedily into at most ``room`` lines."""
    lines: list[str] = []
    for part in (p.strip() for p in complement.split(",")):
        if not part:
            continue
        if lines and len(lines[-1]) + 2 + len(part) <= MAX_LINE_LENGTH:
            lines[-1] = f"{lines[-1]}, {part}"
        else:
            lines.append(part)
    if len(lines) > room:
        # Too many parts for the window: keep them all, on fewer, longer lines.
        lines = lines[: room - 1] + [", ".join(lines[room - 1 :])]
    return lines
