"""Journeys as people make them, in a real browser: what they see and where they land."""

from __future__ import annotations

import gettext
import re

import pytest

from coopere.policy import POLICY, Access

from .conftest import ENGLISH_MO, PASSWORD, PEOPLE, log_in, login_of

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").expect

pytestmark = pytest.mark.e2e

SIGN_UP = re.compile(
    r"inscri(re|ption|vez)|cr[ée]er[- ](un[- ])?compte|sign[-_ ]?up|register", re.IGNORECASE
)
AT_LOGIN = re.compile(r"/connexion(\?.*)?$")
AT_HOME = re.compile(r"/accueil$")


def test_visitor_sees_the_principles_and_how_to_join_and_cannot_sign_up(page_as, live_server):
    page = page_as()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coop-ère de la rue des Lilas")
    principles = page.get_by_role("region", name="Nos quatre principes")
    expect(principles.get_by_role("heading", level=3)).to_have_text(
        ["Gratuité", "Réciprocité", "Neutralité", "Tranquillité"]
    )
    join = page.get_by_role("region", name="Comment nous rejoindre ?")
    expect(join).to_contain_text("toujours en personne")
    expect(join).to_contain_text("Place des Lilas, devant la boulangerie")
    expect(join).to_contain_text("lilas@example.org")

    links = page.locator("a[href]").evaluate_all(
        "links => links.map(a => a.textContent.trim() + ' → ' + a.getAttribute('href'))"
    )
    assert not [link for link in links if SIGN_UP.search(link)], links
    public_routes = [
        rule.rule
        for rule in live_server.app.url_map.iter_rules()
        if POLICY.get(rule.endpoint) is Access.PUBLIC
    ]
    assert not [route for route in public_routes if SIGN_UP.search(route)], public_routes
    # The registration desk exists, for animators only: a visitor is asked to log in.
    page.goto("/inscription")
    expect(page).to_have_url(re.compile(r"/connexion\?next=%2Finscription$"))


@pytest.mark.parametrize("person", ["member", "phone_member"])
def test_log_in_by_email_or_phone_lands_on_the_member_home(page_as, person):
    page = page_as()
    log_in(page, login_of(person))  # the phone number as French people write it: 01 99 00 00 42
    expect(page).to_have_url(AT_HOME)
    first_name = PEOPLE[person]["first_name"]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {first_name} !")
    expect(page.get_by_role("button", name="Me déconnecter", exact=True)).to_be_visible()


def test_wrong_password_says_so_in_french_and_stays_on_the_login_page(page_as):
    page = page_as()
    log_in(page, login_of("member"), "ce-n-est-pas-le-bon")
    expect(page).to_have_url(AT_LOGIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Me connecter")
    expect(page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()
    password = page.get_by_label("Mot de passe", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_value("")
    # What the person typed as identifier is kept: only the password is to be typed again.
    expect(page.get_by_label("Adresse e-mail ou numéro de téléphone", exact=True)).to_have_value(
        login_of("member")
    )


NO_ENGLISH = (
    f"English catalogue not compiled ({ENGLISH_MO} is missing): "
    "run `pybabel compile -d coopere/translations` (make install does)"
)


@pytest.mark.skipif(not ENGLISH_MO.exists(), reason=NO_ENGLISH)
def test_footer_button_switches_the_site_to_english(page_as):
    with ENGLISH_MO.open("rb") as catalogue:
        english = gettext.GNUTranslations(catalogue).gettext
    for msgid in ("Nos quatre principes", "Me connecter", "Comment nous rejoindre ?"):
        assert english(msgid) != msgid, f"{msgid!r} has no English translation"
    page = page_as()
    page.goto("/")
    page.get_by_role("button", name="Read this site in English").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name=english("Nos quatre principes"))).to_be_visible()
    expect(page.get_by_role("heading", name=english("Comment nous rejoindre ?"))).to_be_visible()
    expect(page.get_by_text("Nos quatre principes")).to_have_count(0)
    # The choice follows the visitor to the next page, and the way back is offered in French.
    page.get_by_role("navigation").get_by_role("link", name=english("Me connecter")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(english("Me connecter"))
    page.get_by_role("button", name="Lire ce site en français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Me connecter")


@pytest.mark.skipif(not ENGLISH_MO.exists(), reason=NO_ENGLISH)
def test_language_chosen_before_logging_in_is_kept(page_as):
    """A visitor who switched to English stays in English once logged in."""
    with ENGLISH_MO.open("rb") as catalogue:
        english = gettext.GNUTranslations(catalogue).gettext
    page = page_as()
    page.goto("/connexion")
    page.get_by_role("button", name="Read this site in English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label(english("Adresse e-mail ou numéro de téléphone"), exact=True).fill(
        login_of("newcomer")
    )
    page.get_by_label(english("Mot de passe"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=english("Me connecter"), exact=True).click()
    expect(page).to_have_url(AT_HOME)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        english("Bonjour %(name)s !") % {"name": "Henri"}
    )


def test_log_out_of_all_devices_ends_the_other_devices_session(new_context):
    laptop = new_context().new_page()
    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    for page in (laptop, phone):
        log_in(page, login_of("traveller"))
        expect(page).to_have_url(AT_HOME)

    laptop.get_by_role("navigation").get_by_role("link", name="Mon compte").click()
    laptop.get_by_role("button", name="Me déconnecter de tous mes appareils").click()
    expect(laptop).to_have_url(AT_LOGIN)
    expect(laptop.get_by_role("status")).to_contain_text(re.compile(r"tous vos appareils"))

    phone.goto("/compte")
    expect(phone).to_have_url(AT_LOGIN)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Me connecter")
    expect(phone.get_by_text("Connectez-vous pour voir cette page.")).to_be_visible()
    # Logging in again on that device brings the person back where they were going.
    phone.get_by_label("Adresse e-mail ou numéro de téléphone", exact=True).fill(
        login_of("traveller")
    )
    phone.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Me connecter", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/compte$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mon compte")


def test_login_and_logout_work_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, login_of("member"))
    expect(page).to_have_url(AT_HOME)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Marie !")
    page.get_by_role("button", name="Me déconnecter", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"[Dd]éconne(ct|x)"))
    page.goto("/accueil")
    expect(page).to_have_url(AT_LOGIN)


def test_admin_makes_a_member_an_animator_on_the_group_page(page_as):
    page = page_as("admin")
    page.goto("/admin/groupe")
    expect(page.get_by_role("heading", name=re.compile(r"^Membres du groupe"))).to_have_text(
        "Membres du groupe (2)"
    )
    expect(page.get_by_label("Rôle de Henri Petit")).to_have_count(0)

    page.get_by_label("Nom ou prénom").fill("Petit")
    page.get_by_role("button", name="Chercher").click()
    henri = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Henri Petit"))
    henri.get_by_label("Rôle de Henri Petit").select_option(label="Animateur ou animatrice")
    henri.get_by_role("button", name="Changer le rôle").click()

    expect(
        page.get_by_role("status").filter(has_text="Le rôle de Henri Petit est enregistré.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Membres du groupe"))).to_have_text(
        "Membres du groupe (3)"
    )
    expect(page.get_by_label("Rôle de Henri Petit")).to_have_value("animator")
    expect(page.get_by_label("Place de Henri Petit dans le groupe")).to_be_visible()


def test_first_tab_focuses_the_skip_link_which_leads_to_the_content(page_as):
    # (Every page scan also checks that the first Tab lands on the skip link.)
    page = page_as("member")
    page.goto("/compte")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    box = skip.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    outline = skip.evaluate(
        "el => [getComputedStyle(el).outlineStyle, parseFloat(getComputedStyle(el).outlineWidth)]"
    )
    assert outline[0] != "none" and outline[1] >= 2, f"focus is not clearly visible: {outline}"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), (
        "after the skip link, Tab should go into the content"
    )


def test_log_in_with_the_keyboard_alone(page_as):
    page = page_as()
    page.goto("/connexion")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "login":
            break
    expect(page.get_by_label("Adresse e-mail ou numéro de téléphone", exact=True)).to_be_focused()
    page.keyboard.type(login_of("member"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(AT_HOME)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Marie !")


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_the_menus_folded_sections_open_one_at_a_time_and_targets_are_44px(page_as, width):
    """On a phone, a tablet and a desk screen: opening « Administrer » closes « Animer » (an
    exclusive group of <details>, no JavaScript), so the two lists never cover each other, and
    every entry of the open section is a target of at least 44 px."""
    page = page_as("admin")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/compte")
    animate = page.locator("nav.main-nav details", has=page.locator("summary", has_text="Animer"))
    administer = page.locator(
        "nav.main-nav details", has=page.locator("summary", has_text="Administrer")
    )
    animate.locator("summary").click()
    expect(animate.get_by_role("link", name="Inscrire", exact=True)).to_be_visible()
    administer.locator("summary").click()
    expect(administer.get_by_role("link", name="Réglages", exact=True)).to_be_visible()
    expect(animate.get_by_role("link", name="Inscrire", exact=True)).to_be_hidden()
    heights = page.evaluate(
        "() => [...document.querySelectorAll('nav.main-nav a, nav.main-nav summary')]"
        ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights
    assert page.evaluate("document.documentElement.scrollWidth") <= width
