"""Every number a form asks for says what it counts (or what it is): a help text under the field,
read out with it. « Nombre maximum de participants » alone leaves the organiser wondering whether
they count; « Nombre de places » whether the group's own people do."""

from __future__ import annotations

import pytest

import re

from flask_wtf import FlaskForm
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.fields.core import UnboundField

from coopere import create_app

#: Rendering and wording, not the database: the PostgreSQL leg skips them (see setup.cfg).
pytestmark = pytest.mark.one_database

NUMERIC_INPUTS = ("numeric", "decimal")


def _form_classes() -> list[type]:
    """Every form of the application (importing the app imports every blueprint and its forms)."""
    create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path="/tmp/coopere-number-fields-test-instance",
    )
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("coopere.")]


def number_fields() -> dict[str, object]:
    """{"Form.field": its help text} for every field that takes a number."""
    fields = {}
    for cls in _form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            render_kw = unbound.kwargs.get("render_kw") or {}
            if (
                issubclass(unbound.field_class, (IntegerField, FloatField, DecimalField))
                or render_kw.get("inputmode") in NUMERIC_INPUTS
                or render_kw.get("type") == "number"
            ):
                fields[f"{cls.__name__}.{name}"] = unbound.kwargs.get("description")
    return fields


def test_every_number_field_has_a_help_text():
    fields = number_fields()
    # the walk finds the number fields we know of (and any new one)
    assert {
        "ListingForm.max_participants",
        "EventForm.max_places",
        "SeriesForm.max_places",
        "LetterRunForm.unaddressed",
        "BlankFormsForm.copies",
        "DwellingForm.number",
        "DwellingForm.lon",
        "PerimeterForm.estimated_dwellings",
        "ReportForm.offers_collected",
        "ListingForm.details_achats_groupes_target_quantity",
    } <= set(fields), sorted(fields)
    missing = sorted(name for name, hint in fields.items() if not str(hint or "").strip())
    assert missing == [], "say what these numbers count (description=…)"


def test_the_project_maximum_says_the_organiser_does_not_count(client_as, users):
    page = client_as("member").get("/mes-annonces/nouvelle?type=project").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="max_participants"[^>]*>', page).group(0)
    assert 'aria-describedby="max_participants-aide"' in field
    hint = re.search(r'<p class="hint" id="max_participants-aide">([^<]*)</p>', page).group(1)
    assert "sans compter la personne qui l'organise" in hint.replace("&#39;", "'")


def test_the_places_of_an_event_say_who_takes_one(client_as, users):
    page = (
        client_as("animator")
        .get("/evenements/nouveau")
        .get_data(as_text=True)
        .replace("&#39;", "'")
    )
    hint = re.search(r'<p class="hint" id="max_places-aide">([^<]*)</p>', page).group(1)
    assert "« Je viendrai »" in hint and "Laissez vide s'il n'y a pas de limite." in hint
