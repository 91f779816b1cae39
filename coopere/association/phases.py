"""The method's phases of a perimeter and their milestones (issue #16, docs of the association).

PHASES: phase key -> French label, in the order a perimeter goes through them.
MILESTONES: milestone key -> Milestone(phase, French label, source), in the method's order.
A milestone's source is "data" (read from the perimeter's own data by association/snapshot.py,
which dates it) or "manual" (ticked by the coach, with a date and a note)."""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l

PHASES = {
    "amorcage": _l("Amorçage"),
    "lancement": _l("Lancement"),
    "structuration": _l("Structuration"),
    "autonome": _l("Autonome"),
    "sommeil": _l("En sommeil"),
    "ferme": _l("Fermé"),
}

DATA, MANUAL = "data", "manual"


class Milestone(NamedTuple):
    phase: str
    label: object  # a lazy French string
    source: str  # DATA or MANUAL


MILESTONES = {
    # Amorçage: find the amorceurs, meet them, define a perimeter of real proximity, find a
    # place for meetings, prepare the letter inviting every household to the apéro-info.
    "amorceurs_found": Milestone("amorcage", _l("Amorceurs trouvés"), MANUAL),
    "amorceurs_met": Milestone("amorcage", _l("Amorceurs rencontrés"), MANUAL),
    "perimeter_defined": Milestone("amorcage", _l("Périmètre défini"), MANUAL),
    "register_imported": Milestone("amorcage", _l("Registre des logements importé"), DATA),
    "meeting_place_set": Milestone("amorcage", _l("Lieu de rencontre choisi"), DATA),
    "letter_run_confirmed": Milestone(
        "amorcage", _l("Distribution des lettres d'invitation confirmée"), DATA
    ),
    # Lancement: the apéro-info; the groupe d'animation formed and committed to run the cafés.
    "apero_info_held": Milestone("lancement", _l("Apéro-info tenu, présences notées"), DATA),
    "group_formed": Milestone(
        "lancement", _l("Groupe d'animation d'au moins 6 personnes, avec pilote et copilote"), DATA
    ),
    "group_committed": Milestone(
        "lancement", _l("Le groupe s'engage à animer les cafés-rencontres"), MANUAL
    ),
    # Structuration: tasks seen and shared, regular communication, monthly cafés, the yearly
    # fête, the impact measured; the pilotes' and copilotes' training.
    "roster_shared": Milestone("structuration", _l("Tâches partagées au tableau du groupe"), DATA),
    "newsletter_sent": Milestone("structuration", _l("Lettre d'information envoyée"), DATA),
    "cafes_monthly": Milestone(
        "structuration", _l("Un café-rencontre tenu chaque mois, trois mois de suite"), DATA
    ),
    "fete_held": Milestone("structuration", _l("Fête de la Coopération tenue"), DATA),
    "yearly_report_printed": Milestone("structuration", _l("Rapport annuel imprimé"), DATA),
    "training_followed": Milestone(
        "structuration", _l("Formation suivie par le pilote ou le copilote"), MANUAL
    ),
}

DATA_MILESTONES = tuple(key for key, milestone in MILESTONES.items() if milestone.source == DATA)
MANUAL_MILESTONES = tuple(
    key for key, milestone in MILESTONES.items() if milestone.source == MANUAL
)


def milestones_of(phase: str) -> list[str]:
    """The milestone keys of a phase, in the method's order (none after structuration)."""
    return [key for key, milestone in MILESTONES.items() if milestone.phase == phase]


PHASE_LABELS = PHASES  # the console's pages name it so: phase key -> label

#: The phases that have milestones, in the method's order.
MILESTONE_PHASES = ("amorcage", "lancement", "structuration")
