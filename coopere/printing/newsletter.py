"""The newsletter on paper (« La lettre des voisins »): one A4 sheet printed recto-verso, in
large print (body 16 pt), with a QR code to the site. A copy for offline members (no address),
or a run with one copy per dwelling (its address and its own QR code), rendered like the
invitation letters: chunks in worker processes, merged in order (printing/letters.py)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

from .engine import filled, html_to_pdf, render_template, styles
from .merge import merge_pdfs
from .letters import IN_PROCESS_MAX_PAGES, MAX_ADDRESS_LINES, Progress, render_in_parallel
from .models import Perimeter, Recipient, with_query
from .qr import qr_png
from .stamp import NotStampable, stamp_copies

STYLESHEETS = ("base.css", "newsletter.css")
PAGES_PER_COPY = 2  # one sheet, recto-verso
OVERLAY_CHUNK = 50  # copies per overlay document of a stamped run


@dataclasses.dataclass(frozen=True)
class NewsletterPaper:
    """One issue, its texts already in French. `blocks`: (title, text) pairs in order; a text's
    blank lines are paragraphs, lines starting with « - » are list items."""

    perimeter: Perimeter
    name: str
    month_text: str  # « décembre 2026 »
    blocks: Sequence[tuple[str, str]]
    qr_url: str = ""  # the site's page the QR code opens (with ?ref= for a dwelling's copy)
    recipients: Sequence[Recipient] = ()  # a run to dwellings; empty: one copy without address
    title: str = ""
    summary_page: bool = False  # kept False: the run's page count is 2 per dwelling

    def qr_url_for(self, recipient: Recipient) -> str:
        if recipient.qr_url or not self.qr_url:
            return recipient.qr_url
        return (
            with_query(self.qr_url, ref=recipient.reference) if recipient.reference else self.qr_url
        )


def render_newsletter(paper: NewsletterPaper) -> bytes:
    """PDF of one copy, without address (offline members, sponsors): two A4 pages.
    Raises LayoutError when the texts need more than one sheet."""
    return _render_chunk(paper, [Recipient()])


def render_newsletter_copies(paper: NewsletterPaper, copies: int) -> bytes:
    """PDF of `copies` identical copies without address (a sponsor's, one per offline member
    they sponsor): rendered once, its two pages repeated, so 2 × copies pages."""
    if copies < 1:
        raise ValueError("Aucun exemplaire à imprimer.")
    one = render_newsletter(paper)
    return one if copies == 1 else merge_pdfs([one] * copies)


def render_newsletter_run(
    paper: NewsletterPaper, *, workers: int | None = None, progress: Progress | None = None
) -> bytes:
    """PDF of one copy per recipient (two pages each, in the recipients' order)."""
    copies = list(paper.recipients)
    if not copies:
        raise ValueError("Aucun exemplaire à imprimer : la liste des logements est vide.")
    for recipient in copies:
        if len(filled(recipient.address_lines)) > MAX_ADDRESS_LINES:
            raise ValueError("Adresse de plus de 6 lignes : " + " / ".join(recipient.address_lines))
    if len(copies) > 1:
        pdf = _render_stamped(paper, copies, progress)
        if pdf is not None:
            if progress:
                progress(len(copies), len(copies))
            return pdf
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(copies) * PAGES_PER_COPY <= IN_PROCESS_MAX_PAGES:
        pdf = _render_chunk(paper, copies)
        if progress:
            progress(len(copies), len(copies))
        return pdf
    styles(STYLESHEETS)  # parsed once here, so that forked workers start warm
    return render_in_parallel(paper, copies, workers, progress, _render_chunk)


def _paragraphs(text: str) -> list[dict[str, Any]]:
    """A block's text as paragraphs and lists."""
    parts: list[dict[str, Any]] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        items: list[str] = []
        for line in lines:
            if line.startswith("- "):
                items.append(line[2:])
                continue
            if items:
                parts.append({"entries": items, "text": ""})
                items = []
            parts.append({"entries": [], "text": line})
        if items:
            parts.append({"entries": items, "text": ""})
    return parts


#: Lines of 16 pt text the recto holds below its masthead and QR code, and characters a line
#: holds: the recto is filled with whole blocks up to this, the rest goes on the verso.
RECTO_LINES = 22
LINE_CHARS = 62


def _lines(text: str) -> int:
    """About how many printed lines a block's text takes (its title counts two)."""
    return 2 + sum(1 + len(line) // LINE_CHARS for line in text.splitlines() if line.strip())


def _cost(line: str) -> int:
    return 1 + len(line) // LINE_CHARS if line.strip() else 0


def _sides(blocks: list[tuple[str, str]]) -> tuple[list, list]:
    """The (title, text) blocks of the recto and of the verso: the recto is filled up to
    RECTO_LINES, the block that does not fit is cut between two lines and goes on « (suite) »
    on the verso. Each side starts its own page, so a copy is always two pages; a verso too
    full spills over and the engine refuses it (LayoutError)."""
    recto: list[tuple[str, str]] = []
    used = 0
    for index, (title, text) in enumerate(blocks):
        size = _lines(text)
        if used + size <= RECTO_LINES:
            recto.append((title, text))
            used += size
            continue
        lines, head, room = text.splitlines(), [], RECTO_LINES - used - 2
        for line in lines:
            if sum(_cost(kept) for kept in head) + _cost(line) > room:
                break
            head.append(line)
        if not any(line.strip() for line in head):
            return recto, blocks[index:]
        rest = "\n".join(lines[len(head) :]).strip()
        recto.append((title, "\n".join(head)))
        return recto, ([(f"{title} (suite)", rest)] if rest else []) + list(blocks[index + 1 :])
    return recto, []


def _copies(paper: NewsletterPaper, recipients: Sequence[Recipient]) -> tuple[list, dict]:
    """What differs from one copy to the next, for the template, and the QR code images."""
    memory: dict[str, bytes] = {}
    keys: dict[str, str] = {}  # QR data -> memory key; identical codes share one image
    copies = []
    for recipient in recipients:
        data = paper.qr_url_for(recipient)
        src = ""
        if data:
            if data not in keys:
                keys[data] = key = f"qr/{len(keys)}"
                memory[key] = qr_png(data)
            src = "coopere-mem:" + keys[data]
        copies.append(
            {"lines": filled(recipient.address_lines), "reference": recipient.reference, "qr": src}
        )
    return copies, memory


def _html(paper: NewsletterPaper, copies: list, layer: str = "") -> str:
    """The copies' HTML. `layer`: "" for whole copies; "shared" for the pages without what
    differs between copies (laid out, invisible); "overlay" for only what differs, one page
    per copy, everything else laid out the same but invisible."""
    return render_template(
        "newsletter.html",
        title=paper.title or f"{paper.name} — {paper.month_text}",
        perimeter=paper.perimeter,
        letter_name=paper.name,
        month_text=paper.month_text,
        sides=[
            [{"title": title.strip(), "parts": _paragraphs(text)} for title, text in side]
            for side in _sides(
                [(title, text) for title, text in paper.blocks if title.strip() or text.strip()]
            )
        ],
        copies=copies,
        layer=layer,
        contact_lines=filled(paper.perimeter.contact.splitlines()),
    )


def _render_chunk(paper: NewsletterPaper, recipients: Sequence[Recipient]) -> bytes:
    copies, memory = _copies(paper, recipients)
    return html_to_pdf(
        _html(paper, copies), STYLESHEETS, memory, expected_pages=PAGES_PER_COPY * len(copies)
    )


def _shape(copy: dict[str, Any]) -> tuple[bool, bool, bool]:
    return bool(copy["lines"]), bool(copy["qr"]), bool(copy["reference"])


def _render_stamped(
    paper: NewsletterPaper, recipients: Sequence[Recipient], progress: Progress | None
) -> bytes | None:
    """The run as stamped copies (printing/stamp.py): the shared pages laid out once, one
    overlay page per copy with its address, reference and QR code, in chunks of OVERLAY_CHUNK
    copies (a 500-page document would hold the layout of every page in memory at once). None
    when the copies do not all have the same elements (their layouts could then differ)."""
    copies, memory = _copies(paper, recipients)
    if len({_shape(copy) for copy in copies}) != 1:
        return None
    shared = html_to_pdf(
        _html(paper, copies[:1], "shared"), STYLESHEETS, memory, expected_pages=PAGES_PER_COPY
    )
    overlays = []
    for start in range(0, len(copies), OVERLAY_CHUNK):
        chunk = copies[start : start + OVERLAY_CHUNK]
        overlays.append(
            html_to_pdf(_html(paper, chunk, "overlay"), STYLESHEETS, memory, len(chunk))
        )
        if progress and start + len(chunk) < len(copies):
            progress(start + len(chunk), len(copies))
    try:
        return stamp_copies(shared, overlays)
    except NotStampable:
        return None
