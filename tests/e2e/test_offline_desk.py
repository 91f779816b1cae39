"""The café desk without a network, in a real browser (service worker, IndexedDB): the animator
opens the desk online, the network drops, the page is reloaded, two members are checked in, a
visitor is counted and a newcomer is registered with a pre-printed card's number; a second tablet
checks in the same neighbour; the network returns; the site holds each of them once, sending again
changes nothing, the card's QR code activates the newcomer's account, and the tablet's storage
holds no resident's data once sent and after the café's day."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from .conftest import SHOTS, log_in, login_of
from helpers import PASSWORD

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").expect

pytestmark = pytest.mark.e2e

READ_DB = """async (store) => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes("coopere-desk")) { return null; }
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("coopere-desk"); r.onsuccess = () => ok(r.result); r.onerror = ko;
  });
  const rows = await new Promise((ok) => {
    const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result);
  });
  db.close();
  return rows;
}"""
KEPT = """async () => {
  const cache = await caches.open("coopere-desk-v1");
  return Boolean(await cache.match(location.pathname));
}"""


def first_card_url(pdf: bytes, tmp_path) -> str:
    """The QR code of the sheet's first card (top left), read by zbarimg."""
    for tool in ("zbarimg", "pdftoppm"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed: the card's QR code cannot be read")
    (tmp_path / "cards.pdf").write_bytes(pdf)
    dpi = 200
    crop = [round(mm / 25.4 * dpi) for mm in (19.4, 13.5, 85.6, 54.0)]
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1", "-x", str(crop[0]),
         "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3]), str(tmp_path / "cards.pdf"),
         str(tmp_path / "card")],
        check=True,
    )  # fmt: skip
    image = next(tmp_path.glob("card*.png"))
    found = subprocess.run(
        ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(found) == 1, found
    return found[0]


def open_desk(context, person: str, path: str):
    page = context.new_page()
    log_in(page, login_of(person))
    page.goto(path)
    expect(page.locator("#offline-desk[data-ready='1']")).to_have_count(1)
    expect(page.locator("#reseau")).to_contain_text("En ligne")
    for _ in range(50):  # the page and its files kept for a reload without a network
        if page.evaluate(KEPT):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(KEPT), "the desk page was not kept by the service worker"
    assert page.evaluate(READ_DB, "desk"), "the names were not kept for the search"
    return page


def check_in(page, query: str, name: str) -> None:
    page.get_by_label("Nom ou prénom").fill(query)
    page.get_by_role("button", name=f"Présent(e) : {name}").click()
    expect(page.get_by_role("list", name="Résultats")).to_contain_text("Déjà présent(e)")


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"offline-desk-{name}.png"), full_page=True)


def test_the_desk_works_offline_and_the_site_gets_each_action_once(
    new_context, live_server, tmp_path
):
    from sqlalchemy import func, select

    from coopere.auth.models import User
    from coopere.cafe.models import CheckIn
    from coopere.events.models import Event
    from coopere.extensions import db
    from coopere.timeutil import paris_today, to_utc

    app = live_server.app
    with app.app_context():
        today = paris_today()
        event = Event(
            kind="cafe",
            starts_at=to_utc(today, datetime.min.time().replace(minute=1)),
            ends_at=to_utc(today, datetime.max.time().replace(microsecond=0)),
            place="Place des Lilas",
        )
        db.session.add(event)
        db.session.commit()
        event_id = event.id
        db.session.remove()
    path = f"/cafe/{event_id}/accueil/hors-ligne"

    tablet = new_context(viewport={"width": 768, "height": 1024})
    page = open_desk(tablet, "animator", path)
    shot(page, "768-online")
    with page.expect_download(timeout=30_000) as download:  # the cards, printed before the café
        page.get_by_role("button", name="Imprimer 10 cartes d'accueil numérotées (PDF)").click(
            timeout=30_000  # a PDF of ten cards: WeasyPrint takes its time on a busy machine
        )
    card_url = first_card_url(download.value.path().read_bytes(), tmp_path)
    assert re.search(r"/activer/[A-Z0-9]{10}$", card_url), card_url
    other = open_desk(new_context(viewport={"width": 360, "height": 800}), "admin", path)
    shot(other, "360-online")

    tablet.set_offline(True)
    other.context.set_offline(True)
    page.reload()  # from the tablet's copy: no network
    expect(page.locator("#offline-desk[data-ready='1']")).to_have_count(1)
    expect(page.locator("#reseau")).to_contain_text("Hors ligne")
    check_in(page, "dupont", "Marie Dupont")
    check_in(page, "martin", "Jean Martin")
    check_in(page, "odette", "Odette Lambert")
    page.get_by_role("button", name="+ 1 visiteur").click()
    form = page.locator("#inscription")
    form.get_by_label("Prénom", exact=True).fill("Rosa")
    form.get_by_label("Nom", exact=True).fill("Lemoine")
    form.get_by_label("Logement", exact=True).fill("12 Rue des Lilas")
    form.get_by_label("Téléphone", exact=True).fill("06 55 44 33 22")
    form.get_by_role("group", name="A-t-il ou elle internet").get_by_label("Oui").check()
    form.get_by_label("Par téléphone").check()
    form.get_by_role("group", name="Coups de main").get_by_label("Je peux proposer").check()
    form.get_by_label("La personne accepte la charte").check()
    form.get_by_label("La personne a reçu l'information").check()
    form.get_by_label("Numéro de la carte d'accueil pré-imprimée").fill("0001")
    form.get_by_role("button", name="Garder l'inscription et l'envoyer").click()
    summary = page.locator("#file-resume")
    expect(summary).to_have_text("1 inscription, 3 présences et 1 visiteur en attente d'envoi.")
    expect(page.get_by_role("list", name="Présents")).to_contain_text("Rosa Lemoine")
    shot(page, "768-offline")
    check_in(other, "odette", "Odette Lambert")  # the second tablet, the same neighbour
    other.set_viewport_size({"width": 360, "height": 800})
    shot(other, "360-offline")
    assert other.evaluate("document.documentElement.scrollWidth") <= 360

    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.post_data) if request.url.endswith("/envoi") else None,
    )
    tablet.set_offline(False)  # the network returns: the queue leaves by itself
    expect(summary).to_have_text("Rien en attente d'envoi.", timeout=10_000)
    answers = page.get_by_role("list", name="Réponses du site")
    expect(answers).to_contain_text("Rosa Lemoine est inscrit(e) et noté(e) présent(e)")
    expect(answers).to_contain_text("carte n° 0001 est active")
    other.context.set_offline(False)
    expect(other.locator("#file-resume")).to_have_text("Rien en attente d'envoi.", timeout=10_000)
    expect(other.get_by_role("list", name="Réponses du site")).to_contain_text("compté(e) une fois")

    def held():
        with app.app_context():
            names = db.session.scalars(
                select(User.first_name)
                .join(CheckIn, CheckIn.user_id == User.id)
                .where(CheckIn.event_id == event_id)
                .order_by(User.first_name)
            ).all()
            visitors = db.session.get(Event, event_id).visitors
            rosas = db.session.scalar(select(func.count()).where(User.first_name == "Rosa"))
            db.session.remove()
        return names, visitors, rosas

    assert held() == (["Jean", "Marie", "Odette", "Rosa"], 1, 1)
    # Sending the same queue again (a retry after a lost answer) changes nothing.
    token = page.request.get(f"/cafe/{event_id}/accueil/donnees.json").json()["csrf"]
    again = page.request.post(
        f"/cafe/{event_id}/accueil/envoi",
        data=sent[-1],
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    ).json()
    assert {result["status"] for result in again["results"]} == {"already"}
    assert len(json.loads(sent[-1])["actions"]) == 5
    assert held() == (["Jean", "Marie", "Odette", "Rosa"], 1, 1)

    # Once sent, nothing of the queue stays on the tablet; after the café's day, no names either.
    assert page.evaluate(READ_DB, "queue") == []
    tomorrow = datetime.now(timezone.utc) + timedelta(days=2)
    page.clock.set_fixed_time(tomorrow)
    page.reload()
    expect(page.locator("#offline-desk[data-ready='1']")).to_have_count(1)
    expect(page.locator("#reseau")).to_contain_text("En ligne")
    assert page.evaluate(READ_DB, "desk") == [] and page.evaluate(READ_DB, "queue") == []

    # Logging out erases the tablet's copy (Clear-Site-Data).
    other.get_by_role("button", name="Me déconnecter").click()
    other.wait_for_load_state()
    assert other.evaluate(READ_DB, "desk") in (None, [])

    # The pre-printed card's QR code activates Rosa's account.
    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    phone.goto(urlsplit(card_url).path)
    expect(phone.get_by_text("Rosa")).not_to_have_count(0)
    phone.get_by_label("Choisissez votre mot de passe").fill(PASSWORD)
    phone.get_by_label("Votre mot de passe, une deuxième fois").fill(PASSWORD)
    phone.get_by_role("button").filter(
        has_text=re.compile("Activer|Valider|Enregistrer")
    ).first.click()
    expect(phone.get_by_text("Votre compte est activé")).to_be_visible()
