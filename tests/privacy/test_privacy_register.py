"""The register of processing covers every table holding personal data, names only columns that
exist, and docs/registre.md is exactly what `flask --app coopere registre` generates."""

from __future__ import annotations

import re

import pytest

from coopere import retention
from coopere.config import Defaults
from coopere.extensions import db
from coopere.privacy import register
from coopere.privacy.register_command import DOC_PATH
from coopere.privacy.register_markdown import render_markdown

# A column "looks personal" by its name: a name, a contact, an address, an IP, or free text
# someone typed (notes, messages, descriptions, reasons, thanks), or a user id without a key.
PERSONAL_NAME = re.compile(
    r"(first_name|last_name|email|phone|^ip$|notes?$|body$|text$|description$|thanks$"
    r"|reason$|(^|_)user_id$)"
)
PERSONAL_TABLES = {"users", "dwellings"}  # a link to either designates a person or a home


def _looks_personal(column) -> bool:
    if PERSONAL_NAME.search(column.name):
        return True
    return any(key.column.table.name in PERSONAL_TABLES for key in column.foreign_keys)


def _personal_columns(table) -> set[str]:
    return {column.name for column in table.columns if _looks_personal(column)}


@pytest.fixture
def tables(app):
    with app.app_context():
        return dict(db.metadata.tables)


def test_every_table_holding_personal_data_is_in_a_sheet(tables):
    registered = register.registered_columns()
    missing = sorted(
        name
        for name, table in tables.items()
        if (name in PERSONAL_TABLES or _personal_columns(table))
        and name not in registered
        and name not in register.NO_PERSONAL_DATA
    )
    assert not missing, (
        f"tables holding personal data missing from coopere/privacy/register.py: {missing} "
        "(add them to a sheet, or to NO_PERSONAL_DATA with the reason)"
    )


def test_every_personal_looking_column_of_a_registered_table_is_listed(tables):
    registered = register.registered_columns()
    missing = sorted(
        f"{name}.{column}"
        for name, columns in registered.items()
        for column in _personal_columns(tables[name]) - columns
        if f"{name}.{column}" not in register.NOT_PERSONAL_COLUMNS
    )
    assert not missing, f"personal columns missing from the register: {missing}"


def test_no_stale_entries(tables):
    for name, columns in register.registered_columns().items():
        assert name in tables, f"the register lists a table that does not exist: {name}"
        unknown = columns - set(tables[name].columns.keys())
        assert not unknown, (
            f"the register lists columns that do not exist in {name}: {sorted(unknown)}"
        )
    for name in register.NO_PERSONAL_DATA:
        assert name in tables and name not in register.registered_columns(), name
        assert not _personal_columns(tables[name]), f"{name} looks personal: put it in a sheet"
    for qualified in register.NOT_PERSONAL_COLUMNS:
        name, column = qualified.split(".")
        assert column in tables[name].columns, qualified


def test_sheets_are_complete():
    assert len({sheet.slug for sheet in register.SHEETS}) == len(register.SHEETS)
    for sheet in register.SHEETS:
        for attribute in (
            "title",
            "purpose",
            "legal_basis",
            "basis_reason",
            "retention",
            "transfers",
        ):
            assert getattr(sheet, attribute).strip(), (sheet.slug, attribute)
        for attribute in ("people", "categories", "stores", "recipients", "security"):
            assert getattr(sheet, attribute), (sheet.slug, attribute)
        assert str(sheet.public_title) and str(sheet.public_purpose) and str(sheet.public_retention)
        # every duration the texts use is a known key, named in `keys`
        used = set(re.findall(r"%\((\w+)\)d", sheet.retention + str(sheet.public_retention)))
        assert used <= set(register.RETENTION_FALLBACKS), sheet.slug
        assert used <= set(sheet.keys), sheet.slug
        for key in sheet.keys:
            assert key in sheet.retention, (
                sheet.slug,
                key,
            )  # the config key is named for the reader
    covered = {key for sheet in register.SHEETS for key in sheet.keys}
    assert {
        "PURGE_INACTIVE_MONTHS",
        "PURGE_LEFT_GRACE_DAYS",
        "AUDIT_RETENTION_MONTHS",
        "PRINT_FILES_RETENTION_DAYS",
    } <= covered


def test_builtin_durations_follow_the_configuration_defaults():
    values = register.default_retention()
    assert values["PURGE_INACTIVE_MONTHS"] == getattr(Defaults, "PURGE_INACTIVE_MONTHS", 24)
    assert values["AUDIT_RETENTION_MONTHS"] == getattr(Defaults, "AUDIT_RETENTION_MONTHS", 12)
    assert values["PRINT_FILES_RETENTION_DAYS"] == getattr(
        Defaults, "PRINT_FILES_RETENTION_DAYS", 30
    )
    assert values["PURGE_LEFT_GRACE_DAYS"] == getattr(Defaults, "PURGE_LEFT_GRACE_DAYS", 90)
    assert values["LISTING_NEED_DAYS"] == Defaults.LISTING_NEED_DAYS
    overridden = register.retention_settings(
        {"PURGE_INACTIVE_MONTHS": 36, "AUDIT_RETENTION_MONTHS": None}
    )
    assert overridden["PURGE_INACTIVE_MONTHS"] == 36
    assert overridden["AUDIT_RETENTION_MONTHS"] == values["AUDIT_RETENTION_MONTHS"]
    # a constant of the purge's code: no setting changes it
    assert (
        register.retention_settings({"IDEMPOTENCY_KEY_DAYS": 99})["IDEMPOTENCY_KEY_DAYS"]
        == values["IDEMPOTENCY_KEY_DAYS"]
    )


def test_constants_follow_the_purge():
    purge = pytest.importorskip("coopere.privacy.purge")
    assert (
        register.default_retention()["IDEMPOTENCY_KEY_DAYS"]
        == retention.IDEMPOTENCY_KEY_DAYS
        == purge.IDEMPOTENCY_KEY_DAYS
    )


def test_committed_document_is_up_to_date():
    assert DOC_PATH.read_text(encoding="utf-8") == render_markdown(), (
        "docs/registre.md is out of date: flask --app coopere registre --output docs/registre.md"
    )


def test_document_names_every_table_and_sheet():
    text = render_markdown()
    for sheet in register.SHEETS:
        assert f"## {register.SHEETS.index(sheet) + 1}. {sheet.title}" in text
        for store in sheet.stores:
            assert f"`{store.table}`" in text
    assert "Transferts hors de l'Union européenne" in text
    for key, value in register.default_retention().items():
        assert f"| `{key}` | {value} |" in text


def test_cli_prints_writes_and_checks(app, runner, tmp_path, monkeypatch):
    result = runner.invoke(args=["registre"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Registre des activités de traitement")
    assert "Annuaire des membres" in result.output

    target = tmp_path / "registre.md"
    result = runner.invoke(args=["registre", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == render_markdown()

    result = runner.invoke(args=["registre", "--check"])
    assert result.exit_code == 0, result.output
    monkeypatch.setattr("coopere.privacy.register_command.DOC_PATH", tmp_path / "stale.md")
    (tmp_path / "stale.md").write_text("# ancien registre\n", encoding="utf-8")
    result = runner.invoke(args=["registre", "--check"])
    assert result.exit_code == 1
    assert "n'est pas à jour" in result.output


def test_cli_uses_the_instance_durations(make_app):
    app = make_app(PURGE_INACTIVE_MONTHS=36)
    result = app.test_cli_runner().invoke(args=["registre"])
    assert result.exit_code == 0, result.output
    assert "sans aucune activité depuis 36 mois" in result.output


def test_cli_refuses_an_unwritable_output(runner, tmp_path):
    result = runner.invoke(args=["registre", "--output", str(tmp_path / "nowhere" / "registre.md")])
    assert result.exit_code != 0
    assert "impossible d'écrire" in result.output
