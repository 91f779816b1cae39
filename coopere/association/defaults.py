"""The network's defaults (« Textes communs »): the charter, the themes and the invitation
letter's text every new perimeter starts from, edited by the coordination in one place
(NetworkDefault rows) and handed to coopere/network/create.py as StartingTexts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..listings.themes import DEFAULT_THEMES
from ..network import registry
from ..network.create import StartingTexts
from ..perimeter.services import DEFAULT_CHARTER
from ..sheets.services import slugify
from ..printing import TemplateError, fill_letter_template
from ..printruns.letter import DEFAULT_LETTER, PLACEHOLDER_HELP
from . import audit
from .models import NetworkDefault
from .store import db_session

KEYS = ("charter", "themes", "letter_text")
LABELS = {
    "charter": _l("la charte"),
    "themes": _l("les thèmes"),
    "letter_text": _l("le texte de la lettre d'invitation"),
}
MAX_THEMES = 60
SEPARATOR = "|"


class DefaultsError(ValueError):
    """A text that cannot become a default; the message says why, in French; `key`: which."""

    def __init__(self, message, key: str = ""):
        super().__init__(message)
        self.key = key


def themes_text(rows) -> str:
    """Themes as the page shows them: one a line, « français | English | exemples | examples »."""
    return "\n".join(
        f" {SEPARATOR} ".join(part for part in row if part is not None).rstrip(f" {SEPARATOR}")
        for row in rows
    )


def parse_themes(text: str) -> tuple[tuple[str, str, str, str], ...]:
    """The themes of the page's text; DefaultsError naming the first wrong line."""
    rows, seen = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(SEPARATOR)]
        if len(parts) > 4:
            raise DefaultsError(
                _l("Ligne %(n)d : quatre parties au plus, séparées par « | ».", n=number)
            )
        parts += [""] * (4 - len(parts))
        label_fr, label_en, hint_fr, hint_en = parts
        if not label_fr:
            raise DefaultsError(_l("Ligne %(n)d : le nom du thème en français manque.", n=number))
        if len(label_fr) > 80 or len(label_en) > 80:
            raise DefaultsError(
                _l("Ligne %(n)d : un nom de thème a 80 caractères au plus.", n=number)
            )
        if len(hint_fr) > 200 or len(hint_en) > 200:
            raise DefaultsError(
                _l("Ligne %(n)d : des exemples ont 200 caractères au plus.", n=number)
            )
        if label_fr.casefold() in seen:
            raise DefaultsError(
                _l(
                    "Ligne %(n)d : le thème « %(name)s » est déjà plus haut.",
                    n=number,
                    name=label_fr,
                )
            )
        seen.add(label_fr.casefold())
        rows.append((label_fr, label_en, hint_fr, hint_en))
    if not rows:
        raise DefaultsError(_l("Indiquez au moins un thème."))
    if len(rows) > MAX_THEMES:
        raise DefaultsError(_l("%(n)d thèmes au plus.", n=MAX_THEMES))
    return tuple(rows)


def check_letter(text: str) -> None:
    """TemplateError's French message as a DefaultsError: unknown or malformed placeholders."""
    try:
        fill_letter_template(text, dict.fromkeys(PLACEHOLDER_HELP, ""))
    except TemplateError as error:
        raise DefaultsError(str(error)) from error


def built_in() -> dict[str, str]:
    """The method's own texts, what a perimeter starts from while no default is set."""
    return {
        "charter": DEFAULT_CHARTER,
        "themes": themes_text(
            (fr, en, hint_fr, hint_en) for _, fr, en, hint_fr, hint_en in DEFAULT_THEMES
        ),
        "letter_text": DEFAULT_LETTER,
    }


def _stored(session) -> dict[str, NetworkDefault]:
    return {row.key: row for row in session.scalars(select(NetworkDefault))}


def current() -> dict[str, NetworkDefault]:
    """The defaults set, by key (a key missing: the built-in text)."""
    return _stored(db_session())


def save(values: dict[str, str], *, account) -> list[str]:
    """Check then store the texts (all or nothing); the keys changed, each audited. A text equal
    to the built-in one is stored too: it stays the network's even if the program's changes."""
    cleaned = {}
    for key in KEYS:
        text = (values.get(key) or "").replace("\r\n", "\n").strip()
        if not text:
            raise DefaultsError(_l("Le texte de %(what)s est vide.", what=LABELS[key]), key)
        cleaned[key] = text
    try:
        parse_themes(cleaned["themes"])
    except DefaultsError as error:
        raise DefaultsError(str(error), "themes") from error
    try:
        check_letter(cleaned["letter_text"])
    except DefaultsError as error:
        raise DefaultsError(str(error), "letter_text") from error
    rows = current()
    texts = {key: rows[key].value if key in rows else built_in()[key] for key in KEYS}
    changed = [key for key in KEYS if cleaned[key] != texts[key] or key not in rows]
    for key in changed:
        row = rows.get(key)
        if row is None:
            row = NetworkDefault(key=key, value=cleaned[key])
            db_session().add(row)
        row.value, row.updated_at, row.account_id = cleaned[key], registry.now(), account.id
        audit.record("defaults.updated", account=account, target=key, detail=str(LABELS[key]))
    return changed


def starting_texts(session=None) -> StartingTexts:
    """What a new perimeter starts from: the defaults set (the built-in text for the others)."""
    rows = _stored(session or db_session())
    return StartingTexts(
        charter=rows["charter"].value if "charter" in rows else "",
        letter=rows["letter_text"].value if "letter_text" in rows else "",
        themes=parse_themes(rows["themes"].value) if "themes" in rows else (),
    )


def network_starting_texts(network) -> StartingTexts:
    """The same outside a request (the `perimeters create` command)."""
    with registry.session(network) as session:
        return starting_texts(session)


def theme_choices(keep: str = "") -> list[tuple[str, str]]:
    """The themes a project launched from a network's sheet may go in, as (slug, French name):
    the network's common themes with the slug a new perimeter gives each, and `keep` (the
    sheet's own) if it is no longer among them."""
    seeded = {label_fr.casefold(): slug for slug, label_fr, *_rest in DEFAULT_THEMES}
    stored = current().get("themes")
    if stored is None:
        choices = [(slug, label_fr) for slug, label_fr, *_rest in DEFAULT_THEMES]
    else:
        choices = [
            (seeded.get(label_fr.casefold()) or slugify(label_fr)[:40], label_fr)
            for label_fr, *_rest in parse_themes(stored.value)
        ]
    if keep and keep not in {slug for slug, _label in choices}:
        choices.append((keep, keep))
    return choices
