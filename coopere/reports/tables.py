"""A figure table: what the dashboard shows, what a chart draws and what a CSV export writes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # translated words, shown as the column header (and the CSV header)
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """Rows of plain values (str, int, float, None) under labelled columns.

    `name` is a short slug (« reach-streets ») used in URLs and CSV file names; `title` and
    `caption` are translated words; `total` is an optional last row (e.g. « Tout le périmètre »).
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    caption: str = ""
    total: tuple | None = None
    meta: dict = field(default_factory=dict)

    def column(self, key: str) -> list:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    @property
    def is_empty(self) -> bool:
        return not self.rows
