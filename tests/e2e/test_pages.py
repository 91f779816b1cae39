"""Every page, for every role that may see it: axe-core, target sizes, small screens and zoom.

Pages come from the url map and the policy table (conftest.policy_pages: every GET route, once
per role allowed), plus the pages a person meets when something goes wrong (404, 403, forms
showing their errors) and a few states of pages (a search, the English site).
"""

from __future__ import annotations

import base64
import functools
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import (
    CONTEXT_DEFAULTS,
    ENGLISH_MO,
    SHOTS,
    PageCase,
    console_errors,
    log_in,
    login_of,
    policy_pages,
)

pytestmark = pytest.mark.e2e

PlaywrightError = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").Error
AXE_JS = Path(
    pytest.importorskip("axe_playwright_python", reason="pip install -e .[test]").__file__
).with_name("axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MIN_TARGET = 44  # CSS px, both ways (WCAG 2.5.5, stricter than 2.5.8's 24 px)
SMALL_WIDTH = 320  # a phone, and a 640 px window at 200 % zoom
SHOT_WIDTHS = (CONTEXT_DEFAULTS["viewport"]["width"], 360)
MIN_FONT_PX = 18
MIN_LINE_HEIGHT = 1.5


# --- the pages a person meets when something goes wrong, and other states ------------------


def failed_login(page):
    log_in(page, login_of("member"), "pas-le-bon-mot-de-passe")
    assert page.locator(".notice-error").is_visible()


def password_errors(page):
    page.goto("/compte")
    page.get_by_role("button", name="Changer le mot de passe").click()
    page.wait_for_load_state()
    assert page.locator(".error-text").count() >= 3


def settings_errors(page):
    page.goto("/admin/perimetre")
    page.get_by_label("Nom du réseau", exact=True).fill("")
    page.get_by_label("Code postal", exact=True).fill("443")
    page.get_by_role("button", name="Enregistrer les réglages").click()
    page.wait_for_load_state()
    assert page.locator(".error-text").count() == 2


def group_search(name):
    def setup(page):
        page.goto("/admin/groupe")
        page.get_by_label("Nom ou prénom").fill(name)
        page.get_by_role("button", name="Chercher").click()
        page.wait_for_load_state()
        assert "?" not in page.url  # the name is posted, never in the address
        # The answer jumps to the results (#ajouter); the page is checked from its top, where the
        # first Tab must reach the skip link (the search stays in the session).
        page.goto("/admin/groupe")

    return setup


def in_english(path):
    def setup(page):
        if not ENGLISH_MO.exists():
            pytest.skip(
                f"English catalogue not compiled ({ENGLISH_MO} is missing): "
                "run `pybabel compile -d coopere/translations` (make install does)"
            )
        page.goto(path)
        if page.locator("html").get_attribute("lang") != "en":
            page.get_by_role("button", name="Read this site in English").click()
        assert page.locator("html").get_attribute("lang") == "en"

    return setup


SCENARIOS = [
    PageCase(id="anonymous-404", role="anonymous", path="/cette-page-n-existe-pas", status=404),
    PageCase(id="member-404", role="member", path="/cette-page-n-existe-pas", status=404),
    PageCase(id="member-403", role="member", path="/admin/groupe", status=403),
    PageCase(id="anonymous-login-errors", role="anonymous", setup=failed_login),
    PageCase(id="member-account-errors", role="member", setup=password_errors),
    PageCase(id="admin-settings-errors", role="admin", setup=settings_errors),
    PageCase(id="admin-group-search", role="admin", setup=group_search("Petit")),
    PageCase(id="admin-group-search-none", role="admin", setup=group_search("Personne")),
    # In their own tab: the language choice stays in that tab's session.
    PageCase(
        id="anonymous-english-public.home", role="anonymous", tab="english", setup=in_english("/")
    ),
    PageCase(
        id="anonymous-english-auth.login",
        role="anonymous",
        tab="english",
        setup=in_english("/connexion"),
    ),
]
CASES = policy_pages() + SCENARIOS
SCANNED = {(c.role, c.path) for c in CASES if c.path and not c.tab}


def open_case(page, case: PageCase) -> bool:
    """Bring `page` to the state this case checks; False if there is nothing more to check there:
    the route answers a file (CSV, PDF, JSON), or sends this person on to another scanned page."""
    if case.setup:
        case.setup(page)
    else:
        try:
            response = page.goto(case.path)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            response = page.request.get(case.path)  # an attachment: fetch it with the tab's cookies
        assert response.status == case.status, (
            f"GET {case.path} as {case.role}: HTTP {response.status}"
        )
        if not response.headers.get("content-type", "").startswith("text/html"):
            return False
        if case.role != "anonymous":
            assert "/connexion" not in page.url, f"{case.role} was sent to the login page"
        landed = urlsplit(page.url).path
        if landed != urlsplit(case.path).path and (case.role, landed) in SCANNED:
            return False  # sent on to a page this role's scan covers anyway (e.g. login → home)
    # Web fonts change sizes: measure and photograph what a person sees.
    page.evaluate("document.fonts.ready.then(() => true)")
    return True


def unexpected_errors(page, problems: list[str]) -> list[str]:
    """Console errors but Chromium's own note of the page's HTTP status (404, 422…)."""
    return [
        p
        for p in problems
        if not (p.startswith("console: Failed to load resource") and p.endswith(f"({page.url})"))
    ]


_CDP: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page -> its DevTools session


def shoot(page, name: str) -> None:
    """A full-page PNG of what the person sees, in SHOTS.

    Taken through the DevTools protocol with Chromium's fast encoder: about half the time of
    page.screenshot(), which matters with two pictures of every page for every role."""
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    if page not in _CDP:
        _CDP[page] = page.context.new_cdp_session(page)
    cdp = _CDP[page]
    size = cdp.send("Page.getLayoutMetrics")["cssContentSize"]
    shot = cdp.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    (SHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


# --- axe-core ------------------------------------------------------------------------------


@functools.cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


_AXE_READY: weakref.WeakSet = weakref.WeakSet()  # contexts that load axe-core in every page


def axe_violations(page) -> list[dict]:
    # Given through the DevTools protocol, so the page's CSP (no inline script) stays as it is:
    # once by hand, then by the context at each page load (cheaper than sending it every time).
    if page.context not in _AXE_READY:
        page.context.add_init_script(path=str(AXE_JS))
        _AXE_READY.add(page.context)
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        "tags => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return results["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  - {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"      at {' > '.join(map(str, node['target']))}: {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"      … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


# --- target size ---------------------------------------------------------------------------

SMALL_TARGETS_JS = r"""
(min) => {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + '[role="button"]';
  const describe = (el) => {
    let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    for (const c of el.classList) s += '.' + c;
    if (el.tagName !== 'A')
      for (const a of ['type', 'name', 'value'])
        if (el.getAttribute(a)) s += `[${a}="${el.getAttribute(a)}"]`;
    const text = (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
    return text ? `${s} «${text.slice(0, 50)}»` : s;
  };
  const offenders = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility !== 'visible') continue;
    let target = el;  // a checkbox or radio button is clicked through its label
    if (el.matches('input[type="checkbox"], input[type="radio"]')) {
      target = el.closest('label')
        || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) || el;
    }
    const r = target.getBoundingClientRect();
    // parked off-screen until focused
    if (r.bottom + scrollY <= 0 || r.right + scrollX <= 0) continue;
    if (r.width < min || r.height < min)
      offenders.push(`${describe(el)}: ${r.width.toFixed(1)} × ${r.height.toFixed(1)} px`);
  }
  return offenders;
}
"""


# --- small screens, zoom and text size -----------------------------------------------------

OVERFLOW_JS = r"""
(width) => {
  const doc = document.documentElement;
  const culprits = [];
  if (doc.scrollWidth > width + 1) {
    // Elements reaching past the edge, or whose text overflows them (a long word, an address),
    // outside of boxes that scroll sideways on purpose; only the innermost ones are reported.
    const inScroller = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      return false;
    };
    const bad = (el) => el.getClientRects().length && !inScroller(el)
      && (el.getBoundingClientRect().right > width + 1 || el.scrollWidth > el.clientWidth + 1);
    for (const el of document.body.querySelectorAll('*')) {
      if (bad(el) && ![...el.children].some(bad)) {
        const r = el.getBoundingClientRect();
        const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
          + [...el.classList].map(c => '.' + c).join('');
        const text = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 60);
        culprits.push(`${name}${text ? ' «' + text + '»' : ''}: box ${Math.round(r.left)}–`
          + `${Math.round(r.right)} px, content ${el.scrollWidth} px wide`);
      }
    }
  }
  return {scrollWidth: doc.scrollWidth, culprits: culprits.slice(0, 10)};
}
"""

TEXT_JS = r"""
([minFont, minRatio]) => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join('');
  const quote = (el) => `«${el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40)}»`;
  const ratio = (s) =>
    s.lineHeight === 'normal' ? 1.2 : parseFloat(s.lineHeight) / parseFloat(s.fontSize);
  const body = getComputedStyle(document.body);
  if (parseFloat(body.fontSize) < minFont) problems.push(`body font-size ${body.fontSize}`);
  if (ratio(body) < minRatio) problems.push(`body line-height ${ratio(body).toFixed(2)}`);
  // Every piece of visible text, whatever element holds it.
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || el.closest('select')) continue;
    seen.add(el);
    if (!el.getClientRects().length || getComputedStyle(el).visibility !== 'visible') continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minFont) problems.push(`${name(el)} ${quote(el)}: ${size} px`);
  }
  // Running text keeps its line spacing (headings and buttons may be tighter).
  for (const el of document.querySelectorAll(
      'main p, main li, main dd, main dt, main td, main label, .site-footer p')) {
    if (!el.getClientRects().length) continue;
    const r = ratio(getComputedStyle(el));
    if (r < minRatio) problems.push(`${name(el)} ${quote(el)}: line-height ${r.toFixed(2)}`);
  }
  return problems;
}
"""


# --- one test per page and role: every check, every finding reported together ---------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_page_is_accessible(tab_of, case):
    """axe-core and target sizes at 1280 px; screenshots at 1280 and 360 px; at 320 px (a phone,
    or 200 % zoom in a 640 px window) no sideways scrolling and targets still large; text size and
    spacing; the first Tab reaches the skip link; no error in the browser console."""
    if case.error:
        pytest.fail(case.error, pytrace=False)
    page = tab_of(case.role, case.tab)
    with console_errors(page) as console:
        if not open_case(page, case):
            return  # a file (CSV, PDF…), or a redirect to a page scanned on its own
        findings = check_page(page, case)
        errors = unexpected_errors(page, console)
    if errors:
        findings["browser console errors (CSP refusals, missing files…)"] = "\n".join(
            f"  {e}" for e in errors
        )
    assert not findings, f"{page.url} as {case.role}:\n" + "\n".join(
        f"* {title}\n{body}" for title, body in findings.items()
    )


def check_page(page, case: PageCase) -> dict[str, str]:
    """{what is wrong: details} for the page as loaded."""
    findings = {}
    violations = axe_violations(page)
    if violations:
        findings["axe-core (WCAG 2.2 A and AA)"] = describe_violations(violations)
    targets = [f"at {SHOT_WIDTHS[0]} px: {t}" for t in page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)]
    shoot(page, f"{case.id}-{SHOT_WIDTHS[0]}")
    page.set_viewport_size({"width": SHOT_WIDTHS[1], "height": 800})
    shoot(page, f"{case.id}-{SHOT_WIDTHS[1]}")

    page.set_viewport_size({"width": SMALL_WIDTH, "height": 800})
    overflow = page.evaluate(OVERFLOW_JS, SMALL_WIDTH)
    if overflow["scrollWidth"] > SMALL_WIDTH + 1:
        findings[f"scrolls sideways at {SMALL_WIDTH} px"] = (
            f"  the page is {overflow['scrollWidth']} px wide; innermost culprits:\n"
            + "\n".join(f"  {c}" for c in overflow["culprits"])
        )
    targets += [f"at {SMALL_WIDTH} px: {t}" for t in page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)]
    if targets:
        findings[f"targets smaller than {MIN_TARGET}×{MIN_TARGET} px"] = "\n".join(
            f"  {t}" for t in targets
        )
    text = page.evaluate(TEXT_JS, [MIN_FONT_PX, MIN_LINE_HEIGHT])
    if text:
        findings[f"text under {MIN_FONT_PX} px or line-height under {MIN_LINE_HEIGHT}"] = "\n".join(
            f"  {t}" for t in text
        )

    page.keyboard.press("Tab")
    if not page.evaluate("document.activeElement.matches('a.skip-link[href=\"#contenu\"]')"):
        findings["keyboard"] = "  the first Tab does not focus the skip link « Aller au contenu »"
    return findings


def test_pages_are_enumerated_from_the_url_map_and_policy():
    """The scan covers each GET page once per role the policy allows, and no more."""
    ids = {c.id for c in CASES}
    assert {
        "anonymous-public.home",
        "member-public.home",
        "animator-public.home",
        "admin-public.home",
        "anonymous-auth.login",
        "member-auth.home",
        "animator-auth.account",
        "admin-perimeter.group",
        "admin-perimeter.settings",
        "admin-perimeter.audit",
    } <= ids
    assert "anonymous-auth.home" not in ids and "animator-perimeter.group" not in ids
    assert not any(c.id.endswith(("auth.logout", "public.set_language", "static")) for c in CASES)
    assert not any(c.path and c.path.endswith((".pdf", ".csv", ".json")) for c in CASES)
