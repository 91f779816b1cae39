"""Emails, against a real SMTP server started by the test (aiosmtpd on 127.0.0.1): only with the
member's consent, in their language, sent after the action is saved, each with a one-click link
that stops them; a broken SMTP server never breaks a page; the weekly digest of new listings."""

from __future__ import annotations

import logging
import re
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from helpers import login, post_form, text
from smtp_inbox import SENDER, Inbox, free_port
from coopere.auth.models import User
from coopere.exchanges.models import Exchange
from coopere.extensions import db
from coopere.listings.models import Listing, Theme
from coopere.members.models import Consent
from coopere.notifications.models import Notification
from coopere.notifications.services import notify
from coopere.timeutil import utcnow


@pytest.fixture
def app(make_app, inbox):
    """The app sends through the test's SMTP server (overrides conftest's `app`)."""
    return make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_DEFAULT_SENDER=SENDER,
        PUBLIC_URL="https://lilas.example.org",
    )


@pytest.fixture
def people(create_user, create_perimeter):
    create_perimeter()
    return {
        "paul": create_user(first_name="Paul", last_name="Bernard", email="paul@example.org"),
        "marie": create_user(first_name="Marie", last_name="Dupont", email="marie@example.org"),
        "john": create_user(
            first_name="John", last_name="Smith", email="john@example.org", locale="en"
        ),
        "lucie": create_user(first_name="Lucie", last_name="Garnier", email="lucie@example.org"),
    }


def consent(app, user: User, kind: str, given: bool = True) -> None:
    with app.app_context():
        db.session.add(
            Consent(user_id=user.id, kind=kind, given=given, version="1", method="online")
        )
        db.session.commit()


def current_consent(app, user: User, kind: str) -> Consent:
    with app.app_context():
        row = db.session.scalar(
            select(Consent)
            .where(Consent.user_id == user.id, Consent.kind == kind)
            .order_by(Consent.id.desc())
            .limit(1)
        )
        db.session.expunge(row)
        return row


def client_of(app, user: User):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def answer(app, user: User, listing_id: int, body: str = "Bonjour, je peux passer samedi.") -> int:
    response = post_form(client_of(app, user), f"/annonces/{listing_id}/repondre", {"body": body})
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def stop_link(message) -> str:
    match = re.search(r"https://lilas\.example\.org(/courriel/arreter/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


# --- notices by email -------------------------------------------------------------------------


def test_a_reply_is_emailed_to_an_owner_who_consented(app, people, create_listing, inbox):
    consent(app, people["paul"], "email_notices")
    exchange_id = answer(app, people["marie"], create_listing(people["paul"]))
    (message,) = inbox.messages
    assert message["To"] == "paul@example.org" and message["From"] == SENDER
    assert (
        message["Subject"]
        == "[Coop-ère Lilas] Marie a répondu à votre annonce « Je prête ma perceuse »."
    )
    body = message.get_content()
    assert body.startswith("Bonjour Paul !")
    assert "Marie a répondu à votre annonce « Je prête ma perceuse »." in body
    assert f"https://lilas.example.org/echanges/{exchange_id}" in body
    # What was written stays on the site: the email only says there is news.
    assert "je peux passer samedi" not in body
    path = stop_link(message)
    assert message["List-Unsubscribe"] == f"<https://lilas.example.org{path}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "text/plain"


def test_no_email_without_consent_nor_address_nor_for_other_kinds(
    app, people, create_listing, inbox
):
    paul, marie, lucie = people["paul"], people["marie"], people["lucie"]
    consent(app, lucie, "email_notices")
    consent(app, lucie, "email_notices", given=False)  # withdrawn: the latest answer counts
    consent(app, marie, "newsletter")  # another consent does not count
    answer(app, marie, create_listing(lucie, "Annonce de Lucie"))
    answer(app, lucie, create_listing(marie, "Annonce de Marie"))
    answer(app, marie, create_listing(paul, "Annonce de Paul"))  # Paul never agreed
    with app.app_context():
        offline = User(first_name="Odette", last_name="Lambert", has_internet=False)
        db.session.add(offline)
        db.session.commit()
        db.session.add(
            Consent(
                user_id=offline.id,
                kind="email_notices",
                given=True,
                version="1",
                method="paper",
                paper_reference="P-1",
            )
        )
        db.session.commit()
        with app.test_request_context():
            notify(
                [db.session.get(User, offline.id)],
                "exchange.message",
                lambda: "Nouveau message",
                "/echanges",
            )
            db.session.commit()
    assert inbox.messages == []
    with app.app_context():  # the notices are on the site all the same
        assert db.session.scalar(
            select(Notification.text).where(Notification.user_id == paul.id)
        ) == ("Marie a répondu à votre annonce « Annonce de Paul ».")
    # A declined answer is a notice on the site only (not a kind that is emailed).
    consent(app, marie, "email_notices")
    exchange_id = answer(app, marie, create_listing(lucie, "Autre annonce de Lucie"))
    post_form(client_of(app, lucie), f"/echanges/{exchange_id}/decliner")
    assert inbox.messages == []


def test_acceptance_is_emailed_in_the_members_language(app, people, create_listing, inbox):
    john = people["john"]
    consent(app, john, "email_notices")
    exchange_id = answer(app, john, create_listing(people["paul"], "Cours de tricot"))
    assert inbox.messages == []  # Paul has not agreed to emails
    post_form(client_of(app, people["paul"]), f"/echanges/{exchange_id}/accepter")
    (message,) = inbox.messages
    assert message["To"] == "john@example.org"
    body = message.get_content()
    assert body.startswith("Hello John!")
    assert "Paul has accepted the exchange “Cours de tricot”" in body


def test_expiry_reminders_are_emailed_and_nothing_is_sent_when_the_action_is_rolled_back(
    app, people, inbox
):
    paul = people["paul"]
    consent(app, paul, "email_notices")
    with app.test_request_context():
        notify(
            [db.session.get(User, paul.id)],
            "listing.expiring",
            lambda: "Votre annonce expire bientôt.",
            "/mes-annonces",
        )
        assert inbox.messages == []  # not before the commit
        db.session.rollback()
        db.session.commit()
    assert inbox.messages == []
    with app.test_request_context():
        notify(
            [db.session.get(User, paul.id)],
            "listing.expiring",
            lambda: "Votre annonce expire bientôt.",
            "/mes-annonces",
        )
        db.session.commit()
    (message,) = inbox.messages
    assert "Votre annonce expire bientôt." in message.get_content()
    assert "https://lilas.example.org/mes-annonces" in message.get_content()


# --- links come from PUBLIC_URL only ----------------------------------------------------------

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def forged_client(app, user: User):
    """A client whose every request (logging in included) names another site in Host and
    X-Forwarded-Host, as anyone can when the proxy passes them through."""
    from flask.testing import FlaskClient

    class Forged(FlaskClient):
        def open(self, *args, **kwargs):
            kwargs["headers"] = {**FORGED, **dict(kwargs.get("headers") or {})}
            return super().open(*args, **kwargs)

    app.test_client_class = Forged
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_links_in_emails_come_from_public_url_whatever_the_host_headers(
    make_app, people, create_listing, inbox
):
    proxied = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_DEFAULT_SENDER=SENDER,
        PUBLIC_URL="https://lilas.example.org",
        PROXY_FIX=1,
    )
    consent(proxied, people["paul"], "email_notices")
    marie = forged_client(proxied, people["marie"])
    response = post_form(
        marie, f"/annonces/{create_listing(people['paul'])}/repondre", {"body": "Bonjour !"}
    )
    assert response.status_code == 302
    (message,), (raw,) = inbox.messages, inbox.raw
    assert b"evil.example" not in raw and "evil.example" not in message.get_content()
    links = re.findall(
        r"https?://[^\s<>]+", message.get_content() + " " + message["List-Unsubscribe"]
    )
    assert len(links) == 3  # the exchange, the stop link in the text and in the header
    assert all(link.startswith("https://lilas.example.org/") for link in links), links


def test_without_public_url_emails_are_not_sent_and_the_action_succeeds(
    make_app, people, create_listing, inbox, caplog
):
    unset = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        MAIL_DEFAULT_SENDER=SENDER,
        PUBLIC_URL=None,
        PROXY_FIX=1,
    )
    consent(unset, people["paul"], "email_notices")
    marie = forged_client(unset, people["marie"])
    with caplog.at_level(logging.WARNING, logger="coopere.notifications.email"):
        for title in ("Annonce un", "Annonce deux"):
            response = post_form(
                marie,
                f"/annonces/{create_listing(people['paul'], title)}/repondre",
                {"body": "Bonjour !"},
                follow_redirects=True,
            )
            assert response.status_code == 200 and "Votre message est envoyé." in text(response)
    assert inbox.messages == []  # never a link guessed from the request's host
    with unset.app_context():  # the notices are on the site all the same
        assert (
            len(
                db.session.scalars(
                    select(Notification).where(Notification.user_id == people["paul"].id)
                ).all()
            )
            == 2
        )
    warnings = [
        record.getMessage() for record in caplog.records if "PUBLIC_URL" in record.getMessage()
    ]
    assert len(warnings) == 1, warnings  # said once, not for every email
    digest = unset.test_cli_runner().invoke(args=["listings", "weekly-digest"])
    assert (
        digest.exit_code != 0
        and "l'adresse publique du site n'est pas réglée (PUBLIC_URL)" in digest.output
    )
    assert inbox.messages == []


# --- one click to stop ------------------------------------------------------------------------


def test_the_link_in_the_email_stops_the_emails_in_one_click(app, people, create_listing, inbox):
    paul = people["paul"]
    consent(app, paul, "email_notices")
    answer(app, people["marie"], create_listing(paul, "Annonce un"))
    path = stop_link(inbox.messages[0])

    visitor = app.test_client()  # no login needed
    page = text(visitor.get(path))
    assert "Bonjour Paul. Vous avez accepté ceci :" in page
    assert "Recevoir par courriel les nouvelles de mes échanges et de mes annonces" in page
    assert (
        current_consent(app, paul, "email_notices").given is True
    )  # opening the page changes nothing

    response = post_form(visitor, path)  # the button
    assert response.status_code == 200
    assert "C'est fait, Paul : vous ne recevrez plus ces courriels." in text(response)
    withdrawn = current_consent(app, paul, "email_notices")
    assert (withdrawn.given, withdrawn.method) == (False, "online")

    answer(app, people["lucie"], create_listing(paul, "Annonce deux"))
    assert len(inbox.messages) == 1  # no more emails
    assert "vous ne recevrez plus ces courriels" in text(visitor.get(path))


def test_list_unsubscribe_headers_are_plain_ascii_lines_in_the_raw_message(
    app, people, create_listing, inbox
):
    """RFC 8058 / RFC 2369: mail clients read the headers as they are sent; an RFC 2047 encoded
    `=?utf-8?q?…?=` value is not recognised as a link, and one-click unsubscribe fails."""
    consent(app, people["paul"], "email_notices")
    consent(app, people["john"], "weekly_digest")
    answer(
        app,
        people["marie"],
        create_listing(people["paul"], "Un titre accentué « très » long, à prêter"),
    )
    assert app.test_cli_runner().invoke(args=["listings", "weekly-digest"]).exit_code == 0
    assert len(inbox.raw) == 2  # a notice and a digest
    for raw in inbox.raw:
        lines = raw.split(b"\r\n") if b"\r\n" in raw else raw.split(b"\n")
        unsubscribe = [line for line in lines if line.lower().startswith(b"list-unsubscribe:")]
        assert len(unsubscribe) == 1, raw
        assert re.fullmatch(
            rb"List-Unsubscribe: <https://lilas\.example\.org/courriel/arreter/[A-Za-z0-9_.\-]+>",
            unsubscribe[0],
        ), unsubscribe
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
        header_block = raw.split(b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n", 1)[0]
        following = header_block[header_block.index(unsubscribe[0]) + len(unsubscribe[0]) :]
        assert not following.lstrip(b"\r\n").startswith(
            (b" ", b"\t")
        )  # not folded onto a second line
        assert b"=?utf-8?" not in unsubscribe[0].lower()
        header_block.decode("ascii")  # plain ASCII headers


def test_mail_clients_can_stop_the_emails_with_one_post_without_a_form(
    app, people, create_listing, inbox
):
    """RFC 8058: the mail client posts « List-Unsubscribe=One-Click » to the link, with no CSRF
    token."""
    paul = people["paul"]
    consent(app, paul, "email_notices")
    answer(app, people["marie"], create_listing(paul))
    link = (
        inbox.messages[0]["List-Unsubscribe"].strip("<>").removeprefix("https://lilas.example.org")
    )
    response = app.test_client().post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert current_consent(app, paul, "email_notices").given is False


def test_a_damaged_or_forged_link_changes_nothing(app, people, create_listing, inbox):
    paul = people["paul"]
    consent(app, paul, "email_notices")
    answer(app, people["marie"], create_listing(paul))
    path = stop_link(inbox.messages[0])
    client = app.test_client()
    for damaged in (path[:-3], "/courriel/arreter/eyJ1IjoxLCJrIjoiZW1haWxfbm90aWNlcyJ9.forged"):
        response = client.post(damaged)
        assert response.status_code == 200
        assert "Ce lien n'est pas valable" in text(response)
    assert current_consent(app, paul, "email_notices").given is True


# --- a broken SMTP server ---------------------------------------------------------------------


def test_a_broken_smtp_server_does_not_break_the_page(make_app, people, create_listing, caplog):
    broken = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_DEFAULT_SENDER=SENDER)
    consent(broken, people["paul"], "email_notices")
    client = client_of(broken, people["marie"])
    with caplog.at_level(logging.WARNING, logger="coopere.notifications.email"):
        response = post_form(
            client,
            f"/annonces/{create_listing(people['paul'])}/repondre",
            {"body": "Bonjour !"},
            follow_redirects=True,
        )
    assert response.status_code == 200
    assert "Votre message est envoyé." in text(response)
    with broken.app_context():
        assert db.session.scalar(select(Exchange.status)) == "pending"
        assert db.session.scalar(
            select(Notification.text).where(Notification.user_id == people["paul"].id)
        )
    assert "SMTP server unreachable" in caplog.text


class RefusingInbox(Inbox):
    """An SMTP server that refuses one recipient, naming the address in its answer (as Postfix
    does)."""

    refused = "paul@example.org"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_is_logged_by_member_id_without_the_address(
    make_app, people, create_listing, caplog
):
    handler = RefusingInbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        refusing = make_app(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=handler.port, MAIL_DEFAULT_SENDER=SENDER
        )
        paul, lucie = people["paul"], people["lucie"]
        with refusing.app_context():
            db.session.get(User, paul.id).phone = "+33612345678"
            db.session.commit()
        consent(refusing, paul, "email_notices")
        consent(refusing, lucie, "email_notices")
        client = client_of(refusing, people["marie"])
        with caplog.at_level(logging.WARNING, logger="coopere.notifications.email"):
            for owner in (paul, lucie):
                response = post_form(
                    client, f"/annonces/{create_listing(owner)}/repondre", {"body": "Bonjour !"}
                )
                assert response.status_code == 302
    finally:
        controller.stop()
    assert handler.to("lucie@example.org")  # the other one still went
    assert f"email notice to member {paul.id} not sent (SMTP failure)" in caplog.text
    assert (
        "SMTPRecipientsRefused" in caplog.text and "Recipient address rejected" in caplog.text
    )  # exc_text
    for personal in ("paul@example.org", "+33612345678", "06 12 34 56 78", "Bernard"):
        assert personal not in caplog.text, personal
        for record in caplog.records:
            assert personal not in record.getMessage() + (record.exc_text or ""), personal


def test_a_silent_smtp_server_delays_the_page_by_the_timeout_only(
    make_app, people, create_listing, caplog
):
    """A server that accepts the connection and never says hello (a firewall, a stuck relay)."""
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        slow = make_app(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5
        )
        consent(slow, people["paul"], "email_notices")
        client = client_of(slow, people["marie"])
        start = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="coopere.notifications.email"):
            response = post_form(
                client,
                f"/annonces/{create_listing(people['paul'])}/repondre",
                {"body": "Bonjour !"},
            )
        assert response.status_code == 302
        assert time.monotonic() - start < 5
    assert "SMTP server unreachable" in caplog.text


def test_without_mail_server_nothing_is_sent(make_app, people, create_listing, inbox):
    quiet = make_app(MAIL_SERVER="", MAIL_PORT=inbox.port)
    consent(quiet, people["paul"], "email_notices")
    client = client_of(quiet, people["marie"])
    assert (
        post_form(
            client, f"/annonces/{create_listing(people['paul'])}/repondre", {"body": "Bonjour !"}
        ).status_code
        == 302
    )
    assert inbox.messages == []
    result = quiet.test_cli_runner().invoke(args=["listings", "weekly-digest"])
    assert "MAIL_SERVER n'est pas configuré" in result.output


# --- the weekly digest ------------------------------------------------------------------------


def test_weekly_digest_emails_the_new_listings_by_theme_to_those_who_asked(
    app, people, create_listing, inbox
):
    paul, marie, john = people["paul"], people["marie"], people["john"]
    consent(app, marie, "weekly_digest")
    consent(app, john, "weekly_digest")
    consent(app, paul, "email_notices")  # not the weekly digest
    with app.app_context():
        ordered = db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)).all()
        first, second = ((theme.slug, theme.label_fr) for theme in ordered[:2])
    create_listing(paul, "Je prête ma perceuse", theme=second[0])
    create_listing(paul, "Cherche un escabeau", kind="need", theme=first[0])
    create_listing(
        paul, "Vieille annonce", published_at=utcnow() - timedelta(days=10), theme=first[0]
    )
    create_listing(marie, "Annonce de Marie", theme=first[0])

    runner = app.test_cli_runner()
    result = runner.invoke(args=["listings", "weekly-digest"])
    assert result.exit_code == 0, result.output
    assert "2 courriel(s) envoyé(s)" in result.output
    assert inbox.to("paul@example.org") == []
    (digest,) = inbox.to("marie@example.org")
    assert digest["Subject"] == "[Coop-ère Lilas] Les nouvelles annonces de vos voisins (2)"
    body = digest.get_content()
    assert (
        body.index(f"== {first[1]} ==")
        < body.index("Cherche : Cherche un escabeau")
        < body.index(f"== {second[1]} ==")
        < body.index("Propose : Je prête ma perceuse")
    )
    assert "Vieille annonce" not in body and "Annonce de Marie" not in body  # too old; her own
    assert (
        "/courriel/arreter/" in body
        and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    (english,) = inbox.to("john@example.org")
    assert (
        english.get_content().startswith("Hello John!")
        and "Annonce de Marie" in english.get_content()
    )
    with app.app_context():
        assert db.session.get(User, marie.id).weekly_digest_sent_at is not None

    # Run again the same week: nothing more.
    result = runner.invoke(args=["listings", "weekly-digest"])
    assert "0 courriel(s) envoyé(s)" in result.output and len(inbox.messages) == 2

    # A week later with nothing new: skipped, nothing sent.
    with app.app_context():
        for person in db.session.scalars(select(User)):
            if person.weekly_digest_sent_at:
                person.weekly_digest_sent_at -= timedelta(days=7)
        for listing in db.session.scalars(select(Listing)):
            listing.published_at -= timedelta(days=7)
        db.session.commit()
    result = runner.invoke(args=["listings", "weekly-digest"])
    assert (
        "0 courriel(s) envoyé(s), 2 sans nouvelle annonce" in result.output
        and len(inbox.messages) == 2
    )

    # The digest's link stops the digest only.
    post_form(app.test_client(), stop_link(digest))
    assert current_consent(app, marie, "weekly_digest").given is False
    create_listing(paul, "Encore une annonce")
    runner.invoke(args=["listings", "weekly-digest"])
    assert len(inbox.to("marie@example.org")) == 1 and len(inbox.to("john@example.org")) == 2


# --- the two consents are offered where the others are ---------------------------------------


def test_residents_see_and_change_the_email_consents_on_their_account(app, people, inbox):
    client = client_of(app, people["paul"])
    page = text(client.get("/compte/accords"))
    assert "Recevoir par courriel les nouvelles de mes échanges et de mes annonces" in page
    assert "Recevoir chaque semaine par courriel les nouvelles annonces" in page
    response = post_form(
        client, "/compte/accords/weekly_digest", {"given": "1"}, token_from="/compte/accords"
    )
    assert response.status_code == 302
    assert current_consent(app, people["paul"], "weekly_digest").given is True
