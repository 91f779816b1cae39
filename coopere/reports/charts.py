"""Server-side SVG charts of a figure Table: horizontal bars and lines, no JavaScript.

Pure functions (a Table in, a ``Markup`` of an inline ``<svg>`` out), shown on the dashboard
next to the same data as an HTML table and printed in the yearly activity report (WeasyPrint
draws inline SVG). Why it is drawn this way:

- Only SVG presentation attributes (fill, stroke, font-size…), never ``style=`` or
  ``<style>``: the site's Content-Security-Policy (style-src 'self') would block them.
- Text is 18 to 20 user units in a 640 (bars) or 720 (lines) unit wide drawing: 18 px or more
  when shown at its natural width.
- Series are told apart without colour: each has a fill pattern (bars) or a dash and marker
  shape (lines), shown in the legend; every bar carries its value as a direct label.
  Colours have at least 7:1 contrast on white (3:1 is the minimum for graphics).
- ``<title>`` names the chart, ``<desc>`` says what it shows in words for screen readers.
- Every text is escaped: a street may be called « <script> ».
"""

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

from .tables import Table

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


# ---------------------------------------------------------------------------- helpers


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
    """The text, cut with « … » if it would not fit ``room`` user units (the table shows it whole)."""
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
    parts = [f'<g class="legend" aria-hidden="true">']
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
                f'<path d="M{PAD} {_f(y + 13)}h36" stroke="{item.colour}" stroke-width="3" fill="none"{dash}/>'
                + _marker(item, PAD + 18, y + 13, "legend-mark")
            )
        parts.append(mark + f'<text x="{PAD + 44}" y="{_f(y + 19)}">{escape(item.label)}</text>')
        y += 28
    parts.append("</g>")
    return parts, y + 8


# ---------------------------------------------------------------------------- bar chart


def bar_chart(
    table: Table,
    value_keys: Sequence[str],
    label_key: str,
    *,
    title: str,
    stacked: bool = False,
    chart_id: str | None = None,
    max_rows: int | None = None,
) -> Markup:
    """Horizontal bars, one group per row of ``table`` (its ``label_key`` written above it).

    Grouped: one bar per series in ``value_keys``, each with its value at its end. Stacked:
    one bar per row made of one segment per series, the row's total at its end. Either way
    there is one ``<rect class="bar">`` per row and series (zero-length for a zero). The
    legend (several series) lists the fill patterns. ``chart_id`` prefixes every id (default:
    unique in the process). An empty table gives a short sentence instead of axes.

    ``max_rows`` draws only the rows with the highest totals (in the table's order), the desc
    saying so: a chart printed on paper cannot run over two pages (about 8 rows of 2 series
    fit an A4 page); the table beside it keeps every row.
    """
    series = _series(table, value_keys)
    chart_id = _chart_id(table, chart_id)
    if table.is_empty:
        return _empty(chart_id, title, "bar")
    labels = [_label_text(value) for value in table.column(label_key)]
    values = [[_number(value) for value in table.column(item.key)] for item in series]
    raw = [table.column(item.key) for item in series]
    all_rows = len(labels)
    totals = [sum(values[s][r] for s in range(len(series))) for r in range(all_rows)]
    if max_rows is not None and 0 < max_rows < all_rows:
        kept = sorted(sorted(range(all_rows), key=lambda r: -totals[r])[:max_rows])
        labels = [labels[r] for r in kept]
        values = [[column[r] for r in kept] for column in values]
        raw = [[column[r] for r in kept] for column in raw]
        totals = [totals[r] for r in kept]
    rows = len(labels)
    longest = max((max(column) for column in values), default=0.0)
    biggest = max(totals) if stacked else longest
    desc = _bar_description(table, series, labels, values, totals, stacked)
    if rows < all_rows:
        desc += " " + _(
            "Seules les %(shown)s lignes les plus hautes sur %(count)s sont dessinées ; "
            "le tableau les donne toutes.",
            shown=rows,
            count=all_rows,
        )

    width = 640.0
    if stacked:
        value_texts = [format_number(total) for total in totals]
    else:
        value_texts = [_label_text(value) for column in raw for value in column]
    value_room = max(_width(text, VALUE_SIZE) for text in value_texts) + 10
    plot_left = PAD + 2
    plot_width = width - plot_left - PAD - value_room
    scale = plot_width / biggest if biggest > 0 else 0.0

    body: list[str] = []
    legend, y = _legend(chart_id, series, PAD, "bar")
    body += legend
    bar_height = 28 if stacked else 24
    bars_per_row = 1 if stacked else len(series)
    for r, label in enumerate(labels):
        body.append(f'<g class="row">')
        # A long street name goes on two lines rather than under the bars of the next row.
        for line in _wrap(label, LABEL_SIZE, width - 2 * PAD):
            body.append(
                f'<text class="row-label" x="{PAD}" y="{_f(y + LABEL_SIZE)}" font-size="{LABEL_SIZE}" '
                f'font-weight="700">{escape(line)}</text>'
            )
            y += LABEL_SIZE + 4
        y += 4
        top = y
        x = plot_left
        for s, item in enumerate(series):
            length = values[s][r] * scale
            if values[s][r] > 0:
                length = max(length, 2.0)  # a tiny non-zero value still shows
            tooltip = f"{label} — {item.label} : {_label_text(raw[s][r])}"
            stroke = f' stroke="{item.colour}" stroke-width="2"' if length > 0 else ""
            bar_y = top if stacked else top + s * (bar_height + 4)
            bar_x = x if stacked else plot_left
            body.append(
                f'<rect class="bar" x="{_f(bar_x)}" y="{_f(bar_y)}" width="{_f(length)}" '
                f'height="{bar_height}" fill="{_fill(chart_id, item)}"{stroke}>'
                f"<title>{escape(tooltip)}</title></rect>"
            )
            if stacked:
                x += length
            else:
                body.append(
                    f'<text class="value" x="{_f(plot_left + length + 6)}" y="{_f(bar_y + bar_height - 6)}">'
                    f"{escape(_label_text(raw[s][r]))}</text>"
                )
        if stacked:
            body.append(
                f'<text class="value" x="{_f(x + 6)}" y="{_f(top + bar_height - 7)}" '
                f'font-weight="700">{escape(format_number(totals[r]))}</text>'
            )
        y = top + bars_per_row * (bar_height + 4) + 14
        body.append("</g>")
    height = y - 6 + PAD
    parts = (
        _open(chart_id, width, height, title, desc, "bar") + [_patterns(chart_id, series)] + body
    )
    parts.append("</svg>")
    return _svg(parts)


def _bar_description(
    table: Table,
    series: list[_Series],
    labels: list[str],
    values: list[list[float]],
    totals: list[float],
    stacked: bool,
) -> str:
    count = len(labels)
    sentences = [
        _("Diagramme en barres horizontales, %(count)s lignes.", count=count)
        if count > 1
        else _("Diagramme en barres horizontales, une ligne.")
    ]
    if len(series) > 1:
        sentences.append(
            _("Séries : %(names)s.", names=", ".join(item.label for item in series))
            + (" " + _("Les séries sont empilées.") if stacked else "")
        )
    if not any(totals):
        sentences.append(_("Toutes les valeurs sont à zéro."))
        return " ".join(sentences)
    for s, item in enumerate(series):
        column = values[s]
        best = max(range(count), key=lambda r: column[r])
        if column[best] == 0:
            sentences.append(_("%(series)s : zéro partout.", series=item.label))
            continue
        sentences.append(
            _(
                "%(series)s : le plus haut est « %(label)s » avec %(value)s, pour un total de %(total)s.",
                series=item.label,
                label=labels[best],
                value=format_number(column[best]),
                total=format_number(sum(column)),
            )
        )
    return " ".join(sentences)


# ---------------------------------------------------------------------------- line chart


def _marker(item: _Series, x: float, y: float, css: str = "point") -> str:
    """A point's marker: its shape tells the series apart in black and white."""
    shape = MARKERS[item.index % len(MARKERS)]
    colour = item.colour
    if shape == "circle":
        return f'<circle class="{css}" cx="{_f(x)}" cy="{_f(y)}" r="5.5" fill="{colour}"/>'
    if shape == "square":
        return f'<rect class="{css}" x="{_f(x - 5)}" y="{_f(y - 5)}" width="10" height="10" fill="{colour}"/>'
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
        f'<path class="{css}" d="M{_f(x - 5)} {_f(y - 5)}L{_f(x + 5)} {_f(y + 5)}M{_f(x + 5)} {_f(y - 5)}'
        f'L{_f(x - 5)} {_f(y + 5)}" stroke="{colour}" stroke-width="3" fill="none"/>'
    )


def line_chart(
    table: Table, value_keys: Sequence[str], x_key: str, *, title: str, chart_id: str | None = None
) -> Markup:
    """Lines over the rows of ``table`` in order (e.g. members month by month), ``x_key`` under
    the axis (thinned out when they would overlap, the first and last always shown).

    One ``<path class="series">`` per series, with a marker on each point (a different shape
    and dash per series), a y axis from 0 with round ticks, a legend when several series, and
    the last value written at the end of each line. An empty table gives a short sentence.
    """
    series = _series(table, value_keys)
    chart_id = _chart_id(table, chart_id)
    if table.is_empty:
        return _empty(chart_id, title, "line")
    xs = [_label_text(value) for value in table.column(x_key)]
    values = [[_number(value) for value in table.column(item.key)] for item in series]
    raw = [table.column(item.key) for item in series]
    points = len(xs)
    top_value = _nice_ceiling(max(max(column) for column in values))
    step = _tick_step(top_value)
    ticks = [round(step * i, 10) for i in range(int(round(top_value / step)) + 1)]
    desc = _line_description(series, xs, values)

    width, plot_height = 720.0, 260.0
    tick_texts = [format_number(tick) for tick in ticks]
    widest = max(_width(text, VALUE_SIZE) for text in xs) + 12  # an x label and its gap
    # The first and last x labels are centred on the ends of the plot: room for their halves.
    plot_left = PAD + max(max(_width(text, VALUE_SIZE) for text in tick_texts) + 10, widest / 2)
    end_texts = [_label_text(column[-1]) for column in raw]
    plot_right = (
        width - PAD - max(max(_width(text, VALUE_SIZE) for text in end_texts) + 14, widest / 2)
    )
    plot_width = plot_right - plot_left

    body: list[str] = []
    legend, y = _legend(chart_id, series, PAD, "line")
    body += legend
    plot_top = y + 10
    plot_bottom = plot_top + plot_height

    def to_y(value: float) -> float:
        return plot_bottom - value / top_value * plot_height

    def to_x(index: int) -> float:
        if points == 1:
            return plot_left + plot_width / 2
        return plot_left + index * plot_width / (points - 1)

    body.append('<g class="axis" aria-hidden="true">')
    for tick, text in zip(ticks, tick_texts):
        ty = to_y(tick)
        body.append(
            f'<path d="M{_f(plot_left)} {_f(ty)}H{_f(plot_right)}" '
            f'stroke="{INK if tick == 0 else GRID}" stroke-width="{1.5 if tick == 0 else 1}"/>'
        )
        body.append(
            f'<text x="{_f(plot_left - 8)}" y="{_f(ty + 6)}" text-anchor="end">{escape(text)}</text>'
        )
    # Labels under the axis: every n-th one, so that they never overlap; the last one always.
    slot = plot_width / max(points - 1, 1)
    every = max(1, math.ceil(widest / slot)) if points > 1 else 1
    shown = list(range(0, points, every))
    if shown[-1] != points - 1:
        if (points - 1 - shown[-1]) * slot < widest:
            shown.pop()  # too close to the last one, which matters more
        shown.append(points - 1)
    for index in shown:
        body.append(
            f'<text class="x-label" x="{_f(to_x(index))}" y="{_f(plot_bottom + 26)}" '
            f'text-anchor="middle">{escape(xs[index])}</text>'
        )
    body.append("</g>")

    for item, column, raw_column in zip(series, values, raw):
        coords = [(to_x(i), to_y(value)) for i, value in enumerate(column)]
        path = "M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in coords)
        dash = DASHES[item.index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<g class="line">')
        body.append(
            f'<path class="series" d="{path}" fill="none" stroke="{item.colour}" '
            f'stroke-width="3" stroke-linejoin="round"{dash_attr}/>'
        )
        for (x, y), text in zip(coords, raw_column):
            body.append(_marker(item, x, y))
        last_x, last_y = coords[-1]
        body.append(
            f'<text class="value" x="{_f(last_x + 12)}" y="{_f(last_y + 6)}" font-weight="700">'
            f"{escape(_label_text(raw_column[-1]))}</text>"
        )
        body.append("</g>")
    height = plot_bottom + 34 + PAD
    parts = _open(chart_id, width, height, title, desc, "line") + body
    parts.append("</svg>")
    return _svg(parts)


def _tick_step(top: float) -> float:
    """A round step giving 1 to 5 intervals up to ``top`` (a `_nice_ceiling`): 1, 2 or 5 × 10ⁿ
    if possible, then 2.5 × 10ⁿ; whole numbers from 1 up (no half person)."""

    def mantissa(step: float) -> float:
        return round(step / 10 ** math.floor(math.log10(step)), 6)

    for preferred in ((1, 2, 5), (2.5,), None):
        for divisions in (5, 4, 3, 2, 1):
            step = top / divisions
            if top >= 1 and not float(step).is_integer():
                continue
            if preferred is None or mantissa(step) in preferred:
                return step
    return top


def _line_description(series: list[_Series], xs: list[str], values: list[list[float]]) -> str:
    if len(xs) == 1:
        sentences = [_("Courbe sur une seule période : %(x)s.", x=xs[0])]
    else:
        sentences = [
            _(
                "Courbe de %(first)s à %(last)s, %(count)s points.",
                first=xs[0],
                last=xs[-1],
                count=len(xs),
            )
        ]
    if not any(any(column) for column in values):
        sentences.append(_("Toutes les valeurs sont à zéro."))
        return " ".join(sentences)
    for item, column in zip(series, values):
        best = max(range(len(column)), key=lambda i: column[i])
        sentences.append(
            _(
                "%(series)s : de %(first)s à %(last)s, au plus haut %(top)s (%(when)s).",
                series=item.label,
                first=format_number(column[0]),
                last=format_number(column[-1]),
                top=format_number(column[best]),
                when=xs[best],
            )
        )
    return " ".join(sentences)
