"""CSV export of a figure table for French spreadsheets: BOM, « ; », CRLF, decimal comma, the
total row last, formulas neutralised (CSV injection) while numbers stay numbers; safe file names."""

from __future__ import annotations

import csv
import io

import pytest

from coopere.reports.csv_export import csv_filename, table_to_csv
from coopere.printing.models import Column, Table

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

TABLE = Table(
    name="reach-streets",
    title="Portée par rue",
    columns=(
        Column("street", "Rue"),
        Column("dwellings", "Logements", numeric=True),
        Column("rate", "Part des logements", numeric=True),
        Column("change", "Évolution", numeric=True),
    ),
    rows=(
        ("rue des Lilas", 120, 0.42, 3),
        ("allée des Érables", 45, 1 / 3, -2),
        ('rue « du Moulin »; bâtiment "C"\nentrée 2', 0, 0.0, None),
    ),
    total=("Tout le périmètre", 165, 0.5, 1.0),
)

ATTACKS = [
    "=cmd|' /C calc'!A0",
    "+1",
    "@SUM(A1:A9)",
    "-2+3",
    "\tx",
    "\r=1+1",
    '=HYPERLINK("http://x")',
]


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_bom_separator_crlf_header_and_total_last() -> None:
    data = table_to_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with it
    text = data.decode("utf-8")[1:]
    assert text.startswith("Rue;Logements;Part des logements;Évolution\r\n")
    assert text.endswith("Tout le périmètre;165;0,5;1\r\n")
    assert text.split("\r\n")[1] == "rue des Lilas;120;0,42;3"
    assert text.count("\r\n") == 5  # header, 3 rows, total; the quoted cell keeps its own \n


def test_numbers_plain_and_decimals_with_a_comma() -> None:
    rows = read(table_to_csv(TABLE))
    assert rows[1] == ["rue des Lilas", "120", "0,42", "3"]
    assert rows[2] == [
        "allée des Érables",
        "45",
        "0,333333",
        "-2",
    ]  # a negative number stays a number
    assert rows[3][1:] == ["0", "0", ""]  # no value: an empty cell
    assert rows[4] == ["Tout le périmètre", "165", "0,5", "1"]


def test_round_trip_keeps_quotes_separators_and_line_breaks() -> None:
    rows = read(table_to_csv(TABLE))
    assert len(rows) == 1 + len(TABLE.rows) + 1
    assert rows[3][0] == 'rue « du Moulin »; bâtiment "C"\nentrée 2'


@pytest.mark.parametrize("attack", ATTACKS)
def test_formulas_in_text_are_neutralised(attack: str) -> None:
    table = Table(
        "t",
        "T",
        (Column("street", "Rue"), Column("n", "Nombre", numeric=True)),
        ((attack, 1),),
        total=(attack, 1),
    )
    rows = read(table_to_csv(table))
    assert rows[1][0] == "'" + attack and rows[2][0] == "'" + attack
    assert rows[1][1] == "1"


def test_text_in_a_numeric_column_and_labels_are_escaped_too() -> None:
    table = Table(
        "t",
        "T",
        (Column("street", "-Rue"), Column("n", "=Nombre", numeric=True)),
        (("rue A", "=1+1"), ("rue B", -7), ("rue C", "-7")),
    )
    rows = read(table_to_csv(table))
    assert rows[0] == ["'-Rue", "'=Nombre"]
    assert [row[1] for row in rows[1:]] == ["'=1+1", "-7", "'-7"]


def test_empty_table_is_just_the_header() -> None:
    table = Table("t", "T", (Column("street", "Rue"), Column("n", "Nombre", numeric=True)), ())
    assert table_to_csv(table) == "\ufeffRue;Nombre\r\n".encode()


def test_file_names_are_safe_ascii() -> None:
    assert (
        csv_filename(TABLE, "2026-01-01_2026-11-27")
        == "coopere-reach-streets-2026-01-01_2026-11-27.csv"
    )
    assert csv_filename(TABLE, "Année 2026") == "coopere-reach-streets-annee-2026.csv"
    evil = Table('../"é r"/x\r\n', "T", (Column("a", "A"),), ())
    name = csv_filename(evil, 'juin/"2026";\r\nSet-Cookie: x')
    assert name == "coopere-e-r-x-juin-2026-set-cookie-x.csv"
    assert name.isascii() and all(ch.isalnum() or ch in "-_." for ch in name)
    assert csv_filename(TABLE, "") == "coopere-reach-streets.csv"
    assert csv_filename(Table("", "T", (), ()), "2026") == "coopere-tableau-2026.csv"


def test_decimals_from_the_database_are_numbers() -> None:
    from decimal import Decimal

    table = Table(
        "t",
        "T",
        (Column("street", "Rue"), Column("n", "Moyenne", numeric=True)),
        (("rue A", Decimal("2.50")), ("rue B", Decimal("-3")), ("rue C", float("nan"))),
    )
    assert [row[1] for row in read(table_to_csv(table))[1:]] == ["2,5", "-3", ""]
