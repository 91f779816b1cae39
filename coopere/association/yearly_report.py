"""The network's yearly report as plain data for coopere/printing's network_report (a module of the
association's own layer, not a `printouts`: it builds on the console's figures): aggregate
figures only — perimeters, their place and phase, counts — never a person's name (neither a
resident's nor a pilote's nor an accompagnateur's)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..reports.summary import merge
from .figures import NetworkFigures
from .figures_tables import (
    LABELS,
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


def _period_text(figures: NetworkFigures, year: int) -> str:
    selection = figures.selection
    if selection.first == f"{year}-01" and selection.last == f"{year}-12":
        return str(year)
    return _(
        "de %(first)s à %(last)s",
        first=month_label(selection.first, "fr"),
        last=month_label(selection.last, "fr"),
    )


def yearly_report_data(figures: NetworkFigures, year: int, today: date) -> dict:
    """Plain data for `render_network_report` (call it under force_locale("fr"))."""
    months = months_table(figures, "fr")
    phases = []
    for phase in PHASES:
        chosen = [item for item in figures.perimeters if item.phase == phase]
        if not chosen:
            continue
        total = merge([item.figures for item in chosen])
        phases.append(
            {
                "name": str(PHASE_LABELS[phase]),
                "text": PHASE_TEXTS[phase],
                "key_figures": [(_("Périmètres"), len(chosen))]
                + [(str(LABELS[key]), total[key]) for key in PHASE_FIGURES],
                "table": perimeters_table(figures, phase=phase),
            }
        )
    per_perimeter = perimeters_table(figures)
    return {
        "period": _period_text(figures, year),
        "key_figures": key_figures(figures, printed=True),
        "charts": [members_chart(months), activity_chart(months)],
        "months": months,
        "phases": phases,
        "perimeters": {
            "table": per_perimeter,
            "chart": perimeters_chart(per_perimeter, max_rows=PRINTED_BARS),
        },
        "date_text": _("Édité le %(day)s", day=today.strftime("%d/%m/%Y")),
    }
