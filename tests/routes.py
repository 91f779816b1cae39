"""Example URL arguments for routes that take some, shared by the policy and browser tests.

A GET route with URL arguments must have an entry here, or the policy tests fail: every page is
checked for every role.
"""

EXAMPLE_ARGS: dict[str, dict] = {
    "static": {"filename": "css/coopere.css"},
    "perimeter.set_role_view": {"user_id": 1},
    "perimeter.set_group_role_view": {"user_id": 1},
    "events.edit": {"event_id": 1},
    **{
        f"events.{name}": {"event_id": 1}
        for name in ("show", "cancel", "sign_up", "withdraw", "event_ics")
    },
    "events.series_edit": {"series_id": 1},
    "dwellings.edit": {"dwelling_id": 1},
    "dwellings.delete": {"dwelling_id": 1},
    "printruns.show": {"run_id": 1},
    "printruns.status": {"run_id": 1},
    "printruns.download": {"run_id": 1},
    "printruns.confirm": {"run_id": 1},
    "printruns.event_printouts": {"event_id": 1},
    "printruns.event_pdf": {"event_id": 1, "size": "a6"},
    "listings.theme_edit": {"theme_id": 1},
    "listings.theme_retire": {"theme_id": 1},
    **{
        f"members.{name}": {"member_id": 4}
        for name in (
            "show",
            "edit",
            "leave",
            "card",
            "receipt",
            "sponsor",
            "end_sponsor",
            "export_pdf",
            "export_json",
            "erase",
            "reset_access",
        )
    },
    "listings.mine_edit": {"listing_id": 1},
    "listings.mine_publish": {"listing_id": 1},
    "listings.mine_close": {"listing_id": 1},
    "listings.mine_delete": {"listing_id": 1},
    **{
        f"listings.{name}": {"listing_id": 1}
        for name in ("mine_renew", "mine_pause", "mine_resume", "mine_fulfil")
    },
    # Project 900 (seeded by _seed_projects): an open project of the animator's, with a photo.
    "listings.join": {"listing_id": 900},
    "listings.leave": {"listing_id": 900},
    "browse.show": {"listing_id": 800},  # the animator's open need (fixed id, see _seed_browse)
    "listings.photo": {"name": "seededphotoforexamples.jpg"},
    "sponsorship.act_for": {"sponsee_id": 4},
    "sponsorship.digest": {"sponsee_id": 4},
    "resident.activate_code": {"code": "ABCDEFGHJK"},
    "resident.set_consent": {"kind": "photos"},
    **{
        f"cafe.{name}": {"event_id": 1}
        for name in ("calls", "desk", "check_in", "undo_check_in", "visitors", "sheet", "report")
    },
    **{f"cafe_offline.{name}": {"event_id": 1} for name in ("desk", "data", "sync")},
    "cafe.record_call": {"event_id": 1, "person_id": 4},
    "group.set_family": {"family": "registrations"},
    "group.training_answer": {"day_id": 1},
    "group.add_note": {"family": "registrations"},
    **{f"group.{name}": {"event_id": 1} for name in ("roster", "roster_pdf", "add_tasks")},
    **{
        f"group.{name}": {"event_id": 1, "task": "coffee"} for name in ("take", "release", "assign")
    },
    # exchanges: exchange 1 (the member answered the animator's open listing, see _seed_exchanges)
    **{
        f"exchanges.{name}": {"exchange_id": 1}
        for name in ("show", "reply", "accept", "decline", "withdraw", "done", "thanks")
    },
    "exchanges.start": {"listing_id": 1},  # the member's own draft: refused to them, 404 to others
    "exchanges.block": {"member_id": 4},
    "exchanges.unblock": {"member_id": 4},
    "notifications.unsubscribe": {"token": "lien-abime"},  # a damaged link: a page that says so
    # moderation: listing, exchange and message 901 (fixed ids, see _seed_moderation), report 1
    **{
        f"moderation.{name}": {"listing_id": 901}
        for name in ("report_listing", "hide_listing", "restore_listing")
    },
    **{
        f"moderation.{name}": {"message_id": 901}
        for name in ("report_message", "hide_message", "restore_message")
    },
    **{f"moderation.{name}": {"report_id": 1} for name in ("keep", "warn")},
    "reports.export_csv": {"name": "reach-streets"},
    "reports.yearly_pdf": {"year": __import__("datetime").date.today().year},
    "support.revoke": {"grant_id": 1},
    # sheets: seeded on first use from coopere/sheets/data (a project sheet)
    **{
        f"sheets.{name}": {"slug": "achat-groupe"}
        for name in ("show", "pdf", "launch", "edit", "retire")
    },
    "fete.panels": {"size": "a4"},
    # newsletter: issue 1, published and public (seeded by _seed_newsletter), its block 0
    **{
        f"newsletter.{name}": {"issue_id": 1}
        for name in ("show", "public_show", "edit", "settings", "add_block", "send_test", "send")
    },
    "newsletter.paper": {"issue_id": 1},
    "newsletter.sponsor_paper": {"issue_id": 1, "sponsor_id": 1},  # the member sponsors user 4
    "newsletter.block": {"issue_id": 1, "index": 0},
}

# Routes whose object belongs to one person. The seeded objects are the member's (user 1 of the
# policy test; the animator is 2, the admin 3): the other roles pass the policy table but the
# route's object check refuses them, with this status.
OBJECT_REFUSALS: dict[str, dict[str, int]] = {
    **{
        endpoint: {"animator": 404, "admin": 404}
        for endpoint in (
            "listings.mine_edit",
            "listings.mine_publish",
            "listings.mine_close",
            "listings.mine_delete",
            "listings.mine_renew",
            "listings.mine_pause",
            "listings.mine_resume",
            "listings.mine_fulfil",
        )
    },
    "sponsorship.act_for": {"animator": 403, "admin": 403},
    "group.assign": {"animator": 403},  # the pilote, the copilote and admins only
    # a network's training days: none outside a network (tests/association covers a network)
    "group.training_answer": {"animator": 404, "admin": 404},
    "moderation.report_message": {
        "animator": 404,
        "admin": 404,
    },  # the member's exchange, not theirs
    # exchange 1 is between the member and the animator: the admin is no party to it
    **{
        f"exchanges.{name}": {"admin": 404}
        for name in ("show", "reply", "accept", "decline", "withdraw", "done", "thanks")
    },
    "exchanges.start": {"animator": 404, "admin": 404},  # listing 1 is the member's draft
    # support access: giving or ending one is for the pilote, the copilote and admins; the consent
    # « être connu·e de l'association » is for group members
    "support.give": {"animator": 403},
    "support.revoke": {"animator": 403},
    "support.set_known": {"member": 403},
}


def seed_examples(app) -> None:
    """Create the objects the example URL arguments point at (ids 1)."""
    from datetime import date, time, timedelta

    from coopere.dwellings.services import save_dwelling
    from coopere.events.services import save_event
    from coopere.extensions import db
    from coopere.printruns.models import PrintRun
    from coopere.listings.themes import seed_themes
    from coopere.printruns.services import output_folder

    with app.app_context():
        _seed_sponsorship_and_listing()
        event = save_event(
            None,
            {
                "kind": "cafe",
                "title": "",
                "day": date.today() + timedelta(days=7),
                "start": time(10),
                "end": time(12),
                "place": "Place des Lilas",
                "rain_place": "Salle de la Maison de quartier",
                "description": "Café, thé et gâteaux.",
            },
        )
        dwelling = save_dwelling(
            None,
            {
                "number": 3,
                "rep": "bis",
                "street": "Rue des Lilas",
                "complement": "",
                "postcode": "44300",
                "city": "Nantes",
            },
        )
        db.session.flush()
        run = PrintRun(
            kind="letters", status="done", total_pages=2, letters_count=1, file_name="1-example.pdf"
        )
        run.params = {
            "event_id": event.id,
            "base_url": "http://localhost",
            "streets": [],
            "building": "",
            "unaddressed": 0,
            "dwelling_ids": [dwelling.id],
        }
        db.session.add(run)
        seed_themes()
        db.session.commit()
        (output_folder() / "1-example.pdf").write_bytes(b"%PDF-1.7 example")
        _seed_event_series()  # events: series 1 (its dates are events 2 and after)
        _seed_projects(app)
        _seed_browse()  # browse: listing 800, an open need of the animator's (user 2)
        # exchanges: the animator's listing 700, exchange 1 with the member (before 901)
        _seed_exchanges()
        # moderation: Gérard (user 901), his listing, exchange and message 901, report 1
        _seed_moderation()
        _seed_newsletter()


def _seed_newsletter() -> None:
    """Issue 1: a published newsletter of January 2000 (never this month's), public."""
    from datetime import date

    from coopere.extensions import db
    from coopere.newsletter.models import NewsletterIssue

    issue = NewsletterIssue(
        id=1, month=date(2000, 1, 1), status="published", public=True, created_by_id=2
    )
    issue.blocks = [
        {
            "kind": "text",
            "title": "Le mot du groupe",
            "text": "Bonjour !",
            "public_text": "Bonjour !",
        }
    ]
    db.session.add(issue)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # an explicit id: the next issue comes after it
        db.session.execute(
            db.text("SELECT setval(pg_get_serial_sequence('newsletter_issues', 'id'), 1)")
        )
        db.session.commit()


def _seed_sponsorship_and_listing() -> None:
    """First of the examples, so that ids are known: an offline neighbour (user 4) sponsored by the
    member (user 1), and listing 1, a draft of the member's from the registration desk."""
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.listings.themes import seed_themes
    from coopere.members.models import Sponsorship

    sponsee = User(
        first_name="Odette", last_name="Lambert", has_internet=False, contact_preference="sponsor"
    )
    db.session.add(sponsee)
    db.session.flush()
    seed_themes()
    db.session.flush()
    db.session.add(
        Sponsorship(sponsee_id=sponsee.id, sponsor_id=1, consent_reference="P-2026-0001")
    )
    db.session.add(
        Listing(
            owner_id=1,
            theme_id=1,
            kind="offer",
            title="Je prête ma perceuse",
            status="draft",
            created_by_id=2,
        )
    )
    db.session.flush()


def _seed_event_series() -> None:
    """Series 1: a café every first Saturday, starting next month (its dates come after event 1)."""
    from datetime import time

    from coopere.events.recurrence import save_series
    from coopere.timeutil import add_months, paris_today
    from coopere.extensions import db

    save_series(
        None,
        {
            "kind": "cafe",
            "title": "",
            "weekday": 5,
            "week_of_month": 1,
            "start_time": time(10),
            "end_time": time(12),
            "place": "Place des Lilas",
            "rain_place": "",
            "description": "",
            "max_places": None,
            "first_date": add_months(paris_today().replace(day=1), 1),
            "last_date": add_months(paris_today().replace(day=1), 3),
            "months_off": [],
        },
    )
    db.session.commit()


def _seed_exchanges() -> None:
    """Listing 700, an open offer of the animator (user 2) that the member (user 1) answered:
    exchange 1, pending, with the member's first message (before the moderation's exchange 901)."""
    from coopere.exchanges.models import Exchange, Message
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.timeutil import utcnow

    listing = Listing(
        id=700,
        owner_id=2,
        theme_id=1,
        kind="offer",
        title="Je prête mon escabeau",
        status="open",
        published_at=utcnow(),
        created_by_id=2,
    )
    db.session.add(listing)
    db.session.flush()
    exchange = Exchange(listing_id=listing.id, owner_id=2, requester_id=1)
    db.session.add(exchange)
    db.session.flush()
    assert exchange.id == 1, "seed the exchanges before any other exchange"
    db.session.add(
        Message(
            exchange_id=exchange.id,
            author_id=1,
            sent_by_id=1,
            body="Bonjour, je peux passer le prendre samedi ?",
        )
    )
    db.session.commit()


def _seed_moderation() -> None:
    """Gérard (user 901) and his open listing 901, which the member (user 1) answered: exchange 901
    with Gérard's message 901; the member reported the listing (report 1, open). Fixed ids, so that
    they do not depend on what the other seeds create before."""
    from coopere.auth.models import User
    from coopere.exchanges.models import Exchange, Message
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.moderation.models import Report
    from coopere.timeutil import utcnow

    db.session.add(
        User(id=901, first_name="Gérard", last_name="Roux", email="gerard.roux@example.org")
    )
    db.session.flush()
    db.session.add(
        Listing(
            id=901,
            owner_id=901,
            theme_id=1,
            kind="offer",
            title="Cours de yoga à 10 euros",
            description="Payez en liquide.",
            status="open",
            published_at=utcnow(),
        )
    )
    db.session.flush()
    db.session.add(Exchange(id=901, listing_id=901, owner_id=901, requester_id=1))
    db.session.flush()
    db.session.add(
        Message(id=901, exchange_id=901, author_id=901, sent_by_id=901, body="Venez avec 10 euros.")
    )
    db.session.flush()
    db.session.add(
        Report(reporter_id=1, listing_id=901, reason="commercial", text="Ce n'est pas gratuit.")
    )
    db.session.commit()


def _seed_projects(app) -> None:
    """Listing 900: an open collective project of the animator's (user 2), with a photo."""
    import io
    from datetime import timedelta
    from pathlib import Path

    from PIL import Image

    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.timeutil import utcnow

    folder = Path(app.instance_path) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    (folder / "seededphotoforexamples.jpg").write_bytes(out.getvalue())
    with app.app_context():
        db.session.add(
            Listing(
                id=900,
                owner_id=2,
                theme_id=11,
                kind="project",
                title="Achat groupé de pommes",
                description="Une caisse de pommes du verger voisin.",
                status="open",
                created_by_id=2,
                published_at=utcnow(),
                expires_at=utcnow() + timedelta(days=90),
                max_participants=10,
                photo="seededphotoforexamples.jpg",
            )
        )
        db.session.commit()


def _seed_browse() -> None:
    """Listing 800: an open need of the animator (user 2), searchable, that every member may open.
    A fixed id, so that it does not depend on what the other seeds create before."""
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.listings.search import index_listing
    from coopere.timeutil import utcnow

    listing = Listing(
        id=800,
        owner_id=2,
        theme_id=1,
        kind="need",
        title="Cherche un vélo pour aller au marché",
        description="Le samedi matin, pour deux heures.",
        status="open",
        published_at=utcnow(),
        created_by_id=2,
    )
    db.session.add(listing)
    db.session.flush()
    index_listing(listing)
    db.session.commit()
