"""A period's figure tables: on the dashboard, in the CSV exports and in the yearly report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
from ..printing.models import Column, Table


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


@dataclass(frozen=True)
class _Spec:
    """How one table is built: its words and columns, where its rows come from, its total row."""

    title: object
    columns: tuple
    rows: Callable[[Period, dict], list[dict]]  # (period, shared) -> rows
    total: object = None  # the total row: a label (numeric columns summed), or rows -> total row
    caption: object = ""
    public: bool = True  # False: personal data, never in the yearly report
    total_when_empty: bool = True


def _build(name: str, spec: _Spec, period: Period, shared: dict) -> Table:
    rows = spec.rows(period, shared)
    total = None
    if callable(spec.total):
        total = spec.total(rows)
    elif spec.total and (rows or spec.total_when_empty):
        total = {spec.columns[0][0]: str(spec.total)}
        total |= {
            key: sum(r[key] for r in rows) for key, _label, numeric in spec.columns if numeric
        }
    return _table(
        name, spec.title, spec.columns, rows, caption=spec.caption, total=total, public=spec.public
    )


def _reach_total(streets: list[dict]) -> dict:
    total = {
        "place": _("Tout le périmètre"),
        "dwellings": sum(r["dwellings"] for r in streets),
        "reached": sum(r["reached"] for r in streets),
        "members": sum(r["members"] for r in streets),
    }
    total["reach"] = ratio(total["members"], total["dwellings"])
    total["reached_share"] = percent(total["reached"], total["dwellings"])
    return total


def _reach(by: str):
    def rows(period: Period, shared: dict) -> list[dict]:
        register = shared_rows(shared, "register", dwellings_and_members, period)
        return reach_rows(period, by, register)

    return rows


REACH_COLUMNS = (
    ("place", _l("Rue"), False),
    ("dwellings", _l("Logements"), True),
    ("members", _l("Membres"), True),
    ("reached", _l("Logements touchés"), True),
    ("reached_share", _l("Logements touchés (%)"), True),
    ("reach", _l("Membres par logement"), True),
)

# The dashboard's tables, in the order they are shown.
TABLES: dict[str, _Spec] = {
    "reach-streets": _Spec(
        _l("Portée par rue"),
        REACH_COLUMNS,
        _reach("street"),
        total=_reach_total,
        caption=_l(
            "Membres inscrits à la fin de la période, logements du registre "
            "(hors logements vacants)."
        ),
    ),
    "reach-buildings": _Spec(
        _l("Portée par immeuble"),
        (("place", _l("Immeuble"), False),) + REACH_COLUMNS[1:],
        _reach("building"),
        caption=_l(
            "Les adresses de plusieurs logements ; les maisons sont comptées dans leur rue."
        ),
    ),
    "members": _Spec(
        _l("Membres au fil des mois"),
        (
            ("month", _l("Mois"), False),
            ("new", _l("Nouveaux membres"), True),
            ("members", _l("Membres à la fin du mois"), True),
            ("offline", _l("dont sans internet"), True),
        ),
        lambda period, _shared: members_by_month(period),
    ),
    "themes": _Spec(
        _l("Offres et besoins par thème"),
        (
            ("theme", _l("Thème"), False),
            ("offers_open", _l("Offres ouvertes aujourd'hui"), True),
            ("needs_open", _l("Besoins ouverts aujourd'hui"), True),
            ("offers_published", _l("Offres publiées"), True),
            ("needs_published", _l("Besoins publiés"), True),
            ("fulfilled", _l("Réalisés"), True),
        ),
        lambda period, _shared: theme_rows(period),
        total=_l("Tous les thèmes"),
        caption=_l("« Publiées » et « Réalisés » : annonces publiées pendant la période."),
    ),
    "statuses": _Spec(
        _l("Les annonces par état"),
        (
            ("status", _l("État aujourd'hui"), False),
            ("offer", _l("Offres"), True),
            ("need", _l("Besoins"), True),
            ("project", _l("Projets collectifs"), True),
        ),
        lambda period, _shared: status_rows(period),
        total=_l("Toutes les annonces"),
        caption=_l("Toutes les annonces, quelle que soit leur date : leur état aujourd'hui."),
    ),
    "exchanges": _Spec(
        _l("Échanges par mois"),
        (
            ("month", _l("Mois"), False),
            ("accepted", _l("Échanges acceptés"), True),
            ("done", _l("Échanges faits"), True),
        ),
        lambda period, _shared: exchange_rows(period),
        total=_l("Total"),
    ),
    "projects": _Spec(
        _l("Projets collectifs"),
        (
            ("title", _l("Projet"), False),
            ("theme", _l("Thème"), False),
            ("date", _l("Date"), False),
            ("participants", _l("Participants"), True),
            ("maximum", _l("Places"), True),
            ("sheet", _l("Lancé depuis la fiche"), False),
        ),
        lambda period, shared: shared_rows(shared, "projects", project_rows, period),
        public=False,  # titles are free text a resident typed
    ),
    "cafes": _Spec(
        _l("Cafés-rencontres"),
        (
            ("date", _l("Date"), False),
            ("attendance", _l("Présents"), True),
            ("first_visits", _l("Première venue"), True),
            ("registrations", _l("Inscrits au café"), True),
            ("visitors", _l("dont visiteurs non inscrits"), True),
        ),
        lambda period, shared: shared_rows(shared, "cafes", cafe_rows, period),
        total=_l("Total"),
        total_when_empty=False,
    ),
    "group": _Spec(
        _l("Partage des tâches du groupe d'animation"),
        (
            ("volunteer", _l("Bénévole"), False),
            ("tasks", _l("Tâches prises"), True),
            ("share", _l("Part des tâches (%)"), True),
        ),
        lambda period, _shared: group_rows(period),
        public=False,
        caption=_l("Tâches des tableaux de service des rendez-vous de la période."),
    ),
    "letters": _Spec(
        _l("Lettres d'invitation"),
        (
            ("run", _l("Série"), False),
            ("date", _l("Distribuée le"), False),
            ("letters", _l("Lettres"), True),
            ("scans", _l("QR codes ouverts"), True),
            ("scan_rate", _l("QR codes ouverts par lettre"), True),
            ("registrations", _l("Inscriptions de ces logements depuis"), True),
        ),
        lambda period, _shared: letter_rows(period),
    ),
}


def tables(period: Period, names=None, shared: dict | None = None) -> dict[str, Table]:
    """The dashboard's tables by name (all of them, or those named), in the order they are shown.
    `shared` holds rows already computed for this period (see `report`)."""
    shared = {} if shared is None else shared
    return {
        name: _build(name, spec, period, shared)
        for name, spec in TABLES.items()
        if names is None or name in names
    }


def report(period: Period) -> tuple[dict, dict[str, Table]]:
    """The summary and every table of one period, sharing the rows both need."""
    shared = {"cafes": cafe_rows(period), "projects": project_rows(period)}
    return summary(period, shared), tables(period, shared=shared)
