"""Dwelling register CSV: formats, encodings, validation messages, duplicates, export."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopere.dwellings.csv_export import export_csv
from coopere.dwellings.csv_import import parse_dwellings_csv
from coopere.dwellings.csv_rows import Duplicate, DwellingRow
from coopere.dwellings.normalize import address_key

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

PROJECT = """numero;rep;voie;complement;code_postal;commune
1;;Rue des Lilas;;44300;Nantes
4;bis;Impasse de l'Église;;44300;Nantes
1;;Rue de la Bottière;Résidence Les Marronniers, Bât. C, apt C218;44300;Nantes
;;Lieu-dit La Haie;;44690;Maisdon-sur-Sèvre
"""

BAN = """id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;x;y;lon;lat;nom_ld
44109_5123_00001;5123;1;;Rue des Lilas;44300;44109;Nantes;357111.62;6690157.82;-1.521476;47.226255;
44109_5123_00002;5123;2;b;Rue des Lilas;44300;44109;Nantes;357070.04;6690099.33;-1.521763;47.226780;
44109_X;;99999;;;44300;44109;Nantes;;;-1.5;47.2;La Close
"""


def parse(text: str, **options: object):
    return parse_dwellings_csv(text.encode("utf-8"), **options)


# --- formats, encodings, delimiters ---------------------------------------------------------


def test_project_format() -> None:
    result = parse(PROJECT)
    assert result.ok and (result.format, result.encoding, result.delimiter) == (
        "coopere",
        "utf-8",
        ";",
    )
    assert result.rows[0] == DwellingRow(
        2, 1, "", "Rue des Lilas", "", "44300", "Nantes", None, None, "1||rue des lilas||44300"
    )
    assert result.rows[1].rep == "bis" and result.rows[1].street == "Impasse de l'Église"
    assert result.rows[2].complement == "Résidence Les Marronniers, Bât. C, apt C218"
    lieu_dit = result.rows[3]
    assert (lieu_dit.line, lieu_dit.number, lieu_dit.city) == (5, None, "Maisdon-sur-Sèvre")
    assert result.new_count == 4 and result.present_count == 0


def test_english_headers_in_any_case_and_comma_delimiter() -> None:
    text = (
        "Number,Repetition, Street ,COMPLEMENT,Postal Code,city,Longitude,Latitude,Notes\n"
        "12,B,Avenue Jean Jaurès,,44000,Nantes,-1.55,47.21,ignored column\n"
    )
    result = parse(text)
    assert result.ok and result.delimiter == ","
    row = result.rows[0]
    assert (row.number, row.rep, row.street, row.lon, row.lat) == (
        12,
        "b",
        "Avenue Jean Jaurès",
        -1.55,
        47.21,
    )


@pytest.mark.parametrize(
    "header",
    [
        "N°;Rép;Nom voie;Complément;CP;Ville",
        "numero;rep;voie;complement;postcode;commune",
        "NUMÉRO ; REP ; VOIE ; COMPLÉMENT ; CODE_POSTAL ; COMMUNE",
    ],
)
def test_header_names_ignore_case_accents_spaces(header: str) -> None:
    result = parse(header + "\n3;ter;Rue X;;44300;Nantes\n")
    assert result.ok, result.errors
    assert result.rows[0].rep == "ter"


def test_ban_extract() -> None:
    result = parse(BAN)
    assert result.ok, result.errors
    assert result.format == "ban"
    first, second, lieu_dit = result.rows
    assert (first.number, first.street, first.postcode, first.city) == (
        1,
        "Rue des Lilas",
        "44300",
        "Nantes",
    )
    assert (first.lon, first.lat) == (-1.521476, 47.226255)  # negative longitude is fine
    assert second.rep == "b" and second.key == "2|bis|rue des lilas||44300"
    assert (lieu_dit.number, lieu_dit.street) == (None, "La Close")  # BAN's 99999


def test_shared_samples_when_present() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"no sample data in {SHARED_DATA}")
    project = parse_dwellings_csv((SHARED_DATA / "dwellings-sample.csv").read_bytes())
    assert project.ok and project.format == "coopere" and project.new_count == 303
    ban = parse_dwellings_csv((SHARED_DATA / "ban-extract-sample.csv").read_bytes())
    assert ban.ok and ban.format == "ban" and ban.new_count == 64
    # The BAN extract covers streets of the project file: re-importing adds only new ones.
    existing = {row.key for row in project.rows}
    again = parse_dwellings_csv(
        (SHARED_DATA / "ban-extract-sample.csv").read_bytes(), existing_keys=existing
    )
    assert again.ok and again.new_count + again.present_count == 64


def test_utf8_bom_is_detected() -> None:
    result = parse_dwellings_csv(b"\xef\xbb\xbf" + PROJECT.encode())
    assert result.ok and result.encoding == "utf-8-sig"
    assert result.rows[1].street == "Impasse de l'Église"


def test_windows_1252_as_excel_writes_it() -> None:
    data = PROJECT.replace("\n", "\r\n").encode("cp1252")
    result = parse_dwellings_csv(data)
    assert result.ok and result.encoding == "cp1252"
    assert result.rows[1].street == "Impasse de l'Église"
    assert result.rows[3].city == "Maisdon-sur-Sèvre"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "Le fichier est vide."),
        (b"  \r\n\r\n", "Le fichier est vide."),
        (
            b"numero;rep;voie;complement;code_postal;commune\r\n",
            "Le fichier ne contient que la ligne d'en-tête, aucune adresse.",
        ),
        (
            b"numero;rep;voie;complement;code_postal;commune\r\n;;;;;\r\n;;;;;\r\n",
            "Le fichier ne contient que la ligne d'en-tête, aucune adresse.",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "contenu binaire"),
        (b"PK\x03\x04\x14\x00\x06\x00", "classeur"),
        (b"\xff\xfen\x00u\x00m\x00", "UTF-16"),
        (b"numero;voie\r\n1;Rue \x81\x8d\x8f;44300", "Encodage du fichier non reconnu"),
        (b"numero;voie\x01\x02\x03\x04;cp\r\n", "Encodage du fichier non reconnu"),
    ],
)
def test_file_level_problems(data: bytes, expected: str) -> None:
    result = parse_dwellings_csv(data)
    assert not result.ok and not result.rows
    assert len(result.errors) == 1
    line, message = result.errors[0]
    assert line == 0 and expected in message


def test_file_too_large() -> None:
    data = (PROJECT + "2;;Rue des Lilas;;44300;Nantes\n" * 100).encode()
    result = parse_dwellings_csv(data, max_bytes=2048)
    assert result.errors == [
        (0, f"Fichier trop volumineux ({len(data) // 1024} Ko ; 2 Ko au plus).")
    ]
    assert parse_dwellings_csv(b"x" * (5 * 1024 * 1024 + 1)).errors == [
        (0, "Fichier trop volumineux (5.0 Mo ; 5.0 Mo au plus).")
    ]


@pytest.mark.parametrize(
    "header, missing",
    [
        ("numero;rep;complement;code_postal;commune", "Colonne manquante : voie"),
        ("numero;voie;commune", "Colonne manquante : code_postal"),
        ("rep;voie;code_postal;commune", "Colonne manquante : numero"),
        ("numero;voie;code_postal", "Colonne manquante : commune"),
    ],
)
def test_missing_required_column(header: str, missing: str) -> None:
    result = parse(header + "\n1;a;b;c;d\n")
    assert (1, missing) in result.errors and not result.rows


def test_duplicated_column() -> None:
    result = parse("numero;voie;rue;code_postal;commune\n1;a;b;44300;Nantes\n")
    assert result.errors == [(1, "Colonne en double : rue")]


# --- line validation ------------------------------------------------------------------------

HEADER = "numero;rep;voie;complement;code_postal;commune;lon;lat\n"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("x12;;Rue A;;44300;Nantes;;", "Numéro invalide : « x12 »"),
        ("1.5;;Rue A;;44300;Nantes;;", "Numéro invalide : « 1.5 »"),
        ("123456;;Rue A;;44300;Nantes;;", "Numéro invalide"),
        ("1;zz;Rue A;;44300;Nantes;;", "Indice de répétition non reconnu : « zz »"),
        ("1bis;ter;Rue A;;44300;Nantes;;", "Deux indices de répétition"),
        ("1;;;;44300;Nantes;;", "La voie est vide."),
        ("1;;Rue A;;443;Nantes;;", "Code postal invalide : « 443 »"),
        ("1;;Rue A;;4430O;Nantes;;", "Code postal invalide : « 4430O »"),
        ("1;;Rue A;;00100;Nantes;;", "Code postal invalide : « 00100 »"),
        ("1;;Rue A;;44300;;;", "La commune est vide."),
        ("1;;Rue A;;44300;Nantes;-181;47", "Longitude invalide : « -181 »"),
        ("1;;Rue A;;44300;Nantes;-1.5;95", "Latitude invalide : « 95 »"),
        ("1;;Rue A;;44300;Nantes;nan;47", "Longitude invalide : « nan »"),
        ("1;;Rue A;;44300;Nantes;abc;47", "Longitude invalide : « abc »"),
        ("1;;" + "R" * 201 + ";;44300;Nantes;;", "Colonne voie trop longue (201 caractères ; 200"),
        ("1;;Rue A;" + "C" * 201 + ";44300;Nantes;;", "Colonne complement trop longue"),
        ("1;;Rue A;;44300;" + "N" * 81 + ";;", "Colonne commune trop longue"),
        ('1;;=HYPERLINK("http://x");;44300;Nantes;;', "ressemble à une formule de tableur"),
        ("1;;+33 rue;;44300;Nantes;;", "Colonne voie : « +33 rue » ressemble à une formule"),
        ("1;;@SUM(A1);;44300;Nantes;;", "ressemble à une formule"),
        ("-1;;Rue A;;44300;Nantes;;", "Colonne numero : « -1 » ressemble à une formule"),
        ("1;;Rue A;=1+1;44300;Nantes;;", "Colonne complement"),
        ("1;;Rue A;;44300;Nantes;=-1.5;47", "Colonne lon : « =-1.5 » ressemble à une formule"),
    ],
)
def test_bad_lines_are_reported_with_their_line_number(line: str, expected: str) -> None:
    result = parse(HEADER + "7;;Rue Bonne;;44300;Nantes;;\n" + line + "\n")
    assert not result.ok and not result.rows  # all or nothing
    assert len(result.errors) == 1, result.errors
    number, message = result.errors[0]
    assert number == 3 and expected in message, message


def test_lenient_on_what_spreadsheets_do() -> None:
    text = (
        HEADER
        + "12 bis;;Rue A;;44300;Nantes;-1,55;47,2\n"  # rep in the number column, decimal comma
        + "3;B.;  Rue   B  ;;1000;Bourg;;\n"  # extra spaces; Excel dropped the leading 0
        + "5;;Rue C;;44300;Nantes\n"  # missing trailing cells
        + '"7";"";"Rue ""D""";"Bât. 2,\nescalier 3";"44300";"Nantes";"";""\n'  # quotes
        + "8;;Rue E;;44300;Nantes;'-1.5;47\n"
    )  # our export's escaped longitude
    result = parse(text)
    assert result.ok, result.errors
    a, b, c, d, e = result.rows
    assert (a.number, a.rep, a.lon, a.lat) == (12, "bis", -1.55, 47.2)
    assert (b.rep, b.street, b.postcode) == ("b", "Rue B", "01000")
    assert c.lon is None
    assert (d.line, d.street, d.complement) == (5, 'Rue "D"', "Bât. 2, escalier 3")
    assert (e.line, e.lon) == (6, -1.5)


def test_errors_of_several_lines_are_all_reported() -> None:
    result = parse(
        HEADER
        + "1;;;;44300;Nantes;;\n2;;Rue A;;4;;;\n\n3;;Rue B;;44300;Nantes;;\n"
        + "x;;Rue C;;44300;Nantes;;\n"
    )
    assert [line for line, _ in result.errors] == [2, 3, 3, 6]


# --- duplicates and the existing register ---------------------------------------------------


def test_duplicates_within_the_file_name_both_lines() -> None:
    text = (
        HEADER
        + "4;b;Bd St-Michel;Bât. A;44300;Nantes;;\n"
        + "5;;Rue A;;44300;Nantes;;\n"
        + "4;bis;boulevard saint michel;batiment a;44300;NANTES;;\n"
    )
    result = parse(text)
    assert not result.ok and not result.rows and not result.errors
    assert result.duplicates == [
        Duplicate(2, 4, "4 bis boulevard saint michel, batiment a, 44300 NANTES")
    ]


def test_rows_already_in_the_register_are_skipped_not_errors() -> None:
    existing = {
        address_key(1, "", "rue des lilas", "", "44300"),
        address_key(4, "b", "Imp. de l’Eglise", "", "44300"),
    }
    result = parse(PROJECT, existing_keys=existing)
    assert result.ok
    assert [row.line for row in result.rows] == [4, 5]
    assert result.new_count == 2 and result.present_count == 2
    assert result.already_present == [
        (2, "1 Rue des Lilas, 44300 Nantes : déjà dans le registre"),
        (3, "4 bis Impasse de l'Église, 44300 Nantes : déjà dans le registre"),
    ]


@pytest.mark.parametrize(
    "a, b",
    [
        (
            (4, "B", "Bd St-Michel", "Bât. A", "44300"),
            (4, "bis", "Boulevard Saint Michel", "batiment a", "44300"),
        ),
        (
            (1, "", "Av. du Gal de Gaulle", "", "44000"),
            (1, "", "avenue du général de gaulle", "", "44000"),
        ),
        (
            (2, "t", "R. de l’Église", "Rés. Les Pins, esc 2, apt 3", "44300"),
            (2, "TER", "rue de l'eglise", "residence les pins escalier 2 appartement 3", "44300"),
        ),
        ((3, "", "Pl. Ste-Anne", "", "44100"), (3, "", "PLACE  SAINTE ANNE", "", "44100")),
        ((5, "", "Imp. des Œillets", "", "44100"), (5, "", "impasse des oeillets", "", "44100")),
        ((6, "", "Allée des Érables", "", "44300"), (6, "", "all. des erables", "", "44300")),
        ((7, "", "Ch. du Moulin", "", "44300"), (7, "", "chemin du moulin", "", "44300")),
        ((8, "", "Rte de Paris", "", "44300"), (8, "", "route de paris", "", "44300")),
        ((9, "", "Sq. Moreau", "", "44300"), (9, "", "square moreau", "", "44300")),
        ((10, "", "Crs des 50 Otages", "", "44000"), (10, "", "cours des 50 otages", "", "44000")),
    ],
)
def test_address_key_treats_spellings_alike(a: tuple, b: tuple) -> None:
    assert address_key(*a) == address_key(*b)


@pytest.mark.parametrize(
    "a, b",
    [
        ((4, "", "Rue des Lilas", "", "44300"), (4, "bis", "Rue des Lilas", "", "44300")),
        ((4, "", "Rue des Lilas", "", "44300"), (14, "", "Rue des Lilas", "", "44300")),
        ((4, "", "Rue des Lilas", "apt 1", "44300"), (4, "", "Rue des Lilas", "apt 2", "44300")),
        ((4, "", "Rue des Lilas", "", "44300"), (4, "", "Rue des Lilas", "", "44000")),
        ((None, "", "La Haie", "", "44300"), (0, "", "La Haie", "", "44300")),
        ((4, "a", "Rue des Lilas", "", "44300"), (4, "b", "Rue des Lilas", "", "44300")),
    ],
)
def test_address_key_keeps_different_dwellings_apart(a: tuple, b: tuple) -> None:
    assert address_key(*a) != address_key(*b)


# --- a large file -----------------------------------------------------------------------------
# (its speed is measured by benchmarks/dwelling_import.py, never by a test: a shared machine's
# clock makes a time limit fail at random)


def test_ten_thousand_rows_and_one_bad_one() -> None:
    lines = [
        f"{n % 400 + 1};;Rue numéro {n // 400};Apt {n};44300;Nantes;-1.5{n % 10};47.2"
        for n in range(10_000)
    ]
    lines.insert(6_000, "12;;Rue X;;443;Nantes;;")  # line 6002 of the spreadsheet
    data = (HEADER + "\n".join(lines) + "\n").encode()
    result = parse_dwellings_csv(data)
    assert result.errors == [
        (6_002, "Code postal invalide : « 443 » (5 chiffres, par exemple 44300).")
    ]
    assert not result.duplicates
    assert result.rows == [] and result.checked_rows == 10_001  # nothing accepted

    good = parse_dwellings_csv((HEADER + "\n".join(lines[:6_000] + lines[6_001:])).encode())
    assert good.ok and good.new_count == 10_000


# --- export ---------------------------------------------------------------------------------


def test_export_is_excel_friendly_and_round_trips() -> None:
    rows = parse(PROJECT).rows
    data = export_csv(rows)
    assert data.startswith(b"\xef\xbb\xbfnumero;rep;voie;complement;code_postal;commune\r\n")
    again = parse_dwellings_csv(data)
    assert again.ok and again.encoding == "utf-8-sig"
    assert [r.key for r in again.rows] == [r.key for r in rows]
    assert [(r.number, r.rep, r.street, r.complement, r.postcode, r.city) for r in again.rows] == [
        (r.number, r.rep, r.street, r.complement, r.postcode, r.city) for r in rows
    ]


def test_export_escapes_formulas_and_takes_extra_columns() -> None:
    data = export_csv(
        [
            {
                "numero": 1,
                "rep": "",
                "voie": '=HYPERLINK("http://evil")',
                "complement": "+33",
                "code_postal": "44300",
                "commune": "@Nantes",
                "reference": "-ABC",
                "lon": -1.5,
                "note": "\tx",
            },
            {"numero": None, "voie": "Lieu-dit", "code_postal": "44300", "commune": "Nantes"},
        ],
        extra_columns=("reference", "lon", "note"),
    )
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "numero;rep;voie;complement;code_postal;commune;reference;lon;note"
    assert lines[1] == (
        "1;;\"'=HYPERLINK(\"\"http://evil\"\")\";'+33;44300;'@Nantes;'-ABC;'-1.5;'\tx"
    )
    assert lines[2] == ";;Lieu-dit;;44300;Nantes;;;"
    # Re-imported, the escaped formula is still refused; the escaped longitude is accepted.
    result = parse_dwellings_csv(data)
    assert [line for line, _ in result.errors] == [2]  # one message per line is enough
