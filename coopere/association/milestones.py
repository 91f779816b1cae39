"""The method's milestones, phase by phase, for the phase tracker.

The catalogue belongs in phases.py (MILESTONES, added with the snapshot's collect() on another
branch); until that is merged, the same catalogue is written here, key for key and label for label
(docs: the console's design, « Data milestones » and « Manual milestones »). Once phases.py has
MILESTONES, this module only re-exports it.

A milestone's source is "data" (read from the perimeter's own data by the snapshot, which dates it)
or "manual" (ticked by the coach, with a date and a note). A data milestone may be ticked by hand
too, when the data cannot show it (an apéro-info held elsewhere than on the platform)."""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l

DATA, MANUAL = "data", "manual"

try:  # the snapshot helper's catalogue, once merged
    from .phases import MILESTONES  # type: ignore[attr-defined]
except ImportError:

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
        # Lancement: the apéro-info; the groupe d'animation formed and committed to the cafés.
        "apero_info_held": Milestone("lancement", _l("Apéro-info tenu, présences notées"), DATA),
        "group_formed": Milestone(
            "lancement",
            _l("Groupe d'animation d'au moins 6 personnes, avec pilote et copilote"),
            DATA,
        ),
        "group_committed": Milestone(
            "lancement", _l("Le groupe s'engage à animer les cafés-rencontres"), MANUAL
        ),
        # Structuration: tasks seen and shared, regular communication, monthly cafés, the yearly
        # fête, the impact measured; the pilotes' and copilotes' training.
        "roster_shared": Milestone(
            "structuration", _l("Tâches partagées au tableau du groupe"), DATA
        ),
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

#: The phases that have milestones, in the method's order.
MILESTONE_PHASES = ("amorcage", "lancement", "structuration")


def milestones_of(phase: str) -> list[str]:
    """The milestone keys of a phase, in the method's order (none after structuration)."""
    return [key for key, milestone in MILESTONES.items() if milestone.phase == phase]
