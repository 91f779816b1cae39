"""Free text typed in any form: bidirectional controls are removed, and text made only of spaces,
zero-width or control characters is empty — a required field refuses it in French and nothing is
saved, an optional one is saved empty. Checked on every form class of the application, then on the
listing form through the site."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, StringField

from helpers import post_form, text
from factories import get_listing, listing_count

import coopere

EMPTY_LOOKING = [
    "\u200b\u200b\u200b\u200b",  # zero-width spaces
    " \u200c\u200d\u2060\ufeff ",  # joiners, word joiner, byte-order mark, spaces
    "\u00a0\u3000\u2003\t",  # no-break, ideographic and em spaces, a tab
    "\x01\x02\x1b\x7f",  # control characters
    "\u202e\u202e\u2066\u200f",  # bidi controls only
    "\u3164\u3164\u3164",  # Hangul filler
]
OVERRIDDEN = "Je prête ma \u202eesuecrep\u202c \u2067du\u2069 \u200fsamedi\u061c"
CLEANED = "Je prête ma esuecrep du samedi"


def _all_form_classes() -> set[type]:
    for module in pkgutil.walk_packages(coopere.__path__, "coopere."):
        importlib.import_module(module.name)
    from coopere.members.forms import registration_form_class

    registration_form_class([SimpleNamespace(id=1), SimpleNamespace(id=2)])  # a class made per call
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return {cls for cls in found if cls.__module__.startswith("coopere.")}


def _text_fields(form) -> list[str]:
    """Where a person types text: string fields, except passwords and hidden fields."""
    return [
        field.name
        for field in form
        if isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField))
    ]


def test_every_form_class_cleans_its_text_fields(app):
    classes = _all_form_classes()
    checked = 0
    with app.test_request_context():
        for cls in sorted(classes, key=lambda c: (c.__module__, c.__qualname__)):
            names = _text_fields(cls(formdata=None, meta={"csrf": False}))
            for typed, expected in [(value, "") for value in EMPTY_LOOKING] + [
                (OVERRIDDEN, CLEANED)
            ]:
                form = cls(
                    formdata=MultiDict({name: typed for name in names}), meta={"csrf": False}
                )
                for name in names:
                    assert form[name].data == expected, (cls.__qualname__, name, typed)
            checked += len(names)
    assert len(classes) >= 30 and checked >= 60, (len(classes), checked)


def test_no_form_is_built_on_flaskform_directly():
    """Forms declared inside a function (made per call) included: BaseForm is the only base."""
    package = Path(coopere.__file__).parent
    direct = [
        f"{path.relative_to(package)}:{n}"
        for path in package.rglob("*.py")
        if path.name != "inputs.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"class \w+\(.*\bFlaskForm\b", line)
    ]
    assert direct == []


def test_passwords_are_kept_exactly_as_typed(app):
    from coopere.auth.forms import LoginForm

    with app.test_request_context():
        form = LoginForm(
            formdata=MultiDict({"login": " a@example.org\u200b ", "password": " \u202emot\u200b "}),
            meta={"csrf": False},
        )
        assert form.login.data == "a@example.org"
        assert form.password.data == " \u202emot\u200b "


# --- through the site: a listing ------------------------------------------------------------------


@pytest.fixture
def member(client_as):
    return client_as("member")


def _listing(themes, **values) -> dict:
    return {
        "kind": "offer",
        "theme_id": str(themes["dons-prets"]),
        "title": "Je prête ma perceuse",
        **values,
    }


@pytest.mark.parametrize("title", EMPTY_LOOKING)
def test_an_empty_looking_title_is_refused_in_french_and_nothing_is_created(
    app, member, themes, title
):
    before = listing_count(app)
    response = post_form(
        member, "/mes-annonces/nouvelle", _listing(themes, title=title), token_from="/mes-annonces"
    )
    assert response.status_code == 422
    assert "Donnez un titre à l'annonce." in text(response)
    assert listing_count(app) == before


def test_bidi_overrides_are_stripped_and_an_empty_looking_optional_field_is_saved_empty(
    app, member, themes
):
    response = post_form(
        member,
        "/mes-annonces/nouvelle",
        _listing(
            themes,
            title=OVERRIDDEN,
            description="\u200b \u2060\ufeff",
            availability="\u202e le soir\u202c ",
        ),
        token_from="/mes-annonces",
    )
    assert response.status_code == 302
    from coopere.extensions import db
    from coopere.listings.models import Listing

    with app.app_context():
        listing_id = db.session.scalars(db.select(Listing.id).order_by(Listing.id.desc())).first()
    listing = get_listing(app, listing_id)
    assert listing.title == CLEANED
    assert not listing.description
    assert listing.availability == "le soir"
    page = member.get(f"/annonces/{listing_id}").get_data(as_text=True)
    assert CLEANED in page and "\u202e" not in page
