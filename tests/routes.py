"""Example URL arguments for routes that take some, shared by the policy and browser tests.

A GET route with URL arguments must have an entry here, or the policy tests fail: every page is
checked for every role.
"""
EXAMPLE_ARGS: dict[str, dict] = {
    "static": {"filename": "css/coopere.css"},
    "perimeter.set_role_view": {"user_id": 1},
    "perimeter.set_group_role_view": {"user_id": 1},
    "events.edit": {"event_id": 1},
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
