"""Invitation letters: every dwelling once, in order, QR codes that scan, address in the window."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from coopere.printing import LayoutError, LetterRun, Recipient, render_letters
from coopere.printing import letters as letters_module

# French DL envelope (110 × 220 mm) window, from the top-left corner of the A4 letter
# folded in three: x 110–195 mm, y 50–83 mm. A folded letter moves about 2–3 mm inside the
# envelope, so the address must keep this clearance from every edge of the window.
WINDOW = (110.0, 50.0, 195.0, 83.0)
CLEARANCE_X, CLEARANCE_Y = 3.0, 2.0

BASE = "https://bottiere.example.org/lettre"
QR_AREA = (100, 85, 110, 120)  # mm: right part of the event box, wherever the text puts it
FRENCH = "é è ê ë à â ç ô ù û ü ÿ œ æ « » € ’ É È À Ç Œ Ê Ë Â Ô Ù Û Ü Ÿ Æ Î Ï î ï …"
SENTENCE = "L’Haÿ-les-Roses : « Œuvre de Noël », 5 € — ça, c’est l’été à Ÿ ÆSOP…"


@pytest.fixture(scope="module")
def small_run(make_run: Callable[..., LetterRun]) -> LetterRun:
    return make_run(12, summary_page=True, unaddressed_copies=2)


@pytest.fixture(scope="module")
def small_pdf(small_run: LetterRun) -> bytes:
    calls: list[tuple[int, int]] = []
    pdf = render_letters(small_run, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(14, 14)]  # letters, the summary aside
    return pdf


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes from 5 pages on, 5 pages a chunk: the parallel path, quickly."""
    monkeypatch.setattr(letters_module, "IN_PROCESS_MAX_PAGES", 4)
    monkeypatch.setattr(letters_module, "CHUNK_PAGES", 5)


@pytest.fixture(scope="module")
def big_run(make_run: Callable[..., LetterRun]) -> LetterRun:
    return make_run(14, summary_page=True)


@pytest.fixture(scope="module")
def big_render(big_run: LetterRun) -> tuple[bytes, list[tuple[int, int]]]:
    """Rendered by worker processes in chunks of 4 letters, then merged."""
    calls: list[tuple[int, int]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(letters_module, "IN_PROCESS_MAX_PAGES", 4)
        patch.setattr(letters_module, "CHUNK_PAGES", 5)
        pdf = render_letters(
            big_run, workers=2, progress=lambda done, total: calls.append((done, total))
        )
    return pdf, calls


def street_line(recipient: Recipient) -> str:
    return recipient.address_lines[-2]


def test_one_page_per_dwelling_each_address_exactly_once(
    small_run: LetterRun, small_pdf: bytes, page_texts: Callable
) -> None:
    pages = page_texts(small_pdf)
    assert len(pages) == 1 + 12 + 2
    lines = Counter(line.strip() for page in pages for line in page.splitlines())
    for number, recipient in enumerate(small_run.recipients, start=2):
        page_lines = pages[number - 1].splitlines()
        for line in recipient.address_lines:
            assert line in page_lines, (number, line)
        assert lines[street_line(recipient)] == 1, street_line(recipient)
        assert f"Réf. {recipient.reference}" in page_lines
    for page in pages[-2:]:
        assert "Aux habitantes et habitants" in page and "Réf." not in page


def test_a_long_summary_takes_several_pages(
    make_run: Callable[..., LetterRun], page_texts: Callable
) -> None:
    run = make_run(3, summary_page=True)
    many_streets = [
        dataclasses.replace(r, street=f"rue numéro {i}") for i, r in enumerate(run.recipients * 20)
    ]
    # The letters' one-page check does not apply to the summary: its street list may spill.
    pages = page_texts(
        letters_module._render_summary(dataclasses.replace(run, recipients=many_streets))
    )
    assert len(pages) >= 2
    assert "rue numéro 59" in "".join(pages) and "Total" in pages[-1]


def test_summary_page_counts_letters_per_street(
    small_run: LetterRun, small_pdf: bytes, page_texts: Callable
) -> None:
    summary = page_texts(small_pdf)[0]
    assert "Distribution des lettres" in summary
    assert "14 lettres à distribuer, dont 2 exemplaires sans adresse" in summary
    counts = Counter(r.street for r in small_run.recipients)
    assert counts == {
        "rue des Lilas": 3,
        "allée des Érables": 3,
        "boulevard des Poilus": 3,
        "impasse de l’Église": 3,
    }
    lines = [line.strip() for line in summary.splitlines() if line.strip()]
    for street in counts:
        assert street in lines


def test_each_qr_code_decodes_to_its_dwelling_url(
    small_run: LetterRun, small_pdf: bytes, decode_qr_codes: Callable
) -> None:
    codes = decode_qr_codes(small_pdf, first=2, crop_mm=QR_AREA)
    expected = [[f"{BASE}?ref={r.reference}"] for r in small_run.recipients]
    assert codes == expected + [[BASE], [BASE]]


def test_address_lies_inside_the_envelope_window(
    make_run: Callable[..., LetterRun], word_boxes: Callable
) -> None:
    # Worst cases: 6 lines; 38-character lines (La Poste's maximum); a short address.
    longest = (
        "Madame et Monsieur Jean-Pierre Duvalle",
        "Résidence Les Marronniers Bât C",
        "Escalier 2 appartement C218 4e étage",
        "Entrée B porte gauche",
        "147 ter boulevard du Maréchal Juin",
        "44230 SAINT-SEBASTIEN-SUR-LOIRE",
    )
    wide = ("Aux habitants du 12 rue des Coquelicot", "44300 NANTES")
    recipients = [
        Recipient(longest, "L1"),
        Recipient(wide, "L2"),
        Recipient(("Aux habitants", "1 rue X", "44300 NANTES"), "L3"),
    ]
    assert max(len(line) for r in recipients for line in r.address_lines) == 38
    run = dataclasses.replace(make_run(0), recipients=recipients)
    left, top, right, bottom = WINDOW
    for recipient, words in zip(recipients, word_boxes(render_letters(run))):
        # The address is the only text right of 100 mm between the band and the subject.
        block = [w for w in words if w[1] > 100 and 40 < w[2] < 92]
        assert " ".join(w[0] for w in block) == " ".join(" ".join(recipient.address_lines).split())
        for text, x0, y0, x1, y1 in block:
            assert left + CLEARANCE_X <= x0 and x1 <= right - CLEARANCE_X, (text, x0, x1)
            assert top + CLEARANCE_Y <= y0 and y1 <= bottom - CLEARANCE_Y, (text, y0, y1)


def test_french_glyphs_survive_in_the_shipped_font(
    make_run: Callable[..., LetterRun], page_texts: Callable, pdf_reader: Callable
) -> None:
    run = dataclasses.replace(make_run(1), body=f"{FRENCH}\n\n{SENTENCE}")
    pdf = render_letters(run)
    # pdftotext guesses spaces from gaps and drops those between one-letter words.
    text = page_texts(pdf)[0]
    assert FRENCH.replace(" ", "") in text
    assert SENTENCE in text
    fonts = set()
    for page in pdf_reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # Only Atkinson Hyperlegible: no glyph fell back to a system font.
    assert fonts and all("Atkinson-Hyperlegible" in name for name in fonts), fonts


def test_tagged_pdf_with_title_and_language(small_pdf: bytes, pdf_reader: Callable) -> None:
    reader: PdfReader = pdf_reader(small_pdf)
    root = reader.trailer["/Root"]
    assert reader.metadata.title == "Lettres d’invitation — apéro-info du samedi 12 mars 2026"
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "/StructTreeRoot" in root
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert reader.pages[1].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
    assert reader.pages[1].mediabox.height == pytest.approx(841.89, abs=0.1)


@pytest.mark.slow
def test_big_run_renders_in_workers_in_order(
    big_run: LetterRun, big_render: tuple[bytes, list], page_texts: Callable
) -> None:
    pdf, calls = big_render
    pages = page_texts(pdf)
    total = len(big_run.recipients) + 1
    assert len(pages) == total
    assert pages[0].startswith("Distribution des lettres")
    for number, recipient in enumerate(big_run.recipients, start=2):
        assert f"Réf. {recipient.reference}" in pages[number - 1]
        assert street_line(recipient) in pages[number - 1]
    # Progress: once per chunk as it finishes (in any order), growing up to the total.
    letters = len(big_run.recipients)
    assert letters_module.chunk_size(letters, 2) == 4  # so 4 chunks
    assert len(calls) == 4 and calls[-1] == (letters, letters)
    assert all(call_total == letters for _, call_total in calls)
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})


@pytest.mark.slow
def test_big_run_keeps_one_consistent_tag_tree(
    big_run: LetterRun, big_render: tuple[bytes, list], pdf_reader: Callable
) -> None:
    reader: PdfReader = pdf_reader(big_render[0])
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr" and bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.title.startswith("Lettres d’invitation")
    tree = root["/StructTreeRoot"]
    document = tree["/K"][0].get_object()
    assert document["/S"] == "/Document"
    # One section per page, each hanging from the merged /Document element.
    assert len(document["/K"]) == len(reader.pages)
    for kid in document["/K"]:
        assert kid.get_object().raw_get("/P").idnum == tree["/K"][0].idnum
    nums = tree["/ParentTree"]["/Nums"]
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    keys = [int(page["/StructParents"]) for page in reader.pages]
    assert len(set(keys)) == len(keys)
    for page, key in zip(reader.pages, keys):
        elements = parent_tree[key]
        assert len(elements) > 0
        for element in elements:
            assert element.get_object().raw_get("/Pg").idnum == page.indirect_reference.idnum


@pytest.mark.slow
def test_big_run_qr_codes_decode(
    big_run: LetterRun, big_render: tuple[bytes, list], decode_qr_codes: Callable
) -> None:
    last = len(big_run.recipients) + 1
    for page in (2, 5, 6, last):  # first letter, both sides of a chunk boundary, last
        reference = big_run.recipients[page - 2].reference
        assert decode_qr_codes(big_render[0], first=page, last=page, crop_mm=QR_AREA) == [
            [f"{BASE}?ref={reference}"]
        ]


def test_a_body_too_long_for_one_page_is_refused(make_run: Callable[..., LetterRun]) -> None:
    run = make_run(2)
    too_long = dataclasses.replace(run, body="\n\n".join(["Une ligne de texte."] * 40))
    with pytest.raises(LayoutError, match="trop long"):
        render_letters(too_long)


@pytest.mark.slow
def test_a_worker_error_reaches_the_caller(
    make_run: Callable[..., LetterRun], small_chunks: None
) -> None:
    run = make_run(12)
    too_long = dataclasses.replace(run, body="\n\n".join(["Une ligne de texte."] * 40))
    with pytest.raises(LayoutError):
        render_letters(too_long, workers=2)


@pytest.mark.slow
def test_workers_start_safely_from_a_thread(
    make_run: Callable[..., LetterRun], small_chunks: None, page_texts: Callable
) -> None:
    # A web app renders in a background thread: forking a multi-threaded process is unsafe,
    # so the workers come from a fork server instead.
    run = make_run(6)
    outcome: dict[str, object] = {}
    worker = threading.Thread(target=lambda: outcome.update(pdf=render_letters(run)))
    worker.start()
    assert letters_module._start_context().get_start_method() == "forkserver"
    worker.join()
    pages = page_texts(outcome["pdf"])
    assert [f"Réf. {r.reference}" in page for r, page in zip(run.recipients, pages)] == [True] * 6


def test_invalid_runs_are_refused(make_run: Callable[..., LetterRun]) -> None:
    with pytest.raises(ValueError, match="Aucune lettre"):
        render_letters(make_run(0))
    seven = Recipient(tuple(f"ligne {i}" for i in range(7)), "X")
    with pytest.raises(ValueError, match="6 au plus"):
        render_letters(dataclasses.replace(make_run(0), recipients=[seven]))
    wide = Recipient(("x" * 47, "44300 NANTES"), "X")
    with pytest.raises(ValueError, match="trop longue pour la fenêtre"):
        render_letters(dataclasses.replace(make_run(0), recipients=[wide]))


def test_qr_url_of_a_recipient_wins_over_the_base(make_run: Callable[..., LetterRun]) -> None:
    run = make_run(0)
    own = Recipient(("A", "1 rue B", "44300 NANTES"), "R1", qr_url="https://x.example/q")
    assert run.qr_url_for(own) == "https://x.example/q"
    assert run.qr_url_for(Recipient(reference="R 2&3")) == f"{BASE}?ref=R+2%263"
    assert (
        dataclasses.replace(run, qr_base_url=f"{BASE}?a=1").qr_url_for(Recipient(reference="R"))
        == f"{BASE}?a=1&ref=R"
    )


def test_weasyprint_reports_no_problem(
    make_run: Callable[..., LetterRun], caplog: pytest.LogCaptureFixture
) -> None:
    # WeasyPrint logs what it cannot do (missing lang, unknown CSS, image errors) instead of
    # raising: a clean render logs nothing at warning level.
    from coopere.printing import engine, render_flyers, render_poster

    run = make_run(2, summary_page=True, unaddressed_copies=1)
    engine.styles.cache_clear()  # parse the stylesheets again, inside the capture
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_letters(run)
        render_poster(run.event)
        render_flyers(run.event, "A6")
    assert [record.getMessage() for record in caplog.records] == []


def test_tag_tree_holds_paragraphs_and_a_described_figure(
    small_pdf: bytes, pdf_reader: Callable
) -> None:
    reader: PdfReader = pdf_reader(small_pdf)
    kinds: Counter[str] = Counter()
    alts = []
    pending = [reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()]
    while pending:
        element = pending.pop()
        kinds[str(element["/S"])] += 1
        if element["/S"] == "/Figure":
            alts.append(str(element["/Alt"]))
        pending.extend(
            kid.get_object() for kid in element.get("/K", []) if not isinstance(kid, int)
        )
    # Lines of text are marked content of their paragraph, not one /Span each.
    assert kinds["/Span"] == 0 and kinds["/P"] > 10 * 14 and kinds["/Sect"] == 15
    assert alts == ["QR code : page d’inscription du réseau"] * 14
