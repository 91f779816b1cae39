"""Language, dates and names: French by default, English complete, times shown in Europe/Paris,
a person's name written « Prénom Nom » everywhere."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from .extensions import babel

FIRST_OF_MONTH = re.compile(r"^(\S+) 1 ")
#: The days of the week, Monday first (Python's weekday() numbers them from 0), in words.
WEEKDAY_NAMES = (
    _l("lundi"),
    _l("mardi"),
    _l("mercredi"),
    _l("jeudi"),
    _l("vendredi"),
    _l("samedi"),
    _l("dimanche"),
)
#: The months, January first, in words.
MONTH_NAMES = (
    _l("janvier"),
    _l("février"),
    _l("mars"),
    _l("avril"),
    _l("mai"),
    _l("juin"),
    _l("juillet"),
    _l("août"),
    _l("septembre"),
    _l("octobre"),
    _l("novembre"),
    _l("décembre"),
)

# French elides « de » before a vowel (accented or not: Odile, Étienne, Œdipe) and before a y that
# sounds like one: a y before a consonant (Yves, Yvonne; but « de Yann », « de Yolande »).
# An h is never elided (« de Hugo », « de Hélène »): mute and aspirated h cannot be told apart.
VOWELS = "aeiouàâäéèêëîïôöùûüœæ"
ELIDES = re.compile(rf"[{VOWELS}]|y[^{VOWELS}y]", re.IGNORECASE)


def select_locale() -> str:
    """The account's language, then the visitor's choice, then the browser's, then French."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def long_date(value: date | datetime | None) -> str:
    """« samedi 14 mars 2026 » (in the current language, in Europe/Paris)."""
    if value is None:
        return ""
    text = format_date(value, "EEEE d MMMM y")
    if get_locale().language == "fr":
        text = FIRST_OF_MONTH.sub(r"\1 1er ", text)  # « samedi 1er mars », as French writes it
    return text


def day_text(day: date) -> str:
    """« samedi 7 mars », « samedi 1er mars » / « Saturday 7 March » (in the current language)."""
    text = format_date(day, "EEEE d MMMM")
    if get_locale().language == "fr":
        text = FIRST_OF_MONTH.sub(r"\1 1er ", text)
    return text


def hour_text(moment: datetime) -> str:
    """« 10 h », « 18 h 30 » in French; « 10:00 » otherwise (a Paris wall-clock time)."""
    if get_locale().language == "fr":
        return french_hours(moment)
    return format_time(moment.time(), "HH:mm")


def french_hours(moment: datetime) -> str:
    """« 10 h », « 18 h 30 »: the French typographic way, whatever the language (printed
    letters)."""
    text = f"{moment.hour} h {moment.minute:02d}"
    return text[:-3] if text.endswith(" 00") else text


def long_datetime(value: datetime | None) -> str:
    """« samedi 12 mars 2026 à 10:00 » for a naive UTC datetime."""
    if value is None:
        return ""
    return format_datetime(value, "EEEE d MMMM y '–' HH:mm")


def time_hm(value: datetime | None) -> str:
    """« 10:00 »: a naive UTC datetime shown as a Paris wall-clock time."""
    if value is None:
        return ""
    return format_datetime(value, "HH:mm")


def upper_first(text: str) -> str:
    """Capital first letter, the rest untouched (unlike Jinja's `capitalize`)."""
    return text[:1].upper() + text[1:]


def person_name(first_name: str | None, last_name: str | None, *, initial: bool = False) -> str:
    """A person's name as every page, list and printout writes it: « Jeanne Le Goff » (first name
    first, in every list too: lists may be sorted by last name, names are not turned round).
    `initial`: the last name's initial only, « Jeanne L. », where the full name is not needed."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if initial and last:
        last = last[0] + "."
    return " ".join(part for part in (first, last) if part)


def de(name: str, apostrophe: str = "'") -> str:
    """« de » before a name as French writes it: « d'Odile », « d'Étienne », « d'Yves »,
    « de Marie », « de Yann », « de Hugo » (see ELIDES for the rule). Printouts pass the
    typographic apostrophe « ’ »."""
    name = name.strip()
    return f"d{apostrophe}{name}" if ELIDES.match(name) else f"de {name}"


def elide(text: str, name: str | None) -> str:
    """A translated sentence with its « de <name> » written as French elides it (`de`): keep the
    message « Les échanges de %(name)s » whole for translators, and call
    `elide(_("Les échanges de %(name)s", name=n), n)`, or `|elide(n)` in a template. Only in
    French: other languages' sentences have no « de » to elide."""
    if not name or not name.strip() or get_locale().language != "fr":
        return text
    name = name.strip()
    escaped = isinstance(text, Markup)  # a template's translated text: the name in it is escaped
    written = str(escape(name)) if escaped else name
    elided = de(written)
    if escaped:  # written as an entity, the apostrophe cannot close a quoted attribute
        elided = elided.replace("'", "&#39;")
    result = re.sub(rf"(?<!\w)de {re.escape(written)}(?!\w)", lambda _m: elided, str(text))
    # Safe for bandit's B704: `text` was Markup (escaped by Jinja), and what replaces « de <name> »
    # is the escaped name after « d&#39; »: nothing unescaped enters the result.
    return Markup(result) if escaped else result  # nosec B704


def configure_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path) + "/translations",
    )
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["long_datetime"] = long_datetime
    app.jinja_env.filters["time_hm"] = time_hm
    app.jinja_env.filters["upper_first"] = upper_first
    app.jinja_env.filters["elide"] = elide
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["person_name"] = person_name
