"""Absolute addresses come from the PUBLIC_URL setting only, never from the request's Host or
X-Forwarded-Host headers: QR codes on printouts, letters printed from the command line,
`flask init`. (Emails: tests/notifications/test_email.py.)"""

from __future__ import annotations

import shutil
import subprocess
from datetime import time as clock

import pytest
from flask import Config, request
from flask.testing import FlaskClient
from sqlalchemy import func, select

from factories import make_event
from helpers import csrf_token, login, post_form, test_config, text
from coopere import create_app
from coopere.extensions import db
from coopere.members.models import ActivationCode
from coopere.printruns.models import PrintRun

PUBLIC = "https://lilas.example.org"
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


@pytest.fixture
def event_id(app, users):
    return make_event(
        app, kind="apero_info", start=clock(18, 30), end=clock(20), place="Square des Lilas"
    )


class ForgedHostClient(FlaskClient):
    """Every request (logging in included) names another site in Host and X-Forwarded-Host, as
    anyone can when the proxy passes them through."""

    def open(self, *args, **kwargs):
        kwargs["headers"] = {**FORGED, **dict(kwargs.get("headers") or {})}
        return super().open(*args, **kwargs)


def logged_in(app, user):
    app.test_client_class = ForgedHostClient
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def qr_codes(pdf: bytes, tmp_path) -> list[str]:
    for tool in ("zbarimg", "pdftoppm"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed: QR codes cannot be decoded")
    (tmp_path / "in.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-gray",
            "-png",
            str(tmp_path / "in.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    found = []
    for image in sorted(tmp_path.glob("page*.png")):
        out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True)
        found += out.stdout.split()
    return found


# --- the setting, checked at start-up -----------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://lilas.example.org", "https://lilas.example.org"),
        ("  https://Lilas.Example.ORG/  ", "https://lilas.example.org"),
        ("HTTP://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("https://example.org/lilas/", "https://example.org/lilas"),
        ("https://café.example.org", "https://xn--caf-dma.example.org"),  # mail headers stay ASCII
        ("", None),
        (None, None),
    ],
)
def test_public_url_is_written_in_its_normal_form(make_app, value, expected):
    assert make_app(PUBLIC_URL=value).config["PUBLIC_URL"] == expected


@pytest.mark.parametrize(
    "value",
    [
        "lilas.example.org",
        "ftp://lilas.example.org",
        "javascript:alert(1)",
        "https://",
        "https:///chemin",
        "https://lilas.example.org/?ref=1",
        "https://lilas.example.org/#haut",
        "https://lilas.example.org?",
        "https://moi:secret@lilas.example.org",
        "https://lilas.example.org:99999",
        "https://lilas example.org",
        "https://lilas.example.org/\r\nX-Injecte: 1",
    ],
)
def test_a_malformed_public_url_stops_the_start_with_a_french_message(tmp_path, value):
    with pytest.raises(SystemExit) as stopped:
        create_app(
            test_config(tmp_path, None, PUBLIC_URL=value), instance_path=tmp_path / "instance"
        )
    message = str(stopped.value.code)
    assert message.startswith("coopere : réglage PUBLIC_URL refusé :"), message


def test_public_url_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPERE_PUBLIC_URL", "https://butte.example.org/")
    config = test_config(tmp_path, None)
    del config["PUBLIC_URL"]
    app = create_app(config, instance_path=tmp_path / "instance")
    assert app.config["PUBLIC_URL"] == "https://butte.example.org"


# --- the trusted proxy decides the client's address and scheme, never the host ----------------


def test_proxy_fix_trusts_x_forwarded_for_and_proto_but_not_host(make_app):
    app = make_app(PROXY_FIX=1)
    seen = {}

    @app.before_request
    def _look():
        seen.update(host=request.host, scheme=request.scheme, address=request.remote_addr)

    app.test_client().get(
        "/",
        headers={
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.9",
        },
    )
    assert seen == {"host": "localhost", "scheme": "https", "address": "203.0.113.9"}


# --- printouts with QR codes: PUBLIC_URL, or a clear refusal ------------------------------------


def test_qr_codes_lead_to_public_url_whatever_the_host_headers(make_app, users, event_id, tmp_path):
    app = make_app(PUBLIC_URL=PUBLIC, PROXY_FIX=1)
    animator = logged_in(app, users["animator"])
    poster = animator.get(f"/impressions/rendez-vous/{event_id}/affiche.pdf")
    assert poster.status_code == 200
    assert qr_codes(poster.data, tmp_path) == [f"{PUBLIC}/"]
    programme = animator.get("/evenements/programme.pdf")
    assert programme.status_code == 200 and b"evil.example" not in programme.data


def test_without_public_url_printouts_with_qr_codes_are_refused_in_french(
    make_app, users, event_id, create_user
):
    app = make_app(PUBLIC_URL=None, PROXY_FIX=1)
    animator = logged_in(app, users["animator"])
    missing = "L'adresse publique du site n'est pas réglée (réglage PUBLIC_URL)"
    # The pages that print say so before anyone tries.
    admin = logged_in(app, users["admin"])  # the letter's text is the admin's
    for client, page in (
        (animator, "/impressions/lettres"),
        (animator, f"/impressions/rendez-vous/{event_id}"),
        (animator, "/evenements/"),
        (admin, "/impressions/modele-de-lettre"),
    ):
        assert missing in text(client.get(page)), page
    # And the printouts are refused, nothing saved.
    for path in (
        f"/impressions/rendez-vous/{event_id}/affiche.pdf",
        f"/impressions/rendez-vous/{event_id}/a6.pdf",
        "/evenements/programme.pdf",
    ):
        response = animator.get(path)
        assert response.status_code == 503 and missing in text(response), path
        assert "Adresse du site à régler" in text(response)
    letters = post_form(
        animator,
        "/impressions/lettres",
        {"event": str(event_id), "addressed": "y", "unaddressed": "3"},
    )
    assert letters.status_code == 503 and missing in text(letters)
    preview = post_form(
        admin,
        "/impressions/modele-de-lettre",
        {
            "letter_template": "Chers voisins,\n\n{signature}",
            "event": str(event_id),
            "action": "preview",
        },
    )
    assert preview.status_code == 503 and missing in text(preview)
    newcomer = create_user(first_name="Élodie", last_name="Martin", password=None)
    card = animator.post(
        f"/membres/{newcomer.id}/carte",
        data={"csrf_token": csrf_token(animator, f"/membres/{newcomer.id}")},
    )
    assert card.status_code == 503 and missing in text(card)
    sheet = animator.post(
        "/membres/cartes",
        data={
            "csrf_token": csrf_token(animator, f"/membres/{newcomer.id}"),
            "membre": [str(newcomer.id)],
        },
    )
    assert sheet.status_code == 503 and missing in text(sheet)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PrintRun)) == 0
        assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0


def test_registration_receipt_names_the_privacy_page_without_guessing_its_address(
    make_app, users, create_user
):
    app = make_app(PUBLIC_URL=None)
    newcomer = create_user(first_name="Élodie", last_name="Martin", password=None)
    receipt = logged_in(app, users["animator"]).get(f"/membres/{newcomer.id}/recepisse.pdf")
    assert receipt.status_code == 200  # no QR code on it: printed, with the page named
    from pypdf import PdfReader
    import io

    words = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(receipt.data)).pages
    )
    assert "page « Vos données personnelles » du site du réseau" in words
    assert "evil.example" not in words and "localhost" not in words


# --- command line ---------------------------------------------------------------------------------


def test_letters_command_needs_a_valid_public_address(make_app, users, event_id, tmp_path):
    out = tmp_path / "lettres.pdf"
    unset = make_app(PUBLIC_URL=None).test_cli_runner()
    result = unset.invoke(args=["letters", "--out", str(out), "--unaddressed", "1"])
    assert result.exit_code != 0 and "l'adresse publique du site n'est pas réglée" in result.output
    bad = unset.invoke(
        args=["letters", "--out", str(out), "--unaddressed", "1", "--base-url", "lilas.example.org"]
    )
    assert bad.exit_code != 0 and "--base-url refusée" in bad.output and "https://" in bad.output
    assert not out.exists()


def test_init_asks_for_the_public_address_when_it_is_not_set(empty_app, tmp_path):
    empty_app.config["PUBLIC_URL"] = None  # as on a fresh install without COOPERE_PUBLIC_URL
    answers = (
        "\n".join(
            [
                "Coop-ère de la Butte",
                "Coop-ère Butte",
                "Nantes",
                "44000",
                "180",
                "Square de la Butte",
                "06 00 00 00 00",
                "Lucienne",
                "Morel",
                "lucienne@example.org",
                "un jardin partagé au soleil",
                "un jardin partagé au soleil",
                "butte.example.org",
                "https://butte.example.org/",
            ]
        )
        + "\n"
    )
    result = empty_app.test_cli_runner().invoke(args=["init"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Adresse publique du site" in result.output
    assert (
        "doit commencer par https://" in result.output
    )  # the first answer is refused, asked again
    written = Config(str(tmp_path / "instance"))
    assert written.from_pyfile("config.py")
    assert written["PUBLIC_URL"] == "https://butte.example.org"
    assert empty_app.config["PUBLIC_URL"] == "https://butte.example.org"
