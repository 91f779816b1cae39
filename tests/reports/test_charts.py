"""SVG charts of a figure table: well-formed inline SVG named by a title and told in words by a
desc, one bar per row and series, escaped labels, a sentence instead of empty axes, no division
by zero, told apart without colour, nothing a strict Content-Security-Policy would block; and
the HTML table partial shown next to each chart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from flask import render_template_string
from markupsafe import Markup

from coopere.reports.chart_parts import COLOURS, format_number
from coopere.reports.charts import bar_chart, line_chart
from coopere.printing.models import Column, Table

SVG = "{http://www.w3.org/2000/svg}"
EMPTY_TEXT = "Pas encore de données pour cette période."

STREETS = Table(
    name="reach-streets",
    title="Portée par rue",
    columns=(
        Column("street", "Rue"),
        Column("dwellings", "Logements", numeric=True),
        Column("members", "Membres", numeric=True),
        Column("rate", "Part", numeric=True),
    ),
    rows=(
        ("rue des Lilas", 120, 14, 0.12),
        ("allée des Érables", 45, 0, 0.0),
        ("<script>alert('x')</script> & « rue »", 30, 3, 0.1),
        ("boulevard des Poilus et de la Résistance du quartier de la Bottière", 300, 25, 0.08),
    ),
    total=("Tout le périmètre", 495, 42, 0.085),
)

MONTHS = Table(
    name="members-months",
    title="Membres mois par mois",
    columns=(
        Column("month", "Mois"),
        Column("members", "Membres", numeric=True),
        Column("active", "Membres actifs", numeric=True),
    ),
    rows=tuple(
        (f"{month} 2026", 3 * i, i)
        for i, month in enumerate(
            [
                "janv.",
                "févr.",
                "mars",
                "avr.",
                "mai",
                "juin",
                "juil.",
                "août",
                "sept.",
                "oct.",
                "nov.",
                "déc.",
            ]
        )
    ),
)


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    return ET.fromstring(str(svg))  # raises if not well-formed


def texts(root: ET.Element, css_class: str | None = None) -> list[str]:
    return [
        "".join(node.itertext())
        for node in root.iter(f"{SVG}text")
        if css_class is None or css_class in node.get("class", "").split()
    ]


def bars(root: ET.Element) -> list[ET.Element]:
    return [node for node in root.iter(f"{SVG}rect") if node.get("class") == "bar"]


def contrast_on_white(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def assert_named_and_described(root: ET.Element, title: str) -> str:
    """The svg is an image labelled by its <title>, described by its <desc>; returns the desc."""
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title_node, desc_node = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title_node is not None and title_node.text == title
    assert root.get("aria-labelledby") == title_node.get("id")
    assert root.get("aria-describedby") == desc_node.get("id")
    assert desc_node.text and desc_node.text.strip()
    return desc_node.text


def assert_csp_safe(svg: Markup) -> None:
    """Nothing a strict CSP (style-src 'self', script-src 'self') or a privacy rule would block."""
    source = str(svg)
    assert "style=" not in source and "<style" not in source
    assert (
        "<script" not in source
        and "javascript:" not in source
        and " on" not in source.replace(" only", "")
    )
    assert re.findall(r"https?://[^\"]*", source) == ["http://www.w3.org/2000/svg"]


# ------------------------------------------------------------------------------ bars


def test_grouped_bars_one_per_row_and_series_with_values_and_legend() -> None:
    svg = bar_chart(
        STREETS, ["dwellings", "members"], "street", title="Logements et membres par rue"
    )
    root = parse(svg)
    desc = assert_named_and_described(root, "Logements et membres par rue")
    assert len(bars(root)) == len(STREETS.rows) * 2
    # Each bar's value is written at its end (a direct label: no need to read colours).
    values = texts(root, "value")
    assert values == ["120", "14", "45", "0", "30", "3", "300", "25"]
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert legend is not None and texts(legend) == ["Logements", "Membres"]
    # The desc tells the data in words.
    assert "4 lignes" in desc and "Logements, Membres" in desc
    assert "« rue des Lilas »" not in desc and "300" in desc and "boulevard des Poilus" in desc
    assert "total de 495" in desc
    assert_csp_safe(svg)


def test_bars_are_proportional_and_zero_is_zero_length() -> None:
    root = parse(bar_chart(STREETS, ["dwellings"], "street", title="Logements"))
    widths = [float(bar.get("width")) for bar in bars(root)]
    assert widths[3] == max(widths)
    assert widths[0] == pytest.approx(widths[3] * 120 / 300, rel=0.01)
    root = parse(bar_chart(STREETS, ["members"], "street", title="Membres"))
    assert float(bars(root)[1].get("width")) == 0
    assert root.find(f".//{SVG}g[@class='legend']") is None  # one series: its title says it


def test_stacked_bars_one_segment_per_series_and_the_total_at_the_end() -> None:
    root = parse(
        bar_chart(STREETS, ["dwellings", "members"], "street", title="Empilé", stacked=True)
    )
    segments = bars(root)
    assert len(segments) == len(STREETS.rows) * 2
    first, second = segments[0], segments[1]
    assert float(second.get("x")) == pytest.approx(
        float(first.get("x")) + float(first.get("width"))
    )
    assert texts(root, "value") == ["134", "45", "33", "325"]
    assert "empilées" in root.find(f"{SVG}desc").text


def test_labels_are_escaped() -> None:
    svg = bar_chart(STREETS, ["dwellings"], "street", title="<b>Rues</b> & co")
    source = str(svg)
    assert "<script>" not in source and "<b>" not in source
    assert "&lt;script&gt;" in source
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<b>Rues</b> & co"
    assert "<script>alert('x')</script> & « rue »" in texts(root, "row-label")


def test_a_long_street_name_wraps_on_two_lines_inside_the_drawing() -> None:
    root = parse(bar_chart(STREETS, ["dwellings"], "street", title="Logements"))
    labels = texts(root, "row-label")
    assert "boulevard des Poilus et de la Résistance du quartier de" in labels
    assert "la Bottière" in labels


def test_no_rows_gives_a_sentence_not_empty_axes() -> None:
    empty = Table(
        "exchanges", "Échanges", (Column("theme", "Thème"), Column("n", "Échanges", True)), ()
    )
    for svg in (
        bar_chart(empty, ["n"], "theme", title="Échanges par thème"),
        line_chart(empty, ["n"], "theme", title="Échanges par mois"),
    ):
        root = parse(svg)
        assert assert_named_and_described(root, root.find(f"{SVG}title").text) == EMPTY_TEXT
        assert texts(root) == [EMPTY_TEXT]
        assert not bars(root) and root.find(f".//{SVG}path") is None
        assert_csp_safe(svg)


def test_all_zero_values_draw_without_dividing_by_zero() -> None:
    zero = Table(
        "zero",
        "Zéro",
        (Column("street", "Rue"), Column("n", "Membres", True), Column("m", "Actifs", True)),
        (("rue A", 0, 0), ("rue B", 0, None)),
    )
    root = parse(bar_chart(zero, ["n", "m"], "street", title="Rien encore"))
    assert [float(bar.get("width")) for bar in bars(root)] == [0, 0, 0, 0]
    assert "Toutes les valeurs sont à zéro." in root.find(f"{SVG}desc").text
    assert texts(root, "value") == ["0", "0", "0", "—"]
    root = parse(bar_chart(zero, ["n", "m"], "street", title="Rien encore", stacked=True))
    assert len(bars(root)) == 4
    root = parse(line_chart(zero, ["n", "m"], "street", title="Rien encore"))
    assert "Toutes les valeurs sont à zéro." in root.find(f"{SVG}desc").text
    assert len(root.findall(f".//{SVG}path[@class='series']")) == 2


def test_one_huge_value_keeps_every_bar_and_label_inside_the_drawing() -> None:
    huge = Table(
        "huge",
        "Énorme",
        (Column("street", "Rue"), Column("n", "Logements", True)),
        (("rue A", 1), ("rue B", 2_000_000_000), ("rue C", 3)),
    )
    root = parse(bar_chart(huge, ["n"], "street", title="Logements"))
    width = float(root.get("viewBox").split()[2])
    for bar in bars(root):
        assert (
            0 < float(bar.get("width")) and float(bar.get("x")) + float(bar.get("width")) <= width
        )
    # The tiny ones still show (a visible sliver) and say their value.
    assert float(bars(root)[0].get("width")) >= 2
    values = [node for node in root.iter(f"{SVG}text") if node.get("class") == "value"]
    assert [node.text for node in values] == ["1", format_number(2_000_000_000), "3"]
    for node in values:  # the value text (estimated wide) ends before the right edge
        assert float(node.get("x")) + len(node.text) * 18 * 0.6 <= width


def test_series_told_apart_without_colour_and_colours_contrast_on_white() -> None:
    table = Table(
        "many",
        "Plusieurs",
        (Column("street", "Rue"),) + tuple(Column(f"s{i}", f"Série {i}", True) for i in range(5)),
        (("rue A", 1, 2, 3, 4, 5),),
    )
    svg = bar_chart(table, [f"s{i}" for i in range(5)], "street", title="Cinq séries")
    root = parse(svg)
    fills = [bar.get("fill") for bar in bars(root)]
    assert len(set(fills)) == 5  # one fill per series…
    pattern_ids = {node.get("id") for node in root.iter(f"{SVG}pattern")}
    assert {fill[5:-1] for fill in fills if fill.startswith("url(")} == pattern_ids
    assert len(pattern_ids) == 4  # …four of them patterned, the first plain
    for colour in COLOURS:
        assert contrast_on_white(colour) >= 3
    for bar in bars(root):
        assert contrast_on_white(bar.get("stroke")) >= 3  # the outline carries the contrast


def test_text_is_large_enough() -> None:
    for svg in (
        bar_chart(STREETS, ["dwellings", "members"], "street", title="Barres"),
        line_chart(MONTHS, ["members", "active"], "month", title="Courbe"),
    ):
        root = parse(svg)
        assert float(root.get("font-size")) >= 18
        for node in root.iter(f"{SVG}text"):
            assert float(node.get("font-size", root.get("font-size"))) >= 18


def test_ids_are_unique_per_chart() -> None:
    first = parse(bar_chart(STREETS, ["dwellings", "members"], "street", title="Un"))
    second = parse(bar_chart(STREETS, ["dwellings", "members"], "street", title="Deux"))
    first_ids = {node.get("id") for node in first.iter() if node.get("id")}
    second_ids = {node.get("id") for node in second.iter() if node.get("id")}
    assert first_ids and not first_ids & second_ids
    chosen = parse(
        bar_chart(STREETS, ["dwellings"], "street", title="Choisi", chart_id="rues 2026")
    )
    assert chosen.get("id") == "rues-2026" and chosen.get("aria-labelledby") == "rues-2026-title"


def test_unknown_column_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="Colonnes inconnues"):
        bar_chart(STREETS, ["nope"], "street", title="x")


# ------------------------------------------------------------------------------ lines


def test_line_chart_one_line_per_series_a_marker_per_point_and_a_legend() -> None:
    svg = line_chart(MONTHS, ["members", "active"], "month", title="Membres mois par mois")
    root = parse(svg)
    desc = assert_named_and_described(root, "Membres mois par mois")
    lines = root.findall(f".//{SVG}path[@class='series']")
    assert len(lines) == 2
    assert lines[0].get("stroke-dasharray") is None and lines[1].get(
        "stroke-dasharray"
    )  # not colour alone
    points = [node for node in root.iter() if node.get("class") == "point"]
    assert len(points) == len(MONTHS.rows) * 2
    assert {node.tag for node in points[:12]} != {node.tag for node in points[12:]}  # marker shapes
    assert texts(root.find(f".//{SVG}g[@class='legend']")) == ["Membres", "Membres actifs"]
    assert texts(root, "value") == ["33", "11"]  # the last value at the end of each line
    assert "de janv. 2026 à déc. 2026" in desc and "de 0 à 33" in desc
    assert_csp_safe(svg)


def test_line_chart_axis_labels_never_overlap_and_keep_the_last() -> None:
    root = parse(line_chart(MONTHS, ["members"], "month", title="Membres"))
    labels = [node for node in root.iter(f"{SVG}text") if node.get("class") == "x-label"]
    assert labels[0].text == "janv. 2026" and labels[-1].text == "déc. 2026"
    positions = [float(node.get("x")) for node in labels]
    widest = max(len(node.text) for node in labels) * 18 * 0.6
    assert all(b - a >= widest for a, b in zip(positions, positions[1:]))
    width = float(root.get("viewBox").split()[2])
    assert positions[0] - widest / 2 >= 0 and positions[-1] + widest / 2 <= width
    ticks = [node.text for node in root.iter(f"{SVG}text") if node.get("text-anchor") == "end"]
    assert ticks == ["0", "10", "20", "30", "40"]  # round steps from 0, the axis just above 33


def test_line_chart_with_one_point_and_escaped_labels() -> None:
    one = Table(
        "one",
        "Un mois",
        (Column("month", "Mois"), Column("n", "<Membres>", True)),
        (("<nov.>", 5),),
    )
    svg = line_chart(one, ["n"], "month", title="Un point")
    root = parse(svg)
    assert "&lt;nov.&gt;" in str(svg) and "<nov.>" not in str(svg)
    assert texts(root, "x-label") == ["<nov.>"]
    assert "une seule période" in root.find(f"{SVG}desc").text


# ------------------------------------------------------------------------------ table partial


def test_table_partial_is_an_accessible_table(app) -> None:
    with app.test_request_context("/"):
        html = render_template_string('{% include "reports/_table.html" %}', table=STREETS)
    assert '<caption id="table-reach-streets-caption">Portée par rue</caption>' in html
    assert html.count('<th scope="col"') == 4
    assert '<th scope="col" class="num">Logements</th>' in html
    assert '<th scope="row">rue des Lilas</th>' in html
    assert '<td class="num">120</td>' in html and '<td class="num">0,12</td>' in html
    assert "<tfoot>" in html and '<th scope="row">Tout le périmètre</th>' in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    empty = Table("none", "Rien", (Column("a", "A"),), ())
    with app.test_request_context("/"):
        html = render_template_string('{% include "reports/_table.html" %}', table=empty)
    assert "<table" not in html and "Rien : pas encore de données pour cette période." in html


def test_max_rows_draws_the_highest_rows_and_says_so() -> None:
    root = parse(bar_chart(STREETS, ["dwellings", "members"], "street", title="Rues", max_rows=2))
    assert len(bars(root)) == 2 * 2
    assert texts(root, "row-label")[0] == "rue des Lilas"  # the table's order is kept
    assert "boulevard des Poilus et de la Résistance du quartier de" in texts(root, "row-label")
    assert (
        "Seules les 2 lignes les plus hautes sur 4 sont dessinées" in root.find(f"{SVG}desc").text
    )
    assert (
        len(bars(parse(bar_chart(STREETS, ["dwellings"], "street", title="Rues", max_rows=9)))) == 4
    )


def test_decimals_from_the_database_are_drawn() -> None:
    from decimal import Decimal

    table = Table(
        "d",
        "D",
        (Column("street", "Rue"), Column("n", "Moyenne", True)),
        (("rue A", Decimal("2.5")), ("rue B", Decimal("5"))),
    )
    root = parse(bar_chart(table, ["n"], "street", title="Moyennes"))
    widths = [float(bar.get("width")) for bar in bars(root)]
    assert widths[1] == pytest.approx(2 * widths[0]) and texts(root, "value") == ["2,5", "5"]
