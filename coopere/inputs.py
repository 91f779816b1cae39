"""What browsers send, read safely: ids and page numbers, bounded, never an exception; names typed
in a search box, kept out of URLs; free text cleaned the same way in every form (BaseForm); the
fields many forms share (free text with its length limit, whole numbers, postcode, checkboxes).

`int()` on what a browser sent fails three ways that `str.isdigit()` does not prevent: « ² » is a
digit for Python but no number (ValueError), more than 4,300 digits are refused (ValueError), and a
20-digit id overflows the database's integer column (OverflowError, DataError). Each was a 500.
"""

from __future__ import annotations

import unicodedata

from flask import Request, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

MAX_ID = 2**31 - 1  # the largest value of a database INTEGER column (ids)
MAX_PAGE = 10_000  # no list of the site has that many pages


def parse_id(value) -> int | None:
    """An id typed or posted as ASCII digits, at most MAX_ID; None for anything else."""
    text = str(value if value is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def page_number(value) -> int:
    """The page of a list asked in the query string: 1 to MAX_PAGE, 1 for anything else."""
    number = parse_id(value)
    return number if number is not None and 1 <= number <= MAX_PAGE else 1


def paging(count: int, page: int, size: int) -> dict[str, int]:
    """What the template of a paged list shows: how many in all, this page, how many pages of
    `size` (at least one, for an empty list)."""
    return {"count": count, "page": page, "pages": max(1, -(-count // size))}


# --- NUL characters -------------------------------------------------------------------------------


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class _NulFreeMultiDict(ImmutableMultiDict):
    """Form fields and query parameters with every NUL character removed, from names and values.

    A NUL is never meaningful in what a person types, and PostgreSQL refuses it in a text column:
    « a\\x00b » in a listing's title, a message or a search was a 500 there (SQLite stored it).
    Files (FileStorage values) are left alone: their checks read the bytes.
    """

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = mapping.items()
        else:
            pairs = mapping
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in pairs])


class NulFreeRequest(Request):
    """The application's request class: forms and query strings go through _NulFreeMultiDict."""

    parameter_storage_class = _NulFreeMultiDict


SEARCH_MAX = 80


def remembered_search(key: str) -> str:
    """The name typed in a search box for people. It comes by POST and stays in the (signed)
    session, never in the URL: addresses end up in web-server and proxy logs, a neighbour's name
    must not."""
    if request.method == "POST":
        session[key] = " ".join(request.form.get("q", "").split())[:SEARCH_MAX]
    return session.get(key, "")


# --- free text ------------------------------------------------------------------------------------

#: Bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the
#: left-to-right, right-to-left and Arabic letter marks. An override makes « Perceuse\u202eàbon »
#: display backwards, a title or a name can pass for another: never kept.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_NO_BIDI = str.maketrans("", "", BIDI_CONTROLS)
#: Characters that show nothing although they are not spaces for Python: zero-width space, joiners,
#: word joiner, byte-order mark, soft hyphen, Hangul fillers, Mongolian vowel separator, invisible
#: mathematical operators. Kept inside text (a joiner inside an emoji, a word), but text made only
#: of them (and of spaces and control characters) is empty.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f\u115f\u1160\u3164\uffa0\u180e"
    "\u2061\u2062\u2063\u2064"
)


def _blank(char: str) -> bool:
    return char.isspace() or char in INVISIBLE or unicodedata.category(char) in ("Cc", "Cf")


def clean_text(value):
    """Free text as typed in a form, cleaned: bidirectional controls removed, blank characters
    (spaces, zero-width, control) trimmed from both ends, so that text made only of them is empty
    — a required field then says so in French, an optional one is saved empty. Not text:
    unchanged."""
    if not isinstance(value, str):
        return value
    text = value.translate(_NO_BIDI)
    start, end = 0, len(text)
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    return text[start:end]


def is_free_text(field) -> bool:
    """A field where a person types text: every StringField (TextAreaField, e-mail, phone…), but
    not a password (kept exactly as typed) nor a hidden field (tokens, ids, steps)."""
    return isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField))


class BaseForm(FlaskForm):
    """Every form of the application: its free-text fields go through clean_text first."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if is_free_text(field):
                field.filters = (clean_text, *field.filters)
            return field


TOO_LONG = _l("Ce texte est trop long (%(max)d caractères au plus).")


def text_field(label, max_length: int, required=None, *, kind=StringField, **options):
    """A free-text field of at most `max_length` characters. `required`, when given, is the French
    sentence shown when it is left empty; without it the field is optional."""
    first = DataRequired(required) if required is not None else Optional()
    return kind(label, validators=[first, Length(max=max_length, message=TOO_LONG)], **options)


def postcode_field(autocomplete: str):
    """A French postcode: five digits, required."""
    rule = _l("Un code postal compte 5 chiffres, par exemple 44300.")
    return StringField(
        _l("Code postal"),
        description=rule,
        validators=[
            DataRequired(_l("Indiquez le code postal.")),
            Regexp(r"^\d{5}$", message=rule),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": autocomplete},
    )


def number_field(label, minimum: int, maximum: int, out_of_range, first=None, **options):
    """A whole number from `minimum` to `maximum`, typed on a numeric keypad; `out_of_range` is the
    French sentence when it is not. `first` checks it before (Optional(): it may stay empty)."""
    return IntegerField(
        label,
        validators=[
            first or Optional(),
            NumberRange(min=minimum, max=maximum, message=out_of_range),
        ],
        render_kw={"inputmode": "numeric"},
        **options,
    )


def listed_choice_field(label, required=None):
    """A choice among rows the view lists (a theme, a sponsor, an event), their ids as text; not
    checked against the list here: what reads the id checks it. `required`, when given, is the
    French sentence shown when nothing is chosen; without it the field is optional."""
    validators = [DataRequired(required)] if required is not None else []
    return SelectField(label, coerce=str, validate_choice=False, validators=validators)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes: easier than a multiple select, on a tablet as with a mouse."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
