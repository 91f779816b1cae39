"""One way to write a person's name: « Prénom Nom », by coopere.i18n.person_name (User.full_name,
the `person_name` template function). Lists may be sorted by last name; names are never turned
round, and no page or printout glues first and last names together by itself."""

from __future__ import annotations

import re

import pytest

from markupsafe import Markup, escape

from helpers import ROOT, text
from coopere.i18n import de, elide, person_name

#: Rendering and wording, not the database: the PostgreSQL leg skips them (see setup.cfg).
pytestmark = pytest.mark.one_database


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


# --- « de » before a name: « d'Odile », « de Marie » (coopere.i18n.de) -------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Odile", "d'Odile"),
        ("Étienne", "d'Étienne"),
        ("Anne-Marie Lenoir", "d'Anne-Marie Lenoir"),
        ("Ursule", "d'Ursule"),
        ("Œdipe", "d'Œdipe"),
        ("Yves", "d'Yves"),  # a y before a consonant sounds like a vowel
        ("Yvonne", "d'Yvonne"),
        ("Yann", "de Yann"),  # a y before a vowel is a consonant
        ("Yolande", "de Yolande"),
        ("Marie", "de Marie"),
        ("Hugo", "de Hugo"),  # an h is never elided: the simple rule, documented
        ("Hélène", "de Hélène"),
        (" Odile ", "d'Odile"),
    ],
)
def test_de_elides_before_a_vowel_sound(name, expected):
    assert de(name) == expected


def test_elide_changes_only_de_before_that_name_and_only_in_french(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert elide("Les échanges de Odile.", "Odile") == "Les échanges d'Odile."
        assert elide("Merci de Marie", "Marie") == "Merci de Marie"
        # another word ending in « de », another name: untouched
        assert elide("La garde Odile, de Odilon", "Odile") == "La garde Odile, de Odilon"
        assert elide("Rien", None) == "Rien"
        # a template's translated text: the name in it stays escaped, and the apostrophe is an
        # entity, so that the sentence cannot close a quoted attribute (« title='…' »)
        page = Markup("Les échanges de %s") % "Odile <b>"
        assert elide(page, "Odile <b>") == Markup("Les échanges d&#39;") + escape("Odile <b>")
        assert isinstance(elide(page, "Odile <b>"), Markup)
        quoted = Markup("<a title='%s'>") % (Markup("Fiche de %s") % "O'Neil")
        assert elide(quoted, "O'Neil") == Markup("<a title='Fiche d&#39;O&#39;Neil'>")
        assert str(elide(Markup("de %s") % "Ève", "Ève")) == "d&#39;Ève"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert elide("Thanks from Odile, de Odile", "Odile") == "Thanks from Odile, de Odile"


def test_pages_write_d_odile_and_de_marie(app, client_as, create_user):
    admin = client_as("admin")
    odile = create_user(first_name="Odile", last_name="Martin")
    marie = create_user(first_name="Marie", last_name="Dupont")
    assert "Corriger la fiche d'Odile Martin" in text(admin.get(f"/membres/{odile.id}/modifier"))
    assert "de Odile" not in text(admin.get(f"/membres/{odile.id}/modifier"))
    assert "Corriger la fiche de Marie Dupont" in text(admin.get(f"/membres/{marie.id}/modifier"))
    english = text(admin.get(f"/membres/{odile.id}/modifier", headers={"Accept-Language": "en"}))
    assert "Correct Odile Martin's record" in english


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
