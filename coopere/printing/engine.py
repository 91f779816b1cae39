"""HTML to PDF: the Jinja environment, cached stylesheets and fonts, and the WeasyPrint call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import pydyf
from fontTools.ttLib import TTFont  # a WeasyPrint dependency
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from .fetcher import STATIC_ROOT, ResourceRefused, StaticOnlyFetcher, static_url

TEMPLATES_ROOT = Path(__file__).resolve().parents[2] / "templates"

#: Tagged PDF (structure tree, /Lang, title shown in the window bar). WeasyPrint 70 writes
#: PDF/UA-1 metadata and tags without errors; no external validator is run here.
PDF_VARIANT = "pdf/ua-1"

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_ROOT),
    autoescape=True,  # every value is user data: street names, letter text…
    undefined=jinja2.StrictUndefined,  # a typo in a template fails loudly, not blank
    trim_blocks=True,
    lstrip_blocks=True,
)


def _flatten_line_spans(document: Any, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: tag each line of text as marked content of its paragraph.

    WeasyPrint wraps every line of text in its own /Span structure element: half of a
    letter's structure elements, which a 500-letter run then parses, copies and writes
    again when merging. A paragraph may hold its marked content directly, so those Spans
    go (left as empty dictionaries, since pydyf numbers objects by position); the reading
    order and the text are unchanged.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return
    objects = pdf.objects

    def resolve(reference: bytes) -> Any:
        return objects[int(reference.split()[0])]

    root = resolve(pdf.catalog["StructTreeRoot"])
    parent_of: dict[bytes, bytes] = {}  # removed Span -> element now holding its content
    pending = [resolve(reference) for reference in root["K"]]
    while pending:
        element = pending.pop()
        kids = element.get("K")
        if not isinstance(kids, list):
            continue
        for index, kid in enumerate(kids):
            if not isinstance(kid, bytes):
                continue  # already a marked-content id
            child = resolve(kid)
            if (
                child.get("S") == "/Span"
                and element.get("S") != "/Link"
                and set(child) == {"Type", "S", "K", "Pg", "P"}
                and len(child["K"]) == 1
                and isinstance(child["K"][0], int)
                and child["Pg"] == element.get("Pg")
            ):
                kids[index] = child["K"][0]
                parent_of[kid] = element.reference
                child.clear()
            else:
                pending.append(child)
    parent_tree = resolve(root["ParentTree"])["Nums"]
    for entry in parent_tree[1::2]:
        if isinstance(entry, list):
            entry[:] = [parent_of.get(reference, reference) for reference in entry]


@lru_cache(maxsize=2)
def _advances(bold: bool) -> tuple[dict[int, int], int, int]:
    """Advance widths by code point of the shipped font, its units per em, and a fallback."""
    name = "AtkinsonHyperlegible-Bold.ttf" if bold else "AtkinsonHyperlegible-Regular.ttf"
    with TTFont(STATIC_ROOT / "fonts" / name) as font:
        metrics = font["hmtx"].metrics
        widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, font["head"].unitsPerEm, max(widths.values())


def text_width_mm(
    text: str, size_pt: float, bold: bool = False, letter_spacing_em: float = 0.0
) -> float:
    """Width of one line of text set in Atkinson Hyperlegible, in millimetres.

    Sum of the glyphs' advances (kerning ignored: it changes a line by a few hundredths),
    for checking that a one-line text fits a fixed box before it is clipped.
    """
    widths, units, widest = _advances(bold)
    ems = sum(widths.get(ord(char), widest) for char in text) / units
    ems += letter_spacing_em * len(text)
    return ems * size_pt * 25.4 / 72


class LayoutError(ValueError):
    """The content does not fit the page layout (e.g. a letter longer than one page)."""


def require(what: str, fields: Iterable[tuple[str, object]], *, joiner: str = ", ") -> None:
    """ValueError in French when a text a printout needs is empty: « `what` : il manque le
    prénom, la date. », naming each empty one by its label."""
    missing = [label for label, value in fields if not value]
    if missing:
        raise ValueError(f"{what} : il manque " + joiner.join(missing) + ".")


def render_template(name: str, **context: Any) -> str:
    """HTML of a template under templates/printing/; every printout is in French."""
    return _environment.get_template(f"printing/{name}").render(lang="fr", **context)


def event_heading(sheet: Any, kind: str) -> dict[str, Any]:
    """What a sheet about one event says of it, for its template: the event's title, date, time
    and place (stripped), the network, and the PDF title « `kind` — event — date » unless the
    sheet names its own."""
    event_title = sheet.event_title.strip()
    date_text = sheet.date_text.strip()
    return {
        "title": sheet.title or f"{kind} — {event_title} — {date_text}",
        "perimeter": sheet.perimeter,
        "event_title": event_title,
        "date_text": date_text,
        "time_text": sheet.time_text.strip(),
        "place": sheet.place.strip(),
    }


def filled(lines: Iterable[str]) -> list[str]:
    """The lines stripped, the blank ones left out."""
    return [line.strip() for line in lines if line.strip()]


class _Styles:
    """Parsed stylesheets and the font configuration they registered.

    Parsing CSS and loading fonts costs more than laying out a short document, so a process
    does it once; workers forked for a letter run inherit the parent's copy. (The font
    configuration deletes its temporary font folder only when garbage-collected, which
    never happens in a worker: it ends with os._exit.)
    """

    def __init__(self, names: tuple[str, ...]):
        self.font_config = FontConfiguration()
        fetcher = StaticOnlyFetcher()
        self.stylesheets = [
            CSS(url=static_url(f"print/{name}"), url_fetcher=fetcher, font_config=self.font_config)
            for name in names
        ]


@lru_cache(maxsize=8)
def styles(names: tuple[str, ...]) -> _Styles:
    """The parsed stylesheets of static/print/ ``names``, cached for the process."""
    return _Styles(names)


def html_to_pdf(
    html: str,
    stylesheets: tuple[str, ...],
    memory: Mapping[str, bytes] | None = None,
    expected_pages: int | None = None,
) -> bytes:
    """PDF bytes of an HTML string, styled by files of static/print/.

    ``memory`` holds in-memory resources (QR code PNGs) served as ``coopere-mem:<key>``.
    With ``expected_pages``, a different page count raises LayoutError (content overflow).
    """
    parsed = styles(stylesheets)
    fetcher = StaticOnlyFetcher(memory)
    try:
        document = HTML(string=html, url_fetcher=fetcher).render(
            font_config=parsed.font_config, stylesheets=parsed.stylesheets, pdf_variant=PDF_VARIANT
        )
        if expected_pages is not None and len(document.pages) != expected_pages:
            raise LayoutError(
                f"La mise en page donne {len(document.pages)} pages au lieu de "
                f"{expected_pages} : le texte est probablement trop long pour tenir "
                "sur une page. Raccourcissez-le."
            )
        return document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_flatten_line_spans)
    except FatalURLFetchingError as error:
        # WeasyPrint wraps our refusal in a BaseException; give callers a normal error.
        cause = error.__cause__
        if isinstance(cause, ResourceRefused):
            raise ResourceRefused(str(cause)) from cause
        raise ResourceRefused(str(error)) from error
