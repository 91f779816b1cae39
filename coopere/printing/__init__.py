"""Print engine: plain data in, PDF bytes out (letters, posters, flyers); no Flask, no database.

Public API:

- ``render_letters(run, *, workers=None, progress=None) -> bytes``: one invitation letter
  per dwelling (A4, address in a DL envelope window, one QR code each), optional summary
  page first; big runs render in worker processes and are merged in order.
- ``render_poster(event) -> bytes``: A4 poster.
- ``render_flyers(event, size="A5" | "A6", sheets=1) -> bytes``: flyers with cut lines.
- ``fill_letter_template(text, values) -> str`` and ``event_placeholders(event)``: the
  admin's letter text with ``{date}``, ``{lieu}``… filled in.
- ``postal_address_lines(...)``: a dwelling's address as envelope lines.
- ``qr_png(data) -> bytes``: the QR code images the printouts use.

Errors are ValueError subclasses with French messages: TemplateError (letter text),
LayoutError (content does not fit a page), ResourceRefused (a URL the printout may not load).
"""

from .addresses import postal_address_lines
from .engine import LayoutError
from .fetcher import ResourceRefused
from .letter_text import TemplateError, event_placeholders, fill_letter_template
from .letters import render_letters
from .models import Event, LetterRun, Perimeter, Recipient
from .posters import render_flyers, render_poster
from .qr import qr_png

__all__ = [
    "Event", "LayoutError", "LetterRun", "Perimeter", "Recipient", "ResourceRefused",
    "TemplateError", "event_placeholders", "fill_letter_template", "postal_address_lines",
    "qr_png", "render_flyers", "render_letters", "render_poster",
]
