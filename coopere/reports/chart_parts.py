"""The pieces every SVG chart is drawn with: colours, sizes, number and text fitting, legend."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask import has_request_context
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..printing.models import Table

#: Series colours, contrast on white: 8.9, 7.8, 8.2, 9.6, 6.3 and 10.9 to 1.
COLOURS = ("#1c5433", "#8a3b00", "#2a4f86", "#6b2c6b", "#7a5c00", "#3d3d3d")
#: Line series: dash pattern and marker shape, so lines are told apart in black and white.
DASHES = ("", "10 6", "3 5", "14 5 3 5", "6 3", "")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle")
GRID = "#c9c9c9"  # decorative grid lines, not information: no contrast requirement
INK = "#1b1b1b"  # the site's text colour (16.9:1)
FONT = "Atkinson Hyperlegible, Luciole, Verdana, DejaVu Sans, sans-serif"
LABEL_SIZE = 20  # row and axis labels
VALUE_SIZE = 18  # values and legend
CHAR_WIDTH = 0.6  # widest average advance of a character (digits), in ems: room for values
LABEL_CHAR_WIDTH = 0.56  # average advance in words (bold Atkinson Hyperlegible), in ems
PAD = 8


_ids = itertools.count(1)


def format_number(value: float | int | None) -> str:
    """« 1 234 » or « 0,42 »: the page's locale in a request, French otherwise (printouts)."""
    if value is None:
        return "0"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "—"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if has_request_context():
        return format_decimal(value, format="#,##0.##")
    from babel.numbers import format_decimal as babel_format

    return babel_format(value, format="#,##0.##", locale="fr_FR")


def _is_number(value: object) -> bool:
    """int, float or Decimal (PostgreSQL's sums and averages), not bool."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _number(value: object) -> float:
    """A cell as a number to draw: None, text and negative numbers draw as 0."""
    if not _is_number(value):
        return 0.0
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return 0.0
    return max(number, 0.0)


def _width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _shorten(text: str, size: float, room: float) -> str:
    """The text, cut with « … » if it does not fit ``room`` user units (the table shows it all)."""
    most = max(int(room / (size * LABEL_CHAR_WIDTH)), 4)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _wrap(text: str, size: float, room: float, max_lines: int = 2) -> list[str]:
    """The text on at most ``max_lines`` lines of ``room`` user units, cut between words; the
    last line shortened with « … » if still too long (the table shows the text whole)."""
    most = max(int(room / (size * LABEL_CHAR_WIDTH)), 4)
    words = text.split() or [text]
    lines: list[str] = []
    while words and len(lines) < max_lines - 1:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= most:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        lines.append(" ".join(words))
    return [_shorten(line, size, room) for line in lines]


def _nice_ceiling(value: float) -> float:
    """A round axis end at least ``value`` (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ); 1 for nothing."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    # Close above the data (30 gives 30, not 50); no 1.5 or 2.5 below 10: counts of people
    # would get ticks at 0.5.
    steps = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if power > 1 else (1, 2, 3, 4, 5, 6, 8, 10)
    for step in steps:
        if step * power >= value:
            return round(step * power, 10)  # 3 × 0.1 is 0.30000000000000004
    return 10 * power  # pragma: no cover - the loop always returns


def _chart_id(table: Table, chart_id: str | None) -> str:
    if chart_id:
        return re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    slug = re.sub(r"[^a-z0-9-]+", "-", table.name.lower()).strip("-") or "table"
    return f"chart-{slug}-{next(_ids)}"


def _f(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label_text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if _is_number(value):
        return format_number(value)
    return str(value)


@dataclass(frozen=True)
class _Series:
    key: str
    label: str
    index: int

    @property
    def colour(self) -> str:
        return COLOURS[self.index % len(COLOURS)]


def _series(table: Table, keys: Sequence[str]) -> list[_Series]:
    labels = {column.key: column.label for column in table.columns}
    unknown = [key for key in keys if key not in labels]
    if unknown or not keys:
        raise ValueError(
            f"Colonnes inconnues pour le graphique de « {table.name} » : {unknown or keys!r}"
        )
    return [_Series(key, labels[key], index) for index, key in enumerate(keys)]


def _read_columns(
    table: Table, series: list[_Series], label_key: str
) -> tuple[list[str], list[list[float]], list[list]]:
    """The labels, each series' values as numbers to draw, and as written (for the labels)."""
    labels = [_label_text(value) for value in table.column(label_key)]
    values = [[_number(value) for value in table.column(item.key)] for item in series]
    raw = [table.column(item.key) for item in series]
    return labels, values, raw


def _chart_data(
    table: Table, value_keys: Sequence[str], label_key: str, chart_id: str | None
) -> tuple[list[_Series], str, tuple[list[str], list[list[float]], list[list]] | None]:
    """What every chart starts from: its series (unknown keys refused, even for an empty
    table), its id, and its columns as `_read_columns` gives them (None for an empty table)."""
    series = _series(table, value_keys)
    chart_id = _chart_id(table, chart_id)
    columns = None if table.is_empty else _read_columns(table, series, label_key)
    return series, chart_id, columns


def _patterns(chart_id: str, series: list[_Series]) -> str:
    """One fill pattern per series: plain, stripes, dots, cross-hatch, horizontal lines."""
    parts = []
    for item in series:
        kind = item.index % 5
        if kind == 0:
            continue  # plain colour
        pid = f"{chart_id}-p{item.index}"
        colour = item.colour
        marks = {
            1: '<path d="M-2 2 2 -2 M0 10 10 0 M8 12 12 8" stroke="#ffffff" stroke-width="2.5"/>',
            2: '<circle cx="5" cy="5" r="2" fill="#ffffff"/>',
            3: '<path d="M0 0 10 10 M10 0 0 10" stroke="#ffffff" stroke-width="1.5"/>',
            4: '<path d="M0 5 10 5" stroke="#ffffff" stroke-width="2.5"/>',
        }[kind]
        parts.append(
            f'<pattern id="{pid}" width="10" height="10" patternUnits="userSpaceOnUse">'
            f'<rect width="10" height="10" fill="{colour}"/>{marks}</pattern>'
        )
    return f"<defs>{''.join(parts)}</defs>" if parts else ""


def _fill(chart_id: str, item: _Series) -> str:
    return item.colour if item.index % 5 == 0 else f"url(#{chart_id}-p{item.index})"


def _svg(parts: list[str]) -> Markup:
    """The drawing as markup, safe to put in a page: every text in ``parts`` went through
    ``escape()``, everything else is numbers, colours and ids made here."""
    # Escaped texts and generated attributes only (see above), hence the nosec.
    return Markup("".join(parts))  # nosec B704


def _open(
    chart_id: str, width: float, height: float, title: str, desc: str, kind: str
) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg chart-{kind}" id="{chart_id}" '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" height="{_f(height)}" '
        f'font-family="{FONT}" font-size="{VALUE_SIZE}" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _empty(chart_id: str, title: str, kind: str) -> Markup:
    message = _("Pas encore de données pour cette période.")
    width = 640
    parts = _open(chart_id, width, 60, title, message, kind)
    parts.append(f'<text x="{PAD}" y="38" font-size="{LABEL_SIZE}">{escape(message)}</text></svg>')
    return _svg(parts)


def _legend(chart_id: str, series: list[_Series], y: float, swatch: str) -> tuple[list[str], float]:
    """A legend, one series per line (a long label never overlaps the next one)."""
    if len(series) < 2:
        return [], y
    parts = ['<g class="legend" aria-hidden="true">']
    for item in series:
        if swatch == "bar":
            mark = (
                f'<rect x="{PAD + 1}" y="{_f(y + 3)}" width="30" height="20" '
                f'fill="{_fill(chart_id, item)}" stroke="{item.colour}" stroke-width="2"/>'
            )
        else:
            dash = (
                f' stroke-dasharray="{DASHES[item.index % len(DASHES)]}"'
                if DASHES[item.index % len(DASHES)]
                else ""
            )
            mark = (
                f'<path d="M{PAD} {_f(y + 13)}h36" stroke="{item.colour}" stroke-width="3" '
                f'fill="none"{dash}/>' + _marker(item, PAD + 18, y + 13, "legend-mark")
            )
        parts.append(mark + f'<text x="{PAD + 44}" y="{_f(y + 19)}">{escape(item.label)}</text>')
        y += 28
    parts.append("</g>")
    return parts, y + 8


def _marker(item: _Series, x: float, y: float, css: str = "point") -> str:
    """A point's marker: its shape tells the series apart in black and white."""
    shape = MARKERS[item.index % len(MARKERS)]
    colour = item.colour
    if shape == "circle":
        return f'<circle class="{css}" cx="{_f(x)}" cy="{_f(y)}" r="5.5" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect class="{css}" x="{_f(x - 5)}" y="{_f(y - 5)}" width="10" height="10" '
            f'fill="{colour}"/>'
        )
    if shape == "triangle":
        return (
            f'<path class="{css}" d="M{_f(x)} {_f(y - 7)}L{_f(x + 6.5)} {_f(y + 5)}'
            f'H{_f(x - 6.5)}Z" fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<path class="{css}" d="M{_f(x)} {_f(y - 7)}L{_f(x + 7)} {_f(y)}L{_f(x)} {_f(y + 7)}'
            f'L{_f(x - 7)} {_f(y)}Z" fill="{colour}"/>'
        )
    return (
        f'<path class="{css}" d="M{_f(x - 5)} {_f(y - 5)}L{_f(x + 5)} {_f(y + 5)}'
        f'M{_f(x + 5)} {_f(y - 5)}L{_f(x - 5)} {_f(y + 5)}" stroke="{colour}" stroke-width="3" '
        'fill="none"/>'
    )
