"""The newsletter's every-dwelling run: the shared pages laid out once and each copy's address,
reference and QR code stamped on (printing/stamp.py), the same on paper as every copy laid out
whole."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from coopere.printing import NewsletterPaper, Recipient, postal_address_lines, render_newsletter
from coopere.printing import newsletter
from coopere.printing.newsletter import render_newsletter_run

pytestmark = pytest.mark.no_database

QR_URL = "https://lilas.example.org/bienvenue?run=RUN42"
BLOCKS = [
    ("Nos prochains rendez-vous", "- Jeudi 10 décembre, café-rencontre\n- Samedi 19, vide-grenier"),
    ("Le mot du groupe", "Bonjour à toutes et à tous !\n\nMerci aux voisins du square."),
]


def _recipients(count: int, *, reference: bool = True) -> list[Recipient]:
    return [
        Recipient(
            postal_address_lines(n + 1, "", "rue des Lilas", "", "44300", "Nantes"),
            reference=f"REF{n:05d}" if reference else "",
            street="rue des Lilas",
        )
        for n in range(count)
    ]


def _paper(perimeter, recipients) -> NewsletterPaper:
    return NewsletterPaper(
        perimeter=perimeter,
        name="La lettre des voisins",
        month_text="décembre 2026",
        blocks=BLOCKS,
        qr_url=QR_URL,
        recipients=tuple(recipients),
    )


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _images(pdf: bytes, folder: Path, name: str, resolution: int = 60) -> list[Path]:
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(resolution),
            "-png",
            str(folder / f"{name}.pdf"),
            str(folder / name),
        ],
        check=True,
    )
    return sorted(folder.glob(f"{name}-*.png"))


def test_each_copy_has_its_own_address_and_reference_on_its_recto(perimeter, monkeypatch):
    monkeypatch.setattr(newsletter, "OVERLAY_CHUNK", 3)  # the order holds across chunks
    progress = []
    pdf = render_newsletter_run(
        _paper(perimeter, _recipients(4)), workers=1, progress=lambda *done: progress.append(done)
    )
    assert progress == [(3, 4), (4, 4)]
    pages = _pages(pdf)
    assert len(pages) == 8
    for n in range(4):
        recto, verso = pages[2 * n], pages[2 * n + 1]
        assert f"{n + 1} RUE DES LILAS" in recto.upper() and f"REF{n:05d}" in recto
        others = [m for m in range(4) if m != n]
        assert not any(f"REF{m:05d}" in recto + verso for m in others)
        assert "Merci aux voisins" in recto and "Tranquillité" in verso


def test_the_stamped_file_shares_the_pages_text_fonts_and_images(perimeter):
    pdf = render_newsletter_run(_paper(perimeter, _recipients(30)), workers=1)
    reader = PdfReader(io.BytesIO(pdf))
    rectos = reader.pages[0::2]
    # Every recto draws the same shared content stream, then its own overlay.
    shared = {page.raw_get("/Contents")[1].idnum for page in rectos}
    assert len(shared) == 1
    overlays = {page["/Resources"]["/XObject"].raw_get("/CoopereOverlay").idnum for page in rectos}
    assert len(overlays) == 30
    # The shared pages are not a tagged document; the single copy stays tagged.
    assert "/StructTreeRoot" not in reader.trailer["/Root"]
    single = PdfReader(io.BytesIO(render_newsletter(_paper(perimeter, ()))))
    assert "/StructTreeRoot" in single.trailer["/Root"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm missing")
def test_stamped_copies_print_exactly_as_copies_laid_out_whole(perimeter, tmp_path):
    paper = _paper(perimeter, _recipients(3))
    whole = newsletter._render_chunk(paper, paper.recipients)
    stamped = render_newsletter_run(paper, workers=1)
    before, after = _images(whole, tmp_path, "whole"), _images(stamped, tmp_path, "stamped")
    assert len(before) == len(after) == 6
    for one, other in zip(before, after):
        difference = ImageChops.difference(
            Image.open(one).convert("RGB"), Image.open(other).convert("RGB")
        )
        assert difference.getbbox() is None, one.name


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="pdftoppm/zbarimg missing"
)
def test_each_stamped_qr_code_decodes_to_its_copy_url(perimeter, tmp_path):
    pdf = render_newsletter_run(_paper(perimeter, _recipients(3)), workers=1)
    urls = []
    for image in _images(pdf, tmp_path, "run", resolution=150)[0::2]:
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True
        )
        urls.append(out.stdout.strip())
    assert urls == [f"{QR_URL}&ref=REF{n:05d}" for n in range(3)]


def test_copies_of_different_shapes_are_laid_out_whole(perimeter):
    # One copy without reference: its layout could differ, so nothing is stamped.
    recipients = _recipients(2) + _recipients(1, reference=False)
    paper = _paper(perimeter, recipients)
    assert newsletter._render_stamped(paper, paper.recipients, None) is None
    pdf = render_newsletter_run(paper, workers=1)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 6 and "/StructTreeRoot" in reader.trailer["/Root"]
    assert "REF00001" in _pages(pdf)[2]
