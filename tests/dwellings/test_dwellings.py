"""The dwelling register as animators use it: add, edit, filter, import (all or nothing), export."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from helpers import ROOT, post_form, text
from coopere.audit.models import AuditEvent
from coopere.dwellings.models import Dwelling
from coopere.extensions import db

HEADER = "numero;rep;voie;complement;code_postal;commune\r\n"


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Dwelling.id)))


def upload(client, data: bytes, name: str = "adresses.csv"):
    return post_form(
        client,
        "/logements/import",
        {"file": (io.BytesIO(data), name)},
        token_from="/logements/import",
        content_type="multipart/form-data",
    )


def confirm(client, page: str):
    import re

    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return post_form(
        client, "/logements/import/confirmer", {"token": token}, token_from="/logements/import"
    )


@pytest.fixture
def animator(client_as):
    return client_as("animator")


def test_add_edit_and_remove_a_dwelling(app, animator):
    response = post_form(
        animator,
        "/logements/nouveau",
        {
            "number": "12",
            "rep": "bis",
            "street": "Rue des Lilas",
            "complement": "Bât. B, apt 3",
            "postcode": "44300",
            "city": "Nantes",
            "no_letters": "y",
        },
        token_from="/logements/nouveau",
    )
    assert response.status_code == 302
    page = text(animator.get("/logements/"))
    assert "12 bis Rue des Lilas" in page and "Bât. B, apt 3" in page and "Pas de courrier" in page
    assert "logements enregistrés sur 250 estimés" in page and "Logements trouvés : 1" in page
    with app.app_context():
        dwelling = db.session.scalar(select(Dwelling))
        assert dwelling.no_letters and not dwelling.vacant and len(dwelling.reference) == 8
    post_form(
        animator,
        f"/logements/{dwelling.id}/modifier",
        {
            "number": "12",
            "rep": "bis",
            "street": "Rue des Lilas",
            "complement": "Bât. B, apt 3",
            "postcode": "44300",
            "city": "Nantes",
            "vacant": "y",
        },
        token_from="/logements/nouveau",
    )
    with app.app_context():
        dwelling = db.session.get(Dwelling, dwelling.id)
        assert dwelling.vacant and not dwelling.no_letters
    unconfirmed = post_form(
        animator,
        f"/logements/{dwelling.id}/supprimer",
        token_from="/logements/",
        follow_redirects=True,
    )
    assert "rien n'a été retiré" in text(unconfirmed)
    assert count(app) == 1
    post_form(
        animator,
        f"/logements/{dwelling.id}/supprimer",
        {"confirm": "yes"},
        token_from="/logements/",
    )
    assert count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dwelling.deleted"))


def test_same_address_written_differently_is_refused(app, animator):
    data = {
        "number": "4",
        "rep": "",
        "street": "Boulevard Saint-Michel",
        "complement": "",
        "postcode": "44300",
        "city": "Nantes",
    }
    post_form(animator, "/logements/nouveau", data, token_from="/logements/nouveau")
    response = post_form(
        animator,
        "/logements/nouveau",
        {**data, "street": "bd st michel"},
        token_from="/logements/nouveau",
    )
    assert response.status_code == 422
    assert "Cette adresse est déjà dans le registre" in text(response)
    assert count(app) == 1


def test_bad_dwelling_form_gives_french_messages(app, animator):
    response = post_form(
        animator,
        "/logements/nouveau",
        {"number": "-4", "street": "", "postcode": "443", "city": "Nantes", "lat": "123"},
        token_from="/logements/nouveau",
    )
    page = text(response)
    assert response.status_code == 422
    for message in (
        "Le numéro doit être un nombre entier positif.",
        "Indiquez la voie.",
        "Un code postal compte 5 chiffres",
        "La latitude est comprise entre -90 et 90.",
    ):
        assert message in page
    assert count(app) == 0


def test_import_preview_then_confirm(app, animator):
    data = (
        HEADER + "1;;Rue des Lilas;;44300;Nantes\r\n"
        "3;bis;Rue des Lilas;Rés. Les Tilleuls, Bât. A;44300;Nantes\r\n"
        "2;;Allée des Roses;;44300;Nantes\r\n"
    ).encode()
    response = upload(animator, data)
    page = text(response)
    assert "Nouveaux logements à ajouter : 3. Déjà dans le registre : 0." in page
    assert count(app) == 0  # nothing before confirmation
    done = confirm(animator, page)
    assert done.status_code == 302
    assert count(app) == 3
    assert "Logements ajoutés au registre : 3. Déjà présents, laissés tels quels : 0." in text(
        animator.get("/logements/")
    )
    # Re-importing an updated list adds only the new addresses.
    updated = data + "4;;Allée des Roses;;44300;Nantes\r\n".encode()
    page = text(upload(animator, updated))
    assert "Nouveaux logements à ajouter : 1. Déjà dans le registre : 3." in page
    confirm(animator, page)
    assert count(app) == 4


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Le fichier est vide."),
        (
            b"numero;rep;complement;code_postal;commune\r\n1;;;44300;Nantes\r\n",
            "Colonne manquante : voie",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "n'est pas un fichier texte"),
        ((HEADER + '1;;=HYPERLINK("http://x");;44300;Nantes\r\n').encode(), "formule"),
        ((HEADER + "1;;Rue des Lilas;;443;Nantes\r\n").encode(), "code postal"),
    ],
)
def test_bad_files_import_nothing_with_a_french_report(app, animator, data, message):
    page = text(upload(animator, data))
    assert "Rien n'a été importé" in page
    assert message.lower() in page.lower()
    assert count(app) == 0


def test_ten_thousand_good_rows_and_one_bad_import_nothing(app, animator):
    rows = "".join(f"{n};;Rue du Test {n // 100};;44300;Nantes\r\n" for n in range(1, 10_001))
    data = (HEADER + rows + "12;;Rue Fausse;;99;Nantes\r\n").encode()
    page = text(upload(animator, data))
    assert "Ligne 10002 :" in page
    assert count(app) == 0


def test_duplicates_in_the_file_are_reported_not_merged(app, animator):
    data = (
        HEADER + "1;;Rue des Lilas;;44300;Nantes\r\n1;;rue des lilas;;44300;Nantes\r\n"
    ).encode()
    page = text(upload(animator, data))
    assert "adresse en double (déjà à la ligne 2)" in page
    assert count(app) == 0


def test_windows_1252_file_from_a_spreadsheet(app, animator):
    data = (HEADER + "5;;Allée des Châtaigniers;Résidence Les Érables;44300;Nantes\r\n").encode(
        "cp1252"
    )
    page = text(upload(animator, data))
    confirm(animator, page)
    with app.app_context():
        assert db.session.scalar(select(Dwelling.street)) == "Allée des Châtaigniers"


def test_oversized_upload_is_refused(app, animator):
    app.config["IMPORT_MAX_BYTES"] = 1000
    page = text(upload(animator, (HEADER + "1;;Rue des Lilas;;44300;Nantes\r\n" * 100).encode()))
    assert "Rien n'a été importé" in page and "trop" in page.lower()
    assert count(app) == 0


def test_filter_by_street_and_building(app, animator):
    data = (
        HEADER + "1;;Rue des Lilas;Bât. A;44300;Nantes\r\n1;;Rue des Lilas;Bât. B;44300;Nantes\r\n"
        "2;;Allée des Roses;;44300;Nantes\r\n"
    ).encode()
    confirm(animator, text(upload(animator, data)))
    page = text(animator.get("/logements/", query_string={"rue": "Rue des Lilas"}))
    assert "Logements trouvés : 2" in page and "Allée des Roses</strong>" not in page
    page = text(animator.get("/logements/", query_string={"batiment": "bât. b"}))
    assert "Logements trouvés : 1" in page and "Bât. B" in page and "Bât. A" not in page


def test_export_is_excel_friendly_and_formula_safe(app, animator):
    post_form(
        animator,
        "/logements/nouveau",
        {
            "number": "1",
            "street": "Rue des Lilas",
            "postcode": "44300",
            "city": "Nantes",
            "notes": "=cmd|' /C calc'!A0",
        },
        token_from="/logements/nouveau",
    )
    response = animator.get("/logements/export.csv")
    body = response.data
    assert response.headers["Content-Type"].startswith("text/csv")
    assert (
        body.startswith(b"\xef\xbb\xbf")
        and b"numero;rep;voie;complement;code_postal;commune" in body
    )
    assert "'=cmd" in body.decode("utf-8-sig")


def test_members_cannot_see_the_register(client_as):
    assert client_as("member").get("/logements/").status_code == 403


def test_cli_import_and_export(app, runner, tmp_path):
    good = tmp_path / "adresses.csv"
    good.write_bytes((HEADER + "1;;Rue des Lilas;;44300;Nantes\r\n").encode())
    result = runner.invoke(args=["dwellings", "import", str(good)])
    assert result.exit_code == 0 and "1 logement(s) ajouté(s)" in result.output
    bad = tmp_path / "mauvais.csv"
    bad.write_bytes(
        (HEADER + "2;;Rue des Lilas;;44300;Nantes\r\nx;;Rue;;44300;Nantes\r\n").encode()
    )
    result = runner.invoke(args=["dwellings", "import", str(bad)])
    assert (
        result.exit_code != 0
        and "ligne 3" in result.output
        and "rien n'a été importé" in result.output
    )
    assert count(app) == 1
    out = tmp_path / "export.csv"
    assert runner.invoke(args=["dwellings", "export", str(out)]).exit_code == 0
    assert "Rue des Lilas" in out.read_text(encoding="utf-8-sig")


def test_cli_imports_the_shared_samples(app, runner):

    samples = ROOT.parent / "shared" / "data"
    if not samples.exists():
        pytest.skip(f"sample data not found at {samples}")
    for name in ("dwellings-sample.csv", "ban-extract-sample.csv"):
        result = runner.invoke(args=["dwellings", "import", str(samples / name)])
        assert result.exit_code == 0, result.output
    assert count(app) > 300
