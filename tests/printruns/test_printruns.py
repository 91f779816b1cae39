"""Print runs as the group uses them: letters for every dwelling, posters, flyers, scans,
delivery."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import time as clock, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from factories import make_event
from helpers import post_form, text
from coopere.dwellings.models import Dwelling, LetterSent
from coopere.dwellings.services import import_file
from coopere.extensions import db
from coopere.printruns.models import PrintRun

ADDRESSES = (
    "numero;rep;voie;complement;code_postal;commune\r\n"
    "1;;Rue des Lilas;;44300;Nantes\r\n"
    "3;bis;Rue des Lilas;Résidence Les Tilleuls, Bât. A;44300;Nantes\r\n"
    "5;;Rue des Lilas;Résidence Les Tilleuls, Bât. B;44300;Nantes\r\n"
    "2;;Allée des Roses;;44300;Nantes\r\n"
    "4;;Allée des Roses;;44300;Nantes\r\n"
    "6;;Allée des Roses;;44300;Nantes\r\n"
)


@pytest.fixture
def register(app, users):
    """Six dwellings, one marked "no letters please" and one vacant; an apéro-info next week."""
    with app.app_context():
        assert import_file(ADDRESSES.encode()).ok
        db.session.scalar(select(Dwelling).where(Dwelling.number == 4)).no_letters = True
        db.session.scalar(select(Dwelling).where(Dwelling.number == 6)).vacant = True
        db.session.commit()
    return make_event(
        app,
        kind="apero_info",
        start=clock(18, 30),
        end=clock(20),
        place="Square des Lilas",
        rain_place="Maison de quartier",
    )


def download(client, url: str) -> bytes:
    """A file response's bytes (closing the file the response streams from)."""
    response = client.get(url)
    assert response.status_code == 200, url
    data = response.data
    response.close()
    return data


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def make_run(client, event_id, **fields):
    data = {"event": str(event_id), "addressed": "y", "unaddressed": "0", **fields}
    response = post_form(client, "/impressions/lettres", data, token_from="/impressions/lettres")
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


@pytest.fixture
def inline_jobs(app):
    """Print runs render at once: the tests' queue is immediate (QUEUE_URL)."""
    from coopere.queue import is_immediate

    assert is_immediate()


def test_letters_for_every_dwelling_except_skipped_ones(app, client_as, register, inline_jobs):
    animator = client_as("animator")
    run_id = make_run(animator, register)
    page = text(animator.get(f"/impressions/{run_id}"))
    assert "Télécharger les lettres (PDF)" in page
    pages = pdf_text(download(animator, f"/impressions/{run_id}/lettres.pdf"))
    assert len(pages) == 1 + 4  # summary page, then one letter per receiving dwelling
    body = "\n".join(pages[1:])
    for line in ("1 Rue des Lilas", "3 bis Rue des Lilas", "5 Rue des Lilas", "2 Allée des Roses"):
        assert body.count(line) == 1, line
    assert "4 Allée des Roses" not in body and "6 Allée des Roses" not in body
    assert "44300 NANTES" in body and "Square des Lilas" in body
    assert "4" in pages[0] and "Rue des Lilas" in pages[0]  # the summary


def test_street_and_building_filters_and_unaddressed_copies(app, client_as, register, inline_jobs):
    animator = client_as("animator")
    run_id = make_run(
        animator, register, streets="Rue des Lilas", building="bât. b", unaddressed="2"
    )
    pages = pdf_text(download(animator, f"/impressions/{run_id}/lettres.pdf"))
    assert len(pages) == 1 + 1 + 2
    assert "5 Rue des Lilas" in pages[1] and "Rue des Lilas" not in pages[2]
    assert run_id and "1 Rue des Lilas" not in "\n".join(pages[1:])


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="pdftoppm/zbarimg missing"
)
def test_each_letter_qr_code_decodes_and_scans_are_counted(
    app, client_as, register, inline_jobs, tmp_path
):
    animator = client_as("animator")
    run_id = make_run(animator, register)
    (tmp_path / "run.pdf").write_bytes(download(animator, f"/impressions/{run_id}/lettres.pdf"))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-f",
            "2",
            "-l",
            "3",
            "-png",
            str(tmp_path / "run.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    urls = []
    for image in sorted(tmp_path.glob("page*.png")):
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True
        )
        urls += out.stdout.split()
    with app.app_context():
        run = db.session.get(PrintRun, run_id)
        references = set(db.session.scalars(select(Dwelling.reference)))
    assert len(urls) == 2 and len(set(urls)) == 2  # each letter its own code
    for url in urls:
        match = re.fullmatch(r"http://localhost/bienvenue\?run=(\w+)&ref=(\w+)", url)
        assert match and match.group(1) == run.code and match.group(2) in references
    for url in urls:  # two households, each with its phone
        response = app.test_client().get(url.replace("http://localhost", ""))
        assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Codes QR scannés" in text(animator.get(f"/impressions/{run_id}"))
    assert scans_shown(animator, run_id) == 2


def scans_shown(client, run_id: int) -> int:
    page = text(client.get(f"/impressions/{run_id}"))
    assert "Codes QR scannés" in page and "(compté une fois par navigateur et par jour)" in page
    return int(re.search(r"Codes QR scannés</dt><dd>(\d+)", page).group(1))


def test_a_scan_counts_once_per_browser_per_run_and_per_day_not_per_reload(
    app, client_as, register, monkeypatch
):
    from coopere.printruns import scans

    animator = client_as("animator")
    run_id, other_run_id = make_run(animator, register), make_run(animator, register)
    with app.app_context():
        code, other_code = (
            db.session.get(PrintRun, ident).code for ident in (run_id, other_run_id)
        )
        reference = db.session.scalar(select(Dwelling.reference).where(Dwelling.number == 1))
    letter = f"/bienvenue?run={code}&ref={reference}"
    phone = app.test_client()
    responses = [phone.get(letter) for _ in range(5)]
    assert all(r.status_code == 302 and r.headers["Location"] == "/" for r in responses)
    phone.get(f"/bienvenue?run={code}")  # an unaddressed copy of the same run, same browser
    assert scans_shown(animator, run_id) == 1
    # The browser's memory: sent back to the scan address only, gone at midnight, no identifier.
    cookie = responses[0].headers["Set-Cookie"]
    assert cookie.startswith(f"{scans.SCAN_COOKIE}=") and "Path=/bienvenue" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    assert not any("Set-Cookie" in r.headers for r in responses[1:])
    assert app.test_client().get(letter).status_code == 302  # another browser
    assert scans_shown(animator, run_id) == 2
    phone.get(f"/bienvenue?run={other_code}")
    assert scans_shown(animator, other_run_id) == 1  # each run counts on its own
    tomorrow = scans.paris_today() + timedelta(days=1)
    monkeypatch.setattr(scans, "paris_today", lambda: tomorrow)
    for _ in range(3):
        phone.get(letter)
    assert scans_shown(animator, run_id) == 3
    # A forged or damaged memory only counts the browser again, once.
    forger = app.test_client()
    forger.set_cookie(scans.SCAN_COOKIE, "abîmé", path="/bienvenue")
    forger.get(letter)
    forger.get(letter)
    assert scans_shown(animator, run_id) == 4


def test_unknown_scan_reference_changes_nothing(app, client, register):
    assert client.get("/bienvenue?run=NOPE&ref=XYZ").status_code == 302
    with app.app_context():
        from coopere.printruns.models import LetterScan

        assert db.session.scalar(select(func.count(LetterScan.id))) == 0


def test_confirming_delivery_records_a_letter_on_each_dwelling_once(
    app, client_as, register, inline_jobs
):
    animator = client_as("animator")
    run_id = make_run(animator, register)
    post_form(animator, f"/impressions/{run_id}/confirmer", token_from=f"/impressions/{run_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count(LetterSent.id))) == 4
    again = post_form(
        animator,
        f"/impressions/{run_id}/confirmer",
        token_from=f"/impressions/{run_id}",
        follow_redirects=True,
    )
    assert "déjà été confirmée" in text(again)
    with app.app_context():
        assert db.session.scalar(select(func.count(LetterSent.id))) == 4
    page = text(animator.get("/logements/", query_string={"rue": "Rue des Lilas"}))
    assert "lettres :" in page and "4</strong> ont déjà reçu une lettre" in page


def test_a_run_with_nothing_to_print_is_refused(app, client_as, register, inline_jobs):
    animator = client_as("animator")
    response = post_form(
        animator,
        "/impressions/lettres",
        {
            "event": str(register),
            "streets": "Rue des Lilas",
            "building": "introuvable",
            "unaddressed": "0",
            "addressed": "y",
        },
        token_from="/impressions/lettres",
        follow_redirects=True,
    )
    assert "Aucun logement ne correspond" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(PrintRun.id))) == 0


def test_poster_and_flyers_for_an_event(app, client_as, register):
    animator = client_as("animator")
    for size, pages in (("affiche", 1), ("a5", 1), ("a6", 1)):
        response = animator.get(f"/impressions/rendez-vous/{register}/{size}.pdf")
        assert response.headers["Content-Type"] == "application/pdf"
        content = "\n".join(pdf_text(response.data))
        assert len(pdf_text(response.data)) == pages
        assert "Square des Lilas" in content and "Maison de quartier" in content
    assert "Affiches et tracts" in text(animator.get(f"/impressions/rendez-vous/{register}"))


def test_admin_edits_the_letter_text_with_a_preview(app, client_as, register, inline_jobs):
    admin = client_as("admin")
    bad = post_form(
        admin,
        "/impressions/modele-de-lettre",
        {"letter_template": "Bonjour {nom_inconnu}", "action": "save"},
        token_from="/impressions/modele-de-lettre",
    )
    assert bad.status_code == 422 and "Champ(s) inconnu(s)" in text(bad)
    preview = post_form(
        admin,
        "/impressions/modele-de-lettre",
        {
            "letter_template": "Chers voisins,\n\nRendez-vous le {date} à {lieu}.\n\n{signature}",
            "event": str(register),
            "action": "preview",
        },
        token_from="/impressions/modele-de-lettre",
    )
    assert preview.headers["Content-Type"] == "application/pdf"
    assert (
        "Rendez-vous le" in pdf_text(preview.data)[0]
        and "Square des Lilas" in pdf_text(preview.data)[0]
    )
    with app.app_context():
        from coopere.perimeter.models import Perimeter

        assert db.session.get(Perimeter, 1).letter_template == ""  # a preview saves nothing
    post_form(
        admin,
        "/impressions/modele-de-lettre",
        {"letter_template": "Chers voisins du {perimetre}.", "action": "save"},
        token_from="/impressions/modele-de-lettre",
    )
    run_id = make_run(admin, register)
    assert (
        "Chers voisins du Coop-ère de la rue des Lilas."
        in pdf_text(download(admin, f"/impressions/{run_id}/lettres.pdf"))[1]
    )
    assert client_as("animator").get("/impressions/modele-de-lettre").status_code == 403


def test_cli_letters_with_a_progress_bar(app, runner, register, tmp_path):
    out = tmp_path / "lettres.pdf"
    result = runner.invoke(
        args=[
            "letters",
            "--out",
            str(out),
            "--street",
            "Allée des Roses",
            "--base-url",
            "https://lilas.example.org",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Préparation des lettres" in result.output and "1 lettre(s)" in result.output
    pages = pdf_text(out.read_bytes())
    assert len(pages) == 2 and "2 Allée des Roses" in pages[1]
    # Without --base-url: the PUBLIC_URL setting (its unset case: platform/test_public_url.py).
    assert (
        runner.invoke(args=["letters", "--out", str(out), "--street", "Allée des Roses"]).exit_code
        == 0
    )
    unknown = runner.invoke(
        args=["letters", "--out", str(out), "--event", "999", "--base-url", "https://x.org"]
    )
    assert unknown.exit_code != 0 and "aucun rendez-vous" in unknown.output


def test_old_pdfs_are_deleted_after_thirty_days(app, client_as, register, inline_jobs, runner):
    animator = client_as("animator")
    run_id = make_run(animator, register)
    with app.app_context():
        run = db.session.get(PrintRun, run_id)
        run.finished_at = run.finished_at - timedelta(days=31)
        db.session.commit()
    result = runner.invoke(args=["print-runs", "cleanup"])
    assert "1 fichier(s) supprimé(s)" in result.output
    missing = animator.get(f"/impressions/{run_id}/lettres.pdf")
    assert missing.status_code == 404
    assert "supprimé après 30 jours" in text(animator.get(f"/impressions/{run_id}"))


def test_cleanup_and_the_run_page_honour_the_retention_setting(
    app, client_as, register, inline_jobs, runner
):
    """PRINT_FILES_RETENTION_DAYS decides the daily cleanup and what the page says (it used to be 30
    days whatever the setting)."""
    app.config["PRINT_FILES_RETENTION_DAYS"] = 10
    animator = client_as("animator")
    run_id = make_run(animator, register)
    assert "gardé 10 jours" in text(animator.get(f"/impressions/{run_id}"))
    with app.app_context():
        run = db.session.get(PrintRun, run_id)
        run.finished_at = run.finished_at - timedelta(days=9)
        db.session.commit()
    assert "0 fichier(s) supprimé(s)" in runner.invoke(args=["print-runs", "cleanup"]).output
    with app.app_context():
        run = db.session.get(PrintRun, run_id)
        run.finished_at = run.finished_at - timedelta(days=2)
        db.session.commit()
    assert "1 fichier(s) supprimé(s)" in runner.invoke(args=["print-runs", "cleanup"]).output
    assert animator.get(f"/impressions/{run_id}/lettres.pdf").status_code == 404
    assert "supprimé après 10 jours" in text(animator.get(f"/impressions/{run_id}"))
