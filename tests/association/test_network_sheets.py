"""The network's sheets: the coordination edits one in the console and every perimeter shows it
(page and printed sheet); a group's own sheet, and a network sheet it hides, stay in its perimeter;
a network sheet launches a project and is a sheet of the month; an accompagnateur reads only; bad
input is refused in French and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from coopere.association import sheets
from coopere.association.models import NetworkSheet
from coopere.association.store import db_session
from coopere.sheets.forms import TEXT_FIELDS
from coopere.sheets.library import LANGUAGES
from console_support import BASE, COACH, CONSOLE, COORD, pdf_text
from helpers import flat, form_fields, words

EDITED = "composter-chez-soi"
MEMBERS = {"a": "member.a@example.org", "b": "member.b@example.org"}


def stored(console, slug: str) -> dict:
    with console.app.test_request_context():
        return sheets.one(slug).content


def console_form(console, client, path: str, slug: str | None = None) -> dict:
    """What the console's sheet form sends unchanged (text areas from the stored sheet)."""
    data = form_fields(client.get(path), action=path.removeprefix(BASE))
    if slug is not None:
        content = stored(console, slug)
        for language in LANGUAGES:
            for key, *_rest in TEXT_FIELDS:
                value = content[language].get(key, "")
                data[f"{key}_{language}"] = "\n".join(value) if isinstance(value, list) else value
    return data


def test_the_coordination_edits_a_sheet_and_every_perimeter_shows_it(console):
    coord = console.login(COORD)
    path = f"{CONSOLE}/fiches/{EDITED}/modifier"
    data = console_form(console, coord, path, EDITED)
    assert data["title_fr"] == "Composter chez soi"
    response = coord.post(
        path,
        data={
            **data,
            "title_fr": "Composter au pied de l'immeuble",
            "steps_fr": "Demander un bac au bailleur\nY mettre les épluchures",
        },
    )
    assert response.status_code == 302
    assert "Claire Coordination" in words(coord.get(f"{CONSOLE}/fiches"))
    new = console_form(console, coord, f"{CONSOLE}/fiches/nouvelle")
    new.update(family="eco", title_fr="Réparer son vélo", summary_fr="Un vélo qui roule.")
    new["steps_fr"] = "Gonfler les pneus"
    written = coord.post(f"{CONSOLE}/fiches/nouvelle", data=new)
    assert written.location.endswith("/association/fiches/reseau-reparer-son-velo")
    assert "Fiche du réseau modifiée" in words(coord.get(f"{CONSOLE}/journal"))

    for slug in ("a", "b"):
        member = console.perimeters.login(slug, MEMBERS[slug])
        page = words(member.get(f"{BASE}/{slug}/fiches/{EDITED}"))
        assert "Composter au pied de l'immeuble" in page and "Demander un bac au bailleur" in page
        assert "Fiche du réseau — l'association la tient à jour." in page
        listed = words(member.get(f"{BASE}/{slug}/fiches/"))
        assert "Composter au pied de l'immeuble" in listed and "Réparer son vélo" in listed
        printed = flat(pdf_text(member.get(f"{BASE}/{slug}/fiches/{EDITED}.pdf").data))
        assert "Composter au pied de l'immeuble" in printed and "Y mettre les épluchures" in printed


def test_a_groups_own_sheet_and_a_sheet_it_hides_stay_in_its_perimeter(console):
    animator = console.perimeters.login("a", "animator.a@example.org")
    path = f"{BASE}/a/fiches/nouvelle"
    data = form_fields(animator.get(path), action="/fiches/nouvelle")
    data.update(
        family="eco",
        title_fr="Sécher son linge au soleil",
        summary_fr="Le soleil est gratuit.",
        steps_fr="Étendre dehors quand il fait beau",
    )
    response = animator.post(path, data=data)
    assert response.status_code == 302
    own = response.location.rsplit("/", 1)[-1]
    assert "Fiche du groupe" in words(animator.get(f"{BASE}/a/fiches/"))
    # a network sheet is read-only for the group: its text is the association's
    refused = animator.get(f"{BASE}/a/fiches/{EDITED}/modifier", follow_redirects=True)
    assert "Cette fiche est celle du réseau : l'association la tient à jour." in words(refused)
    hide = form_fields(animator.get(f"{BASE}/a/fiches/troc-graines-plantes"), action="/retirer")
    hidden = animator.post(f"{BASE}/a/fiches/troc-graines-plantes/retirer", data=hide)
    assert hidden.status_code == 302

    a, b = (console.perimeters.login(slug, MEMBERS[slug]) for slug in ("a", "b"))
    a_list, b_list = words(a.get(f"{BASE}/a/fiches/")), words(b.get(f"{BASE}/b/fiches/"))
    assert "Sécher son linge au soleil" in a_list and "Bien se chauffer" in a_list
    assert "Sécher son linge au soleil" not in b_list
    assert b.get(f"{BASE}/b/fiches/{own}").status_code == 404
    assert "Un troc de graines" not in a_list and "Un troc de graines" in b_list
    assert a.get(f"{BASE}/a/fiches/troc-graines-plantes").status_code == 404
    with console.app.test_request_context():
        assert sheets.one(own) is None and not sheets.one("troc-graines-plantes").retired

    # a network sheet launches a project and is the sheet of the month, as a perimeter's own did
    launch = form_fields(b.get(f"{BASE}/b/fiches/achat-groupe"), action="/lancer")
    launched = b.post(f"{BASE}/b/fiches/achat-groupe/lancer", data=launch)
    assert launched.status_code == 302 and "/modifier" in launched.location
    assert "Un achat groupé" in words(b.get(f"{BASE}/b{launched.location.split('/b', 1)[-1]}"))
    animator_b = console.perimeters.login("b", "animator.b@example.org")
    month = form_fields(animator_b.get(f"{BASE}/b/fiches/"), action="/fiche-du-mois")
    chosen = animator_b.post(
        f"{BASE}/b/fiches/fiche-du-mois", data={**month, "sheet": "bien-se-chauffer"}
    )
    assert chosen.status_code == 302
    assert "La fiche du mois Bien se chauffer" in words(b.get(f"{BASE}/b/fiches/"))


def test_an_accompagnateur_reads_and_bad_input_changes_nothing(console):
    coach = console.login(COACH)
    page = words(coach.get(f"{CONSOLE}/fiches/bien-se-chauffer"))
    assert "Bien se chauffer" in page and "Modifier la fiche" not in page
    assert coach.get(f"{CONSOLE}/fiches/bien-se-chauffer/modifier").status_code == 403
    assert coach.get(f"{CONSOLE}/fiches/nouvelle").status_code == 403
    token = form_fields(coach.get(f"{CONSOLE}/compte"))["csrf_token"]
    retire = coach.post(f"{CONSOLE}/fiches/bien-se-chauffer/retirer", data={"csrf_token": token})
    assert retire.status_code == 403

    coord = console.login(COORD)
    before = stored(console, "bien-se-chauffer")
    path = f"{CONSOLE}/fiches/bien-se-chauffer/modifier"
    data = console_form(console, coord, path, "bien-se-chauffer")
    bad = coord.post(path, data={**data, "title_fr": "", "summary_fr": "Autre chose"})
    assert bad.status_code == 422
    assert "Le titre en français doit faire entre 3 et 120 caractères." in words(bad)
    bad = coord.post(path, data={**data, "theme": "pas-un-theme"})
    assert bad.status_code == 422 and "Choisissez un thème de la liste." in words(bad)
    new = console_form(console, coord, f"{CONSOLE}/fiches/nouvelle")
    bad = coord.post(f"{CONSOLE}/fiches/nouvelle", data={**new, "title_fr": "Une fiche sans étape"})
    assert bad.status_code == 422
    with console.app.test_request_context():
        assert sheets.one("bien-se-chauffer").content == before
        assert not db_session().scalar(
            select(func.count(NetworkSheet.id)).where(NetworkSheet.slug.like("une-fiche%"))
        )
