"""The dwelling register's rules: unique addresses, all-or-nothing imports, listing and totals."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select

from ..audit.services import record
from ..auth.models import User
from ..database import per_key
from ..extensions import db
from .csv_export import export_csv
from .csv_import import parse_dwellings_csv
from .csv_rows import ImportResult
from .models import Dwelling, LetterSent, new_reference
from .normalize import address_key

ADDRESS_FIELDS = ("number", "rep", "street", "complement", "postcode", "city")
PAGE_SIZE = 50
PENDING_IMPORT_HOURS = 24


class DwellingError(ValueError):
    """A refused change to the register; the message is French and safe to show."""


def key_of(values: dict) -> str:
    return address_key(
        values.get("number"),
        values.get("rep") or "",
        values["street"],
        values.get("complement") or "",
        values["postcode"],
    )


def save_dwelling(dwelling: Dwelling | None, values: dict, *, actor=None) -> Dwelling:
    """Create or update one dwelling; refuses an address already in the register."""
    values = {
        **values,
        "rep": (values.get("rep") or "").strip().lower(),
        "street": values["street"].strip(),
        "complement": (values.get("complement") or "").strip(),
        "city": values["city"].strip(),
        "notes": (values.get("notes") or "").strip(),
    }
    key = key_of(values)
    clash = db.session.scalar(select(Dwelling).where(Dwelling.address_key == key))
    if clash is not None and clash is not dwelling:
        raise DwellingError(
            _l("Cette adresse est déjà dans le registre : %(address)s.", address=describe(clash))
        )
    if dwelling is None:
        dwelling = Dwelling(
            address_key=key,
            street=values["street"],
            postcode=values["postcode"],
            city=values["city"],
        )
        db.session.add(dwelling)
    for field in (*ADDRESS_FIELDS, "lon", "lat", "notes", "no_letters", "vacant"):
        if field in values:
            setattr(dwelling, field, values[field])
    dwelling.address_key = key
    return dwelling


def describe(dwelling: Dwelling) -> str:
    complement = f", {dwelling.complement}" if dwelling.complement else ""
    return f"{dwelling.street_line}{complement}, {dwelling.postcode} {dwelling.city}"


def delete_dwelling(dwelling: Dwelling, *, actor=None) -> None:
    record("dwelling.deleted", actor=actor, address=describe(dwelling))
    db.session.delete(dwelling)


# --- import ------------------------------------------------------------------------------


def existing_keys() -> set[str]:
    return set(db.session.scalars(select(Dwelling.address_key)))


def check_import(data: bytes) -> ImportResult:
    """Parse and validate a file against the current register, without changing anything."""
    return parse_dwellings_csv(
        data, existing_keys(), max_bytes=current_app.config["IMPORT_MAX_BYTES"]
    )


def import_file(data: bytes, *, actor=None) -> ImportResult:
    """Import every new address of the file, or none: any bad line or duplicate imports nothing.

    Addresses already in the register are left as they are (an updated list can be imported
    again). Adds to the current transaction; the caller commits.
    """
    result = check_import(data)
    if result.ok and result.rows:
        db.session.execute(
            insert(Dwelling),
            [
                {
                    "number": row.number,
                    "rep": row.rep,
                    "street": row.street,
                    "complement": row.complement,
                    "postcode": row.postcode,
                    "city": row.city,
                    "lon": row.lon,
                    "lat": row.lat,
                    "notes": "",
                    "no_letters": False,
                    "vacant": False,
                    "reference": new_reference(),
                    "address_key": row.key,
                }
                for row in result.rows
            ],
        )
        record(
            "dwelling.imported",
            actor=actor,
            added=len(result.rows),
            already=result.present_count,
            format=result.format,
        )
    return result


def pending_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def keep_pending(data: bytes) -> str:
    """Keep an uploaded file between preview and confirmation; returns its token."""
    _forget_old_pending()
    token = secrets.token_urlsafe(16)
    (pending_folder() / f"{token}.csv").write_bytes(data)
    return token


def _pending_path(token: str) -> Path | None:
    """The kept file of a token, or None for a malformed token (never a path outside the folder)."""
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return pending_folder() / f"{token}.csv"


def pending(token: str) -> bytes | None:
    path = _pending_path(token)
    return path.read_bytes() if path is not None and path.exists() else None


def forget_pending(token: str) -> None:
    path = _pending_path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def _forget_old_pending() -> None:
    limit = time.time() - PENDING_IMPORT_HOURS * 3600
    for path in pending_folder().glob("*.csv"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


# --- listing, totals, export -------------------------------------------------------------


@dataclass
class RegisterTotals:
    registered: int
    estimated: int
    no_letters: int
    vacant: int
    written_to: int


def totals(estimated: int) -> RegisterTotals:
    row = db.session.execute(
        select(
            func.count(Dwelling.id),
            func.coalesce(func.sum(func.cast(Dwelling.no_letters, db.Integer)), 0),
            func.coalesce(func.sum(func.cast(Dwelling.vacant, db.Integer)), 0),
        )
    ).one()
    written = db.session.scalar(select(func.count(func.distinct(LetterSent.dwelling_id))))
    return RegisterTotals(row[0], estimated, row[1], row[2], written or 0)


def streets(receiving_letters: bool = False) -> list[tuple[str, int]]:
    """(street, number of dwellings) in alphabetical order; optionally only those that get mail."""
    query = select(Dwelling.street, func.count(Dwelling.id))
    if receiving_letters:
        query = query.where(Dwelling.receives_letters)
    return list(db.session.execute(query.group_by(Dwelling.street).order_by(Dwelling.street)).all())


def filtered(street: str = "", building: str = ""):
    query = select(Dwelling)
    if street:
        query = query.where(Dwelling.street == street)
    if building:
        query = query.where(func.lower(Dwelling.complement).contains(building.lower()))
    return query.order_by(
        Dwelling.street, Dwelling.number, Dwelling.rep, Dwelling.complement, Dwelling.id
    )


def page_of(street: str, building: str, page: int) -> tuple[list[Dwelling], int]:
    query = filtered(street, building)
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return rows, count


def facts_for(dwellings: list[Dwelling]) -> dict[int, dict]:
    """Members living there and letters received, for a page of dwellings, in two queries."""
    ids = [d.id for d in dwellings]
    facts = {i: {"members": 0, "letters": []} for i in ids}
    if not ids:
        return facts
    for dwelling_id, count in per_key(User.dwelling_id, func.count(User.id), ids).items():
        facts[dwelling_id]["members"] = count
    for dwelling_id, sent_on in db.session.execute(
        select(LetterSent.dwelling_id, LetterSent.sent_on)
        .where(LetterSent.dwelling_id.in_(ids))
        .order_by(LetterSent.sent_on)
    ):
        facts[dwelling_id]["letters"].append(sent_on)
    return facts


def export_register() -> bytes:
    """The whole register as CSV (UTF-8 with BOM, « ; », formula-like cells escaped)."""
    rows = (
        {
            "numero": d.number,
            "rep": d.rep,
            "voie": d.street,
            "complement": d.complement,
            "code_postal": d.postcode,
            "commune": d.city,
            "lon": d.lon,
            "lat": d.lat,
            "pas_de_courrier": "oui" if d.no_letters else "",
            "vide": "oui" if d.vacant else "",
            "notes": d.notes,
        }
        for d in db.session.scalars(filtered())
    )
    return export_csv(rows, extra_columns=("lon", "lat", "pas_de_courrier", "vide", "notes"))
