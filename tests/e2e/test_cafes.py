"""Cafés-rencontres in a real browser: a member says they will come from an old phone; an
animator checks people in at the café desk on a tablet."""

from __future__ import annotations

import re

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e .[test]").expect

pytestmark = pytest.mark.e2e


def test_member_says_she_will_come_from_an_old_phone(page_as):
    page = page_as("newcomer")
    page.set_viewport_size({"width": 360, "height": 640})
    page.get_by_role("link", name="Rendez-vous", exact=True).click()
    first = page.get_by_role("button", name=re.compile(r"^Je viendrai")).first
    first.click()
    expect(page.get_by_role("button", name=re.compile(r"^Je ne viendrai plus"))).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Mon espace").click()
    expect(
        page.get_by_role("region", name=re.compile("Vos prochains rendez-vous")).or_(
            page.get_by_text("Vos prochains rendez-vous")
        )
    ).not_to_have_count(0)
    response = page.request.get("/calendrier.ics")
    assert response.ok and "BEGIN:VCALENDAR" in response.text()


def test_animator_checks_people_in_at_the_cafe_desk(page_as, live_server):
    from coopere.events.models import Event
    from coopere.extensions import db
    from coopere.timeutil import utcnow

    with live_server.app.app_context():
        past = db.session.scalars(
            db.select(Event.id).where(Event.starts_at < utcnow()).order_by(Event.starts_at.desc())
        ).first()
        db.session.remove()
    page = page_as("animator")
    page.set_viewport_size({"width": 800, "height": 1280})
    page.goto(f"/cafe/{past}/accueil")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accueil du café")
    page.get_by_label("Nom ou prénom").fill("martin")  # Jean Martin, accents and case ignored
    page.get_by_label("Nom ou prénom").press("Enter")
    page.get_by_role("button", name="Présent(e) : Jean Martin").click()
    expect(
        page.get_by_role("button", name="Retirer : Jean Martin")
    ).to_be_visible()  # now on the present list
    page.get_by_role("button", name="+ 1 visiteur").click()
    expect(page.get_by_role("list", name="Comptes")).to_contain_text(re.compile(r"Visiteurs : ?4"))
