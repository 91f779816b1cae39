"""The letter's wording: filling the admin's template with {placeholders}, and its paragraphs."""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup

from .models import Event

# "{{" and "}}" are literal braces; "{name}" is a placeholder; any other brace is a mistake.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"\w+")


class TemplateError(ValueError):
    """The letter template cannot be filled; the message is meant for the admin, in French."""


def event_placeholders(event: Event) -> dict[str, str]:
    """Standard placeholder values for a letter about ``event`` (names in French)."""
    perimeter = event.perimeter
    return {
        "evenement": event.kind,
        "date": event.date_text,
        "heure": event.time_text,
        "lieu": event.place,
        "lieu_pluie": event.rain_place,
        "perimetre": perimeter.name,
        "commune": perimeter.city,
        "signature": perimeter.signature,
        "contact": perimeter.contact,
    }


def fill_letter_template(template_text: str, values: Mapping[str, object]) -> str:
    """Template text with each ``{name}`` replaced by ``values[name]``.

    Write ``{{`` and ``}}`` for literal braces. Unknown names, malformed placeholders and
    lone braces raise TemplateError listing every problem at once, so the admin fixes the
    template in one go. Values are plain text (the renderer escapes them for HTML).
    """
    unknown: list[str] = []
    malformed: list[str] = []
    lone: list[int] = []
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(template_text):
        parts.append(template_text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
        elif token in ("{", "}"):
            lone.append(template_text.count("\n", 0, match.start()) + 1)
        else:
            name = match.group(1).strip()
            if not _NAME.fullmatch(name):
                malformed.append(token)
            elif name not in values:
                unknown.append(token)
            else:
                value = values[name]
                parts.append("" if value is None else str(value))
    parts.append(template_text[position:])

    problems = []
    if unknown:
        problems.append(
            "Champ(s) inconnu(s) dans le modèle de lettre : "
            + ", ".join(dict.fromkeys(unknown))
            + ". Champs disponibles : "
            + ", ".join(f"{{{name}}}" for name in sorted(values))
            + "."
        )
    if malformed:
        problems.append(
            "Champ(s) mal écrit(s) : "
            + ", ".join(dict.fromkeys(malformed))
            + " (un champ s'écrit comme {date}, en lettres sans espace)."
        )
    if lone:
        lines = ", ".join(str(line) for line in dict.fromkeys(lone))
        problems.append(
            f"Accolade isolée à la ligne {lines} : écrivez {{{{ ou }}}} pour imprimer une accolade."
        )
    if problems:
        raise TemplateError(" ".join(problems))
    return "".join(parts)


def paragraphs_html(text: str) -> Markup:
    """Escaped HTML paragraphs: a blank line separates paragraphs.

    A single newline stays in the text: the stylesheet's ``white-space: pre-line`` breaks
    the line there, which costs less than a ``<br>`` element on a 500-page run.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = (p.strip() for p in re.split(r"\n[ \t]*\n", text))
    return Markup("").join(Markup('<p class="text">{}</p>\n').format(p) for p in paragraphs if p)
