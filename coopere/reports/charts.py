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

import math
from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .chart_parts import (
    DASHES,
    GRID,
    INK,
    LABEL_SIZE,
    PAD,
    VALUE_SIZE,
    _chart_data,
    _empty,
    _f,
    _fill,
    _label_text,
    _legend,
    _marker,
    _nice_ceiling,
    _open,
    _patterns,
    _Series,
    _svg,
    _width,
    _wrap,
    format_number,
)
from ..printing.models import Table

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
    series, chart_id, columns = _chart_data(table, value_keys, label_key, chart_id)
    if columns is None:
        return _empty(chart_id, title, "bar")
    labels, values, raw = columns
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
        body.append('<g class="row">')
        # A long street name goes on two lines rather than under the bars of the next row.
        for line in _wrap(label, LABEL_SIZE, width - 2 * PAD):
            body.append(
                f'<text class="row-label" x="{PAD}" y="{_f(y + LABEL_SIZE)}" '
                f'font-size="{LABEL_SIZE}" font-weight="700">{escape(line)}</text>'
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
                    f'<text class="value" x="{_f(plot_left + length + 6)}" '
                    f'y="{_f(bar_y + bar_height - 6)}">'
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
                "%(series)s : le plus haut est « %(label)s » avec %(value)s, pour un total de "
                "%(total)s.",
                series=item.label,
                label=labels[best],
                value=format_number(column[best]),
                total=format_number(sum(column)),
            )
        )
    return " ".join(sentences)


# ---------------------------------------------------------------------------- line chart


def line_chart(
    table: Table, value_keys: Sequence[str], x_key: str, *, title: str, chart_id: str | None = None
) -> Markup:
    """Lines over the rows of ``table`` in order (e.g. members month by month), ``x_key`` under
    the axis (thinned out when they would overlap, the first and last always shown).

    One ``<path class="series">`` per series, with a marker on each point (a different shape
    and dash per series), a y axis from 0 with round ticks, a legend when several series, and
    the last value written at the end of each line. An empty table gives a short sentence.
    """
    series, chart_id, columns = _chart_data(table, value_keys, x_key, chart_id)
    if columns is None:
        return _empty(chart_id, title, "line")
    xs, values, raw = columns
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
            f'<text x="{_f(plot_left - 8)}" y="{_f(ty + 6)}" text-anchor="end">'
            f"{escape(text)}</text>"
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
        body.append('<g class="line">')
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
