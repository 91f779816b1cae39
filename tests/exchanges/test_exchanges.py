"""Exchanges: a neighbour answers a listing, the owner accepts or declines, contact details appear
only once both agree (and only what each consented to share), either side marks it done and says
thank you; nobody else sees the thread; a member can block another; a sponsor answers for an
offline neighbour, and the printed digest shows the replies."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from helpers import login, post_form, text
from coopere.auth.models import Role, User
from coopere.exchanges.models import Block, Exchange, Message
from coopere.extensions import db
from coopere.listings.models import Listing, Participation
from coopere.members.models import Consent, Sponsorship
from coopere.notifications.models import Notification
from coopere.timeutil import utcnow

PAUL_PHONE, PAUL_PHONE_SHOWN = "+33612345678", "06 12 34 56 78"
MARIE_PHONE, MARIE_PHONE_SHOWN = "+33698765432", "06 98 76 54 32"
HIDDEN_SENTENCE = "Les téléphones et adresses restent cachés tant que l'échange n'est pas accepté."


@pytest.fixture
def people(create_user, create_perimeter):
    """Paul (owner of listings, shares his phone, prefers email), Marie (answers; phone not shared),
    Lucie (an outsider), an animator, an admin."""
    create_perimeter()
    return {
        "paul": create_user(
            first_name="Paul",
            last_name="Bernard",
            email="paul@example.org",
            phone=PAUL_PHONE,
            contact_preference="email",
        ),
        "marie": create_user(
            first_name="Marie", last_name="Dupont", email="marie@example.org", phone=MARIE_PHONE
        ),
        "lucie": create_user(first_name="Lucie", last_name="Garnier", email="lucie@example.org"),
        "animator": create_user(Role.ANIMATOR, first_name="Anne", last_name="Animatrice"),
        "admin": create_user(Role.ADMIN, first_name="Adam", last_name="Admin"),
    }


def consent(app, user: User, kind: str, given: bool = True) -> None:
    with app.app_context():
        db.session.add(
            Consent(user_id=user.id, kind=kind, given=given, version="1", method="online")
        )
        db.session.commit()


@pytest.fixture
def as_person(app):
    def _client(user: User):
        client = app.test_client()
        assert login(client, user).status_code == 302
        return client

    return _client


def answer(client, listing_id: int, body: str = "Bonjour, je peux passer samedi matin."):
    return post_form(client, f"/annonces/{listing_id}/repondre", {"body": body})


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Exchange)),
            db.session.scalar(select(func.count()).select_from(Message)),
        )


def exchange_row(app, exchange_id: int) -> dict:
    with app.app_context():
        exchange = db.session.get(Exchange, exchange_id)
        return {
            "status": exchange.status,
            "owner_thanks": exchange.owner_thanks,
            "requester_thanks": exchange.requester_thanks,
            "done_by_id": exchange.done_by_id,
        }


def notices(app, user: User) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.text)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        )


def started(app, client, listing_id: int) -> int:
    response = answer(client, listing_id)
    assert response.status_code == 302, text(response)
    match = re.match(r".*/echanges/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


# --- the whole exchange -------------------------------------------------------------------------


def test_answer_accept_done_and_thanks_with_contact_shown_only_after_acceptance(
    app, people, create_listing, as_person
):
    paul, marie = people["paul"], people["marie"]
    consent(
        app, paul, "share_phone"
    )  # Paul shows his phone to those he exchanges with; Marie did not agree
    listing_id = create_listing(paul, "Je prête ma perceuse")
    marie_client, paul_client = as_person(marie), as_person(paul)

    exchange_id = started(app, marie_client, listing_id)
    assert notices(app, paul) == ["Marie a répondu à votre annonce « Je prête ma perceuse »."]

    # Before acceptance: the thread, but no phone nor email on either side.
    for client in (marie_client, paul_client):
        page = text(client.get(f"/echanges/{exchange_id}"))
        assert "Bonjour, je peux passer samedi matin." in page
        assert HIDDEN_SENTENCE in page
        for secret in (
            PAUL_PHONE_SHOWN,
            MARIE_PHONE_SHOWN,
            "paul@example.org",
            "marie@example.org",
        ):
            assert secret not in page
    owner_page = text(paul_client.get(f"/echanges/{exchange_id}"))
    assert "Accepter" in owner_page and "Décliner" in owner_page
    assert "Retirer ma réponse" in text(marie_client.get(f"/echanges/{exchange_id}"))

    # « Mes échanges »: to handle for Paul, ongoing for Marie.
    assert re.search(
        r"À traiter \(1\).*Je prête ma perceuse.*En cours \(0\)",
        text(paul_client.get("/echanges")),
        re.S,
    )
    assert re.search(
        r"À traiter \(0\).*En cours \(1\).*Je prête ma perceuse",
        text(marie_client.get("/echanges")),
        re.S,
    )

    response = post_form(
        paul_client, f"/echanges/{exchange_id}/repondre", {"body": "Avec plaisir, samedi 10 h ?"}
    )
    assert response.status_code == 302
    assert (
        notices(app, marie)[-1] == "Nouveau message de Paul au sujet de « Je prête ma perceuse »."
    )

    response = post_form(paul_client, f"/echanges/{exchange_id}/accepter", follow_redirects=True)
    assert "L'échange est accepté" in text(response)
    assert exchange_row(app, exchange_id)["status"] == "accepted"
    assert notices(app, marie)[-1].startswith("Paul a accepté l'échange « Je prête ma perceuse »")

    # After acceptance: Marie sees Paul's phone (he agreed) and his email (his contact preference);
    # Paul sees that Marie is reached through the site (no consent to show her phone).
    marie_page = text(marie_client.get(f"/echanges/{exchange_id}"))
    assert f"par téléphone, {PAUL_PHONE_SHOWN}" in marie_page and "paul@example.org" in marie_page
    assert (
        "montrés qu'une fois l'échange accepté" not in marie_page
    )  # the answer's hint no longer applies
    assert "Seuls Paul et vous lisez ces messages." in marie_page
    paul_page = text(paul_client.get(f"/echanges/{exchange_id}"))
    assert MARIE_PHONE_SHOWN not in paul_page and "marie@example.org" not in paul_page
    assert "Pour joindre Marie : par la messagerie du site" in paul_page
    # The messages, in order.
    assert paul_page.index("Bonjour, je peux passer samedi matin.") < paul_page.index(
        "Avec plaisir, samedi 10 h ?"
    )

    response = post_form(marie_client, f"/echanges/{exchange_id}/fait", follow_redirects=True)
    assert "L'échange est noté comme fait" in text(response)
    assert exchange_row(app, exchange_id)["status"] == "done"
    response = post_form(
        marie_client,
        f"/echanges/{exchange_id}/merci",
        {"text": "Merci Paul, elle marche très bien !"},
    )
    assert response.status_code == 302
    assert "Merci Paul, elle marche très bien !" in text(
        paul_client.get(f"/echanges/{exchange_id}")
    )
    assert re.search(
        r"Terminés \(1\).*Je prête ma perceuse", text(paul_client.get("/echanges")), re.S
    )
    # One thank-you each.
    response = post_form(marie_client, f"/echanges/{exchange_id}/merci", {"text": "Encore merci"})
    assert response.status_code == 422
    assert "Vous avez déjà laissé un mot de remerciement." in text(response)
    assert (
        exchange_row(app, exchange_id)["requester_thanks"] == "Merci Paul, elle marche très bien !"
    )
    response = post_form(paul_client, f"/echanges/{exchange_id}/merci", {"text": "x" * 501})
    assert response.status_code == 422 and "trop long (500 caractères au plus)" in text(response)
    assert exchange_row(app, exchange_id)["owner_thanks"] == ""


def test_the_answer_button_says_i_can_help_under_a_need_and_interested_under_an_offer(
    app, people, create_listing, as_person
):
    client = as_person(people["marie"])
    need = create_listing(people["paul"], "Quelqu'un pour m'accompagner au marché ?", kind="need")
    offer = create_listing(people["paul"], "Je donne des cours de tricot")
    for listing_id, label in ((need, "Je peux aider"), (offer, "Ça m'intéresse")):
        response = answer(client, listing_id, "   ")
        assert response.status_code == 422
        page = text(response)
        assert "Écrivez votre message." in page
        assert f'<button class="button" type="submit">{label}</button>' in page
    assert counts(app) == (0, 0)


def test_phone_shown_after_acceptance_only_with_the_current_consent(
    app, people, create_listing, as_person
):
    paul, marie = people["paul"], people["marie"]
    consent(app, paul, "share_phone")
    consent(app, paul, "share_phone", given=False)  # withdrawn since: the latest answer counts
    exchange_id = started(app, as_person(marie), create_listing(paul))
    post_form(as_person(paul), f"/echanges/{exchange_id}/accepter")
    page = text(as_person(marie).get(f"/echanges/{exchange_id}"))
    assert exchange_row(app, exchange_id)["status"] == "accepted"
    assert PAUL_PHONE_SHOWN not in page and "Pour joindre Paul : par la messagerie du site" in page


# --- refused answers: French message, nothing saved -------------------------------------------


@pytest.mark.parametrize(
    "case, message",
    [
        ("own", "C'est votre propre annonce : vous ne pouvez pas y répondre."),
        ("paused", "Cette annonce n'est plus ouverte : on ne peut plus y répondre."),
        ("empty", "Écrivez votre message."),
        ("too_long", "Votre message est trop long (2000 caractères au plus)."),
        ("blocked_by_owner", "Vous ne pouvez pas écrire à cette personne."),
        ("blocked_the_owner", "Vous ne pouvez pas écrire à cette personne."),
    ],
)
def test_refused_answers_say_why_and_save_nothing(
    app, people, create_listing, as_person, case, message
):
    paul, marie = people["paul"], people["marie"]
    listing_id = create_listing(paul, status="paused" if case == "paused" else "open")
    if case == "blocked_by_owner":
        with app.app_context():
            db.session.add(Block(blocker_id=paul.id, blocked_id=marie.id))
            db.session.commit()
    if case == "blocked_the_owner":
        with app.app_context():
            db.session.add(Block(blocker_id=marie.id, blocked_id=paul.id))
            db.session.commit()
    client = as_person(paul if case == "own" else marie)
    body = {"empty": "", "too_long": "x" * 2001}.get(case, "Bonjour !")
    response = answer(client, listing_id, body)
    assert response.status_code == 422
    page = text(response)
    assert message in page and "Rien n'a été envoyé." in page
    assert counts(app) == (0, 0)
    assert notices(app, paul) == []


def test_answering_twice_is_refused(app, people, create_listing, as_person):
    client = as_person(people["marie"])
    listing_id = create_listing(people["paul"])
    exchange_id = started(app, client, listing_id)
    response = answer(client, listing_id, "Je réponds encore")
    assert response.status_code == 422
    page = text(response)
    assert "Vous avez déjà répondu à cette annonce" in page
    assert f'href="/echanges/{exchange_id}"' in page
    assert counts(app) == (1, 1)


def test_a_second_answer_racing_the_first_meets_the_unique_constraint(app, people, create_listing):
    """Both requests passed the « already answered? » check: the database refuses the second."""
    from coopere.exchanges import services

    listing_id = create_listing(people["paul"])
    with app.test_request_context():
        listing = db.session.get(Listing, listing_id)
        marie = db.session.get(User, people["marie"].id)
        db.session.add(
            Exchange(listing_id=listing_id, owner_id=people["paul"].id, requester_id=marie.id)
        )
        db.session.commit()
        original = services.existing_answer
        services.existing_answer = lambda *_args: (
            None
        )  # the other request's check ran before this insert
        try:
            with pytest.raises(services.ExchangeError, match="déjà répondu"):
                services.start_exchange(listing, marie, "Bonjour", actor=marie)
        finally:
            services.existing_answer = original
        db.session.rollback()
    assert counts(app) == (1, 0)


def test_drafts_and_unknown_listings_are_not_revealed(app, people, create_listing, as_person):
    draft = create_listing(people["paul"], status="draft")
    client = as_person(people["marie"])
    assert answer(client, draft).status_code == 404
    assert answer(client, 9999).status_code == 404
    assert counts(app) == (0, 0)


# --- status changes: each refused with a French message, nothing changed ----------------------


@pytest.fixture
def pending(app, people, create_listing, as_person) -> int:
    return started(app, as_person(people["marie"]), create_listing(people["paul"]))


def flash_after(client, path: str) -> str:
    response = post_form(client, path, follow_redirects=True)
    assert response.status_code == 200
    return text(response)


def test_accepting_twice_declining_an_accepted_one_and_strangers_deciding_are_refused(
    app, people, pending, as_person
):
    paul, marie = as_person(people["paul"]), as_person(people["marie"])
    page = flash_after(marie, f"/echanges/{pending}/accepter")
    assert "Seule la personne qui a publié l'annonce peut accepter ou refuser." in page
    assert exchange_row(app, pending)["status"] == "pending"
    page = flash_after(marie, f"/echanges/{pending}/fait")
    assert "L'échange doit d'abord être accepté." in page

    flash_after(paul, f"/echanges/{pending}/accepter")
    assert exchange_row(app, pending)["status"] == "accepted"
    assert "Cet échange est déjà accepté." in flash_after(paul, f"/echanges/{pending}/accepter")
    assert "Cet échange est déjà accepté : il ne peut plus être refusé." in flash_after(
        paul, f"/echanges/{pending}/decliner"
    )
    assert "votre réponse ne peut plus être retirée" in flash_after(
        marie, f"/echanges/{pending}/retirer"
    )
    assert exchange_row(app, pending)["status"] == "accepted"
    flash_after(paul, f"/echanges/{pending}/fait")
    assert "Cet échange est déjà terminé." in flash_after(marie, f"/echanges/{pending}/fait")
    assert exchange_row(app, pending) == {
        "status": "done",
        "owner_thanks": "",
        "requester_thanks": "",
        "done_by_id": people["paul"].id,
    }


def test_a_declined_or_withdrawn_exchange_cannot_be_accepted_nor_written_to(
    app, people, create_listing, as_person
):
    paul, marie, lucie = (
        as_person(people["paul"]),
        as_person(people["marie"]),
        as_person(people["lucie"]),
    )
    declined = started(app, marie, create_listing(people["paul"], "Annonce un"))
    withdrawn = started(app, lucie, create_listing(people["paul"], "Annonce deux"))
    flash_after(paul, f"/echanges/{declined}/decliner")
    assert notices(app, people["marie"])[-1] == "Paul a décliné votre réponse à « Annonce un »."
    flash_after(lucie, f"/echanges/{withdrawn}/retirer")
    assert notices(app, people["paul"])[-1] == "Lucie a retiré sa réponse à « Annonce deux »."
    assert "Cet échange a été refusé : il est clos." in flash_after(
        paul, f"/echanges/{declined}/accepter"
    )
    assert "La réponse a été retirée : cet échange est clos." in flash_after(
        paul, f"/echanges/{withdrawn}/accepter"
    )
    assert exchange_row(app, declined)["status"] == "declined"
    assert exchange_row(app, withdrawn)["status"] == "withdrawn"
    messages = counts(app)[1]
    response = post_form(marie, f"/echanges/{declined}/repondre", {"body": "Et pourtant ?"})
    assert (
        response.status_code == 422
        and "Cet échange est clos : on ne peut plus y écrire." in text(response)
    )
    assert counts(app)[1] == messages


def test_a_reply_must_have_words_and_not_too_many(app, people, pending, as_person):
    client = as_person(people["paul"])
    for body, message in (
        ("  ", "Écrivez votre message."),
        ("x" * 2001, "Votre message est trop long (2000 caractères au plus)."),
    ):
        response = post_form(client, f"/echanges/{pending}/repondre", {"body": body})
        assert response.status_code == 422 and message in text(response)
    assert counts(app) == (1, 1)


# --- who sees a thread ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lucie", "animator", "admin"])
def test_only_the_two_parties_see_the_thread(app, people, pending, as_person, who):
    client = as_person(people[who])
    assert client.get(f"/echanges/{pending}").status_code == 404
    for action in ("accepter", "decliner", "retirer", "fait"):
        assert post_form(client, f"/echanges/{pending}/{action}").status_code == 404
    assert post_form(client, f"/echanges/{pending}/repondre", {"body": "Coucou"}).status_code == 404
    assert post_form(client, f"/echanges/{pending}/merci", {"text": "Merci"}).status_code == 404
    assert exchange_row(app, pending)["status"] == "pending" and counts(app) == (1, 1)
    assert "Je prête ma perceuse" not in text(client.get("/echanges"))


# --- blocking -------------------------------------------------------------------------------------


def test_blocking_stops_messages_and_answers_but_keeps_the_thread_readable(
    app, people, create_listing, pending, as_person
):
    paul, marie = as_person(people["paul"]), as_person(people["marie"])
    assert "Ne plus recevoir de messages de cette personne" in text(
        paul.get(f"/echanges/{pending}")
    )
    response = post_form(
        paul,
        f"/membres-bloques/{people['marie'].id}",
        {"exchange_id": pending},
        follow_redirects=True,
    )
    page = text(response)
    assert "Vous ne recevrez plus de messages de Marie." in page
    assert "Recevoir de nouveau ses messages" in page
    assert re.search(r"Personnes bloquées.*Marie.*Débloquer", text(paul.get("/echanges")), re.S)

    response = post_form(marie, f"/echanges/{pending}/repondre", {"body": "Vous êtes là ?"})
    assert response.status_code == 422 and "Vous ne pouvez pas écrire à cette personne." in text(
        response
    )
    response = answer(marie, create_listing(people["paul"], "Une autre annonce"))
    assert response.status_code == 422 and "Vous ne pouvez pas écrire à cette personne." in text(
        response
    )
    assert counts(app) == (1, 1)
    assert "Bonjour, je peux passer samedi matin." in text(marie.get(f"/echanges/{pending}"))

    post_form(paul, f"/membres-bloques/{people['marie'].id}/debloquer")
    assert "Vous n'avez bloqué personne." in text(paul.get("/echanges"))
    assert (
        post_form(marie, f"/echanges/{pending}/repondre", {"body": "Vous êtes là ?"}).status_code
        == 302
    )


def test_one_cannot_block_oneself(app, people, as_person):
    client = as_person(people["paul"])
    response = post_form(client, f"/membres-bloques/{people['paul'].id}", follow_redirects=True)
    assert "Vous ne pouvez pas vous bloquer vous-même." in text(response)
    response = post_form(client, "/membres-bloques/9999", follow_redirects=True)
    assert NOT_RELATED in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Block)) == 0


NOT_RELATED = (
    "Vous ne pouvez bloquer qu'une personne avec qui vous avez déjà eu affaire ici : un échange, "
    "un projet collectif ou un parrainage."
)


def blocks(app) -> set[tuple[int, int]]:
    with app.app_context():
        return {
            tuple(row) for row in db.session.execute(select(Block.blocker_id, Block.blocked_id))
        }


def test_one_blocks_only_someone_met_here_in_an_exchange_a_shared_project_or_a_sponsorship(
    app, people, create_listing, as_person, odette
):
    paul, marie, lucie = people["paul"], people["marie"], people["lucie"]
    paul_client, marie_client = as_person(paul), as_person(marie)
    # Lucie never had anything to do with Paul: refused, without her name.
    page = text(post_form(paul_client, f"/membres-bloques/{lucie.id}", follow_redirects=True))
    assert NOT_RELATED in page and "Lucie" not in page
    assert blocks(app) == set()
    # Lucie joins Paul's project, then Marie joins it too: the organiser and each participant may
    # block.
    project = create_listing(paul, "Jardin partagé", kind="project")
    with app.app_context():
        db.session.add_all(
            [
                Participation(listing_id=project, user_id=lucie.id),
                Participation(listing_id=project, user_id=marie.id),
            ]
        )
        db.session.commit()
    page = text(post_form(paul_client, f"/membres-bloques/{lucie.id}", follow_redirects=True))
    assert "Vous ne recevrez plus de messages de Lucie." in page
    assert "Vous ne recevrez plus de messages de Lucie." in text(
        post_form(marie_client, f"/membres-bloques/{lucie.id}", follow_redirects=True)
    )
    # Marie sponsors Odette.
    assert "Vous ne recevrez plus de messages d'Odette." in text(
        post_form(marie_client, f"/membres-bloques/{odette.id}", follow_redirects=True)
    )
    assert blocks(app) == {(paul.id, lucie.id), (marie.id, lucie.id), (marie.id, odette.id)}


def test_unblocking_someone_not_blocked_names_nobody(app, people, pending, as_person):
    paul = as_person(people["paul"])
    for member_id in (people["marie"].id, people["lucie"].id, 9999):  # met, stranger, nobody
        page = text(
            post_form(paul, f"/membres-bloques/{member_id}/debloquer", follow_redirects=True)
        )
        assert "Cette personne ne fait pas partie des personnes que vous avez bloquées." in page
        assert "peut de nouveau vous écrire" not in page and "Lucie" not in page


# --- a sponsor for an offline neighbour -----------------------------------------------------------


@pytest.fixture
def odette(app, people):
    """Odette, without internet, sponsored by Marie."""
    with app.app_context():
        person = User(
            first_name="Odette",
            last_name="Lambert",
            has_internet=False,
            contact_preference="sponsor",
            phone="+33240000001",
        )
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Sponsorship(
                sponsee_id=person.id, sponsor_id=people["marie"].id, consent_reference="P-1"
            )
        )
        db.session.commit()
        db.session.refresh(person)
        db.session.expunge(person)
        return person


def test_a_sponsor_receives_and_answers_the_replies_to_an_offline_neighbours_listing(
    app, people, odette, create_listing, as_person
):
    from coopere.members.printouts import sponsor_digest
    from coopere.perimeter.models import get_perimeter

    listing_id = create_listing(odette, "Aller au marché le samedi", kind="need")
    paul, marie = as_person(people["paul"]), as_person(people["marie"])
    exchange_id = started(app, paul, listing_id)
    # Odette has no account: her sponsor is told, saying for whom.
    assert notices(app, people["marie"]) == [
        "Pour Odette : Paul a répondu à votre annonce « Aller au marché le samedi »."
    ]

    # The sponsor, acting for Odette, sees the exchange in her list, and answers it for her.
    assert post_form(marie, f"/parrainage/{odette.id}/agir").status_code == 302
    assert re.search(
        r"Les échanges d'Odette Lambert.*À traiter \(1\).*Aller au marché",
        text(marie.get("/echanges")),
        re.S,
    )
    assert "Vous agissez pour Odette Lambert." in text(marie.get(f"/echanges/{exchange_id}"))
    post_form(
        marie, f"/echanges/{exchange_id}/repondre", {"body": "Odette vous attend samedi à 9 h."}
    )
    flash_after(marie, f"/echanges/{exchange_id}/accepter")
    assert exchange_row(app, exchange_id)["status"] == "accepted"
    page = text(paul.get(f"/echanges/{exchange_id}"))
    assert "Marie pour Odette" in page and "Odette vous attend samedi à 9 h." in page
    # Odette is reached through her sponsor (no consent to show her phone).
    assert "Pour joindre Odette : par son parrain ou sa marraine, Marie Dupont" in page
    with app.app_context():
        message = db.session.scalar(select(Message).order_by(Message.id.desc()).limit(1))
        assert (message.author_id, message.sent_by_id) == (odette.id, people["marie"].id)

    # The printed digest shows the replies to Odette's listing.
    with app.app_context():
        digest = sponsor_digest(db.session.get(User, odette.id), get_perimeter(), since=None)
    (own,) = digest.own_listings
    assert own.title == "Aller au marché le samedi"
    assert len(own.replies) == 1 and own.replies[0].startswith("Paul, ")
    assert own.replies[0].endswith(": Bonjour, je peux passer samedi matin.")


def test_neighbours_are_told_that_a_neighbour_of_the_network_answers_for_odette(
    app, people, odette, create_listing, as_person
):
    """Her listing, its card, the exchange and « Mes échanges » say who answers for an offline
    neighbour; her sponsor is named only within an exchange."""
    from coopere.members.models import Sponsorship

    listing_id = create_listing(odette, "Aller au marché le samedi", kind="need")
    paul = as_person(people["paul"])
    page = text(paul.get(f"/annonces/{listing_id}"))
    assert "Demandée par Odette" in page
    assert (
        "Odette n'a pas internet : un voisin du réseau reçoit vos réponses et répond à sa place."
        in page
    )
    assert "Marie" not in page and "Dupont" not in page
    browse = text(paul.get("/annonces"))
    assert (
        "Odette, dans le périmètre (sans internet, un voisin du réseau répond à sa place)" in browse
    )
    assert "Marie" not in browse
    exchange_id = started(app, paul, listing_id)
    page = text(paul.get(f"/echanges/{exchange_id}"))
    assert (
        "Odette n'a pas internet : son parrain ou sa marraine, Marie, "
        "lit vos messages et répond à sa place." in page
    )
    assert "Odette (sans internet, un voisin du réseau répond à sa place)" in text(
        paul.get("/echanges")
    )
    marie = as_person(people["marie"])
    post_form(marie, f"/parrainage/{odette.id}/agir")
    flash_after(marie, f"/echanges/{exchange_id}/accepter")
    assert "Seuls Odette, Marie qui répond à sa place, et vous lisez ces messages." in text(
        paul.get(f"/echanges/{exchange_id}")
    )
    # Nobody answers for her any more: neighbours are sent to the animation group.
    with app.app_context():
        db.session.scalar(
            select(Sponsorship).where(Sponsorship.sponsee_id == odette.id)
        ).ended_at = utcnow()
        db.session.commit()
    page = text(paul.get(f"/annonces/{listing_id}"))
    assert (
        "Odette n'a pas internet : pour lui répondre, adressez-vous au groupe d'animation." in page
    )
    assert (
        "personne ne lit vos messages à sa place en ce moment : adressez-vous au groupe d'animation"
        in text(paul.get(f"/echanges/{exchange_id}"))
    )
    # A neighbour on the site is named plainly.
    page = text(
        as_person(people["lucie"]).get(
            f"/annonces/{create_listing(people['paul'], 'Je prête un escabeau')}"
        )
    )
    assert (
        "Proposée par Paul" in page
        and "Paul n'a pas internet" not in page
        and "Paul (sans" not in page
    )


def test_a_sponsor_not_in_acting_mode_still_reaches_the_thread_from_the_notice(
    app, people, odette, create_listing, as_person
):
    exchange_id = started(
        app, as_person(people["paul"]), create_listing(odette, "Aller au marché", kind="need")
    )
    page = text(as_person(people["marie"]).get(f"/echanges/{exchange_id}"))
    assert "Vous agissez pour Odette Lambert." in page and "Accepter" in page


# --- « Mes échanges » costs a constant number of queries ----------------------------------------


def test_my_exchanges_page_queries_do_not_grow(app, people, create_listing, as_person, create_user):
    from helpers import page_queries as queries

    paul = as_person(people["paul"])

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            neighbour = create_user(
                first_name=f"Voisin{n}", last_name="Test", email=f"v{n}@example.org"
            )
            started(app, as_person(neighbour), create_listing(people["paul"], f"Annonce {n}"))

    add(1, 0)
    small = queries(app, paul, "/echanges")
    add(4, 10)
    large = queries(app, paul, "/echanges")
    assert small == large, f"{small} queries with 1 exchange, {large} with 5"
    assert "Annonce 13" in text(paul.get("/echanges"))


# --- the answer form on the listing's page ------------------------------------------------------


def test_the_listing_page_offers_the_answer_form_then_leads_to_the_exchange(
    app, people, create_listing, as_person
):
    need = create_listing(people["paul"], "Quelqu'un pour m'accompagner au marché ?", kind="need")
    marie, paul = as_person(people["marie"]), as_person(people["paul"])
    page = text(marie.get(f"/annonces/{need}"))
    assert f'action="/annonces/{need}/repondre"' in page and ">Je peux aider</button>" in page
    exchange_id = started(app, marie, need)
    page = text(marie.get(f"/annonces/{need}"))
    assert (
        "Vous avez déjà répondu à cette annonce." in page
        and f'href="/echanges/{exchange_id}"' in page
    )
    assert f'action="/annonces/{need}/repondre"' not in page
    page = text(paul.get(f"/annonces/{need}"))  # the owner: no form, a link to the answers
    assert f'action="/annonces/{need}/repondre"' not in page and "Voir mes échanges" in page


ACTION_PATHS = {"accept": "accepter", "decline": "decliner", "withdraw": "retirer", "done": "fait"}


@pytest.mark.parametrize("status", ["pending", "accepted", "declined", "withdrawn", "done"])
def test_the_page_offers_exactly_the_status_changes_the_rules_allow(
    app, people, create_listing, as_person, status
):
    """The buttons come from the transitions table: each button shown works, each one hidden would
    be refused (so the page and the rules cannot drift apart)."""
    from coopere.exchanges.services import ACTION_BUTTONS

    listing_id = create_listing(people["paul"])
    exchange_id = started(app, as_person(people["marie"]), listing_id)
    for who in ("paul", "marie"):
        with app.app_context():
            db.session.get(Exchange, exchange_id).status = status
            db.session.commit()
        client = as_person(people[who])
        page = client.get(f"/echanges/{exchange_id}").get_data(as_text=True)
        for action, (label, _main) in ACTION_BUTTONS.items():
            shown = f'/echanges/{exchange_id}/{ACTION_PATHS[action]}"' in page
            assert shown == (f">{label}</button>" in html.unescape(page)), (who, status, action)
            post_form(
                client, f"/echanges/{exchange_id}/{ACTION_PATHS[action]}", follow_redirects=True
            )
            changed = exchange_row(app, exchange_id)["status"] != status
            assert shown == changed, (who, status, action)
            with app.app_context():
                db.session.get(Exchange, exchange_id).status = status
                db.session.commit()


def test_the_new_message_notice_elides_de_before_a_vowel(
    app, people, create_user, create_listing, as_person
):
    """« Nouveau message d'Odile », not « de Odile »: the notice is written as French writes it."""
    paul = people["paul"]
    odile = create_user(first_name="Odile", last_name="Roux", email="odile@example.org")
    listing_id = create_listing(paul, "Je prête ma perceuse")
    exchange_id = started(app, as_person(odile), listing_id)
    response = post_form(as_person(odile), f"/echanges/{exchange_id}/repondre", {"body": "Merci !"})
    assert response.status_code == 302
    assert notices(app, paul)[-1] == (
        "Nouveau message d'Odile au sujet de « Je prête ma perceuse »."
    )
