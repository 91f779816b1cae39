"""The association's console in a real browser, over a live network (issue #16's browser bar): a
coordinator creates a perimeter and downloads its pilote's letter; the pilote activates the account
with the letter's code, imports the dwelling register and confirms a letter print run; the
perimeter's console page, once its figures are refreshed, shows those milestones done « lu dans
les données du périmètre » without anyone ticking them; the coach logs a session; the network
figures count the new perimeter's dwellings and letters.

The network (tests/network/network_support.py) lives in a temporary folder, on SQLite (the e2e
tests run in the SQLite leg), served by werkzeug on a free port that is its PUBLIC_URL."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .conftest import CONTEXT_DEFAULTS, SHOTS, TIMEOUT_MS
from helpers import BACKEND, PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "network"))

from network_support import close_network, make_network  # noqa: E402

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").expect

pytestmark = pytest.mark.e2e

COORD, COACH = "coord@example.org", "coach@example.org"
SLUG = "bottiere"
PILOTE_LOGIN = "nadia.pilote@example.org"
STREET = "Impasse de l'Église"  # the run's letters: this street of the register only
#: The dwelling register the pilote imports (the project's CSV format): street -> house numbers.
REGISTER = {
    "Rue de la Bottière": range(1, 121),
    "Allée des Érables": range(1, 31),
    STREET: range(1, 9),
}


def register_csv(folder: Path) -> Path:
    lines = ["numero;rep;voie;complement;code_postal;commune"]
    lines += [
        f"{n};;{street};;44300;Nantes" for street, numbers in REGISTER.items() for n in numbers
    ]
    path = folder / "logements.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def network_site(tmp_path):
    """A network with no perimeter yet, a coordination and an accompagnateur account, served on
    127.0.0.1:<free port> (its PUBLIC_URL); yields that address."""
    from coopere.association import accounts
    from coopere.association.store import db_session
    from coopere.network.sites import database_url

    served = {}
    server = make_server(
        "127.0.0.1", 0, lambda environ, start: served["app"](environ, start), threaded=True
    )
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        perimeters = make_network(
            tmp_path / "network",
            {"PUBLIC_URL": url, "PREFERRED_URL_SCHEME": "http", "QUEUE_URL": "immediate"},
            slugs=(),
        )
    except BaseException:
        server.server_close()
        raise
    served["app"] = perimeters.dispatcher
    with perimeters.dispatcher.network_app.test_request_context():
        accounts.create_account(COORD, "Claire Coordination", "coordination", PASSWORD)
        accounts.create_account(COACH, "Bruno Accompagne", "accompagnateur", PASSWORD)
        db_session().commit()
    if BACKEND == "postgresql":  # the perimeter the console creates: its database is dropped
        perimeters.databases.append(database_url(perimeters.network, SLUG))
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    thread = threading.Thread(target=server.serve_forever, name="coopere-e2e-network", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        werkzeug_log.setLevel(level)
        close_network(perimeters)


def short_code(pdf: bytes, folder: Path) -> str:
    """The activation code printed on the pilote's letter, read by pdftotext."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed: the pilote's letter cannot be read")
    (folder / "lettre.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "lettre.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The code after « tapez ce code : », its line (pdftotext may cut its spaced letters).
    found = re.search(r"tapez ce code\s*:\s*([0-9A-Z][0-9A-Z -]*[0-9A-Z])", text)
    assert found, text
    return found.group(1).replace(" ", "")


def shot(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"association-{name}.png"), full_page=True)


@pytest.fixture
def device(browser, network_site):
    """device() -> a new tab in a browser context of its own (one person's device), on the
    network's site; every context is closed after the test."""
    contexts = []

    def _new():
        context = browser.new_context(
            **CONTEXT_DEFAULTS, base_url=network_site, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


def console_login(page, email: str):
    page.goto("/association/connexion")
    page.get_by_label("Adresse e-mail", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Me connecter", exact=True).click()
    expect(page.get_by_role("button", name="Me déconnecter")).to_be_visible()
    return page


def goto_once_served(page, path: str) -> None:
    """Open a new perimeter's page as its pilote would, some time after its creation: the
    network serves a new perimeter within ROUTES_SECONDS (it reads its list of perimeters again
    at most that often), and a quick test gets there first."""
    from coopere.network.dispatch import ROUTES_SECONDS

    deadline = time.monotonic() + ROUTES_SECONDS + 3
    while page.goto(path).status == 404 and time.monotonic() < deadline:
        page.wait_for_timeout(250)


def key_figure(page, label: str):
    """The number of a key figure of the network figures page (« En bref »)."""
    figure = page.locator(".key-figures li").filter(has=page.get_by_text(label, exact=True))
    return figure.locator("strong")


def test_a_new_perimeter_goes_from_the_console_to_its_milestones_and_the_network_figures(
    device, tmp_path
):
    from coopere.timeutil import paris_today

    # 1. The coordinator creates the perimeter, with its coach, and downloads the pilote's letter.
    coordinator = console_login(device(), COORD)
    coordinator.goto("/association/perimetres")
    menu = coordinator.get_by_role("navigation", name="Menu de la console")
    menu.locator("summary", has_text="Accompagnement").click()  # a folded section of the menu
    menu.get_by_role("link", name="Nouveau périmètre").click()
    coordinator.get_by_label("Identifiant court", exact=True).fill(SLUG)
    coordinator.get_by_label("Nom du réseau", exact=True).fill("Coop-ère de la Bottière")
    coordinator.get_by_label("Commune", exact=True).fill("Nantes")
    coordinator.get_by_label("Code postal", exact=True).fill("44300")
    coordinator.get_by_label("Nombre estimé de logements", exact=True).fill("300")
    coordinator.get_by_label("Lieu des rencontres", exact=True).fill(
        "Maison de quartier de la Bottière"
    )
    coordinator.get_by_label("Prénom du pilote", exact=True).fill("Nadia")
    coordinator.get_by_label("Nom du pilote", exact=True).fill("Benali")
    coordinator.get_by_label("E-mail ou téléphone du pilote", exact=True).fill(PILOTE_LOGIN)
    coordinator.get_by_role("button", name="Créer le périmètre").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Mise en route de Coop-ère de la Bottière"
    )
    coordinator.get_by_label("Accompagnateur·rice", exact=True).select_option(
        label="Bruno Accompagne"
    )
    coordinator.get_by_role("button", name="Enregistrer").click()
    expect(coordinator.locator(".notice").first).to_contain_text("Bruno Accompagne accompagne")
    shot(coordinator, "mise-en-route")
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="Télécharger la lettre du pilote (PDF, A4)").click()
    code = short_code(Path(download.value.path()).read_bytes(), tmp_path)

    # 2. The pilote types the letter's code on the site and chooses a password.
    pilote = device()
    goto_once_served(pilote, f"/{SLUG}/activer")
    pilote.get_by_label("Code de votre carte d'accueil", exact=True).fill(code)
    pilote.get_by_role("button", name="Continuer").click()
    pilote.get_by_label("Choisissez votre mot de passe", exact=True).fill(PASSWORD)
    pilote.get_by_label("Votre mot de passe, une deuxième fois", exact=True).fill(PASSWORD)
    pilote.get_by_role("button", name="Activer mon compte").click()
    expect(pilote.get_by_text("Bienvenue, Nadia ! Votre compte est activé")).to_be_visible()

    # 3. The pilote imports the dwelling register.
    pilote.goto(f"/{SLUG}/logements/import")
    pilote.get_by_label("Fichier CSV de la liste des adresses", exact=True).set_input_files(
        register_csv(tmp_path)
    )
    pilote.get_by_role("button", name="Vérifier le fichier").click()
    dwellings = sum(len(numbers) for numbers in REGISTER.values())
    pilote.get_by_role("button", name=f"Ajouter ces logements ({dwellings})").click()
    expect(pilote.get_by_text(f"Logements ajoutés au registre : {dwellings}.")).to_be_visible()

    # 4. The pilote plans the apéro-info, prints its letters for one street and confirms them.
    pilote.goto(f"/{SLUG}/evenements/nouveau")
    pilote.get_by_label("Type de rendez-vous", exact=True).select_option(label="apéro-info")
    pilote.get_by_label("Date", exact=True).fill((paris_today() + timedelta(days=20)).isoformat())
    pilote.get_by_label("Heure de début", exact=True).fill("18:30")
    pilote.get_by_label("Heure de fin", exact=True).fill("20:00")
    pilote.get_by_label("Lieu", exact=True).fill("Maison de quartier de la Bottière")
    pilote.get_by_role("button", name="Enregistrer le rendez-vous").click()
    pilote.goto(f"/{SLUG}/impressions/lettres")
    letters = len(REGISTER[STREET])  # one per dwelling of the street
    pilote.get_by_label(f"{STREET} ({letters})", exact=True).check()
    pilote.get_by_role("button", name="Préparer les lettres").click()
    pilote.get_by_role("button", name="Les lettres sont distribuées").click()
    expect(
        pilote.get_by_text(f"enregistrée pour chaque logement de la série ({letters})")
    ).to_be_visible()
    shot(pilote, "lettres-distribuees")

    # 5. Nothing read yet: the network figures do not count the perimeter's register; the
    # coordinator refreshes the perimeter's figures: three milestones read from its data.
    coordinator.goto("/association/chiffres")
    expect(key_figure(coordinator, "Logements")).to_have_text("0")
    coordinator.goto(f"/association/perimetres/{SLUG}")
    for key in ("Registre des logements importé", "Lieu de rencontre choisi",
                "Distribution des lettres d'invitation confirmée"):  # fmt: skip
        expect(coordinator.locator("#suivi li", has_text=key)).to_contain_text("À faire")
    coordinator.get_by_role("button", name="Actualiser les chiffres").click()
    expect(
        coordinator.get_by_text("Les chiffres de Coop-ère de la Bottière sont actualisés.")
    ).to_be_visible()
    for key in ("Registre des logements importé", "Lieu de rencontre choisi",
                "Distribution des lettres d'invitation confirmée"):  # fmt: skip
        milestone = coordinator.locator("#suivi li", has_text=key)
        expect(milestone).to_contain_text("✓ Fait")
        expect(milestone).to_contain_text("lu dans les données du périmètre")
        expect(milestone).not_to_contain_text("Coché à la main")
    expect(coordinator.locator("dl.facts")).to_contain_text("1 personne (au moins 6)")  # the pilote
    shot(coordinator, "suivi")

    # 6. The coach logs a coaching session.
    coach = console_login(device(), COACH)
    coach.goto(f"/association/perimetres/{SLUG}")
    coach.get_by_role("link", name="Noter une séance").click()
    coach.get_by_label("Date de la séance", exact=True).fill(paris_today().isoformat())
    coach.get_by_label("Heures", exact=True).fill("1")
    coach.get_by_label("Minutes", exact=True).fill("30")
    coach.get_by_label("Rencontre", exact=True).check()
    coach.get_by_label("Personnes du groupe présentes (prénoms, facultatif)", exact=True).fill(
        "Nadia"
    )
    coach.get_by_role("button", name="Noter la séance").click()
    sessions = coach.locator("#accompagnement .card")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("Par Bruno Accompagne.")
    expect(sessions.first).to_contain_text("Présents : Nadia")

    # 7. The network figures count the new perimeter's register and letters.
    coordinator.goto("/association/chiffres")
    expect(key_figure(coordinator, "Périmètres")).to_have_text("1")
    expect(key_figure(coordinator, "Logements")).to_have_text(str(dwellings))
    expect(key_figure(coordinator, "Lettres distribuées")).to_have_text(str(letters))
    row = coordinator.locator("table tbody tr", has_text="Coop-ère de la Bottière")
    expect(row).to_contain_text("Amorçage")
    expect(row.locator("td", has_text=re.compile(rf"^{dwellings}$"))).to_have_count(1)
    shot(coordinator, "chiffres")
