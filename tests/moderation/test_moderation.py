"""Moderation: members report a listing or a message of their exchanges; the animators' queue
groups the reports and decides (hide, restore, keep, warn), every decision recorded and the
person concerned told why."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from helpers import login, page_queries, post_form, text
from coopere.audit.models import AuditEvent
from coopere.auth.models import Role
from coopere.exchanges.models import Exchange, Message
from coopere.extensions import db
from coopere.listings.models import Listing
from coopere.listings.themes import seed_themes
from coopere.moderation.models import MemberWarning, Report
from coopere.notifications.models import Notification
from coopere.timeutil import utcnow

REASONS = ("political", "religious", "commercial", "disrespectful", "other")
HIDDEN_MESSAGE = "Message masqué par le groupe d'animation"


@dataclass
class World:
    owner: object  # Gérard, who wrote the listing and the message
    listing_id: int
    exchange_id: int
    message_id: int
    other_message_id: int  # the member's own message in the same thread


@pytest.fixture
def world(app, users, create_user) -> World:
    """Gérard's open offer « Cours de yoga », answered by the member: a thread of two messages."""
    owner = create_user(Role.MEMBER, first_name="Gérard", last_name="Roux")
    with app.app_context():
        seed_themes()
        db.session.flush()
        listing = Listing(
            owner_id=owner.id,
            theme_id=1,
            kind="offer",
            title="Cours de yoga",
            description="Dix euros la séance, payable d'avance.",
            status="open",
            published_at=utcnow(),
        )
        db.session.add(listing)
        db.session.flush()
        exchange = Exchange(
            listing_id=listing.id, owner_id=owner.id, requester_id=users["member"].id
        )
        db.session.add(exchange)
        db.session.flush()
        mine = Message(
            exchange_id=exchange.id,
            author_id=users["member"].id,
            sent_by_id=users["member"].id,
            body="Bonjour, le yoga m'intéresse.",
        )
        theirs = Message(
            exchange_id=exchange.id,
            author_id=owner.id,
            sent_by_id=owner.id,
            body="Venez avec dix euros et votez pour mon parti.",
        )
        db.session.add_all([mine, theirs])
        db.session.commit()
        return World(owner, listing.id, exchange.id, theirs.id, mine.id)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _report(client, path, reason="commercial", text_=""):
    return post_form(client, path, {"reason": reason, "text": text_})


def _listing(app, listing_id) -> Listing:
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        db.session.expunge(listing)
        return listing


def _notices(app, user) -> list[Notification]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        )


def _audit(app, action) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- reporting ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", REASONS)
def test_a_member_reports_a_listing_with_each_reason(app, client_as, users, world, reason):
    client = client_as("member")
    page = client.get(f"/annonces/{world.listing_id}/signaler")
    assert page.status_code == 200
    assert "Cours de yoga" in text(page) and "Pourquoi signalez-vous ce contenu ?" in text(page)
    response = _report(
        client,
        f"/annonces/{world.listing_id}/signaler",
        reason,
        "Je précise." if reason == "other" else "",
    )
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalar(select(Report))
        assert (report.reporter_id, report.listing_id, report.reason, report.status) == (
            users["member"].id,
            world.listing_id,
            reason,
            "open",
        )
    thanks = text(client.get(response.headers["Location"]))
    assert "Merci, votre signalement est transmis au groupe d'animation." in thanks
    assert "Ce qui se passe ensuite" in thanks and "ne saura pas qui l'a signalée" in thanks
    # The animators (and the admin) are told; not the reporter, nor the listing's owner.
    for person in ("animator", "admin"):
        assert [n.kind for n in _notices(app, users[person])] == ["moderation.report"]
        assert "Cours de yoga" in _notices(app, users[person])[0].text
    assert _notices(app, users["member"]) == [] and _notices(app, world.owner) == []


def test_other_reason_needs_a_few_words_and_texts_have_a_limit(app, client_as, world):
    client = client_as("member")
    path = f"/annonces/{world.listing_id}/signaler"
    response = _report(client, path, "other", "   ")
    assert response.status_code == 422
    assert "Avec « Autre raison », expliquez en quelques mots ce qui ne va pas." in text(response)
    response = _report(client, path, "commercial", "x" * 1001)
    assert (
        response.status_code == 422
        and "Ce texte est trop long (1000 caractères au plus)." in text(response)
    )
    response = _report(client, path, "", "")
    assert response.status_code == 422 and "Choisissez la raison du signalement." in text(response)
    assert _count(app, Report) == 0


def test_reporting_twice_is_refused_and_changes_nothing(app, client_as, users, world):
    client = client_as("member")
    path = f"/annonces/{world.listing_id}/signaler"
    assert _report(client, path, "commercial").status_code == 302
    notices = len(_notices(app, users["animator"]))
    response = _report(client, path, "political", "Encore.")
    assert response.status_code == 422
    assert "Vous avez déjà signalé cette annonce." in text(response)
    assert _count(app, Report) == 1 and len(_notices(app, users["animator"])) == notices
    # Another member may report it too.
    assert _report(client_as("admin"), path, "political").status_code == 302
    assert _count(app, Report) == 2


def test_nobody_reports_their_own_listing(app, client, world):
    login(client, world.owner)
    path = f"/annonces/{world.listing_id}/signaler"
    assert "Vous ne pouvez pas signaler votre propre annonce." in text(client.get(path))
    response = _report(client, path)
    assert response.status_code == 422
    assert "Vous ne pouvez pas signaler votre propre annonce." in text(response)
    assert _count(app, Report) == 0


def test_drafts_and_unknown_listings_cannot_be_reported(app, client_as, users, world):
    with app.app_context():
        draft = Listing(
            owner_id=world.owner.id, theme_id=1, kind="offer", title="Brouillon", status="draft"
        )
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    client = client_as("member")
    assert client.get(f"/annonces/{draft_id}/signaler").status_code == 404
    assert _report(client, f"/annonces/{draft_id}/signaler").status_code == 404
    assert client.get("/annonces/9999/signaler").status_code == 404
    assert _count(app, Report) == 0


def test_the_listing_page_offers_to_report_it_but_not_to_its_owner(app, client_as, client, world):
    page = text(client_as("member").get(f"/annonces/{world.listing_id}"))
    assert "Signaler cette annonce" in page and f"/annonces/{world.listing_id}/signaler" in page
    login(client, world.owner)
    assert "Signaler cette annonce" not in text(client.get(f"/annonces/{world.listing_id}"))


def test_the_listing_page_says_my_report_waits_for_the_animators(app, client_as, world):
    from coopere.timeutil import paris_today
    from coopere.i18n import long_date

    member = client_as("member")
    _report(member, f"/annonces/{world.listing_id}/signaler", "commercial")
    with app.test_request_context():
        today = long_date(paris_today())
    page = text(member.get(f"/annonces/{world.listing_id}"))
    assert (
        f"Vous avez signalé cette annonce le {today} : le groupe d'animation va l'examiner." in page
    )
    assert "Signaler cette annonce" not in page and "Voir mon signalement" in page
    assert "Signaler cette annonce" in text(client_as("admin").get(f"/annonces/{world.listing_id}"))
    # Once the animators have looked at it, it can be reported again.
    _decide(
        client_as("animator"),
        "/moderation/signalements/1/garder",
        f"annonce-{world.listing_id}",
        "Rien de commercial.",
    )
    page = text(member.get(f"/annonces/{world.listing_id}"))
    assert "Signaler cette annonce" in page and "Vous avez signalé" not in page


def test_a_party_reports_a_message_of_the_other_side(app, client_as, users, world):
    client = client_as("member")
    thread = text(client.get(f"/echanges/{world.exchange_id}"))
    assert f"/messages/{world.message_id}/signaler" in thread
    assert f"/messages/{world.other_message_id}/signaler" not in thread  # not one's own message
    page = client.get(f"/messages/{world.message_id}/signaler")
    assert page.status_code == 200 and "votez pour mon parti" in text(page)
    assert _report(client, f"/messages/{world.message_id}/signaler", "political").status_code == 302
    with app.app_context():
        report = db.session.scalar(select(Report))
        assert (report.message_id, report.listing_id, report.reason) == (
            world.message_id,
            None,
            "political",
        )
    response = _report(client, f"/messages/{world.message_id}/signaler", "political")
    assert response.status_code == 422 and "Vous avez déjà signalé ce message." in text(response)
    own = _report(client, f"/messages/{world.other_message_id}/signaler", "political")
    assert own.status_code == 422 and "Vous ne pouvez pas signaler votre propre message." in text(
        own
    )
    assert _count(app, Report) == 1


@pytest.mark.parametrize("role", ["animator", "admin"])
def test_someone_outside_the_exchange_cannot_report_its_messages(app, client_as, world, role):
    client = client_as(role)
    assert client.get(f"/messages/{world.message_id}/signaler").status_code == 404
    assert _report(client, f"/messages/{world.message_id}/signaler").status_code == 404
    assert client.get("/messages/9999/signaler").status_code == 404
    assert _count(app, Report) == 0


# --- the queue ------------------------------------------------------------------------------


def _three_reports_and_a_message_report(app, client_as, create_user, users, world):
    third = create_user(Role.MEMBER, first_name="Yvette", last_name="Moreau")
    path = f"/annonces/{world.listing_id}/signaler"
    assert (
        _report(client_as("member"), path, "commercial", "Ce n'est pas gratuit.").status_code == 302
    )
    assert _report(client_as("admin"), path, "political").status_code == 302
    with app.test_client() as client:
        login(client, third)
        assert _report(client, path, "other", "Le prix est écrit en gros.").status_code == 302
    assert (
        _report(
            client_as("member"), f"/messages/{world.message_id}/signaler", "disrespectful"
        ).status_code
        == 302
    )


def test_the_queue_groups_the_reports_of_one_object(app, client_as, create_user, users, world):
    _three_reports_and_a_message_report(app, client_as, create_user, users, world)
    page = text(client_as("animator").get("/moderation"))
    assert (
        page.count("<h2>Annonce « Cours de yoga »</h2>") == 1
    )  # one group (the buttons repeat it, hidden)
    assert "Signalements : 3" in page and "Signalements : 1" in page
    assert "Dix euros la séance, payable d'avance." in page
    for words in (
        "Usage commercial (vente, publicité, service payant)",
        "Propos ou propagande politique",
        "Autre raison",
        "Propos irrespectueux ou blessants",
        "« Ce n'est pas gratuit. »",
        "« Le prix est écrit en gros. »",
        users["member"].full_name,
        users["admin"].full_name,
        "Yvette Moreau",
        "Écrit par Gérard Roux",
    ):
        assert words in page, words
    # The reported message, with its exchange's listing; not the rest of the thread.
    assert "Message dans l'échange « Cours de yoga »" in page and "votez pour mon parti" in page
    assert "le yoga m'intéresse" not in page
    # Oldest first: the listing was reported before the message.
    assert page.index("Annonce « Cours de yoga »") < page.index("Message dans l'échange")
    assert "À examiner (4)" in page


def test_the_animators_home_counts_open_reports(app, client_as, create_user, users, world):
    assert "Modération (0)" in text(client_as("animator").get("/accueil"))
    _three_reports_and_a_message_report(app, client_as, create_user, users, world)
    home = text(client_as("animator").get("/accueil"))
    assert "Modération (4)" in home and "Signalements à examiner : 4." in home
    assert "Modération (" not in text(client_as("member").get("/accueil"))


def test_the_queue_costs_the_same_queries_with_more_reports(
    app, client_as, create_user, users, world
):
    def queries(client) -> int:
        return page_queries(app, client, "/moderation")

    client = client_as("animator")
    first = create_user(Role.MEMBER)
    with app.test_client() as other:
        login(other, first)
        assert _report(other, f"/annonces/{world.listing_id}/signaler").status_code == 302
    small = queries(client)
    _three_reports_and_a_message_report(app, client_as, create_user, users, world)
    assert queries(client) == small


@pytest.mark.parametrize("role, status", [(None, 302), ("member", 403)])
def test_members_and_visitors_reach_neither_the_queue_nor_the_decisions(
    app, client_as, users, world, role, status
):
    client = client_as("member")
    _report(client, f"/annonces/{world.listing_id}/signaler")
    client = client_as(role)
    assert client.get("/moderation").status_code == status
    token_client = client_as("member")
    from helpers import csrf_token

    token = csrf_token(token_client) if role else ""
    for path in (
        f"/moderation/annonces/{world.listing_id}/masquer",
        "/moderation/signalements/1/avertir",
        "/moderation/signalements/1/garder",
        f"/moderation/messages/{world.message_id}/masquer",
    ):
        data = {
            f"annonce-{world.listing_id}-note": "Non.",
            f"message-{world.message_id}-note": "Non.",
        }
        response = (token_client if role else client).post(path, data={**data, "csrf_token": token})
        assert response.status_code == status, path
    assert _listing(app, world.listing_id).status == "open"
    assert _count(app, Report, Report.status == "open") == 1 and _count(app, MemberWarning) == 0


# --- decisions ------------------------------------------------------------------------------


def _decide(client, path, key, note):
    return post_form(client, path, {f"{key}-note": note})


def test_hiding_a_listing_takes_it_out_of_sight_and_tells_its_owner(
    app, client_as, client, users, world
):
    member = client_as("member")
    _report(member, f"/annonces/{world.listing_id}/signaler", "commercial")
    _report(client_as("admin"), f"/annonces/{world.listing_id}/signaler", "commercial")
    assert "Cours de yoga" in text(member.get("/annonces"))
    animator = client_as("animator")
    key = f"annonce-{world.listing_id}"
    response = _decide(
        animator,
        f"/moderation/annonces/{world.listing_id}/masquer",
        key,
        "Les cours payants ne sont pas possibles : les échanges sont gratuits.",
    )
    assert response.status_code == 302
    assert "est masquée ; son auteur est prévenu" in text(
        animator.get(response.headers["Location"])
    )
    listing = _listing(app, world.listing_id)
    assert (listing.status, listing.status_before_hidden) == ("hidden", "open")
    # Gone for members: browse and the listing's page.
    assert "Cours de yoga" not in text(member.get("/annonces"))
    assert member.get(f"/annonces/{world.listing_id}").status_code == 404
    assert member.get(f"/annonces/{world.listing_id}/signaler").status_code == 404
    # Both reports closed with the decision.
    with app.app_context():
        reports = db.session.scalars(select(Report)).all()
        assert {(r.status, r.handled_by_id, r.decision_note[:16]) for r in reports} == {
            ("hidden", users["animator"].id, "Les cours payant")
        }
    # The owner is told why, and sees it as hidden, without a way to edit or republish.
    notice = _notices(app, world.owner)[-1]
    assert notice.kind == "moderation.listing_hidden"
    assert "« Cours de yoga » a été masquée par le groupe d'animation" in notice.text
    assert "les échanges sont gratuits" in notice.text
    login(client, world.owner)
    mine = text(client.get("/mes-annonces"))
    assert "Masquée par le groupe d'animation." in mine
    assert client.get(f"/mes-annonces/{world.listing_id}/modifier").status_code == 302
    # Recorded with the animator and the reason.
    [entry] = _audit(app, "moderation.listing_hidden")
    details = json.loads(entry.details)
    assert (entry.actor_id, entry.target_user_id) == (users["animator"].id, world.owner.id)
    assert (
        details["reason"].startswith("Les cours payants") and details["listing"] == world.listing_id
    )
    assert len(details["reports"]) == 2
    history = text(animator.get("/moderation?onglet=historique"))
    assert "Décision : masqué" in history and "Rétablir l'annonce" in history
    # Hiding it again: refused, nothing changes.
    again = _decide(animator, f"/moderation/annonces/{world.listing_id}/masquer", key, "Encore.")
    assert again.status_code == 422 and "Cette annonce est déjà masquée." in text(again)
    assert len(_audit(app, "moderation.listing_hidden")) == 1


def test_a_decision_needs_a_reason(app, client_as, world):
    _report(client_as("member"), f"/annonces/{world.listing_id}/signaler")
    animator = client_as("animator")
    key = f"annonce-{world.listing_id}"
    for path in (
        f"/moderation/annonces/{world.listing_id}/masquer",
        "/moderation/signalements/1/avertir",
    ):
        response = _decide(animator, path, key, "  ")
        assert response.status_code == 422
        assert "Indiquez la raison de la décision" in text(response)
    assert _listing(app, world.listing_id).status == "open"
    assert _count(app, Report, Report.status == "open") == 1 and _count(app, MemberWarning) == 0
    assert _audit(app, "moderation.listing_hidden") == [] and _audit(app, "moderation.warned") == []


def test_restoring_gives_the_listing_back_its_former_status(app, client_as, users, world):
    with app.app_context():
        db.session.get(Listing, world.listing_id).status = "paused"
        db.session.commit()
    animator = client_as("animator")
    key = f"annonce-{world.listing_id}"
    refused = _decide(
        animator, f"/moderation/annonces/{world.listing_id}/retablir", key, "Rien à redire."
    )
    assert (
        refused.status_code == 422
        and "Cette annonce n'est pas masquée : rien à rétablir." in text(refused)
    )
    assert (
        _decide(
            animator, f"/moderation/annonces/{world.listing_id}/masquer", key, "À vérifier."
        ).status_code
        == 302
    )
    assert _listing(app, world.listing_id).status == "hidden"
    response = _decide(
        animator,
        f"/moderation/annonces/{world.listing_id}/retablir",
        key,
        "Après discussion avec Gérard, c'est un malentendu.",
    )
    assert response.status_code == 302
    listing = _listing(app, world.listing_id)
    assert (listing.status, listing.status_before_hidden) == ("paused", None)
    assert "a été rétablie" in _notices(app, world.owner)[-1].text
    [entry] = _audit(app, "moderation.listing_restored")
    assert (
        entry.actor_id == users["animator"].id
        and "malentendu" in json.loads(entry.details)["reason"]
    )


def test_keeping_closes_the_reports_and_hides_nothing(app, client_as, users, world):
    _report(client_as("member"), f"/annonces/{world.listing_id}/signaler", "religious")
    _report(client_as("admin"), f"/annonces/{world.listing_id}/signaler", "religious")
    animator = client_as("animator")
    response = _decide(
        animator,
        "/moderation/signalements/1/garder",
        f"annonce-{world.listing_id}",
        "Le yoga n'est pas une religion.",
    )
    assert response.status_code == 302
    assert _listing(app, world.listing_id).status == "open"
    assert (
        _count(app, Report, Report.status == "kept", Report.handled_by_id == users["animator"].id)
        == 2
    )
    assert "Aucun signalement à examiner." in text(animator.get("/moderation"))
    history = text(animator.get("/moderation?onglet=historique"))
    assert "Décision : gardé" in history and "Le yoga n'est pas une religion." in history
    assert len(_audit(app, "moderation.kept")) == 1
    again = _decide(
        animator, "/moderation/signalements/1/garder", f"annonce-{world.listing_id}", ""
    )
    assert again.status_code == 422 and "Ce signalement a déjà été traité." in text(again)
    assert len(_audit(app, "moderation.kept")) == 1


def test_warning_a_member(app, client_as, users, world):
    _report(client_as("member"), f"/messages/{world.message_id}/signaler", "political")
    animator = client_as("animator")
    reason = "Pas de propagande politique dans les échanges, s'il vous plaît."
    response = _decide(
        animator, "/moderation/signalements/1/avertir", f"message-{world.message_id}", reason
    )
    assert response.status_code == 302
    assert "L'avertissement est envoyé à Gérard Roux." in text(
        animator.get(response.headers["Location"])
    )
    with app.app_context():
        [warning] = db.session.scalars(select(MemberWarning)).all()
        assert (warning.member_id, warning.given_by_id, warning.report_id, warning.reason) == (
            world.owner.id,
            users["animator"].id,
            1,
            reason,
        )
        assert db.session.get(Report, 1).status == "kept"  # the message itself stays
        assert not db.session.get(Message, world.message_id).hidden
    notice = _notices(app, world.owner)[-1]
    assert notice.kind == "moderation.warning" and reason in notice.text
    page = text(animator.get(f"/membres/{world.owner.id}"))
    assert "Avertissements du groupe d'animation" in page and reason in page
    assert users["animator"].full_name in page
    [entry] = _audit(app, "moderation.warned")
    assert (entry.actor_id, entry.target_user_id) == (users["animator"].id, world.owner.id)
    assert json.loads(entry.details)["reason"] == reason
    assert "Avertissement du groupe d'animation" in page  # the audit line, in words


def test_hiding_a_message_shows_a_notice_in_its_place(app, client_as, users, world):
    member = client_as("member")
    _report(member, f"/messages/{world.message_id}/signaler", "disrespectful")
    animator = client_as("animator")
    key = f"message-{world.message_id}"
    response = _decide(
        animator, f"/moderation/messages/{world.message_id}/masquer", key, "Propos blessants."
    )
    assert response.status_code == 302
    thread = text(member.get(f"/echanges/{world.exchange_id}"))
    assert "votez pour mon parti" not in thread and HIDDEN_MESSAGE in thread
    assert "le yoga m'intéresse" in thread  # the other messages stay
    assert "Signaler ce message" not in thread  # nothing left to report
    assert "Ce message est déjà masqué par le groupe d'animation." in text(
        member.get(f"/messages/{world.message_id}/signaler")
    )
    assert _count(app, Report, Report.status == "hidden") == 1
    assert "a été masqué par le groupe d'animation" in _notices(app, world.owner)[-1].text
    [entry] = _audit(app, "moderation.message_hidden")
    assert (
        entry.actor_id == users["animator"].id
        and json.loads(entry.details)["reason"] == "Propos blessants."
    )
    again = _decide(animator, f"/moderation/messages/{world.message_id}/masquer", key, "Encore.")
    assert again.status_code == 422 and "Ce message est déjà masqué." in text(again)
    # Restored from the history tab.
    assert "Rétablir le message" in text(animator.get("/moderation?onglet=historique"))
    assert (
        _decide(
            animator,
            f"/moderation/messages/{world.message_id}/retablir",
            key,
            "Gérard s'est excusé.",
        ).status_code
        == 302
    )
    assert "votez pour mon parti" in text(member.get(f"/echanges/{world.exchange_id}"))
    assert len(_audit(app, "moderation.message_restored")) == 1
