"""Repeated buttons say what they act on: on one page, two buttons (or submit inputs, or links
drawn as buttons) with the same accessible name must do the same thing. « Donner cet accord »
five times, each for another consent, is five times the same word for a screen-reader user; the
name must carry the object (a visually hidden « : les photos », the listing's title, the person).

axe-core does not catch this (every button has *a* name), so the pages are read here: the demo
perimeter, walked as the pilote, an animator, a member and a sponsor (also acting for their
neighbour), every page without URL arguments their role may open plus the main pages of one
object (an event, a member, a listing, an exchange…)."""

from __future__ import annotations

import pytest


from sqlalchemy import or_, select

from coopere.extensions import db
from buttons import buttons
from helpers import PASSWORD, login, post_form, search_people

#: Rendering and wording, not the database: the PostgreSQL leg skips them (see setup.cfg).
pytestmark = pytest.mark.one_database


def same_name_other_action(html: str) -> dict[str, set]:
    """Names shared by buttons that do different things: {name: {what each does}}."""
    actions: dict[str, set] = {}
    for name, does in buttons(html):
        actions.setdefault(name, set()).add(does)
    return {name: does for name, does in actions.items() if len(does) > 1}


# --- the checker itself ----------------------------------------------------------------------


def form(action: str, label: str, hidden: str = "", **button_attrs) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in button_attrs.items())
    return (
        f'<form method="post" action="{action}">'
        f'<input type="hidden" name="csrf_token" value="{action}">'
        f'{hidden}<button type="submit"{extra}>{label}</button></form>'
    )


def test_the_check_flags_one_name_for_two_actions_and_nothing_else():
    assert same_name_other_action(
        form("/accords/photos", "Donner cet accord")
        + form("/accords/newsletter", "Donner cet accord")
    ) == {
        "Donner cet accord": {
            ("post", "/accords/photos", (), "", ""),
            ("post", "/accords/newsletter", (), "", ""),
        }
    }
    # the same address, other hidden fields: still two different acts
    two_people = form(
        "/cafe/1/present", "Présent(e)", '<input type="hidden" name="person_id" value="4">'
    ) + form("/cafe/1/present", "Présent(e)", '<input type="hidden" name="person_id" value="5">')
    assert list(same_name_other_action(two_people)) == ["Présent(e)"]
    # a visually hidden object, an aria-label or aria-labelledby tells them apart
    assert (
        same_name_other_action(
            form("/a", 'Donner cet accord<span class="visually-hidden"> : les photos</span>')
            + form("/b", 'Donner cet accord<span class="visually-hidden"> : la lettre</span>')
        )
        == {}
    )
    assert (
        same_name_other_action(
            form("/a", "Donner", aria_label="Donner : photos")
            + form("/b", "Donner", aria_label="Donner : lettre")
        )
        == {}
    )
    assert (
        same_name_other_action(
            '<p id="p">Les photos</p><p id="l">La lettre</p>'
            + form("/a", "Donner", aria_labelledby="p")
            + form("/b", "Donner", aria_labelledby="l")
        )
        == {}
    )
    # …but text hidden from screen readers does not
    assert (
        same_name_other_action(
            form("/a", 'Donner<span aria-hidden="true"> (photos)</span>')
            + form("/b", 'Donner<span aria-hidden="true"> (lettre)</span>')
        )
        != {}
    )
    # the same act twice (top and bottom of a long form) is fine; submit inputs and button links
    # count
    assert same_name_other_action(form("/a", "Enregistrer") + form("/a", "Enregistrer")) == {}
    assert (
        same_name_other_action(
            '<form method="post" action="/a"><input type="submit" value="Valider"></form>'
            '<form method="post" action="/b"><input type="submit" value="Valider"></form>'
        )
        != {}
    )
    assert (
        same_name_other_action(
            '<a class="button" href="/m/1">Modifier</a>'
            '<a class="button button-secondary" href="/m/2">Modifier</a>'
        )
        != {}
    )
    # buttons of one form told apart by their own value, and formaction
    assert (
        same_name_other_action(
            '<form method="post" action="/x"><button name="change" value="1">+1</button>'
            '<button name="change" value="-1">+1</button></form>'
        )
        != {}
    )
    assert (
        same_name_other_action(
            '<form method="post" action="/x"><button formaction="/k/1">Garder</button>'
            '<button formaction="/k/2">Garder</button></form>'
        )
        != {}
    )


# --- every page of the demo ------------------------------------------------------------------


def _demo(app) -> dict:
    """The demo perimeter, plus what it lacks to show lists of buttons: reports to moderate (two
    listings and a message). Returns the ids and logins the walk needs."""
    from coopere.auth.models import User
    from coopere.demo import create_demo
    from coopere.dwellings.models import Dwelling
    from coopere.events.models import Event, EventKind, EventSeries
    from coopere.events.services import upcoming_events
    from coopere.exchanges.models import Exchange, Message
    from coopere.listings.models import Listing
    from coopere.members.models import Sponsorship
    from coopere.moderation.models import Report
    from coopere.printruns.models import PrintRun
    from coopere.timeutil import utcnow

    with app.app_context():
        create_demo(PASSWORD)
        db.session.commit()
        member = db.session.scalar(select(User).where(User.email == "membre2@example.org"))
        sponsorship = db.session.scalar(
            select(Sponsorship).where(Sponsorship.ended_at.is_(None)).order_by(Sponsorship.id)
        )
        sponsor = db.session.get(User, sponsorship.sponsor_id)
        others = db.session.scalars(
            select(Listing)
            .where(
                Listing.status == "open", Listing.kind != "project", Listing.owner_id != member.id
            )
            .order_by(Listing.id)
            .limit(2)
        ).all()
        exchange = db.session.scalar(select(Exchange).order_by(Exchange.id))
        message = db.session.scalar(select(Message).where(Message.exchange_id == exchange.id))
        for listing in others:
            db.session.add(
                Report(reporter_id=member.id, listing_id=listing.id, reason="commercial")
            )
        db.session.add(
            Report(reporter_id=exchange.owner_id, message_id=message.id, reason="political")
        )
        db.session.commit()
        cafe = upcoming_events(limit=1, kinds=(EventKind.CAFE,))[0]
        now = utcnow()
        past = db.session.scalar(
            select(Event)
            .where(Event.kind == "cafe", Event.starts_at < now)
            .order_by(Event.starts_at.desc())
        )
        project = db.session.scalar(select(Listing).where(Listing.kind == "project"))

        def own_listing(user_id):
            return db.session.scalar(
                select(Listing.id).where(Listing.owner_id == user_id).order_by(Listing.id)
            )

        def own_exchange(user_id):
            return db.session.scalar(
                select(Exchange.id)
                .where(or_(Exchange.owner_id == user_id, Exchange.requester_id == user_id))
                .order_by(Exchange.id)
            )

        people = {
            "admin": db.session.scalar(select(User).where(User.email == "pilote@example.org")),
            "animator": db.session.scalar(
                select(User).where(User.email == "animateur1@example.org")
            ),
            "member": member,
            "sponsor": sponsor,
        }
        return {
            "logins": {role: person.email or person.phone for role, person in people.items()},
            "sponsee": sponsorship.sponsee_id,
            "own": {
                role: {
                    "listings.mine_edit": {"listing_id": own_listing(person.id)},
                    "exchanges.show": {"exchange_id": own_exchange(person.id)},
                }
                for role, person in people.items()
            },
            "detail": {
                **{
                    endpoint: {"event_id": cafe.id}
                    for endpoint in (
                        "events.show",
                        "events.edit",
                        "events.cancel",
                        "cafe.calls",
                        "group.roster",
                        "printruns.event_printouts",
                    )
                },
                # the last café: its desk is open (a future one's opens on the day), its report
                # written
                **{endpoint: {"event_id": past.id} for endpoint in ("cafe.desk", "cafe.report")},
                "events.series_edit": {
                    "series_id": db.session.scalar(select(EventSeries.id).order_by(EventSeries.id))
                },
                "printruns.show": {"run_id": db.session.scalar(select(PrintRun.id))},
                "dwellings.edit": {
                    "dwelling_id": db.session.scalar(select(Dwelling.id).order_by(Dwelling.id))
                },
                "listings.theme_edit": {"theme_id": project.theme_id},
                "members.show": {"member_id": sponsor.id},
                "members.edit": {"member_id": sponsorship.sponsee_id},
                "members.sponsor": {"member_id": sponsorship.sponsee_id},
                "members.erase": {"member_id": sponsorship.sponsee_id},
                "browse.show": {"listing_id": project.id},
                "moderation.report_listing": {"listing_id": others[0].id},
            },
        }


def _pages(app, user_id: int, detail: dict) -> list[str]:
    """Every HTML page without URL arguments this person may open, and the detail pages given."""
    from flask import url_for

    from coopere.auth.models import User
    from coopere.policy import allowed

    with app.test_request_context():
        user = db.session.get(User, user_id)
        paths = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            is_file = "." in rule.rule.rsplit("/", 1)[-1]
            if (
                "GET" not in rule.methods
                or rule.endpoint == "static"
                or is_file
                or not allowed(rule.endpoint, user)
            ):
                continue
            if not rule.arguments:
                paths.append(url_for(rule.endpoint))
            elif rule.endpoint in detail and all(detail[rule.endpoint].values()):
                paths.append(url_for(rule.endpoint, **detail[rule.endpoint]))
        return paths


def test_no_page_gives_two_different_buttons_the_same_name(app):
    from coopere.auth.models import User

    demo = _demo(app)
    clashes, seen = [], {}

    def check(role, client, path, response=None):
        response = response or client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            return
        seen[f"{role} {path}"] = len(buttons(response.get_data(as_text=True)))
        for name, actions in same_name_other_action(response.get_data(as_text=True)).items():
            clashes.append(
                f"{role} {path}: « {name} » for {len(actions)} different actions, e.g. "
                f"{sorted(actions)[:2]}"
            )

    for role, who in demo["logins"].items():
        client = app.test_client()
        assert login(client, who).status_code == 302, who
        with app.app_context():
            user_id = db.session.scalar(
                select(User.id).where(or_(User.email == who, User.phone == who))
            )
        for path in _pages(app, user_id, {**demo["detail"], **demo["own"][role]}):
            check(role, client, path)
        if role == "animator":  # lists that a search fills
            check(
                role,
                client,
                "desk search",
                search_people(
                    client, f"/cafe/{demo['detail']['cafe.desk']['event_id']}/accueil", "a"
                ),
            )
            check(role, client, "members search", search_people(client, "/membres/", "a"))
        if role == "admin":
            check(role, client, "group search", search_people(client, "/admin/groupe", "a"))
        if role == "sponsor":  # acting for the neighbour they represent
            post_form(client, f"/parrainage/{demo['sponsee']}/agir", token_from="/parrainage")
            for path in (
                "/accueil",
                "/mes-annonces",
                "/annonces",
                "/rendez-vous",
                "/echanges",
                "/compte/accords",
            ):
                check("sponsor acting", client, path)
    # the walk saw the lists it is about (a page that stopped answering would hide its buttons)
    assert len(seen) > 100
    for page, at_least in {
        "member /compte/accords": 5,
        "admin /admin/groupe": 12,
        "animator /moderation": 9,
        "animator desk search": 10,
        "admin group search": 10,
        "member /mes-annonces": 3,
    }.items():
        assert seen.get(page, 0) >= at_least, (page, seen.get(page))
    assert not clashes, "buttons named alike for different actions:\n" + "\n".join(clashes)
