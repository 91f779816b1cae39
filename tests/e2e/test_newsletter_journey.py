"""The newsletter, as an animator makes it in a real browser: the month's draft, a block removed,
the preview, a test to herself, the send to a real SMTP sink, the paper PDF with its QR code, and
a second « envoyer » that sends nothing more."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import SHOTS

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def mail_to(live_server, inbox):
    """The live server sends its emails to this test's SMTP sink; some members consent."""
    from coopere.auth.models import User
    from coopere.extensions import db, mail
    from coopere.members.consent_records import add_consent
    from coopere.members.models import ConsentKind, Method
    from coopere.perimeter.models import get_perimeter

    app = live_server.app
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_DEFAULT_SENDER="Coop-ère Lilas <lilas@example.org>",
    )
    mail.init_app(app)
    with app.app_context():
        consenting = []
        for person in ("member", "animator", "admin"):
            user = db.session.get(User, live_server.people[person])
            add_consent(
                user,
                ConsentKind.NEWSLETTER,
                True,
                actor=None,
                method=Method.ONLINE,
                perimeter=get_perimeter(),
            )
            consenting.append(user.email)
        db.session.commit()
    yield sorted(consenting)
    app.config["MAIL_SERVER"] = None


def qr_codes(pdf: bytes, folder: Path) -> list[str]:
    for tool in ("zbarimg", "pdftoppm"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed: QR codes cannot be decoded")
    (folder / "in.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            str(folder / "in.pdf"),
            str(folder / "page"),
        ],
        check=True,
    )
    found = []
    for image in sorted(folder.glob("page*.png")):
        out = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True)
        found += out.stdout.decode().split()
    return found


def test_animator_builds_tests_and_sends_the_newsletter_once(
    page_as, live_server, inbox, mail_to, tmp_path
):
    page = page_as("animator")
    page.goto("/lettre")
    page.get_by_role("button", name="Préparer la lettre du mois").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Préparer la lettre")
    edit_url = page.url
    blocks = page.locator("form.newsletter-edit-block")
    count = blocks.count()
    assert count >= 2
    first_title = blocks.first.get_by_label("Titre du bloc").input_value()
    blocks.first.get_by_role("button", name=re.compile("^Retirer ce bloc")).click()
    expect(page.get_by_text("Le bloc est retiré.")).to_be_visible()
    expect(page.locator("form.newsletter-edit-block")).to_have_count(count - 1)

    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 360, "height": 800})
        page.screenshot(path=str(SHOTS / "newsletter-editor-360.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Aperçu", exact=True).click()
    expect(page.get_by_text("Aperçu : cette lettre n'est pas encore publiée.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=first_title)).to_have_count(0)

    page.goto(edit_url)
    page.get_by_role("button", name="M'envoyer un essai").click()
    expect(page.get_by_text("Un essai vous est envoyé par courriel.")).to_be_visible()
    assert [message["To"] for message in inbox.messages] == ["paul.bernard@example.org"]

    page.get_by_role("button", name="Publier et envoyer").click()
    expect(
        page.get_by_text("La lettre est publiée : 3 courriels en cours d'envoi.")
    ).to_be_visible()
    sent = inbox.messages[1:]
    assert sorted(message["To"] for message in sent) == mail_to  # one per consenting member
    for raw in inbox.raw[1:]:
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # plain ASCII
        assert re.search(
            r"^List-Unsubscribe: <http://localhost/courriel/arreter/[\w.-]+>\r?$", head, re.M
        ), head
        assert re.search(r"^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$", head, re.M)

    issue_id = re.search(r"/lettre/(\d+)", edit_url).group(1)
    response = page.request.get(f"/lettre/{issue_id}/papier.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert qr_codes(response.body(), tmp_path) == ["http://localhost/bienvenue"]

    # A second click on « envoyer »: nothing more.
    page.goto(edit_url)
    page.get_by_role("button", name="Publier et envoyer").click()
    expect(page.get_by_text("Cette lettre est déjà envoyée")).to_be_visible()
    assert len(inbox.messages) == 1 + len(mail_to)
