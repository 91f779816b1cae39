"""Fixtures for the print engine tests: a perimeter, an event, letter runs, PDF readers."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import flat
from coopere.printing import (
    Event,
    LetterRun,
    Perimeter,
    Recipient,
    event_placeholders,
    fill_letter_template,
    postal_address_lines,
)


def pytest_collection_modifyitems(config, items):
    """The print engine's tests render data to PDF: their subject is the layout, not the
    database, so the PostgreSQL leg skips them (marker one_database, setup.cfg)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.one_database)


LETTER_TEMPLATE = """Madame, Monsieur,

Des habitantes et habitants du quartier lancent {perimetre}, un réseau d’entraide entre \
voisins : se rendre de petits services, prêter des objets, partager un savoir-faire.

Nous vous invitons à un {evenement} le {date} à {heure}, {lieu}. En cas de pluie : \
{lieu_pluie}.

Vous n’avez pas internet ? L’inscription se fait en personne, un voisin peut vous aider.

Au plaisir de vous rencontrer,"""

STREETS = ["rue des Lilas", "allée des Érables", "boulevard des Poilus", "impasse de l’Église"]


@pytest.fixture(scope="session")
def perimeter() -> Perimeter:
    return Perimeter(
        name="Bottière – Pin Sec",
        city="Nantes",
        signature="Le Groupe d’Animation de la Bottière",
        contact="06 12 34 56 78\nbonjour@bottiere-entraide.fr",
    )


@pytest.fixture(scope="session")
def event(perimeter: Perimeter) -> Event:
    return Event(
        perimeter=perimeter,
        kind="apéro-info",
        date_text="samedi 12 mars 2026",
        time_text="18 h 30",
        place="Place de la Bottière",
        rain_place="Salle polyvalente du Pin Sec",
        description="Venez découvrir le réseau d’entraide entre voisins.",
        public_url="https://bottiere.example.org/p/apero-info",
    )


@pytest.fixture(scope="session")
def make_run(event: Event) -> Callable[..., LetterRun]:
    """A letter run with ``count`` dwellings, references D0001…, one QR URL each."""

    def make(count: int, **options: object) -> LetterRun:
        recipients = []
        for i in range(1, count + 1):
            street = STREETS[i % len(STREETS)]
            complement = "Résidence Les Marronniers, Bât. C, esc. 2" if i % 5 == 0 else ""
            lines = postal_address_lines(
                i, "bis" if i % 7 == 0 else "", street, complement, "44300", "Nantes"
            )
            recipients.append(Recipient(lines, reference=f"D{i:04d}", street=street))
        body = fill_letter_template(LETTER_TEMPLATE, event_placeholders(event))
        return LetterRun(
            event=event,
            body=body,
            recipients=recipients,
            qr_base_url="https://bottiere.example.org/lettre",
            **options,
        )

    return make


@pytest.fixture(scope="session")
def page_texts() -> Callable[[bytes], list[str]]:
    """Text of each page, as poppler's pdftotext extracts it (reading order)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def extract(pdf: bytes) -> list[str]:
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        return out.split("\f")[:-1]  # pdftotext ends every page with a form feed

    return extract


@pytest.fixture(scope="session")
def word_boxes() -> Callable[[bytes], list[list[tuple[str, float, float, float, float]]]]:
    """Per page, each word with its box in millimetres from the top-left corner."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
        r'yMax="([\d.]+)">(.*?)</word>'
    )
    mm = 25.4 / 72

    def extract(pdf: bytes) -> list[list[tuple[str, float, float, float, float]]]:
        out = subprocess.run(
            ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        pages = out.split("<page ")[1:]
        return [
            [
                (
                    html.unescape(text),
                    float(x0) * mm,
                    float(y0) * mm,
                    float(x1) * mm,
                    float(y1) * mm,
                )
                for x0, y0, x1, y1, text in word.findall(page)
            ]
            for page in pages
        ]

    return extract


@pytest.fixture(scope="session")
def decode_qr_codes(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., list[list[str]]]:
    """QR codes read by zbarimg on each page rendered by pdftoppm."""
    for tool in ("zbarimg", "pdftoppm"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed: QR codes cannot be decoded")
    folder = tmp_path_factory.mktemp("qr")

    def decode(
        pdf: bytes,
        dpi: int = 150,
        first: int = 1,
        last: int | None = None,
        crop_mm: tuple[float, float, float, float] | None = None,
    ) -> list[list[str]]:
        """Codes found on each page; ``crop_mm`` (x, y, width, height) renders only that
        part of each page, which is several times faster."""
        source = folder / "in.pdf"
        source.write_bytes(pdf)
        for old in folder.glob("page-*.png"):
            old.unlink()
        command = ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(first)]
        if last:
            command += ["-l", str(last)]
        if crop_mm:
            pixels = [str(round(value / 25.4 * dpi)) for value in crop_mm]
            command += ["-x", pixels[0], "-y", pixels[1], "-W", pixels[2], "-H", pixels[3]]
        subprocess.run([*command, str(source), str(folder / "page")], check=True)
        codes = []
        for image in sorted(folder.glob("page-*.png")):
            result = subprocess.run(
                ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
                capture_output=True,
                text=True,
            )
            codes.append(sorted(result.stdout.split()))
        return codes

    return decode


def read_pdf(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


@pytest.fixture(scope="session")
def pdf_reader() -> Callable[[bytes], PdfReader]:
    return read_pdf


@pytest.fixture(scope="session")
def static_root() -> Path:
    return Path(__file__).resolve().parents[2] / "static"


@pytest.fixture(scope="session")
def flat_pages() -> Callable[[bytes], list[str]]:
    """Each page's text in drawing order (pdftotext -raw), NFC, whitespace collapsed: a
    text wrapped over several lines or table cells still reads as one string."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def extract(pdf: bytes) -> list[str]:
        out = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return [flat(page) for page in out.split("\f")[:-1]]

    return extract
