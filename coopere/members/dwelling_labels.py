"""How the desk names a dwelling (« 12 bis rue des Lilas, Bât. C ») and finds the one an address
typed at the desk designates."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import fold_name
from ..dwellings.models import Dwelling
from ..extensions import db


def _label(number: int | None, rep: str, street: str, complement: str) -> str:
    line = " ".join(
        part for part in (str(number) if number is not None else "", rep, street) if part
    )
    return ", ".join(part for part in (line, complement) if part)


def dwelling_label(dwelling: Dwelling) -> str:
    """« 12 bis rue des Lilas, Bât. C »: how the desk names a dwelling."""
    return _label(dwelling.number, dwelling.rep, dwelling.street, dwelling.complement)


def dwelling_choices() -> dict[str, int]:
    """Every dwelling's label → id, for the desk's address search (a <datalist>)."""
    rows = db.session.execute(
        select(
            Dwelling.id, Dwelling.number, Dwelling.rep, Dwelling.street, Dwelling.complement
        ).order_by(Dwelling.street, Dwelling.number, Dwelling.rep, Dwelling.complement)
    )
    return {
        _label(number, rep, street, complement): ident
        for ident, number, rep, street, complement in rows
    }


def find_dwelling(text: str) -> tuple[int | None, list[str]]:
    """The dwelling an address typed at the desk designates, else up to 5 close labels.

    Typed words match the start of a label's words (« 3 all ros » finds « 3 allée des Roses »),
    numbers match whole; when the number does not exist, the street's nearest numbers are
    offered."""
    text = " ".join((text or "").split())
    if not text:
        return None, []
    choices = dwelling_choices()
    if text in choices:
        return choices[text], []
    words = fold_name(text).replace(",", " ").split()
    folded = {label: fold_name(label).replace(",", " ").split() for label in choices}

    def matches(label_words: list[str], wanted: list[str]) -> bool:
        return all(
            any(
                word == token if word.isdigit() else token.startswith(word) for token in label_words
            )
            for word in wanted
        )

    close = [label for label, tokens in folded.items() if matches(tokens, words)]
    if len(close) == 1:
        return choices[close[0]], []
    exact = [label for label in close if folded[label] == words]
    if len(exact) == 1:
        return choices[exact[0]], []
    if close:
        return None, close[:5]
    numbers = [int(word) for word in words if word.isdigit()]
    street_words = [word for word in words if not word.isdigit() and len(word) > 2]
    same_street = [
        label for label, tokens in folded.items() if street_words and matches(tokens, street_words)
    ]
    if numbers:

        def distance(label: str) -> int:
            digits = [int(token) for token in folded[label] if token.isdigit()]
            return abs(digits[0] - numbers[0]) if digits else 10_000

        same_street.sort(key=distance)
    return None, same_street[:5]
