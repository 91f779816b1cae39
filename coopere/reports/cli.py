"""`flask report`: the perimeter's figures as JSON, and the sum of several perimeters' reports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..perimeter.models import get_perimeter
from .period import PeriodError, make_period
from .summary import EXTRA_KEYS, SUMMARY_KEYS, merge, summary

LABELS_FR = {
    "dwellings": "Logements du registre (hors vacants)",
    "members": "Membres",
    "members_offline": "dont sans internet",
    "reach": "Membres par logement",
    "dwellings_reached": "Logements touchés (au moins un membre)",
    "offers_open": "Offres ouvertes aujourd'hui",
    "needs_open": "Besoins ouverts aujourd'hui",
    "exchanges_done": "Échanges faits",
    "cafes_held": "Cafés-rencontres tenus",
    "cafe_attendance": "Présences aux cafés",
    "letters_sent": "Lettres distribuées",
}


def _day(_ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"« {value} » n'est pas une date AAAA-MM-JJ (par exemple 2026-01-31).", param=param
        ) from None


@click.command("report")
@click.option("--json", "as_json", is_flag=True, help="Imprimer les chiffres en JSON.")
@click.option(
    "--from", "start", callback=_day, metavar="AAAA-MM-JJ", help="Début de la période (inclus)."
)
@click.option(
    "--to", "end", callback=_day, metavar="AAAA-MM-JJ", help="Fin de la période (incluse)."
)
@click.option(
    "--merge",
    "merge_files",
    is_flag=True,
    help="Additionner les rapports JSON donnés (un par périmètre) au lieu de compter ici.",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def report_command(
    as_json: bool, start: date | None, end: date | None, merge_files: bool, files: tuple[Path, ...]
):
    """Les chiffres du périmètre (par défaut : depuis le début de l'année)."""
    if merge_files:
        click.echo(
            json.dumps(
                merge([_read_report(path) for path in _require(files)]),
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if files:
        raise click.UsageError("Des fichiers ne se donnent qu'avec --merge.")
    try:
        period = make_period("custom" if (start or end) else "year", start, end)
    except PeriodError as error:
        raise click.UsageError(str(error)) from None
    figures = summary(period)
    perimeter = get_perimeter()
    figures = {"perimeter": perimeter.name if perimeter else "", **figures}
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{figures['perimeter'] or 'Périmètre'} — "
        f"du {period.start:%d/%m/%Y} au {period.end:%d/%m/%Y}"
    )
    for key in SUMMARY_KEYS:
        value = figures[key]
        shown = (
            "—"
            if value is None
            else (f"{value:.2f}".replace(".", ",") if isinstance(value, float) else value)
        )
        click.echo(f"  {LABELS_FR[key]} : {shown}")


def _require(files: tuple[Path, ...]) -> tuple[Path, ...]:
    if not files:
        raise click.UsageError("Donnez au moins un fichier JSON à additionner.")
    return files


def _read_report(path: Path) -> dict:
    """One perimeter's JSON report, checked: a clear message rather than a wrong sum."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise click.UsageError(f"Le fichier {path} n'existe pas.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise click.UsageError(f"Le fichier {path} n'est pas un rapport JSON lisible.") from None
    if not isinstance(data, dict):
        raise click.UsageError(f"Le fichier {path} n'est pas un rapport de périmètre.")
    missing = [key for key in SUMMARY_KEYS if key not in data]
    if missing:
        raise click.UsageError(
            f"Le fichier {path} n'est pas un rapport de périmètre : il manque "
            + ", ".join(missing)
            + "."
        )
    for key in SUMMARY_KEYS + EXTRA_KEYS:
        value = data.get(key)
        if (
            key != "reach"
            and value is not None
            and (isinstance(value, bool) or not isinstance(value, int) or value < 0)
        ):
            raise click.UsageError(
                f"Le fichier {path} a une valeur invalide pour {key} : {value!r}."
            )
    return data
