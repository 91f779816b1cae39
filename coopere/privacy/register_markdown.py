"""The register of processing written out as Markdown (docs/registre.md), in French."""

from __future__ import annotations

from collections.abc import Mapping

from .register import (
    COMMON_SECURITY,
    CONTROLLER,
    NO_PERSONAL_DATA,
    NOT_PERSONAL_COLUMNS,
    RETENTION_FALLBACKS,
    RETENTION_MEANINGS,
    SHEETS,
    default_retention,
)

HEADER = """# Registre des activités de traitement

<!-- Généré par `flask --app coopere registre --output docs/registre.md` à partir de
coopere/privacy/register.py : ne pas modifier à la main. -->

Registre tenu selon le modèle de la CNIL pour les associations (RGPD, article 30). Une fiche par
finalité. Les durées sont celles des réglages par défaut ; chaque durée nomme le réglage que lit
la purge (`flask --app coopere purge`), qu'un périmètre peut changer dans `<instance>/config.py`.
La page publique « Vos données personnelles » (`/donnees-personnelles`) en donne un résumé en
langage simple, à partir des mêmes données.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(values: Mapping[str, int] | None = None) -> str:
    """The whole register as Markdown (French), with the given durations (default: built-in)."""
    values = dict(values or default_retention())
    out = [
        HEADER,
        "## Responsable du traitement\n",
        CONTROLLER + "\n",
        "Délégué à la protection des données : aucun (non obligatoire pour ce réseau). "
        "Transferts hors de l'Union européenne : aucun.\n",
        "## Durées de conservation (réglages)\n",
        "| réglage | valeur | sens |",
        "|---|---|---|",
    ]
    out += [
        f"| `{key}` | {values[key]} | {RETENTION_MEANINGS[key]} |" for key in RETENTION_FALLBACKS
    ]
    out += [
        "",
        "## Vue d'ensemble\n",
        "| fiche | finalité | base légale | conservation |",
        "|---|---|---|---|",
    ]
    out += [
        f"| [{item.title}](#{number}-{item.slug}) | {_cell(item.purpose)} | {item.legal_basis} | "
        f"{_cell(item.retention_text(values))} |"
        for number, item in enumerate(SHEETS, 1)
    ]
    out.append("")
    for number, item in enumerate(SHEETS, 1):
        out += [
            f'<a id="{number}-{item.slug}"></a>',
            f"## {number}. {item.title}\n",
            f"**Finalité.** {item.purpose}\n",
            f"**Base légale.** {item.legal_basis} — {item.basis_reason}\n",
            "**Personnes concernées.**\n",
            *[f"- {person}" for person in item.people],
            "",
            "**Catégories de données.**\n",
            *[f"- {category}" for category in item.categories],
            "",
            "**Où sont les données (tables et colonnes).**\n",
            "| table | colonnes | remarque |",
            "|---|---|---|",
            *[
                f"| `{store.table}` | {', '.join(f'`{column}`' for column in store.columns)} "
                f"| {_cell(store.note)} |"
                for store in item.stores
            ],
            "",
            "**Destinataires.**\n",
            *[f"- {recipient}" for recipient in item.recipients],
            "",
            f"**Durée de conservation.** {item.retention_text(values)}\n",
            "**Mesures de sécurité.** Les mesures communes (ci-dessous), et :\n",
            *[f"- {measure}" for measure in item.security],
            "",
            f"**Transferts hors de l'Union européenne.** {item.transfers}\n",
        ]
    out += [
        "## Mesures de sécurité communes\n",
        *[f"- {measure}" for measure in COMMON_SECURITY],
        "",
        "## Tables sans donnée personnelle\n",
        *[f"- `{table}` : {why}" for table, why in NO_PERSONAL_DATA.items()],
        "",
        "Colonnes au nom trompeur, qui ne décrivent personne :\n",
        *[f"- `{column}` : {why}" for column, why in NOT_PERSONAL_COLUMNS.items()],
        "",
    ]
    return "\n".join(out)
