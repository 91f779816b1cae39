"""The network's sheets (« fiches »), shared by all its perimeters: seeded once from the package's
data files, kept by the coordination in the console (written, edited, retired, reordered, each in
the audit log), read by every perimeter's app through `NetworkSheets` (handed in by
coopere/association/link.py). Their texts are checked by the perimeters' own rule
(coopere/sheets/services.sheet_content): one rule for a sheet, wherever it is written."""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..network import registry
from ..network.folder import Network
from ..sheets.library import FAMILY_ORDER, SharedSheet, seed_rows, title
from ..sheets.services import SheetError, SheetValues, sheet_content, unique_slug
from . import audit
from .models import NetworkSheet
from .store import db_session

MOVES = {"haut": -1, "bas": 1}


# --- reading ---------------------------------------------------------------------------------


def ensure_seeded(session: Session) -> bool:
    """Fill the empty table with the package's sheets, once (sheets are retired, never deleted);
    committed. True when it wrote them."""
    if session.scalar(select(func.count(NetworkSheet.id))):
        return False
    session.add_all(NetworkSheet(**row) for row in seed_rows())
    try:
        session.commit()
    except IntegrityError:  # another process seeded it at the same moment
        session.rollback()
        return False
    return True


def all_rows(session: Session) -> list[NetworkSheet]:
    """Every sheet of the network, retired ones too, éco-gestes first, in the coordination's
    order."""
    ensure_seeded(session)
    rows = session.scalars(select(NetworkSheet).order_by(NetworkSheet.position, NetworkSheet.id))
    return sorted(rows, key=lambda row: FAMILY_ORDER.index(row.family))


def shared(row: NetworkSheet) -> SharedSheet:
    return SharedSheet(
        slug=row.slug,
        family=row.family,
        position=row.position,
        theme=row.theme,
        content=row.content or {},
        network_retired=row.retired,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class NetworkSheets:
    """The network's sheets as a perimeter's app reads them (`all()`, `get(slug)`,
    coopere/sheets/library.source): read once per request (or job), whatever the number of
    sheets a page shows."""

    def __init__(self, network: Network):
        self.network = network

    def _sheets(self) -> dict[str, SharedSheet]:
        cached = g.get("coopere_network_sheets") if has_app_context() else None
        if cached is None:
            with registry.session(self.network) as session:
                cached = {row.slug: shared(row) for row in all_rows(session)}
            if has_app_context():
                g.coopere_network_sheets = cached
        return cached

    def all(self) -> list[SharedSheet]:
        return list(self._sheets().values())

    def get(self, slug: str) -> SharedSheet | None:
        return self._sheets().get(slug)


# --- the console -------------------------------------------------------------------------------


def all_sheets() -> list[NetworkSheet]:
    return all_rows(db_session())


def one(slug: str) -> NetworkSheet | None:
    session = db_session()
    ensure_seeded(session)
    return session.scalar(select(NetworkSheet).where(NetworkSheet.slug == slug))


def _end_of(family: str, session: Session) -> int:
    last = session.scalar(
        select(func.max(NetworkSheet.position)).where(NetworkSheet.family == family)
    )
    return 0 if last is None else last + 1


def _checked(values: SheetValues, themes: set[str]) -> dict:
    content = sheet_content(values)
    if values.theme and values.theme not in themes:
        raise SheetError(_l("Choisissez un thème de la liste."), "theme")
    return content


def _stamp(row: NetworkSheet, account) -> None:
    row.updated_at, row.updated_by = registry.now(), account.name


def create(values: SheetValues, *, themes: set[str], account) -> NetworkSheet:
    """A new sheet of the network, after the others of its family; every perimeter shows it.
    `themes`: the slugs its theme may be (defaults.theme_choices)."""
    content = _checked(values, themes)
    session = db_session()
    # « reseau-… »: never the slug of a sheet a group wrote before (a group's new sheet is given
    # a slug no network sheet has; the console never reads the perimeters' databases)
    slug = unique_slug(f"reseau {content['fr']['title']}", lambda slug: one(slug) is not None)
    row = NetworkSheet(
        slug=slug,
        family=values.family,
        theme=values.theme,
        content=content,
        position=_end_of(values.family, session),
        retired=False,
    )
    _stamp(row, account)
    session.add(row)
    session.flush()
    audit.record("sheet.created", account=account, target=slug, detail=title(row))
    return row


def update(row: NetworkSheet, values: SheetValues, *, themes: set[str], account) -> NetworkSheet:
    """New texts for a sheet (every perimeter shows them at once); a sheet that changes family
    goes at the end of its new one."""
    content = _checked(values, themes)
    if values.family != row.family:
        row.position = _end_of(values.family, db_session())
    row.family, row.theme, row.content = values.family, values.theme, content
    _stamp(row, account)
    audit.record("sheet.updated", account=account, target=row.slug, detail=title(row))
    return row


def set_retired(row: NetworkSheet, retired: bool, *, account) -> None:
    """Retire a sheet (kept; no perimeter shows it to its members) or bring it back."""
    if row.retired == retired:
        return
    row.retired = retired
    _stamp(row, account)
    audit.record(
        "sheet.retired" if retired else "sheet.restored",
        account=account,
        target=row.slug,
        detail=title(row),
    )


def move(row: NetworkSheet, direction: str, *, account) -> bool:
    """Move a sheet one place up or down in its family (« haut », « bas »); the family's
    positions are numbered again from 0. False when it is already at that end."""
    step = MOVES.get(direction)
    if step is None:
        raise SheetError(_l("Choisissez de monter ou de descendre la fiche."))
    family = [sheet for sheet in all_sheets() if sheet.family == row.family]
    index = family.index(row)
    other = index + step
    if not 0 <= other < len(family):
        return False
    family[index], family[other] = family[other], family[index]
    for position, sheet in enumerate(family):
        sheet.position = position
    audit.record("sheet.moved", account=account, target=row.slug, detail=title(row))
    return True
