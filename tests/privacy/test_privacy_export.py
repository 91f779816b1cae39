"""Access and portability: a member's full export (JSON and PDF), by themself or by an animator for
an offline resident; every export in the audit log; nobody else's personal data in it."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers import PASSWORD, login
from coopere.audit.models import AuditEvent
from coopere.auth.models import User
from coopere.auth.passwords import hash_password
from coopere.extensions import db
from coopere.timeutil import utcnow


@pytest.fixture
def pair(app, users, themes):
    """Colette (activated, sponsor of the offline Odette) and her neighbour Basile: an exchange on
    Colette's offer with messages from both, a check-in, a call, a notice, a warning, a report."""
    from coopere.cafe.models import Call, CheckIn
    from coopere.dwellings.services import save_dwelling
    from coopere.events.models import Event, EventSignup
    from coopere.exchanges import services as exchanges
    from coopere.listings.models import Listing
    from coopere.members.registration import Registration, register_resident
    from coopere.members.sponsorship import link_sponsor
    from coopere.moderation.models import MemberWarning, Report
    from coopere.perimeter.models import get_perimeter

    with app.test_request_context():
        perimeter = get_perimeter()
        animator = db.session.get(User, users["animator"].id)
        dwelling = save_dwelling(
            None,
            {
                "number": 3,
                "rep": "",
                "street": "Allée des Mimosas",
                "complement": "Bât. B",
                "postcode": "44300",
                "city": "Nantes",
            },
        )
        db.session.flush()
        colette = register_resident(
            Registration(
                first_name="Colette",
                last_name="Vermandois",
                dwelling_id=dwelling.id,
                phone="+33611223344",
                email="colette@example.org",
                languages="français",
                optional_consents={"share_phone": True, "photos": False},
            ),
            actor=animator,
            perimeter=perimeter,
        )
        colette.password_hash = hash_password(PASSWORD)
        basile = register_resident(
            Registration(
                first_name="Basile",
                last_name="Lhermitte",
                dwelling_id=dwelling.id,
                phone="+33655667788",
                email="basile@example.org",
            ),
            actor=animator,
            perimeter=perimeter,
        )
        basile.password_hash = hash_password(PASSWORD)
        odette = register_resident(
            Registration(
                first_name="Odette",
                last_name="Sanstoile",
                dwelling_id=None,
                address_note="Péniche « La Loire »",
                has_internet=False,
                contact_preference="sponsor",
            ),
            actor=animator,
            perimeter=perimeter,
        )
        db.session.flush()
        link_sponsor(
            odette,
            colette,
            actor=animator,
            consent_reference="P-2026-0002",
            sponsor_agreed=True,
            perimeter=perimeter,
        )
        now = utcnow()
        offer = Listing(
            owner_id=colette.id,
            theme_id=next(iter(themes.values())),
            kind="offer",
            title="Cours de tricot",
            description="Le mardi, chez moi.",
            status="open",
            published_at=now,
            created_by_id=colette.id,
        )
        db.session.add(offer)
        db.session.flush()
        exchange = exchanges.start_exchange(
            offer, basile, "Secret de Basile : mon code est 4321.", actor=basile
        )
        exchanges.post_message(exchange, colette, "Venez mardi à 15 h.", actor=colette)
        event = Event(
            kind="cafe",
            starts_at=now - timedelta(days=3),
            ends_at=now - timedelta(days=3, hours=-2),
            place="Place des Mimosas",
        )
        db.session.add(event)
        db.session.flush()
        db.session.add_all(
            [
                CheckIn(event_id=event.id, user_id=odette.id, checked_by_id=animator.id),
                EventSignup(event_id=event.id, user_id=odette.id, created_by_id=colette.id),
                Call(
                    event_id=event.id,
                    user_id=odette.id,
                    outcome="reached",
                    note="Viendra avec sa canne",
                    called_by_id=animator.id,
                ),
                MemberWarning(
                    member_id=colette.id,
                    given_by_id=animator.id,
                    reason="Ton trop vif dans un message.",
                ),
                Report(
                    reporter_id=colette.id,
                    listing_id=offer.id,
                    reason="other",
                    text="Test de signalement.",
                ),
            ]
        )
        db.session.commit()
        return {
            "colette": colette.id,
            "basile": basile.id,
            "odette": odette.id,
            "exchange": exchange.id,
        }


def test_collect_personal_data_has_everything_of_hers_and_nobody_elses(app, pair):
    from coopere.privacy.export import collect_personal_data

    with app.test_request_context():
        data = collect_personal_data(pair["colette"])
    assert (
        data["identity"]["first_name"] == "Colette"
        and data["identity"]["last_name"] == "Vermandois"
    )
    assert (
        data["contact"]["phone"] == "+33611223344"
        and data["contact"]["email"] == "colette@example.org"
    )
    assert data["dwelling"]["address"]["street"] == "3 Allée des Mimosas"
    kinds = {(row["kind"], row["given"]) for row in data["consents"]}
    assert {("charter", True), ("privacy", True), ("share_phone", True), ("photos", False)} <= kinds
    assert all(row["version"] and row["recorded_at"] for row in data["consents"])
    assert data["sponsorships"] == [
        {**data["sponsorships"][0], "role": "sponsor", "other_first_name": "Odette"}
    ]
    assert [row["title"] for row in data["listings"]] == ["Cours de tricot"]
    (exchange,) = data["exchanges"]
    assert exchange["other_first_name"] == "Basile"
    assert [m["body"] for m in exchange["my_messages"]] == ["Venez mardi à 15 h."]
    assert any("Basile a répondu" in n["text"] for n in data["notifications"])
    assert data["warnings"][0]["reason"] == "Ton trop vif dans un message."
    assert data["reports_made"][0]["text"] == "Test de signalement."
    assert {row["action"] for row in data["audit"]} >= {"member.registered", "sponsorship.started"}
    assert all(
        set(row) == {"at", "action", "label"} for row in data["audit"]
    )  # no details: they name others
    assert data["account"]["activation_codes"] == [] or "code_hash" not in json.dumps(data)
    whole = json.dumps(data, ensure_ascii=False)
    for other in (
        "Lhermitte",
        "basile@example.org",
        "+33655667788",
        "Sanstoile",
        "Secret de Basile",
        "4321",
        "Péniche",
    ):
        assert other not in whole, other


def test_the_offline_residents_export_by_an_animator(app, users, pair):
    client = app.test_client()
    assert login(client, users["animator"]).status_code == 302
    response = client.get(f"/membres/{pair['odette']}/donnees.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["identity"]["has_internet"] is False
    assert data["dwelling"]["address_note"] == "Péniche « La Loire »"
    assert (
        data["sponsorships"][0]["role"] == "sponsee"
        and data["sponsorships"][0]["other_first_name"] == "Colette"
    )
    assert len(data["check_ins"]) == 1 and len(data["event_signups"]) == 1
    assert data["calls"][0]["note"] == "Viendra avec sa canne"
    assert "Vermandois" not in response.get_data(as_text=True)

    pdf = client.get(f"/membres/{pair['odette']}/donnees.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    content = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(pdf.get_data())).pages
    )
    for expected in (
        "Odette",
        "Sanstoile",
        "Péniche",
        "Colette",
        "Viendra avec sa canne",
        "Vos accords",
        "Vos données personnelles",
    ):
        assert expected in content, expected
    assert "Vermandois" not in content

    with app.app_context():
        exports = db.session.execute(
            select(AuditEvent.actor_id, AuditEvent.target_user_id, AuditEvent.details)
            .where(AuditEvent.action == "member.exported")
            .order_by(AuditEvent.id)
        ).all()
    assert [(actor, target) for actor, target, _ in exports] == [
        (users["animator"].id, pair["odette"])
    ] * 2
    assert ['"json"' in exports[0][2], '"pdf"' in exports[1][2]] == [True, True]


def test_a_member_downloads_their_own_data_and_nobody_elses(app, users, pair):
    client = app.test_client()
    assert login(client, "colette@example.org").status_code == 302
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=mes-donnees.json"
    assert json.loads(response.get_data(as_text=True))["identity"]["id"] == pair["colette"]
    assert client.get("/compte/mes-donnees.pdf").status_code == 200
    # Another member's export is the animators' only.
    assert client.get(f"/membres/{pair['basile']}/donnees.json").status_code == 403
    assert client.get(f"/membres/{pair['basile']}/donnees.pdf").status_code == 403
    with app.app_context():
        actions = db.session.execute(
            select(AuditEvent.actor_id, AuditEvent.target_user_id).where(
                AuditEvent.action == "member.exported"
            )
        ).all()
    assert actions == [(pair["colette"], pair["colette"])] * 2


def test_the_account_pages_link_to_the_exports_and_the_erasure_request(app, users, pair):
    client = app.test_client()
    assert login(client, "colette@example.org").status_code == 302
    account = client.get("/compte").get_data(as_text=True)
    for path in ("/compte/mes-donnees.pdf", "/compte/mes-donnees.json", "/compte/effacement"):
        assert path in account
    animator = app.test_client()
    assert login(animator, users["animator"]).status_code == 302
    page = animator.get(f"/membres/{pair['odette']}").get_data(as_text=True)
    assert (
        f"/membres/{pair['odette']}/donnees.pdf" in page
        and f"/membres/{pair['odette']}/effacer" not in page
    )
    admin = app.test_client()
    assert login(admin, users["admin"]).status_code == 302
    assert f"/membres/{pair['odette']}/effacer" in admin.get(f"/membres/{pair['odette']}").get_data(
        as_text=True
    )


def test_unknown_member_is_a_404(app, users):
    client = app.test_client()
    assert login(client, users["animator"]).status_code == 302
    assert client.get("/membres/9999/donnees.json").status_code == 404
    from coopere.privacy.export import collect_personal_data

    with app.app_context(), pytest.raises(LookupError):
        collect_personal_data(9999)
