"""Invitation letters, one A4 page per dwelling, rendered in parallel chunks for big runs."""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from .engine import filled, html_to_pdf, render_template, styles
from .letter_text import paragraphs_html
from .merge import PdfMerger, merge_pdfs
from .models import LetterRun, Recipient
from .qr import qr_png

Progress = Callable[[int, int], None]

#: Runs up to this many pages render in the calling process: starting workers costs more.
IN_PROCESS_MAX_PAGES = 40
#: Most pages in one chunk sent to a worker: keeps a worker's memory low (about 100 MiB)
#: while per-document costs (HTML parsing, PDF writing, merging) stay small.
CHUNK_PAGES = 50
#: La Poste: at most 6 address lines (of at most 38 characters).
MAX_ADDRESS_LINES = 6
#: Longest line the window holds at the smallest address size (10 pt) without wrapping.
MAX_ADDRESS_LINE_LENGTH = 46

_STYLESHEETS = ("base.css", "letters.css")
_LEADING_NUMBER = re.compile(r"^\d+\s*(bis|ter|quater|[a-z])?\b\s*,?\s*", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class _Page:
    """One letter page: what differs from one dwelling to the next."""

    lines: tuple[str, ...]
    reference: str
    qr_data: str


def render_letters(
    run: LetterRun,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> bytes:
    """PDF of a letter run: the summary page(s) if asked, one page per recipient (in the
    given order), then ``run.unaddressed_copies`` pages without address.

    ``workers``: processes for big runs (default: CPU count; 1 renders in this process).
    ``progress(done, total)`` counts letters; it is called as chunks finish, last with
    done == total.
    Raises ValueError (TemplateError, LayoutError, ResourceRefused are subclasses).
    """
    pages = _pages(run)
    if not pages:
        raise ValueError("Aucune lettre à imprimer : la liste des destinataires est vide.")
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(pages) <= IN_PROCESS_MAX_PAGES:
        pdf = _render_chunk(run, pages)
        if progress:
            progress(len(pages), len(pages))
        return merge_pdfs([_render_summary(run), pdf]) if run.summary_page else pdf
    return _render_parallel(run, pages, workers, progress)


def _pages(run: LetterRun) -> list[_Page]:
    pages = []
    for recipient in run.recipients:
        lines = tuple(filled(recipient.address_lines))
        if len(lines) > MAX_ADDRESS_LINES:
            raise ValueError(
                f"Adresse de {len(lines)} lignes ({MAX_ADDRESS_LINES} au plus) : "
                + " / ".join(lines)
            )
        if any(len(line) > MAX_ADDRESS_LINE_LENGTH for line in lines):
            raise ValueError(
                f"Ligne d'adresse de plus de {MAX_ADDRESS_LINE_LENGTH} caractères, trop "
                "longue pour la fenêtre de l'enveloppe : " + " / ".join(lines)
            )
        pages.append(_Page(lines, recipient.reference, run.qr_url_for(recipient)))
    generic = run.qr_url_for(Recipient())
    pages.extend(_Page((), "", generic) for _ in range(run.unaddressed_copies))
    return pages


def _summary(run: LetterRun) -> dict[str, Any]:
    """Figures for the distributors' first page: letters in all, and per street."""
    streets: Counter[str] = Counter()
    for recipient in run.recipients:
        streets[recipient.street or _street_of(recipient.address_lines)] += 1
    addressed = len(run.recipients)
    return {
        "letters": addressed + run.unaddressed_copies,
        "unaddressed": run.unaddressed_copies,
        "streets": sorted(streets.items(), key=lambda item: item[0].casefold()),
    }


def _street_of(address_lines: Sequence[str]) -> str:
    """Street of an address whose caller gave none: the line before the postcode line."""
    lines = filled(address_lines)
    if len(lines) < 2:
        return "(adresse incomplète)"
    return _LEADING_NUMBER.sub("", lines[-2]) or lines[-2]


def _address_size(lines: Sequence[str]) -> str:
    """CSS class shrinking long or 6-line addresses so they fit the envelope window
    without wrapping (12 pt fits about 38 average characters in its 75 mm)."""
    longest = max((len(line) for line in lines), default=0)
    if len(lines) >= MAX_ADDRESS_LINES or longest > 38:
        return "tiny"
    if longest > 34:
        return "small"
    return ""


def _default_subject(run: LetterRun) -> str:
    return f"invitation {_article(run.event.kind)}{run.event.kind} du {run.event.date_text}"


def _article(kind: str) -> str:
    # « à l'apéro-info », « au café-rencontre »: elision before a vowel or a mute h.
    return "à l’" if kind[:1].lower() in "aeiouyhàâéèêîôû" else "au "


def _render_summary(run: LetterRun) -> bytes:
    """The distributors' summary: as many pages as the list of streets needs."""
    return html_to_pdf(_letters_html(run, [], _summary(run)), _STYLESHEETS)


def _render_chunk(run: LetterRun, pages: Sequence[_Page]) -> bytes:
    """PDF of some letter pages, in this process (a worker's task in big runs)."""
    memory: dict[str, bytes] = {}
    keys: dict[str, str] = {}  # QR data -> memory key; identical codes share one image
    letters = []
    for page in pages:
        src = ""
        if page.qr_data:
            if page.qr_data not in keys:
                keys[page.qr_data] = key = f"qr/{len(keys)}"
                memory[key] = qr_png(page.qr_data)
            src = "coopere-mem:" + keys[page.qr_data]
        letters.append(
            {
                "lines": page.lines,
                "size": _address_size(page.lines),
                "reference": page.reference,
                "qr": src,
            }
        )
    # One page per letter: more pages means a letter's text ran onto a second page.
    return html_to_pdf(
        _letters_html(run, letters, None), _STYLESHEETS, memory, expected_pages=len(pages)
    )


def _letters_html(
    run: LetterRun, letters: list[dict[str, Any]], summary: dict[str, Any] | None
) -> str:
    event = run.event
    return render_template(
        "letters.html",
        title=run.title or f"Lettres d’invitation — {event.kind} du {event.date_text}",
        perimeter=run.perimeter,
        event=event,
        subject=run.subject or _default_subject(run),
        body_html=paragraphs_html(run.body),
        summary=summary,
        letters=letters,
    )


def _render_parallel(
    run: LetterRun, pages: list[_Page], workers: int, progress: Progress | None
) -> bytes:
    return render_in_parallel(run, pages, workers, progress, _render_chunk)


def render_in_parallel(
    run: Any, pages: list, workers: int, progress: Progress | None, render_chunk: Callable
) -> bytes:
    """Render chunks in worker processes and merge them in order as they arrive.
    `render_chunk(light_run, chunk) -> bytes` runs in a worker; `run` is a frozen dataclass
    with `recipients` (left out of what workers get) and `summary_page`; the newsletter's
    paper run (printing/newsletter.py) uses it too."""
    size = chunk_size(len(pages), workers)
    chunks = [pages[i : i + size] for i in range(0, len(pages), size)]
    # Workers get the run without its recipient list: their chunk is all they need.
    light_run = dataclasses.replace(run, recipients=())
    results: dict[int, bytes] = {}
    merger = PdfMerger()
    merged = done = 0
    styles(_STYLESHEETS)  # parsed once here, so that forked workers start warm
    pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=_start_context())
    try:
        futures: dict[Future[bytes], int] = {
            pool.submit(render_chunk, light_run, chunk): index for index, chunk in enumerate(chunks)
        }
        if run.summary_page:  # rendered here while the workers start on the letters
            merger.append(_render_summary(run))
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = futures[future]
                results[index] = future.result()  # re-raises a worker's error here
                done += len(chunks[index])
                if progress:
                    progress(done, len(pages))
            # Merge while later chunks are still rendering; order stays the chunks' order.
            while merged in results:
                merger.append(results.pop(merged))
                merged += 1
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return merger.write()


def chunk_size(pages: int, workers: int) -> int:
    """Pages per chunk: at least two chunks per worker, so that no core sits idle at the end
    while another renders a big last chunk; at most CHUNK_PAGES."""
    return max(1, min(CHUNK_PAGES, math.ceil(pages / (2 * workers))))


def _start_context() -> multiprocessing.context.BaseContext:
    """'fork' when this process runs a single thread: workers start at once, with WeasyPrint
    imported and the stylesheets parsed. Otherwise 'forkserver' (workers import once each),
    since forking a process whose other threads may hold locks can deadlock the child."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _single_threaded():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _single_threaded() -> bool:
    try:  # counts threads started by C libraries too, which `threading` cannot see
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1
