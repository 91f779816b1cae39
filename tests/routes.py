"""Example URL arguments for routes that take some, shared by the policy and browser tests.

A GET route with URL arguments must have an entry here, or the policy tests fail: every page is
checked for every role.
"""
EXAMPLE_ARGS: dict[str, dict] = {
    "static": {"filename": "css/coopere.css"},
    "perimeter.set_role_view": {"user_id": 1},
    "perimeter.set_group_role_view": {"user_id": 1},
    "events.edit": {"event_id": 1},
    **{f"events.{name}": {"event_id": 1} for name in ("show", "cancel", "sign_up", "withdraw", "event_ics")},
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
    **{f"members.{name}": {"member_id": 4}
       for name in ("show", "edit", "leave", "card", "receipt", "sponsor", "end_sponsor")},
    "listings.mine_edit": {"listing_id": 1},
    "listings.mine_publish": {"listing_id": 1},
    "listings.mine_close": {"listing_id": 1},
    "listings.mine_delete": {"listing_id": 1},
    "sponsorship.act_for": {"sponsee_id": 4},
    "sponsorship.digest": {"sponsee_id": 4},
    "resident.activate_code": {"code": "ABCDEFGHJK"},
    "resident.set_consent": {"kind": "photos"},
    **{f"cafe.{name}": {"event_id": 1} for name in ("calls", "desk", "check_in", "undo_check_in", "visitors",
                                                    "sheet", "report")},
    "cafe.record_call": {"event_id": 1, "person_id": 4},
    "group.set_family": {"family": "registrations"},
    "group.add_note": {"family": "registrations"},
    **{f"group.{name}": {"event_id": 1} for name in ("roster", "roster_pdf", "add_tasks")},
    **{f"group.{name}": {"event_id": 1, "task": "coffee"} for name in ("take", "release", "assign")},
}

# Routes whose object belongs to one person. The seeded objects are the member's (user 1 of the
# policy test; the animator is 2, the admin 3): the other roles pass the policy table but the
# route's object check refuses them, with this status.
OBJECT_REFUSALS: dict[str, dict[str, int]] = {
    **{endpoint: {"animator": 404, "admin": 404}
       for endpoint in ("listings.mine_edit", "listings.mine_publish", "listings.mine_close", "listings.mine_delete")},
    "sponsorship.act_for": {"animator": 403, "admin": 403},
    "group.assign": {"animator": 403},  # the pilote, the copilote and admins only
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
        event = save_event(None, {"kind": "cafe", "title": "", "day": date.today() + timedelta(days=7),
                                  "start": time(10), "end": time(12), "place": "Place des Lilas",
                                  "rain_place": "Salle de la Maison de quartier",
                                  "description": "Café, thé et gâteaux."})
        dwelling = save_dwelling(None, {"number": 3, "rep": "bis", "street": "Rue des Lilas", "complement": "",
                                        "postcode": "44300", "city": "Nantes"})
        db.session.flush()
        run = PrintRun(kind="letters", status="done", total_pages=2, letters_count=1, file_name="1-example.pdf")
        run.params = {"event_id": event.id, "base_url": "http://localhost", "streets": [], "building": "",
                      "unaddressed": 0, "dwelling_ids": [dwelling.id]}
        db.session.add(run)
        seed_themes()
        db.session.commit()
        (output_folder() / "1-example.pdf").write_bytes(b"%PDF-1.7 example")
        _seed_event_series()  # events: series 1 (its dates are events 2 and after)


def _seed_sponsorship_and_listing() -> None:
    """First of the examples, so that ids are known: an offline neighbour (user 4) sponsored by the
    member (user 1), and listing 1, a draft of the member's from the registration desk."""
    from coopere.auth.models import User
    from coopere.extensions import db
    from coopere.listings.models import Listing
    from coopere.listings.themes import seed_themes
    from coopere.members.models import Sponsorship

    sponsee = User(first_name="Odette", last_name="Lambert", has_internet=False, contact_preference="sponsor")
    db.session.add(sponsee)
    db.session.flush()
    seed_themes()
    db.session.flush()
    db.session.add(Sponsorship(sponsee_id=sponsee.id, sponsor_id=1, consent_reference="P-2026-0001"))
    db.session.add(Listing(owner_id=1, theme_id=1, kind="offer", title="Je prête ma perceuse", status="draft",
                           created_by_id=2))
    db.session.flush()


def _seed_event_series() -> None:
    """Series 1: a café every first Saturday, starting next month (its dates come after event 1)."""
    from datetime import time

    from coopere.events.services import add_months, paris_today, save_series
    from coopere.extensions import db

    save_series(None, {"kind": "cafe", "title": "", "weekday": 5, "week_of_month": 1, "start_time": time(10),
                       "end_time": time(12), "place": "Place des Lilas", "rain_place": "", "description": "",
                       "max_places": None, "first_date": add_months(paris_today().replace(day=1), 1),
                       "last_date": add_months(paris_today().replace(day=1), 3), "months_off": []})
    db.session.commit()
