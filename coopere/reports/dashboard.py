"""A period's figure tables: on the dashboard, in the CSV exports and in the yearly report."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .figures import (
    dwellings_and_members,
    exchange_rows,
    members_by_month,
    percent,
    project_rows,
    ratio,
    reach_rows,
    shared_rows,
    status_rows,
    theme_rows,
)
from .outreach import cafe_rows, group_rows, letter_rows
from .period import Period
from .summary import summary
from .tables import Column, Table


def _table(name, title, columns, rows, *, caption="", total=None, public=True) -> Table:
    """A Table from dict rows; `public` tables hold no personal data (the yearly report's)."""
    return Table(
        name=name,
        title=str(title),
        caption=str(caption),
        columns=tuple(Column(key, str(label), numeric) for key, label, numeric in columns),
        rows=tuple(tuple(row.get(key) for key, _label, _numeric in columns) for row in rows),
        total=tuple(total.get(key) for key, _label, _numeric in columns) if total else None,
        meta={"public": public},
    )


REACH_COLUMNS = (
    ("place", _l("Rue"), False),
    ("dwellings", _l("Logements"), True),
    ("members", _l("Membres"), True),
    ("reached", _l("Logements touchés"), True),
    ("reached_share", _l("Logements touchés (%)"), True),
    ("reach", _l("Membres par logement"), True),
)


def _reach_streets(period: Period, shared: dict) -> Table:
    streets = reach_rows(
        period, "street", shared_rows(shared, "register", dwellings_and_members, period)
    )
    total = {
        "place": _("Tout le périmètre"),
        "dwellings": sum(r["dwellings"] for r in streets),
        "reached": sum(r["reached"] for r in streets),
        "members": sum(r["members"] for r in streets),
    }
    total["reach"] = ratio(total["members"], total["dwellings"])
    total["reached_share"] = percent(total["reached"], total["dwellings"])
    return _table(
        "reach-streets",
        _l("Portée par rue"),
        REACH_COLUMNS,
        streets,
        total=total,
        caption=_l(
            "Membres inscrits à la fin de la période, logements du registre "
            "(hors logements vacants)."
        ),
    )


def _reach_buildings(period: Period, shared: dict) -> Table:
    return _table(
        "reach-buildings",
        _l("Portée par immeuble"),
        (("place", _l("Immeuble"), False),) + REACH_COLUMNS[1:],
        reach_rows(
            period, "building", shared_rows(shared, "register", dwellings_and_members, period)
        ),
        caption=_l(
            "Les adresses de plusieurs logements ; les maisons sont comptées dans leur rue."
        ),
    )


def _members(period: Period, _shared: dict) -> Table:
    return _table(
        "members",
        _l("Membres au fil des mois"),
        (
            ("month", _l("Mois"), False),
            ("new", _l("Nouveaux membres"), True),
            ("members", _l("Membres à la fin du mois"), True),
            ("offline", _l("dont sans internet"), True),
        ),
        members_by_month(period),
    )


def _themes(period: Period, _shared: dict) -> Table:
    themes = theme_rows(period)
    keys = ("offers_open", "needs_open", "offers_published", "needs_published", "fulfilled")
    return _table(
        "themes",
        _l("Offres et besoins par thème"),
        (
            ("theme", _l("Thème"), False),
            ("offers_open", _l("Offres ouvertes aujourd'hui"), True),
            ("needs_open", _l("Besoins ouverts aujourd'hui"), True),
            ("offers_published", _l("Offres publiées"), True),
            ("needs_published", _l("Besoins publiés"), True),
            ("fulfilled", _l("Réalisés"), True),
        ),
        themes,
        total={"theme": _("Tous les thèmes"), **{k: sum(r[k] for r in themes) for k in keys}},
        caption=_l("« Publiées » et « Réalisés » : annonces publiées pendant la période."),
    )


def _statuses(period: Period, _shared: dict) -> Table:
    rows = status_rows(period)
    return _table(
        "statuses",
        _l("Les annonces par état"),
        (
            ("status", _l("État aujourd'hui"), False),
            ("offer", _l("Offres"), True),
            ("need", _l("Besoins"), True),
            ("project", _l("Projets collectifs"), True),
        ),
        rows,
        total={
            "status": _("Toutes les annonces"),
            **{k: sum(r[k] for r in rows) for k in ("offer", "need", "project")},
        },
        caption=_l("Toutes les annonces, quelle que soit leur date : leur état aujourd'hui."),
    )


def _exchanges(period: Period, _shared: dict) -> Table:
    exchanges = exchange_rows(period)
    return _table(
        "exchanges",
        _l("Échanges par mois"),
        (
            ("month", _l("Mois"), False),
            ("accepted", _l("Échanges acceptés"), True),
            ("done", _l("Échanges faits"), True),
        ),
        exchanges,
        total={
            "month": _("Total"),
            "accepted": sum(r["accepted"] for r in exchanges),
            "done": sum(r["done"] for r in exchanges),
        },
    )


def _projects(period: Period, shared: dict) -> Table:
    return _table(
        "projects",
        _l("Projets collectifs"),
        (
            ("title", _l("Projet"), False),
            ("theme", _l("Thème"), False),
            ("date", _l("Date"), False),
            ("participants", _l("Participants"), True),
            ("maximum", _l("Places"), True),
        ),
        shared_rows(shared, "projects", project_rows, period),
        public=False,
    )  # titles are free text a resident typed


def _cafes(period: Period, shared: dict) -> Table:
    cafes = shared_rows(shared, "cafes", cafe_rows, period)
    keys = ("attendance", "first_visits", "registrations", "visitors")
    return _table(
        "cafes",
        _l("Cafés-rencontres"),
        (
            ("date", _l("Date"), False),
            ("attendance", _l("Présents"), True),
            ("first_visits", _l("Première venue"), True),
            ("registrations", _l("Inscrits au café"), True),
            ("visitors", _l("dont visiteurs non inscrits"), True),
        ),
        cafes,
        total={"date": _("Total"), **{k: sum(r[k] for r in cafes) for k in keys}}
        if cafes
        else None,
    )


def _group(period: Period, _shared: dict) -> Table:
    return _table(
        "group",
        _l("Partage des tâches du groupe d'animation"),
        (
            ("volunteer", _l("Bénévole"), False),
            ("tasks", _l("Tâches prises"), True),
            ("share", _l("Part des tâches (%)"), True),
        ),
        group_rows(period),
        public=False,
        caption=_l("Tâches des tableaux de service des rendez-vous de la période."),
    )


def _letters(period: Period, _shared: dict) -> Table:
    return _table(
        "letters",
        _l("Lettres d'invitation"),
        (
            ("run", _l("Série"), False),
            ("date", _l("Distribuée le"), False),
            ("letters", _l("Lettres"), True),
            ("scans", _l("QR codes ouverts"), True),
            ("scan_rate", _l("QR codes ouverts par lettre"), True),
            ("registrations", _l("Inscriptions de ces logements depuis"), True),
        ),
        letter_rows(period),
    )


# The dashboard's tables, in the order they are shown.
TABLES = {
    "reach-streets": _reach_streets,
    "reach-buildings": _reach_buildings,
    "members": _members,
    "themes": _themes,
    "statuses": _statuses,
    "exchanges": _exchanges,
    "projects": _projects,
    "cafes": _cafes,
    "group": _group,
    "letters": _letters,
}


def tables(period: Period, names=None, shared: dict | None = None) -> dict[str, Table]:
    """The dashboard's tables by name (all of them, or those named), in the order they are shown.
    `shared` holds rows already computed for this period (see `report`)."""
    shared = {} if shared is None else shared
    return {
        name: build(period, shared)
        for name, build in TABLES.items()
        if names is None or name in names
    }


def report(period: Period) -> tuple[dict, dict[str, Table]]:
    """The summary and every table of one period, sharing the rows both need."""
    shared = {"cafes": cafe_rows(period), "projects": project_rows(period)}
    return summary(period, shared), tables(period, shared=shared)
