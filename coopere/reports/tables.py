"""A figure table: what the dashboard shows, what a chart draws and what a CSV export writes.

The classes live with the print engine's plain data (the activity report prints them, and the
engine sits below the reports); the reports keep this name for them."""

from __future__ import annotations

from ..printing.models import Column, Table

__all__ = ["Column", "Table"]
