"""A perimeter's page in the console: the phase tracker shows a milestone done when the perimeter's
snapshot says so, the coach ticks and unticks milestones by hand, a change of phase is the coach's
decision, recorded with the milestones done and listed in the history; « Actualiser les chiffres »
takes a snapshot inside the perimeter's app; a coach of another perimeter gets 404 everywhere, and
bad input is refused in French with nothing changed."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coopere.association import refresh
from coopere.association.link import NetworkLink
from coopere.association.models import AuditEntry, MilestoneTick, PerimeterProfile, PhaseChange
from coopere.association.store import db_session
from coopere.timeutil import paris_today
from console_support import COACH, CONSOLE, COORD, OTHER, post_form
from helpers import text, words

PAGE_A = f"{CONSOLE}/perimetres/a"


def milestone_item(response, label: str) -> str:
    """The words of the tracker's list item of the milestone `label`."""
    page = text(response)
    for item in re.findall(r"<li>(.*?)</li>", page, flags=re.S):
        if label in item and ("Fait" in item or "À faire" in item):
            return " ".join(re.sub(r"<[^>]+>", " ", item).split())
    raise AssertionError(f"no milestone {label!r} on the page")


def query(console, statement):
    with console.app.test_request_context():
        return db_session().scalar(statement)


def audited(console, action: str, target: str) -> int:
    return query(
        console,
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == action, AuditEntry.target == target),
    )


def test_a_data_milestone_is_done_when_the_snapshot_says_so(console):
    NetworkLink(console.network, "a").write_snapshot(
        {
            "version": 1,
            "dwellings": 250,
            "members": 12,
            "group_size": 4,
            "milestones": {"register_imported": "2026-03-02", "meeting_place_set": None},
        }
    )
    page = console.login(COACH).get(PAGE_A)
    assert page.status_code == 200
    assert "Chiffres lus le" in words(page)
    imported = milestone_item(page, "Registre des logements importé")
    assert imported.startswith("✓ Fait")
    assert "Fait le lundi 2 mars 2026, lu dans les données du périmètre" in imported
    place = milestone_item(page, "Lieu de rencontre choisi")
    assert place.startswith("○ À faire")
    assert "Pas encore dans les données du périmètre" in place
    # a milestone the data shows needs no tick: no « Cocher » button beside it
    assert "Cocher" not in imported and "Cocher à la main" in place
    assert "4 personnes (au moins 6)" in words(page)


def test_a_group_of_one_is_one_personne(console):
    """A new perimeter's group is its pilote alone: « 1 personne », not « 1 personnes »."""
    NetworkLink(console.network, "a").write_snapshot({"version": 1, "group_size": 1})
    page = words(console.login(COACH).get(PAGE_A))
    assert "Groupe d'animation 1 personne (au moins 6)" in page
    assert "1 personnes" not in page


def test_the_coach_ticks_a_milestone_by_hand_then_unticks_it(console):
    client = console.login(COACH)
    url = f"{PAGE_A}/etapes/amorceurs_found"
    response = post_form(
        client, url, {"done_on": "2026-01-15", "note": "Trois voisines de la rue Lamartine"}
    )
    assert response.status_code == 302
    item = milestone_item(client.get(PAGE_A), "Amorceurs trouvés")
    assert item.startswith("✓ Fait")
    assert "Coché à la main par Bruno Accompagne : fait le jeudi 15 janvier 2026" in item
    assert "Trois voisines de la rue Lamartine" in item
    assert audited(console, "perimeter.milestone_ticked", "a") >= 1

    untick = post_form(client, f"{url}/decocher", {}, form_url=PAGE_A)
    assert untick.status_code == 302
    assert milestone_item(client.get(PAGE_A), "Amorceurs trouvés").startswith("○ À faire")
    assert (
        query(console, select(MilestoneTick).where(MilestoneTick.key == "amorceurs_found")) is None
    )
    assert audited(console, "perimeter.milestone_unticked", "a") >= 1


def test_a_data_milestone_the_data_cannot_show_is_ticked_by_hand(console):
    """An apéro-info held in the social centre's hall, attendance not on the platform."""
    NetworkLink(console.network, "a").write_snapshot({"milestones": {"apero_info_held": None}})
    client = console.login(COACH)
    form = client.get(f"{PAGE_A}/etapes/apero_info_held")
    assert "ailleurs que sur la plateforme" in words(form)
    post_form(
        client,
        f"{PAGE_A}/etapes/apero_info_held",
        {"done_on": "2026-02-20", "note": "Au centre social, 23 personnes"},
    )
    item = milestone_item(client.get(PAGE_A), "Apéro-info tenu")
    assert "Coché à la main par Bruno Accompagne" in item
    assert "lu dans les données" not in item


def test_a_bad_tick_is_refused_in_french_and_nothing_changes(console):
    client = console.login(COACH)
    url = f"{PAGE_A}/etapes/perimeter_defined"
    tomorrow = (paris_today() + timedelta(days=1)).isoformat()
    future = post_form(client, url, {"done_on": tomorrow, "note": ""})
    assert future.status_code == 200
    assert "La date ne peut pas être dans le futur." in words(future)
    wrong = post_form(client, url, {"done_on": "pas une date", "note": ""})
    assert "Indiquez une date valide, par exemple 12/03/2026." in words(wrong)
    long_note = post_form(client, url, {"done_on": "2026-01-10", "note": "x" * 2001})
    assert "Ce texte est trop long (2000 caractères au plus)." in words(long_note)
    assert (
        query(console, select(MilestoneTick).where(MilestoneTick.key == "perimeter_defined"))
        is None
    )
    assert client.get(f"{PAGE_A}/etapes/no_such_step").status_code == 404


def test_a_phase_change_is_recorded_with_the_milestones_done_and_listed(console):
    NetworkLink(console.network, "b").write_snapshot(
        {"milestones": {"register_imported": "2026-03-02", "letter_run_confirmed": "2026-03-09"}}
    )
    client = console.login(COORD)
    page_b = f"{CONSOLE}/perimetres/b"
    form = client.get(f"{page_b}/phase")
    assert "Registre des logements importé" in words(form)
    # amorçage's manual milestones are not ticked: the decision must be confirmed
    refused = post_form(client, f"{page_b}/phase", {"phase": "lancement", "note": "Prêts"})
    assert refused.status_code == 200
    assert "cochez la case de confirmation" in words(refused)
    profile = query(console, select(PerimeterProfile).where(PerimeterProfile.slug == "b"))
    assert profile.phase == "amorcage"

    done = post_form(
        client,
        f"{page_b}/phase",
        {"phase": "lancement", "note": "Apéro-info fixé au 12 avril", "confirm": "y"},
    )
    assert done.status_code == 302
    profile = query(console, select(PerimeterProfile).where(PerimeterProfile.slug == "b"))
    assert profile.phase == "lancement"
    change = query(console, select(PhaseChange).where(PhaseChange.slug == "b"))
    assert (change.from_phase, change.to_phase) == ("amorcage", "lancement")
    assert json.loads(change.milestones_done) == ["register_imported", "letter_run_confirmed"]
    page = words(client.get(page_b))
    # (the phases' labels are capitalised here, lower case in the snapshot's catalogue)
    assert "amorçage → lancement" in page.lower()
    assert "Apéro-info fixé au 12 avril" in page
    assert "Décidé par Claire Coordination. 2 étapes faites alors." in page
    assert "lancement depuis le" in page.lower()
    assert audited(console, "perimeter.phase_changed", "b") == 1

    # the same phase again, or a phase that does not exist: refused, nothing recorded
    same = post_form(client, f"{page_b}/phase", {"phase": "lancement", "note": ""})
    assert "Le périmètre est déjà dans cette phase." in words(same)
    unknown = post_form(client, f"{page_b}/phase", {"phase": "galaxie", "note": ""})
    assert "Choisissez une phase de la liste." in words(unknown)
    count = query(
        console, select(func.count()).select_from(PhaseChange).where(PhaseChange.slug == "b")
    )
    assert count == 1


def test_a_coach_reaches_only_their_perimeters(console):
    other = console.login(OTHER)
    before = query(console, select(func.count()).select_from(AuditEntry))
    assert other.get(PAGE_A).status_code == 404
    assert other.get(f"{PAGE_A}/etapes/amorceurs_met").status_code == 404
    assert other.get(f"{PAGE_A}/phase").status_code == 404
    assert other.get(f"{PAGE_A}/seances/nouvelle").status_code == 404
    token_page = f"{CONSOLE}/compte"
    for url, data in (
        (f"{PAGE_A}/etapes/amorceurs_met", {"done_on": "2026-01-02"}),
        (f"{PAGE_A}/etapes/amorceurs_met/decocher", {}),
        (f"{PAGE_A}/phase", {"phase": "sommeil", "confirm": "y"}),
        (f"{PAGE_A}/actualiser", {}),
        (f"{PAGE_A}/seances/nouvelle", {"held_on": "2026-01-02", "minutes": "60"}),
    ):
        assert post_form(other, url, data, form_url=token_page).status_code == 404, url
    assert query(console, select(func.count()).select_from(AuditEntry)) == before
    assert query(console, select(MilestoneTick).where(MilestoneTick.key == "amorceurs_met")) is None
    coach = console.login(COACH)
    assert coach.get(f"{CONSOLE}/perimetres/b").status_code == 404
    assert coach.get(f"{CONSOLE}/perimetres/nowhere").status_code == 404
    coord = console.login(COORD)
    assert coord.get(PAGE_A).status_code == 200
    assert coord.get(f"{CONSOLE}/perimetres/b").status_code == 200


def test_without_the_snapshot_module_the_page_says_figures_come_nightly(console, monkeypatch):
    monkeypatch.setattr(refresh, "_collector", lambda: None)
    client = console.login(COACH)
    page = client.get(PAGE_A)
    assert "Les chiffres sont actualisés chaque nuit." in words(page)
    assert "Actualiser les chiffres" not in words(page)
    answer = post_form(client, f"{PAGE_A}/actualiser", {}, form_url=PAGE_A)
    assert answer.status_code == 302
    assert "Les chiffres sont actualisés chaque nuit." in words(client.get(PAGE_A))


def test_refreshing_reads_the_perimeter_inside_its_own_app(console, monkeypatch):
    def collect():
        from coopere.perimeter.models import get_perimeter

        # runs in perimeter A's app context: its own database
        return {"perimeter_name": get_perimeter().name, "milestones": {"fete_held": "2026-06-21"}}

    monkeypatch.setattr(refresh, "_collector", lambda: collect)
    client = console.login(COACH)
    assert "Actualiser les chiffres" in words(client.get(PAGE_A))
    answer = post_form(client, f"{PAGE_A}/actualiser", {}, form_url=PAGE_A)
    assert answer.status_code == 302
    page = client.get(PAGE_A)
    assert "Les chiffres de Coop-ère des Lilas sont actualisés." in words(page)
    assert "Fait le dimanche 21 juin 2026, lu dans les données" in milestone_item(
        page, "Fête de la Coopération tenue"
    )
    from coopere.association.models import Snapshot

    shot = query(console, select(Snapshot).where(Snapshot.slug == "a"))
    assert shot.figures["perimeter_name"] == "Coop-ère des Lilas"
    assert audited(console, "perimeter.snapshot_refreshed", "a") >= 1


@pytest.mark.skipif(not refresh.available(), reason="coopere/association/snapshot.py not merged")
def test_refreshing_with_the_real_snapshot(console):
    client = console.login(COORD)
    post_form(client, f"{CONSOLE}/perimetres/b/actualiser", {}, form_url=f"{CONSOLE}/perimetres/b")
    from coopere.association.models import Snapshot

    shot = query(console, select(Snapshot).where(Snapshot.slug == "b"))
    assert shot.figures["perimeter_name"] == "Coop-ère Tilleuls"
    assert "milestones" in shot.figures
