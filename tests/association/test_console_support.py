"""« Ouvrir les pages du groupe »: the perimeter's coach reaches its animators' pages only while
the group grants it, read-only, every page in the perimeter's audit log; nobody else from the
console gets anything of a perimeter's residents, whatever route they try."""

from __future__ import annotations

from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.extensions import db
from coopere.perimeter.support import give_grant
from console_support import COACH, CONSOLE, COORD, OTHER, post_form
from network_support import A_SECRETS, BASE


def open_group(client, slug="a"):
    return post_form(
        client, f"{CONSOLE}/perimetres/{slug}/accompagnement", {},
        form_url=f"{CONSOLE}/compte",
    )  # fmt: skip


def test_without_a_grant_the_coach_gets_the_login_page_and_no_resident(console):
    coach = console.login(COACH)
    response = open_group(coach)
    assert response.status_code == 302
    entry = response.headers["Location"]
    assert entry.startswith(f"{BASE}/a/accompagnement/entree?jeton=")
    landed = coach.get(entry)
    assert "/connexion" in landed.headers["Location"]
    members = coach.get(f"{BASE}/a/membres/")
    assert members.status_code == 302 and "/connexion" in members.headers["Location"]


def test_with_the_groups_grant_the_coach_reads_the_animators_pages_audited(console):
    app = console.perimeters.app("a")
    with app.test_request_context():
        pilote = db.session.get(User, 1)
        give_grant(console.account_id(COACH), 7, actor=pilote)
        db.session.commit()
    coach = console.login(COACH)
    entry = open_group(coach).headers["Location"]
    landed = coach.get(entry)
    assert landed.status_code == 302 and "/connexion" not in landed.headers["Location"], (
        landed.headers["Location"]
    )
    page = coach.get(f"{BASE}/a/membres/")
    assert page.status_code == 200, (page.headers.get("Location"), landed.headers["Location"])
    assert A_SECRETS[0] in page.get_data(as_text=True)  # the residents, now that the group agreed
    assert "lecture seule" in page.get_data(as_text=True)
    with app.app_context():
        viewed = db.session.query(AuditEvent).filter_by(action="support.page_viewed").all()
        assert any("/membres/" in event.details and "Bruno" in event.details for event in viewed)
    # read-only: a form posted during the visit is refused
    refused = coach.post(f"{BASE}/a/membres/", data={})
    assert refused.status_code in (403, 400)


def test_only_the_perimeters_own_coach_may_open_it(console):
    assert open_group(console.login(COORD)).status_code == 403  # not the coach of A
    assert open_group(console.login(OTHER)).status_code == 404  # A is not theirs at all
    coach = console.login(COACH)
    assert open_group(coach, "b").status_code == 404  # B is not confided to them


def test_no_console_session_opens_a_perimeters_pages(console):
    """The console's cookie is its own (path /association/): every route of perimeter B, tried
    with a logged-in coordination session, answers the login page or a public page."""
    client = console.login(COORD)
    app = console.perimeters.app("b")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments:
            continue
        response = client.get(f"{BASE}/b{rule.rule}")
        body = response.get_data(as_text=True)
        for secret in A_SECRETS + ("Zéphyrine", "Bartholoméa"):
            assert secret not in body or rule.endpoint.startswith("public."), rule.rule
