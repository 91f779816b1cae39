"""French first, English complete: the catalogue, the templates, the language choice and the dates.

Message ids are written in French in the code and the templates; the French interface needs no
catalogue and `coopere/translations/en/LC_MESSAGES/messages.po` translates every id into English.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale
from jinja2 import Environment

from helpers import ROOT, csrf_token, login, post_form, text
from coopere.auth.models import User
from coopere.extensions import db
from coopere.i18n import long_date, long_datetime

#: Rendering and wording, not the database: the PostgreSQL leg skips them (see setup.cfg).
pytestmark = pytest.mark.one_database

TRANSLATIONS = ROOT / "coopere" / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "templates"
# Rendered by the print engine, with their own strings: not part of the web catalogue.
NOT_WEB = ("templates/printing/", "coopere/printing/")

# The same keywords as the extraction command of the Makefile (see babel.cfg for the files).
EXTRACT_KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")


# --- helpers ------------------------------------------------------------------------------------


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def extract_source_messages(tmp_path: Path) -> Catalog:
    """The messages of the source as `pybabel extract -F babel.cfg` finds them today."""
    pot = tmp_path / "source.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "-q",
        "extract",
        "-F",
        "babel.cfg",
        "-o",
        str(pot),
        "--sort-by-file",
    ]
    for keyword in EXTRACT_KEYWORDS:
        command += ["-k", keyword]
    result = subprocess.run([*command, "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return read_catalog(pot)


PLACEHOLDER_RE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa%])"
)


def placeholders(message: str) -> tuple[frozenset[str], Counter]:
    """The named placeholders (as a set) and the unnamed ones (as a count of their types)."""
    named, positional = set(), Counter()
    for match in PLACEHOLDER_RE.finditer(message):
        if match["type"] == "%":
            continue
        if match["name"] is not None:
            named.add(f"%({match['name']}){match['type']}")
        else:
            positional[f"%{match['type']}"] += 1
    return frozenset(named), positional


def as_forms(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value or ""]


def catalog_problems(source: Catalog, translated: Catalog) -> list[str]:
    """Every source message missing from the translated catalogue, empty, fuzzy, or whose
    placeholders differ from the French message id's."""
    problems = []
    for message in source:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        where = ", ".join(f"{file}:{line}" for file, line in message.locations) or "?"
        entry = translated.get(message.id, message.context)
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
            continue
        forms = as_forms(entry.string)
        if not all(form.strip() for form in forms):
            problems.append(f"empty: {msgid!r} ({where})")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
            continue
        wanted = [placeholders(form) for form in as_forms(message.id)]
        for form in forms:
            got = placeholders(form)
            # A plural translation may match either the singular or the plural id.
            if got not in wanted:
                problems.append(f"placeholders differ: {msgid!r} -> {form!r} ({where})")
    return problems


# Text of the templates that is deliberately not translated.
ALLOWED_PHRASES = (
    "Read this site in English",  # the language button, shown in the other language
    "Lire ce site en français",
    "English",
    "Français",
    "Coop-ère",  # the method's name
)
ALLOWED_WORDS = {"coopere"}  # the brand
UNSHOWN_ELEMENTS = {"code", "pre", "script", "style", "kbd", "samp"}
VISIBLE_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "aria-label",
    "aria-roledescription",
    "aria-valuetext",
    "aria-placeholder",
}
BUTTON_INPUTS = {"submit", "button", "reset"}
WORD_RE = re.compile(r"[^\W\d_]+")


def without_jinja(source: str) -> str:
    """The template's own HTML: `{{ … }}`, `{% … %}`, `{# … #}` and `{% trans %}` blocks removed,
    each replaced by a space, with line numbers kept."""
    out: list[str] = []
    line = 1
    in_trans = False
    after_block_begin = False
    previous_was_data = True
    for lineno, kind, value in Environment().lex(source):
        if kind == "block_begin":
            after_block_begin = True
        elif kind == "name" and after_block_begin:
            after_block_begin = False
            if value in ("trans", "pluralize"):
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        elif kind != "whitespace":
            after_block_begin = False
        if kind == "data" and not in_trans:
            while line < lineno:
                out.append("\n")
                line += 1
            out.append(value)
            line += value.count("\n")
            previous_was_data = True
        elif previous_was_data:
            out.append(" ")
            previous_was_data = False
    return "".join(out)


def visible_words(text_value: str) -> list[str]:
    for phrase in ALLOWED_PHRASES:
        text_value = text_value.replace(phrase, " ")
    return [w for w in WORD_RE.findall(text_value) if w.lower() not in ALLOWED_WORDS]


class UntranslatedText(HTMLParser):
    """Collects visible words and human-read attribute values of a template's own HTML."""

    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.hidden_depth = 0
        self.found: list[str] = []

    def report(self, what: str, value: str) -> None:
        line = self.getpos()[0]
        self.found.append(f"{self.name}:{line}: {what} {' '.join(value.split())!r}")

    def handle_starttag(self, tag, attrs):
        if tag in UNSHOWN_ELEMENTS:
            self.hidden_depth += 1
        attributes = dict(attrs)
        for name, value in attrs:
            is_button = tag == "input" and (attributes.get("type") or "").strip() in BUTTON_INPUTS
            shown = name in VISIBLE_ATTRIBUTES or (name == "value" and is_button)
            if shown and value and visible_words(value):
                self.report(f"attribute {name}=", value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in UNSHOWN_ELEMENTS:
            self.hidden_depth -= 1

    def handle_endtag(self, tag):
        if tag in UNSHOWN_ELEMENTS and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and visible_words(data):
            self.report("text", data)


def untranslated_template_text(source: str, name: str = "template") -> list[str]:
    parser = UntranslatedText(name)
    parser.feed(without_jinja(source))
    parser.close()
    return parser.found


def web_templates() -> list[Path]:
    return sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if not p.relative_to(ROOT).as_posix().startswith(NOT_WEB)
    )


# --- the catalogue is complete ------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> Catalog:
    return extract_source_messages(tmp_path_factory.mktemp("extract"))


def test_every_message_of_the_source_is_translated_into_english(source_messages):
    source = source_messages
    assert len(source) > 50, "extraction found almost nothing: is babel.cfg right?"
    problems = catalog_problems(source, read_catalog(ENGLISH_PO))
    assert not problems, (
        f"{len(problems)} message(s) of the source are not translated in "
        f"{ENGLISH_PO.relative_to(ROOT)}; "
        "run the extract / update commands and translate them:\n" + "\n".join(problems)
    )


def test_english_catalogue_has_no_leftovers_to_finish():
    """Every entry of the .po itself is translated, not fuzzy, with the msgid's placeholders."""
    catalog = read_catalog(ENGLISH_PO)
    assert catalog.locale is not None and str(catalog.locale) == "en"
    assert not catalog_problems(catalog, catalog)
    # Babel's own checks (python-format placeholders, plural forms count).
    errors = [f"{message.id!r}: {'; '.join(map(str, errs))}" for message, errs in catalog.check()]
    assert not errors, "\n".join(errors)


def test_print_templates_and_engine_are_left_out_of_the_web_catalogue(source_messages):
    files = {file for message in source_messages for file, _line in message.locations}
    assert files, "extraction kept no locations"
    assert not [f for f in files if f.startswith(NOT_WEB)]
    assert {f for f in files if f.startswith("templates/")}, "no template was extracted"


def test_catalogue_check_catches_missing_empty_fuzzy_and_wrong_placeholders():
    source = Catalog(locale="fr")
    for msgid in ("Bonjour %(name)s !", "Vide", "Flou", "Absent", "Juste", "Il y a %(n)d voisins"):
        source.add(msgid, locations=[("templates/x.html", 1)])
    english = Catalog(locale="en")
    english.add("Bonjour %(name)s !", "Hello %(nom)s!")
    english.add("Vide", "")
    english.add("Flou", "Fuzzy", flags=["fuzzy"])
    english.add("Juste", "Right")
    english.add("Il y a %(n)d voisins", "There are %(n)s neighbours")
    problems = catalog_problems(source, english)
    assert [p.split(":")[0] for p in problems] == [
        "placeholders differ",
        "empty",
        "fuzzy",
        "missing",
        "placeholders differ",
    ], problems


# --- templates wrap their text for translation --------------------------------------------------


def test_templates_show_no_text_outside_translation_calls():
    templates = web_templates()
    assert len(templates) > 5
    found = []
    for path in templates:
        name = path.relative_to(ROOT).as_posix()
        found += untranslated_template_text(path.read_text(encoding="utf-8"), name)
    assert not found, (
        "text shown to people must go through _(…) (or be in the allow-list of "
        "tests/interface/test_i18n.py):\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    "snippet, bad",
    [
        ("<p>Bonjour</p>", True),
        ("<h1>{{ _('Bonjour') }}</h1>", False),
        ("<p>{{ name }} est arrivé</p>", True),
        ('<img src="x.png" alt="Logo du réseau">', True),
        ('<img src="x.png" alt="">', False),
        ("<nav aria-label=\"{{ _('Menu') }}\">", False),
        ('<input type="text" placeholder="Votre nom">', True),
        ('<input type="submit" value="Envoyer">', True),
        ('<a title="Aide" href="#">{{ _("Aide") }}</a>', True),
        ("{# un commentaire #}<pre><code>flask --app coopere init</code></pre>", False),
        ("{% if x %}<p>{{ _('Oui') }}</p>{% else %}<p>Non</p>{% endif %}", True),
        ("{% trans %}Bonjour{% endtrans %}", False),
        ("<!-- note pour les développeurs --><p>{{ x }} – {{ y }} : 12</p>", False),
        ('<button lang="en">Read this site in English</button>', False),
    ],
)
def test_template_check_catches_bare_text(snippet, bad):
    assert bool(untranslated_template_text(snippet)) is bad


# --- the interface in English -------------------------------------------------------------------


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory) -> Path:
    """The catalogues as they are now in the source tree, compiled (the .mo is not committed)."""
    out = tmp_path_factory.mktemp("translations")
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        target = out / po.relative_to(TRANSLATIONS).with_suffix(".mo")
        target.parent.mkdir(parents=True)
        with target.open("wb") as handle:
            write_mo(handle, read_catalog(po))
    return out


@pytest.fixture
def app(make_app, compiled_translations):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))


def test_the_app_reads_its_catalogues_where_the_english_one_lives(make_app):
    app = make_app()
    with app.app_context():
        from flask_babel import get_babel

        directories = [Path(d).resolve() for d in get_babel().translation_directories]
    assert TRANSLATIONS.resolve() in directories
    assert ENGLISH_PO.exists()


# French words of the base layout (header, menu, footer) that must not remain on an English page.
BASE_LAYOUT_FRENCH = (
    "Aller au contenu",
    "Menu principal",
    "Accueil",
    "Me connecter",
    "Me déconnecter",
    "Mon espace",
    "Mon compte",
    "Réglages",
    "Journal",
    "Read this site in English",
    "Un réseau d'entraide entre voisins",
)


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', page)
    assert match, "no <html lang> on the page"
    return match.group(1)


def french_leftovers(page: str) -> list[str]:
    """Base-layout French words and whole French sentences of the catalogue found on the page
    (except names the English keeps, like « Fête de la Coopération (cooperation party) »)."""
    found = [words for words in BASE_LAYOUT_FRENCH if words in page]
    for message in read_catalog(ENGLISH_PO):
        if (
            isinstance(message.id, str)
            and message.id
            and message.id not in message.string
            and "%" not in message.id
            and len(message.id.split()) >= 3
            and message.id in page
        ):
            found.append(message.id)
    return found


def assert_english(page: str) -> None:
    assert html_lang(page) == "en"
    assert not french_leftovers(page), french_leftovers(page)
    assert "Lire ce site en français" in page  # the way back, in French on purpose


def assert_french(page: str) -> None:
    assert html_lang(page) == "fr"
    assert "Read this site in English" in page
    assert "Aller au contenu" in page


@pytest.mark.parametrize("accept", ["en", "en-GB,en;q=0.9", "en-US,en;q=0.8,fr;q=0.5"])
def test_browser_asking_for_english_gets_english_public_pages(client, create_perimeter, accept):
    create_perimeter()
    headers = {"Accept-Language": accept}
    home = text(client.get("/", headers=headers))
    assert_english(home)
    for words in (
        "Log in",
        "Home",
        "Skip to the main content",
        "Our four principles",
        "Free of charge",
        "Reciprocity",
        "Neutrality",
        "Peace of mind",
        "café-rencontre (neighbourhood café)",
        "A network where neighbours in Nantes help each other",
    ):
        assert words in home
    assert "Coop-ère de la rue des Lilas" in home  # the network's own name is never translated

    login_page = text(client.get("/connexion", headers=headers))
    assert_english(login_page)
    assert "<h1>Log in</h1>" in login_page
    assert "Email address or phone number" in login_page and "Password" in login_page


def test_french_is_the_default(client, create_perimeter):
    create_perimeter()
    for accept in (None, "de-DE,de;q=0.9", "fr-FR,fr;q=0.9,en;q=0.8"):
        headers = {"Accept-Language": accept} if accept else {}
        page = text(client.get("/", headers=headers))
        assert_french(page)
        assert "Me connecter" in page and "Nos quatre principes" in page
        assert "Log in" not in page


def test_member_home_in_english_with_the_browser_language(client_as):
    client = client_as("member")
    page = text(client.get("/accueil", headers={"Accept-Language": "en"}))
    assert_english(page)
    for words in ("Hello Prénom1!", "My page", "My account", "Log out", "See my account"):
        assert words in page


def test_the_account_language_setting_wins_over_the_browser(
    app, client, create_user, create_perimeter
):
    create_perimeter()
    user = create_user(first_name="Odette", locale="en")
    assert login(client, user).status_code == 302
    page = text(client.get("/accueil"))  # no Accept-Language at all
    assert_english(page)
    assert "Hello Odette!" in page

    french = create_user(first_name="Marcel", locale="fr")
    assert login(client, french).status_code == 302
    assert_french(text(client.get("/accueil", headers={"Accept-Language": "en"})))


def test_choosing_english_on_the_account_page_sticks_to_the_account(app, client_as, users):
    client = client_as("admin")
    assert_french(text(client.get("/compte")))
    response = post_form(client, "/compte/langue", {"locale": "en"}, token_from="/compte")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert_english(page)
    assert "Your language is saved." in page  # the confirmation speaks the new language
    for path in ("/accueil", "/admin/perimetre", "/admin/groupe", "/admin/journal"):
        assert_english(text(client.get(path)))

    other_device = client_as("admin")  # a fresh session: only the account remembers
    assert_english(text(other_device.get("/accueil")))


def test_every_page_without_parameters_is_in_english_for_an_admin(app, client_as, users):
    """Each HTML page an admin can open from the menu, read in English, has no French left."""
    client = client_as("admin")
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.arguments or "GET" not in rule.methods:
            continue
        response = client.get(rule.rule, headers={"Accept-Language": "en"})
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = text(response)
        assert html_lang(page) == "en", rule.rule
        assert not french_leftovers(page), (rule.rule, french_leftovers(page))
        checked.append(rule.rule)
    assert {"/", "/accueil", "/compte", "/admin/perimetre", "/admin/groupe"} <= set(checked), (
        checked
    )


def test_footer_button_switches_language_for_a_visitor(client, create_perimeter):
    create_perimeter()
    assert_french(text(client.get("/connexion")))
    response = client.post(
        "/langue",
        data={"lang": "en", "next": "/connexion?", "csrf_token": csrf_token(client, "/connexion")},
    )
    assert response.status_code == 302
    assert response.headers["Location"].rstrip("?") == "/connexion"
    page = text(client.get("/connexion"))
    assert_english(page)
    assert "Log in" in page
    # The visitor's choice beats the browser's language, both ways.
    assert_english(text(client.get("/", headers={"Accept-Language": "fr"})))
    client.post("/langue", data={"lang": "fr", "csrf_token": csrf_token(client, "/")})
    assert_french(text(client.get("/", headers={"Accept-Language": "en"})))


def test_footer_button_without_csrf_token_changes_nothing(client, create_perimeter):
    create_perimeter()
    client.get("/")
    assert client.post("/langue", data={"lang": "en"}).status_code == 400
    assert_french(text(client.get("/")))


def test_footer_button_saves_the_choice_on_the_account(app, client_as, users):
    client = client_as("member")
    response = post_form(
        client, "/langue", {"lang": "en", "next": "/accueil"}, token_from="/accueil"
    )
    assert response.headers["Location"] == "/accueil"
    assert_english(text(client.get("/accueil")))
    with app.app_context():
        assert db.session.get(User, users["member"].id).locale == "en"


def test_form_errors_and_error_pages_are_in_english(client, create_perimeter):
    create_perimeter()
    headers = {"Accept-Language": "en"}
    client.get("/connexion", headers=headers)
    response = client.post(
        "/connexion",
        headers=headers,
        data={"login": "", "password": "", "csrf_token": csrf_token(client, "/connexion")},
    )
    page = text(response)
    assert "Please enter your email address or your phone number." in page
    assert "Please enter your password." in page
    assert "There are mistakes in the form." in page
    assert not french_leftovers(page)

    response = client.post(
        "/connexion",
        headers=headers,
        data={
            "login": "nobody@example.org",
            "password": "x" * 10,
            "csrf_token": csrf_token(client, "/connexion"),
        },
    )
    assert "Wrong email address, phone number or password." in text(response)

    missing = client.get("/nulle-part", headers=headers)
    assert missing.status_code == 404
    assert "Page not found" in text(missing) and "Page introuvable" not in text(missing)
    assert_english(text(missing))


def test_role_names_in_english_for_the_admin(client_as, users, app):
    with app.app_context():
        user = db.session.get(User, users["animator"].id)
        user.group_role = "pilote"
        db.session.commit()
    client = client_as("admin")
    page = text(client.get("/admin/groupe", headers={"Accept-Language": "en"}))
    assert_english(page)
    for words in ("Organising group", "Lead", "Co-lead", "Organiser", "Site administrator"):
        assert words in page


# --- dates and times ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("fr", "samedi 14 mars 2026"),
        ("en", "Saturday 14 March 2026"),
    ],
)
def test_long_date_in_each_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert long_date(date(2026, 3, 14)) == expected
        assert render_template_string("{{ d|long_date }}", d=date(2026, 3, 14)) == expected
        assert long_date(None) == ""


@pytest.mark.parametrize(
    "locale, stored, expected",
    [
        # Naive UTC in the database, Europe/Paris on the screen: summer time (UTC+2)…
        ("fr", datetime(2026, 7, 14, 8, 0), "mardi 14 juillet 2026 – 10:00"),
        ("en", datetime(2026, 7, 14, 8, 0), "Tuesday 14 July 2026 – 10:00"),
        # … winter time (UTC+1) …
        ("fr", datetime(2026, 1, 15, 8, 0), "jeudi 15 janvier 2026 – 09:00"),
        # … and a late evening in UTC that is already the next day in Paris.
        ("fr", datetime(2026, 7, 13, 22, 30), "mardi 14 juillet 2026 – 00:30"),
    ],
)
def test_long_datetime_shows_paris_time(app, locale, stored, expected):
    with app.test_request_context(), force_locale(locale):
        assert long_datetime(stored) == expected
        assert render_template_string("{{ d|long_datetime }}", d=stored) == expected


def test_long_date_of_a_utc_datetime_is_the_paris_day(app):
    with app.test_request_context(), force_locale("fr"):
        assert long_date(datetime(2026, 7, 13, 22, 30)) == "mardi 14 juillet 2026"
        assert long_date(datetime(2026, 3, 28, 23, 30)) == "dimanche 29 mars 2026"


def test_audit_log_times_are_shown_in_paris(app, client_as, users):
    client = client_as("admin")  # logging in writes an audit entry, stored in naive UTC
    with app.app_context():
        from sqlalchemy import select

        from coopere.audit.models import AuditEvent

        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        event.at = datetime(2026, 7, 14, 8, 0)
        db.session.commit()
    page = html.unescape(client.get("/admin/journal").get_data(as_text=True))
    assert "mardi 14 juillet 2026 – 10:00" in page
