"""Paper registration form and registration receipt: every field, theme and text as passed,
the reference and « page n/N » on every page, French glyphs, PDF title and language."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from helpers import flat
from coopere.printing import (
    DEFAULT_OPTIONAL_CONSENTS,
    ConsentRecord,
    DataProtection,
    Perimeter,
    RegistrationFormData,
    RegistrationReceipt,
    ThemeAnswer,
    render_registration_form,
    render_registration_receipt,
)

# No database here: the PostgreSQL leg skips this module (Makefile, -m "not no_database").
pytestmark = pytest.mark.no_database

MM = 72 / 25.4
A4 = (210.0, 297.0)
THEMES = [
    "Conseils",
    "Petits travaux et bricolage",
    "Loisirs et sorties",
    "Logement",
    "Réseau pour l’emploi",
    "Covoiturage",
    "Garde d’animaux",
    "Dons et prêts d’objets",
    "Éco-gestes",
    "Premiers secours",
    "Achats groupés",
    "Éco-projets et jardins partagés",
    "Visite et accompagnement des personnes âgées",
    "Aide au numérique",
]
CHARTER = """Gratuité : aucun échange n’est payant ; on ne se rend pas service contre de l’argent.

Réciprocité : chacun peut donner et recevoir, à son rythme.

Neutralité : le réseau ne sert à aucune cause politique, religieuse ou commerciale.

Tranquillité : personne n’est dérangé ; on ne se contacte que si les deux sont d’accord."""
NOTICE = """Le Groupe d’Animation de la Bottière enregistre vos réponses pour vous mettre en \
relation avec vos voisins et organiser la vie du réseau. Vos coordonnées ne sont montrées à \
un voisin que si vous êtes d’accord tous les deux.

Vos données sont effacées un an après votre dernière activité. Vous pouvez les consulter, \
les corriger, en obtenir une copie ou les faire effacer, sur papier ou auprès d’un animateur."""
SENTENCE = "L’Haÿ-les-Roses : « Œuvre de Noël », 5 € — ça, c’est l’été à Ÿ ÆSOP…"


@pytest.fixture(scope="module")
def form(perimeter: Perimeter) -> RegistrationFormData:
    return RegistrationFormData(
        perimeter=perimeter,
        reference="P-2026-0001",
        themes=THEMES,
        charter_text=CHARTER,
        charter_version="2",
        privacy_notice=NOTICE,
        privacy_version="1",
        languages=("français", "anglais", "arabe", "espagnol"),
    )


@pytest.fixture(scope="module")
def form_pdf(form: RegistrationFormData) -> bytes:
    return render_registration_form(form)


def test_form_pages_carry_reference_and_page_numbers(
    form_pdf: bytes, pdf_reader: Callable, flat_pages: Callable
) -> None:
    reader = pdf_reader(form_pdf)
    pages = flat_pages(form_pdf)
    assert len(reader.pages) == len(pages) == 3
    for number, (page, text) in enumerate(zip(reader.pages, pages), start=1):
        box = page.mediabox
        assert (float(box.width) / MM, float(box.height) / MM) == pytest.approx(A4, abs=0.05)
        assert "Formulaire n° P-2026-0001" in text
        assert f"page {number}/3" in text
    assert reader.metadata.title == "Formulaire d’inscription n° P-2026-0001 — Bottière – Pin Sec"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_form_shows_every_section_theme_and_text(
    form_pdf: bytes, form: RegistrationFormData, flat_pages: Callable
) -> None:
    text = " ".join(flat_pages(form_pdf))
    for expected in (
        "Prénom",
        "Nom",
        "N°",
        "Rue",
        "Complément d’adresse",
        "Téléphone",
        "Courriel (facultatif)",
        "Avez-vous internet ? Oui Non",
        "Par téléphone",
        "Par courriel",
        "Par le site du réseau",
        "Par mon parrain ou ma marraine",
        "Langues parlées",
        "français",
        "anglais",
        "arabe",
        "espagnol",
        "Autres langues",
        "Je peux proposer",
        "J’aimerais recevoir",
        "Charte du réseau — version 2",
        "J’accepte la charte du réseau (version 2).",
        "Vos données personnelles — version 1",
        "Je souhaite avoir un parrain ou une marraine",
        "J’accepte que mon parrain ou ma marraine me représente",
        "Signature de la personne inscrite",
        "Cadre réservé à l’animateur ou à l’animatrice",
        "Date",
        "Café-rencontre",
        "Porte-à-porte",
        "Saisi sur le site le",
        "Signature de l’animateur ou de l’animatrice",
    ):
        assert expected in text, expected
    for theme in THEMES:
        assert theme in text, theme
    for paragraph in (*CHARTER.split("\n\n"), *NOTICE.split("\n\n"), *DEFAULT_OPTIONAL_CONSENTS):
        assert flat(paragraph) in text, paragraph


def test_form_order_puts_themes_on_their_own_page(form_pdf: bytes, flat_pages: Callable) -> None:
    first, second, third = flat_pages(form_pdf)
    assert "1 Vous" in first and "Cadre réservé" in first
    assert "2 Proposer et recevoir" in second
    assert all(theme in second for theme in THEMES)
    assert "3 La charte et vos données" in third and "4 Parrainage" in third
    assert third.index("J’accepte la charte") < third.index("Signature de la personne inscrite")


def test_form_boxes_are_at_least_6_mm(
    form_pdf: bytes, word_boxes: Callable, tmp_path: Path
) -> None:
    """The questionnaire's « Je peux proposer » boxes, measured on the rendered page."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    words = word_boxes(form_pdf)[1]
    top = next(y0 for text, x0, y0, x1, y1 in words if text == "Conseils") - 2.5
    bottom = max(y1 for text, x0, y0, x1, y1 in words if text == "numérique") + 4
    (tmp_path / "form.pdf").write_bytes(form_pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-gray",
            "-png",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(tmp_path / "form.pdf"),
            str(tmp_path / "p2"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "p2.png").convert("L")
    dpmm = image.width / A4[0]
    # Down the middle of the first column of boxes (theme column: 18 + 61 mm, box column
    # 28 mm): each box's top and bottom edges are the only dark runs.
    x = round(93 * dpmm)
    edges, start = [], None
    for y in range(round(top * dpmm), round(bottom * dpmm)):
        dark = image.getpixel((x, y)) < 128
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            edges.append((start + y) / 2 / dpmm)
            start = None
    heights = [lower - upper for upper, lower in zip(edges[::2], edges[1::2])]
    assert len(heights) == len(THEMES)
    assert min(heights) >= 6.0


def test_form_without_reference_leaves_a_line_to_write_it(
    form: RegistrationFormData, flat_pages: Callable, pdf_reader: Callable
) -> None:
    pdf = render_registration_form(dataclasses.replace(form, reference="", privacy_version=""))
    pages = flat_pages(pdf)
    assert all("Formulaire n°" in page for page in pages)
    assert "P-2026" not in " ".join(pages)
    assert "Vos données personnelles Le Groupe" in " ".join(pages)
    assert pdf_reader(pdf).metadata.title == "Formulaire d’inscription — Bottière – Pin Sec"


def test_form_keeps_french_glyphs(form: RegistrationFormData, flat_pages: Callable) -> None:
    pdf = render_registration_form(
        dataclasses.replace(form, themes=[SENTENCE, *THEMES[:3]], optional_consents=(SENTENCE,))
    )
    assert " ".join(flat_pages(pdf)).count(SENTENCE) == 2


def test_form_without_its_texts_is_refused(form: RegistrationFormData) -> None:
    with pytest.raises(ValueError, match="la liste des thèmes.*la version de la charte"):
        render_registration_form(dataclasses.replace(form, themes=[" "], charter_version=""))


# --- registration receipt ------------------------------------------------------------------


@pytest.fixture(scope="module")
def protection() -> DataProtection:
    return DataProtection(
        controller="Le Groupe d’Animation de la Bottière – Pin Sec, association Coop-ère "
        "Nantes\n12 rue des Lilas, 44300 Nantes",
        contact="Par courrier : 12 rue des Lilas, 44300 Nantes\n"
        "Par courriel : donnees@bottiere-entraide.fr",
        purposes=[
            "Vous mettre en relation avec vos voisins (base : votre inscription).",
            "Organiser les cafés-rencontres (base : intérêt légitime).",
        ],
        retention="Tant que vous êtes membre, puis un an après votre dernière activité.",
        recipients="Les animateurs du groupe, et votre parrain ou marraine.",
        dpo="Délégué : dpo@coopere.example.org",
    )


@pytest.fixture(scope="module")
def receipt(perimeter: Perimeter, protection: DataProtection) -> RegistrationReceipt:
    return RegistrationReceipt(
        perimeter=perimeter,
        first_name="Marie-Thérèse",
        last_name="Lefèvre",
        dwelling_lines=(
            "12 bis rue des Lilas",
            "Résidence Les Marronniers, Bât. C",
            "44300 Nantes",
        ),
        date_text="samedi 12 mars 2026",
        collected_by="Jeanne Martin",
        method="paper",
        paper_reference="P-2026-0001",
        data_protection=protection,
        phone="06 98 76 54 32",
        email="marie.lefevre@example.org",
        has_internet=False,
        contact_preferences=("Par téléphone", "Par mon parrain ou ma marraine"),
        languages=("français", "breton"),
        answers=[
            ThemeAnswer("Petits travaux et bricolage", can_offer=True, details="Couture, ourlets"),
            ThemeAnswer(
                "Aide au numérique",
                would_like=True,
                details="Apprendre à envoyer des photos à mes petits-enfants",
            ),
            ThemeAnswer("Garde d’animaux", can_offer=True, would_like=True),
            ThemeAnswer("Covoiturage"),  # nothing recorded: not listed
        ],
        consents=[
            ConsentRecord("J’accepte la charte du réseau.", True, "2"),
            ConsentRecord("Je souhaite recevoir la lettre d’information par courriel.", False, "1"),
            ConsentRecord(
                "J’accepte que mon parrain ou ma marraine me représente.",
                True,
                "3",
                "lundi 14 mars 2026",
            ),
        ],
        sponsor="Paul Durand",
    )


@pytest.fixture(scope="module")
def receipt_pdf(receipt: RegistrationReceipt) -> bytes:
    return render_registration_receipt(receipt)


def test_receipt_lists_everything_recorded(
    receipt_pdf: bytes, receipt: RegistrationReceipt, flat_pages: Callable
) -> None:
    text = " ".join(flat_pages(receipt_pdf))
    for label, value in (
        ("Prénom", "Marie-Thérèse"),
        ("Nom", "Lefèvre"),
        ("Logement", "12 bis rue des Lilas Résidence Les Marronniers, Bât. C 44300 Nantes"),
        ("Téléphone", "06 98 76 54 32"),
        ("Courriel", "marie.lefevre@example.org"),
        ("Accès à internet", "Non"),
        ("Pour vous contacter", "Par téléphone, Par mon parrain ou ma marraine"),
        ("Langues parlées", "français, breton"),
        ("Date", "samedi 12 mars 2026"),
        ("Recueillie par", "Jeanne Martin"),
        ("Méthode", "Sur formulaire papier n° P-2026-0001"),
        ("Parrain ou marraine", "Paul Durand"),
    ):
        assert f"{label} {value}" in text, label
    for row in (
        "Petits travaux et bricolage Oui — Couture, ourlets",
        "Aide au numérique — Oui Apprendre à envoyer des photos à mes petits-enfants",
        "Garde d’animaux Oui Oui",
    ):
        assert row in text
    assert "Covoiturage" not in text
    for row in (
        "J’accepte la charte du réseau. Oui 2 samedi 12 mars 2026",
        ("Je souhaite recevoir la lettre d’information par courriel. Non 1 samedi 12 mars 2026"),
        "J’accepte que mon parrain ou ma marraine me représente. Oui 3 lundi 14 mars 2026",
    ):
        assert row in text


def test_receipt_is_a_complete_data_protection_notice(
    receipt_pdf: bytes, protection: DataProtection, flat_pages: Callable
) -> None:
    text = " ".join(flat_pages(receipt_pdf))
    for passed in (
        protection.controller,
        protection.contact,
        *protection.purposes,
        protection.retention,
        protection.recipients,
        protection.dpo,
    ):
        assert flat(passed) in text, passed
    for right in (
        "Accès :",
        "Export :",
        "Correction :",
        "Effacement :",
        "Retrait d’un accord :",
        "Opposition et limitation :",
    ):
        assert right in text
    for way in ("Sur papier :", "Par le groupe d’animation :", "Sur le site du réseau,"):
        assert way in text
    assert "un mois" in text and "CNIL" in text


def test_receipt_pages_carry_name_and_page_numbers(
    receipt_pdf: bytes, pdf_reader: Callable, flat_pages: Callable
) -> None:
    reader = pdf_reader(receipt_pdf)
    pages = flat_pages(receipt_pdf)
    count = len(pages)
    assert len(reader.pages) == count and 1 <= count <= 3
    for number, text in enumerate(pages, start=1):
        assert "Marie-Thérèse Lefèvre" in text and f"page {number}/{count}" in text
    assert reader.metadata.title == (
        "Récépissé d’inscription — Marie-Thérèse Lefèvre — Bottière – Pin Sec"
    )
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_receipt_shows_what_was_not_given(
    receipt: RegistrationReceipt, flat_pages: Callable
) -> None:
    minimal = dataclasses.replace(
        receipt,
        last_name=SENTENCE,
        method="tablet",
        paper_reference="",
        phone="",
        email="",
        has_internet=None,
        contact_preferences=(),
        languages=(),
        answers=(),
        consents=(),
        sponsor="",
        sponsor_requested=True,
    )
    text = " ".join(flat_pages(render_registration_receipt(minimal)))
    assert SENTENCE in text
    for label in (
        "Téléphone",
        "Courriel",
        "Accès à internet",
        "Pour vous contacter",
        "Langues parlées",
    ):
        assert f"{label} non renseigné" in text
    assert "Méthode Sur tablette" in text and "formulaire papier" not in text
    assert "Parrain ou marraine demandé" in text
    assert "Aucune réponse au questionnaire" in text and "Aucun accord" in text
    no_sponsor = dataclasses.replace(minimal, sponsor_requested=False)
    assert "Parrain ou marraine pas de parrainage" in " ".join(
        flat_pages(render_registration_receipt(no_sponsor))
    )


def test_receipt_refuses_unknown_method_and_missing_texts(
    receipt: RegistrationReceipt, protection: DataProtection
) -> None:
    with pytest.raises(ValueError, match="Méthode d’inscription inconnue"):
        render_registration_receipt(dataclasses.replace(receipt, method="phone"))
    with pytest.raises(ValueError, match="la durée de conservation"):
        render_registration_receipt(
            dataclasses.replace(
                receipt, data_protection=dataclasses.replace(protection, retention="")
            )
        )


def test_page_numbers_are_n_of_total(flat_pages: Callable, receipt: RegistrationReceipt) -> None:
    """Many answers push the receipt to more pages; the count follows."""
    answers = [
        ThemeAnswer(f"Thème n° {i}", can_offer=True, details="Un texte " * 12) for i in range(30)
    ]
    pages = flat_pages(render_registration_receipt(dataclasses.replace(receipt, answers=answers)))
    assert len(pages) > 3
    numbers = [re.search(r"page (\d+)/(\d+)", page) for page in pages]
    assert [match.groups() if match else None for match in numbers] == [
        (str(n), str(len(pages))) for n in range(1, len(pages) + 1)
    ]
