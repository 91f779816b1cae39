"""One way to write a person's name: « Prénom Nom », by coopere.i18n.person_name (User.full_name,
the `person_name` template function). Lists may be sorted by last name; names are never turned
round, and no page or printout glues first and last names together by itself."""

from __future__ import annotations

import re

import pytest

from helpers import ROOT
from coopere.i18n import person_name


# Two name parts side by side in a template: {{ p.last_name }} {{ p.first_name }}, or ~ " " ~.
TEMPLATE_GLUE = re.compile(
    r"\b(first|last)_name\b[^{}]*\}\}[ ,]{1,3}\{\{[^{}]*\b(?!\1)(first|last)_name\b"
    r"|\b(first|last)_name\b\s*~[^}]*\b(?!\3)(first|last)_name\b"
)
# …in Python: f"{p.first_name} {p.last_name}", or first_name + " " + last_name.
CODE_GLUE = re.compile(
    r"\{[^{}]*\b(first|last)_name\b[^{}]*\}[^{}\"']{0,3}\{[^{}]*\b(?!\1)(first|last)_name\b"
    r"|\b(first|last)_name\s*\+\s*[\"'] [\"']\s*\+\s*[\w.]*\b(?!\3)(first|last)_name\b"
)
# Where gluing is what is wanted, and why.
ALLOWED = {
    "coopere/privacy/erasure.py": (
        "looks for the name written either way in the free texts it cleans"
    ),
    "coopere/perimeter/services.py": "searches « prénom nom » as typed, in SQL",
}


@pytest.mark.parametrize(
    "first, last, initial, expected",
    [
        ("Jeanne", "Le Goff", False, "Jeanne Le Goff"),
        (" Jeanne ", " Le Goff ", False, "Jeanne Le Goff"),
        ("Odette", "", False, "Odette"),  # no trailing space when the last name is unknown
        ("Odette", None, False, "Odette"),
        ("Jeanne", "Le Goff", True, "Jeanne L."),
        ("Jeanne", "", True, "Jeanne"),  # not « Jeanne . »
    ],
)
def test_person_name_writes_first_name_then_last_name(first, last, initial, expected):
    assert person_name(first, last, initial=initial) == expected


def test_a_user_full_name_is_person_name():
    from coopere.auth.models import User

    assert User(first_name="Irène", last_name="Offline").full_name == "Irène Offline"
    assert User(first_name="Lucien", last_name="").full_name == "Lucien"


def glued(folder: str, pattern: re.Pattern, suffixes: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if path.suffix not in suffixes or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_template_writes_a_name_by_hand():
    assert glued("templates", TEMPLATE_GLUE, (".html", ".txt")) == [], (
        "use {{ person.full_name }} or {{ person_name(first, last) }}"
    )


def test_no_code_writes_a_name_by_hand():
    assert glued("coopere", CODE_GLUE, (".py",)) == [], (
        "use person.full_name or coopere.i18n.person_name"
    )


@pytest.mark.parametrize(
    "line",
    [
        "<strong>{{ person.last_name }} {{ person.first_name }}</strong>",
        "<h3>{{ entry.person.first_name }} {{ entry.person.last_name }}",
        "{{ m.last_name ~ ' ' ~ m.first_name }}",
    ],
)
def test_the_template_check_catches_names_glued_by_hand(line):
    assert TEMPLATE_GLUE.search(line)


@pytest.mark.parametrize(
    "line",
    [
        'full_name = f"{digest.first_name.strip()} {digest.last_name.strip()}"',
        'label = f"{v.first_name} {v.last_name[:1]}."',
        'name = user.last_name + " " + user.first_name',
    ],
)
def test_the_code_check_catches_names_glued_by_hand(line):
    assert CODE_GLUE.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "{{ person.full_name }}",
        "{{ _('Bonjour %(name)s', name=person.first_name) }}",
        "<td>{{ row.last_name }}</td><td>{{ row.first_name }}</td>",  # two columns of a table
    ],
)
def test_the_template_check_leaves_other_uses_alone(line):
    assert not TEMPLATE_GLUE.search(line)
