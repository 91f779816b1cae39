"""One sheet of the register of processing (Store, Sheet), and the text several sheets share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Store:
    """Where some of a sheet's data lives: a table and its personal columns."""

    table: str
    columns: tuple[str, ...]  # written as one string of names, split on spaces
    note: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.columns, str):
            object.__setattr__(self, "columns", tuple(self.columns.split()))


@dataclass(frozen=True)
class Sheet:
    """One processing activity (une fiche du registre)."""

    slug: str
    title: str  # French, for the register
    purpose: str
    legal_basis: str
    basis_reason: str  # why this basis, in one line
    people: tuple[str, ...]
    categories: tuple[str, ...]
    stores: tuple[Store, ...]
    recipients: tuple[str, ...]
    retention: str  # French; "%(KEY)d" names a duration of RETENTION_FALLBACKS
    security: tuple[str, ...]
    transfers: str = (
        "Aucun : les données restent sur le serveur du réseau, dans l'Union européenne."
    )
    # For the public page, in plain words (translated).
    public_title: object = ""
    public_purpose: object = ""
    public_retention: object = ""  # same "%(KEY)d" fields as `retention`
    keys: tuple[str, ...] = field(default=())  # the durations `retention` names, for the tests

    def retention_text(self, values: Mapping[str, int]) -> str:
        return self.retention % values

    def public_retention_text(self, values: Mapping[str, int]) -> str:
        return str(self.public_retention) % values


ACCOUNT_ERASURE = (
    "effacement à la demande de la personne, ou %(PURGE_LEFT_GRACE_DAYS)d jours après son départ "
    "du périmètre (PURGE_LEFT_GRACE_DAYS) ; un compte sans aucune activité depuis "
    "%(PURGE_INACTIVE_MONTHS)d mois (PURGE_INACTIVE_MONTHS) est signalé au groupe d'animation, "
    "qui prend des nouvelles de la personne et ne l'efface que si elle ne veut plus être membre"
)
