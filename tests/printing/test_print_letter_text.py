"""Filling the admin's letter template, and address lines for the envelope window."""

from __future__ import annotations

import pytest

from coopere.printing import (
    Event,
    TemplateError,
    event_placeholders,
    fill_letter_template,
    postal_address_lines,
)
from coopere.printing.letter_text import paragraphs_html

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database


def test_fills_named_placeholders(event: Event) -> None:
    text = fill_letter_template(
        "Rendez-vous le {date} à {heure}, {lieu}.", event_placeholders(event)
    )
    assert text == "Rendez-vous le samedi 12 mars 2026 à 18 h 30, Place de la Bottière."


def test_doubled_braces_print_literal_braces() -> None:
    assert (
        fill_letter_template("{{date}} vaut {date} }}", {"date": "lundi"}) == "{date} vaut lundi }"
    )


def test_spaces_inside_braces_are_tolerated_and_none_is_empty() -> None:
    assert fill_letter_template("[{ lieu }][{x}]", {"lieu": "ici", "x": None}) == "[ici][]"


def test_unknown_placeholders_are_all_listed_in_french() -> None:
    with pytest.raises(TemplateError) as error:
        fill_letter_template("Le {jour} à {endroit}, {jour}.", {"date": "", "lieu": ""})
    message = str(error.value)
    assert "Champ(s) inconnu(s)" in message
    assert "{jour}, {endroit}." in message  # each listed once, in order
    assert "Champs disponibles : {date}, {lieu}" in message


@pytest.mark.parametrize(
    "template, expected",
    [
        ("Bonjour {", "Accolade isolée à la ligne 1"),
        ("Bonjour\n}", "Accolade isolée à la ligne 2"),
        ("{date.__class__}", "mal écrit"),
        ("{0}", "Champ(s) inconnu(s)"),
        ("{}", "mal écrit"),
        ("{date:>10}", "mal écrit"),
    ],
)
def test_malformed_templates_are_explained(template: str, expected: str) -> None:
    with pytest.raises(TemplateError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        fill_letter_template(template, {"date": "lundi"})


def test_values_are_not_themselves_templates() -> None:
    assert fill_letter_template("{a}", {"a": "{b}", "b": "non"}) == "{b}"


def test_paragraphs_are_escaped() -> None:
    html = paragraphs_html("Un <b>\r\nDeux & trois\n\n\n  Quatre  ")
    assert html == (
        '<p class="text">Un &lt;b&gt;\nDeux &amp; trois</p>\n<p class="text">Quatre</p>\n'
    )


def test_postal_address_lines_follow_la_poste() -> None:
    assert postal_address_lines(4, "bis", "rue des Lilas", "", "44300", "Saint-Étienne") == (
        "Aux habitants",
        "4 bis rue des Lilas",
        "44300 SAINT-ETIENNE",
    )
    lines = postal_address_lines(
        1,
        "",
        "rue de la Bottière",
        "Résidence Les Marronniers, Bât. C, esc. 2, apt C218",
        "44300",
        "Nantes",
        recipient=None,
    )
    assert lines == (
        "Résidence Les Marronniers, Bât. C",
        "esc. 2, apt C218",
        "1 rue de la Bottière",
        "44300 NANTES",
    )
    assert all(len(line) <= 38 for line in lines)
    # A lieu-dit has no number; too many complement parts still fit in 6 lines.
    lines = postal_address_lines(
        None, "", "La Haie", "a, b" + ", xxxxxxxxxxxxxxxxxxxx" * 6, "44690", "Maisdon"
    )
    assert len(lines) == 6 and lines[-2:] == ("La Haie", "44690 MAISDON")
