"""Every printout with a table keeps each word of its cells whole: a column is never made
narrower by cutting its heading (« Logeme|nts », « Memb|res ») or a name in two.

Each kind of PDF the app prints with a table is rendered from the demo perimeter (or, for the
letters' summary, from plain data), the words of its table cells are read from the HTML it was
made of, and each must come out of pdftotext as a whole word. (A break after a hyphen, as in
« Marie-|Thérèse », is allowed.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from datetime import datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from coopere.auth.models import User
from coopere.events.models import Event
from coopere.extensions import db
from coopere.printing import engine, render_letters
from helpers import login, post_form

CELLS = ("th", "td", "caption")


class _CellWords(HTMLParser):
    """The words of the table cells (th, td, caption) of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in CELLS:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in CELLS and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.words += _words(data)


def _words(text: str) -> list[str]:
    """Words split on spaces and hyphens (a line may end after a hyphen), NFKC (ligatures)."""
    return [word for word in re.split(r"[\s\-‐‑]+", unicodedata.normalize("NFKC", text)) if word]


def _printed_words(pdf: bytes) -> list[str]:
    """The PDF's words in drawing order (pdftotext -raw): a cell's lines follow each other."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return _words(out)


@pytest.fixture
def printed_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every PDF rendered from now on, in order (a printout may try a layout, then
    another)."""
    pages: list[str] = []
    real = engine.HTML

    def recording(*args, string: str, **kwargs):
        pages.append(string)
        return real(*args, string=string, **kwargs)

    monkeypatch.setattr(engine, "HTML", recording)
    return pages


def broken_words(pdf: bytes, html: str) -> list[str]:
    """The words of the table cells that the PDF prints cut in two or three (« Logem|ents »):
    consecutive printed words that, put together, make a word of a cell."""
    reader = _CellWords()
    reader.feed(html)
    assert reader.words, "this printout has no table"
    words = {
        word for word in reader.words if len(word) >= 3 and any(char.isalpha() for char in word)
    }
    printed = _printed_words(pdf)
    return sorted(
        {
            "|".join(printed[start : start + parts])
            for parts in (2, 3)
            for start in range(len(printed) - parts + 1)
            if "".join(printed[start : start + parts]) in words
        }
    )


def test_no_printout_cuts_a_word_of_its_tables(app, demo, make_run, printed_html) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with app.app_context():
        now = datetime.now()
        cafe = db.session.scalar(
            select(Event)
            .where(Event.kind == "cafe", Event.starts_at > now)
            .order_by(Event.starts_at)
        )
        offline = db.session.scalar(
            select(User).where(User.has_internet.is_(False)).order_by(User.id)
        )
        cafe_id, offline_id, year = cafe.id, offline.id, now.year
    client = app.test_client()
    assert login(client, "pilote@example.org").status_code == 302
    printouts = {
        "rapport d’activité": lambda: client.get(f"/bilan/rapport-annuel/{year}.pdf").data,
        "feuille de présence": lambda: client.get(f"/cafe/{cafe_id}/feuille.pdf").data,
        "tableau des tâches": lambda: client.get(f"/groupe/tableau/{cafe_id}.pdf").data,
        "récépissé d’inscription": lambda: client.get(f"/membres/{offline_id}/recepisse.pdf").data,
        "données d’un membre": lambda: client.get(f"/membres/{offline_id}/donnees.pdf").data,
        "formulaire d’inscription": lambda: (
            post_form(
                client,
                "/inscription/formulaires",
                {"copies": 1},
                token_from="/inscription/formulaires",
            ).data
        ),
        "lettres (récapitulatif)": lambda: render_letters(
            make_run(12, summary_page=True), workers=1
        ),
    }
    broken = {}
    for kind, print_it in printouts.items():
        printed_html.clear()
        pdf = print_it()
        assert pdf.startswith(b"%PDF") and printed_html, kind
        broken[kind] = broken_words(pdf, printed_html[-1])  # the last try is the one printed
    assert broken == {kind: [] for kind in printouts}
