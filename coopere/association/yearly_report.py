"""The network's yearly report as plain data for coopere/printing's network_report (a module of the
association's own layer, not a `printouts`: it builds on the console's figures): aggregate
figures only — perimeters, their place and phase, counts — never a person's name (neither a
resident's nor a pilote's nor an accompagnateur's)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..printing.models import Column, Table
from ..reports.summary import merge
from .figures import NetworkFigures, PerimeterFigures
from .figures_tables import (
    LABELS,
    PERIMETER_KEYS,
    PRINTED_BARS,
    activity_chart,
    key_figures,
    members_chart,
    month_label,
    months_table,
    perimeters_chart,
    perimeters_table,
)
from .phases import PHASE_LABELS, PHASES

PHASE_TEXTS = {
    "amorcage": "Des habitants « amorceurs » se sont trouvés, le périmètre et un lieu de réunion "
    "se définissent, la lettre d’invitation à l’apéro-info se prépare.",
    "lancement": "L’apéro-info a eu lieu ; le groupe d’animation se forme et s’engage à tenir "
    "les cafés-rencontres.",
    "structuration": "Le groupe apprend à voir et partager les tâches, tient les cafés chaque "
    "mois et sa fête annuelle, avec environ deux heures d’accompagnement par semaine.",
    "autonome": "Le groupe fait vivre son réseau seul.",
    "sommeil": "Le réseau est en pause.",
    "ferme": "Le réseau a fermé ; ses chiffres passés restent comptés.",
}
PHASE_FIGURES = ("members", "dwellings", "reach", "exchanges_done", "cafes_held")
# The phases' summary table: how many perimeters, then the per-perimeter table's figures.
SUMMARY_KEYS = PERIMETER_KEYS


def _period_text(figures: NetworkFigures, year: int) -> str:
    selection = figures.selection
    if selection.first == f"{year}-01" and selection.last == f"{year}-12":
        return str(year)
    return _(
        "de %(first)s à %(last)s",
        first=month_label(selection.first, "fr"),
        last=month_label(selection.last, "fr"),
    )


def _place(item: PerimeterFigures) -> str:
    """« Nantes (44) »: the city and the département in one cell."""
    if item.city and item.departement:
        return f"{item.city} ({item.departement})"
    return item.city or item.departement or ""


def _phase_table(phase: str, chosen: list[PerimeterFigures], total: dict) -> Table:
    """The perimeters of one phase, printed once each: their name and place, then their
    figures (no phase column: the page is the phase's). Every cell of this table is laid out
    by WeasyPrint, hence the few columns."""
    return Table(
        name=f"reseau-phase-{phase}",
        title=_("Les périmètres en phase « %(phase)s »", phase=PHASE_LABELS.get(phase, phase)),
        caption=_(
            "Membres, logements et groupe à la fin de la période ; le reste, sur la période."
        ),
        columns=(
            Column("perimeter", _("Périmètre")),
            Column("place", _("Ville (département)")),
            *(Column(key, str(LABELS[key]), True) for key in PERIMETER_KEYS),
        ),
        rows=tuple(
            (item.name, _place(item), *(item.figures[key] for key in PERIMETER_KEYS))
            for item in chosen
        ),
        total=(_("Total"), "", *(total[key] for key in PERIMETER_KEYS)) if chosen else None,
        meta={"public": True},
    )


def _phases_summary(rows: list[tuple[str, dict]], total: dict) -> Table:
    """One row per phase (its perimeters added up), the whole network last."""
    keys = ("perimeters", *SUMMARY_KEYS)
    return Table(
        name="reseau-phases",
        title=_("Les phases en chiffres"),
        caption=_(
            "Chaque périmètre est détaillé une fois, à la page de sa phase. Membres, logements "
            "et groupe à la fin de la période ; le reste, sur la période."
        ),
        columns=(
            Column("phase", _("Phase")),
            Column("perimeters", _("Périmètres"), True),
            *(Column(key, str(LABELS[key]), True) for key in SUMMARY_KEYS),
        ),
        rows=tuple((name, *(merged[key] for key in keys)) for name, merged in rows),
        total=(_("Total"), *(total[key] for key in keys)) if rows else None,
        meta={"public": True},
    )


def yearly_report_data(figures: NetworkFigures, year: int, today: date) -> dict:
    """Plain data for `render_network_report` (call it under force_locale("fr")). Each
    perimeter is printed once, in its phase's table; the phases are added up once each."""
    months = months_table(figures, "fr")
    by_phase: dict[str, list[PerimeterFigures]] = {}
    for item in figures.perimeters:
        by_phase.setdefault(item.phase, []).append(item)
    order = [phase for phase in PHASES if phase in by_phase]
    order += sorted(set(by_phase) - set(order))  # a phase the method no longer knows
    phases, summary = [], []
    for phase in order:
        chosen = by_phase[phase]
        total = merge([item.figures for item in chosen])
        name = str(PHASE_LABELS.get(phase, phase))
        summary.append((name, total))
        phases.append(
            {
                "name": name,
                "text": PHASE_TEXTS.get(phase, ""),
                "key_figures": [(_("Périmètres"), len(chosen))]
                + [(str(LABELS[key]), total[key]) for key in PHASE_FIGURES],
                "table": _phase_table(phase, chosen, total),
            }
        )
    return {
        "period": _period_text(figures, year),
        "key_figures": key_figures(figures, printed=True),
        "charts": [members_chart(months), activity_chart(months)],
        "months": months,
        "phases": phases,
        "perimeters": {
            "table": _phases_summary(summary, figures.total),
            "chart": perimeters_chart(perimeters_table(figures), max_rows=PRINTED_BARS),
        },
        "date_text": _("Édité le %(day)s", day=today.strftime("%d/%m/%Y")),
    }
