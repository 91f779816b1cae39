"""The network's operation commands, as the operator runs them (`flask --app coopere.network …`)
and as residents then see the site: `upgrade`, `backup --all`, `perimeters archive` and
`perimeters restore`, on this run's database leg."""

from __future__ import annotations

import re
from pathlib import Path

import ops_fixtures
from ops_fixtures import (
    add_member,
    browser,
    cli,
    in_perimeter,
    log_in,
    migrate_down,
    new_perimeter,
    rewrite_manifest,
)

from coopere.backup.services import check_backup
from coopere.network import registry
from coopere.network.archive import archive_perimeter
from coopere.network.databases import pg_database_exists
from coopere.network.registry import Status
from coopere.network.sites import (
    build_perimeter_app,
    database_url,
    dispose,
    head_revision,
    schema_revision,
)
from helpers import BACKEND, flat, words

ops_network = ops_fixtures.ops_network  # the fixtures, for the tests of this module
ops_networks = ops_fixtures.ops_networks

TABLE_EXISTS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name = :name",
    "postgresql": "SELECT tablename FROM pg_tables WHERE tablename = :name",
}[BACKEND]


# --- upgrade -----------------------------------------------------------------------------------


def revisions_after(revision: str) -> int:
    """How many migrations came after `revision`: a new migration does not change the test."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    migrations = Path(__file__).resolve().parents[2] / "migrations"
    config.set_main_option("script_location", str(migrations))
    return len(list(ScriptDirectory.from_config(config).iterate_revisions("heads", revision)))


def test_upgrade_reports_each_perimeter_and_a_failed_one_stays_on_its_schema_in_maintenance(
    ops_network,
):
    network = ops_network
    for slug in ("lilas", "roses", "tilleuls"):
        new_perimeter(network, slug)
    head = head_revision()
    migrate_down(network, "roses", 1)  # one migration behind: upgraded
    # back before the rate limits (then login places, outbox… and whatever came since), and a
    # table in the way of the login places
    migrate_down(network, "tilleuls", revisions_after("20eca15e13d8"))
    previous = schema_revision(network, "roses")
    old = schema_revision(network, "tilleuls")
    in_perimeter(network, "tilleuls", "CREATE TABLE login_places (something INTEGER)")

    result = cli(network, "upgrade")

    assert result.exit_code == 1
    report = result.output
    assert "lilas : à jour" in report
    assert f"roses : mis à jour ({previous} → {head})" in report
    failure = re.search(r"tilleuls : ÉCHEC — (.+)", report)
    assert failure and "login_places" in failure.group(1)
    assert failure.group(1).endswith("reste sur son ancien schéma, page de maintenance affichée")
    # The failed perimeter is whole on its old schema: the migration before the failing one,
    # run in the same transaction, was rolled back with it.
    assert schema_revision(network, "tilleuls") == old
    assert in_perimeter(network, "tilleuls", TABLE_EXISTS, name="rate_limits") is None
    entry = registry.get(network, "tilleuls")
    assert entry.status == Status.MAINTENANCE.value
    assert "login_places" in entry.status_reason
    assert registry.get(network, "roses").status == Status.ACTIVE.value

    # Residents of the others are served; those of tilleuls see the French maintenance page.
    client = browser(network)
    assert client.get("/lilas/").status_code == 200
    assert client.get("/roses/").status_code == 200
    page = client.get("/tilleuls/")
    assert page.status_code == 503
    assert "Ce réseau est en travaux" in words(page)

    # Once the cause is removed, the next upgrade brings it back in service.
    in_perimeter(network, "tilleuls", "DROP TABLE login_places")
    again = cli(network, "upgrade")
    assert again.exit_code == 0, again.output
    assert "lilas : à jour" in again.output and "roses : à jour" in again.output
    assert f"tilleuls : mis à jour ({old} → {head})" in again.output
    assert registry.get(network, "tilleuls").status == Status.ACTIVE.value
    assert browser(network).get("/tilleuls/").status_code == 200


def test_upgrade_of_perimeters_all_up_to_date_changes_nothing(ops_network):
    network = ops_network
    new_perimeter(network, "lilas")
    new_perimeter(network, "roses")
    result = cli(network, "upgrade", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "lilas : à jour" in result.output and "roses : à jour" in result.output
    assert "2 périmètre(s) : 0 mis à jour, 2 déjà à jour, 0 en échec" in flat(result.output)


def test_upgrade_never_makes_a_new_database_for_a_perimeter_whose_database_is_lost(ops_network):
    from coopere.network.databases import drop_database

    network = ops_network
    new_perimeter(network, "lilas")
    new_perimeter(network, "roses")
    drop_database(network, "roses")
    result = cli(network, "upgrade", "--jobs", "1")
    assert result.exit_code == 1
    assert "roses : ÉCHEC — sa base de données est introuvable ou illisible" in result.output
    assert "lilas : à jour" in result.output
    assert schema_revision(network, "roses") is None
    assert registry.get(network, "roses").status == Status.MAINTENANCE.value
    assert browser(network).get("/roses/").status_code == 503


# --- backups -----------------------------------------------------------------------------------


def test_backup_all_writes_a_checked_copy_per_perimeter_and_one_failing_stops_none(ops_network):
    network = ops_network
    for slug in ("lilas", "roses"):
        new_perimeter(network, slug)
        add_member(network, slug, "Odette", f"La perceuse de {slug}")

    result = cli(network, "backup", "--all")

    assert result.exit_code == 0, result.output
    for slug in ("lilas", "roses"):
        line = re.search(
            rf"^{slug} : (coopere-\S+) \(([\d,]+ [KM]o)\), vérifiée$", result.output, re.M
        )
        assert line, result.output
        copy = network.instance_path(slug) / "backups" / line.group(1)
        app = build_perimeter_app(network, slug)
        try:
            with app.app_context():
                assert check_backup(copy).revision == head_revision()
        finally:
            dispose(app)
    assert "2 sauvegarde(s) faite(s) et vérifiée(s), 0 échec(s)." in result.output

    # One perimeter's database is lost: its backup fails, the other's is still made.
    from coopere.network.databases import drop_database

    drop_database(network, "roses")
    again = cli(network, "backup", "--all")
    assert again.exit_code == 1
    assert re.search(r"^lilas : coopere-\S+ .*vérifiée$", again.output, re.M)
    assert re.search(r"^roses : ÉCHEC — .+", again.output, re.M)
    assert "1 sauvegarde(s) faite(s) et vérifiée(s), 1 échec(s)." in again.output


# --- archive and restore -----------------------------------------------------------------------


def test_an_archived_perimeter_is_no_longer_served_and_comes_back_whole(ops_network):
    network = ops_network
    new_perimeter(network, "lilas", "Coop-ère des Lilas")
    new_perimeter(network, "roses")
    login = add_member(network, "lilas", "Odette", "Je prête ma perceuse")
    client = browser(network)
    assert log_in(client, "lilas", login).status_code == 302

    result = cli(network, "perimeters", "archive", "lilas")

    assert result.exit_code == 0, result.output
    archives = list(network.archives_dir.glob("lilas-*.tar.gz"))
    assert len(archives) == 1 and archives[0].name in result.output
    assert not network.instance_path("lilas").exists()
    if BACKEND == "postgresql":
        assert not pg_database_exists(database_url(network, "lilas"))
    assert registry.get(network, "lilas").status == Status.ARCHIVED.value
    gone = browser(network).get("/lilas/")
    assert gone.status_code == 404
    assert "Aucun réseau d'entraide ne porte cette adresse" in words(gone)
    assert browser(network).get("/roses/").status_code == 200
    listed = cli(network, "perimeters", "list")
    assert re.search(r"^lilas\s+archivé", listed.output, re.M)

    restored = cli(network, "perimeters", "restore", str(archives[0]))

    assert restored.exit_code == 0, restored.output
    assert "Périmètre « lilas » restauré : http://localhost/lilas" in restored.output
    entry = registry.get(network, "lilas")
    assert (entry.status, entry.name) == (Status.ACTIVE.value, "Coop-ère des Lilas")
    client = browser(network)
    assert log_in(client, "lilas", login).status_code == 302
    assert "Odette" in words(client.get("/lilas/compte"))
    assert "Je prête ma perceuse" in words(client.get("/lilas/mes-annonces"))


def test_a_perimeter_moves_to_another_network_under_another_name(ops_networks):
    here, there = ops_networks("ici"), ops_networks("ailleurs")
    new_perimeter(here, "lilas")
    login = add_member(here, "lilas", "Odette", "Je prête ma perceuse")
    archive = archive_perimeter(here, "lilas").path
    new_perimeter(there, "lilas")  # the name is taken over there

    taken = cli(there, "perimeters", "restore", str(archive))
    assert taken.exit_code == 1
    assert "l'identifiant « lilas » est déjà utilisé dans ce réseau" in flat(taken.output)

    moved = cli(there, "perimeters", "restore", str(archive), "--slug", "lilas-nord")
    assert moved.exit_code == 0, moved.output
    client = browser(there)
    assert log_in(client, "lilas-nord", login).status_code == 302
    assert "Je prête ma perceuse" in words(client.get("/lilas-nord/mes-annonces"))
    assert browser(here).get("/lilas/").status_code == 404


def test_restore_refuses_what_is_not_ours_and_a_newer_schema(ops_network, tmp_path):
    network = ops_network
    new_perimeter(network, "lilas")
    archive = archive_perimeter(network, "lilas").path

    stray = tmp_path / "photos.tar.gz"
    stray.write_bytes(b"not an archive at all")
    refused = cli(network, "perimeters", "restore", str(stray))
    assert refused.exit_code == 1
    assert "Erreur : photos.tar.gz n'est pas une archive de périmètre coopere" in refused.output

    newer = tmp_path / "newer.tar.gz"
    rewrite_manifest(archive, newer, schema_revision="f00dfeedbeef")
    refused = cli(network, "perimeters", "restore", str(newer))
    assert refused.exit_code == 1
    assert "version de coopere plus récente" in flat(refused.output)
    assert not network.instance_path("lilas").exists()
    assert registry.get(network, "lilas").status == Status.ARCHIVED.value

    tampered = tmp_path / "tampered.tar.gz"
    rewrite_manifest(archive, tampered, files={"database.sqlite3": "0" * 64})
    refused = cli(network, "perimeters", "restore", str(tampered))
    assert refused.exit_code == 1
    assert "n'est pas une archive de périmètre coopere" in flat(refused.output) or (
        "abîmée" in refused.output
    )
    assert not network.instance_path("lilas").exists()


def test_an_archive_of_an_older_schema_waits_in_maintenance_for_upgrade(ops_network):
    network = ops_network
    new_perimeter(network, "lilas")
    migrate_down(network, "lilas", 1)
    older = schema_revision(network, "lilas")
    archive = archive_perimeter(network, "lilas").path

    restored = cli(network, "perimeters", "restore", str(archive), "--slug", "lilas-bis")

    assert restored.exit_code == 0, restored.output
    assert "upgrade" in restored.output
    assert registry.get(network, "lilas-bis").status == Status.MAINTENANCE.value
    assert browser(network).get("/lilas-bis/").status_code == 503
    upgraded = cli(network, "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"lilas-bis : mis à jour ({older} → {head_revision()})" in upgraded.output
    assert browser(network).get("/lilas-bis/").status_code == 200


# --- the pilote's letter -----------------------------------------------------------------------


def test_the_new_pilote_gets_a_letter_whose_code_opens_their_account(ops_network):
    from pypdf import PdfReader

    from helpers import csrf_token

    network = ops_network
    result = cli(
        network, "perimeters", "create", "tilleuls", "--name", "Coop-ère des Tilleuls",
        "--city", "Villeurbanne", "--postcode", "69100", "--dwellings", "320",
        "--meeting-place", "Maison de quartier", "--pilote-first-name", "Bernadette",
        "--pilote-last-name", "Martin", "--pilote-login", "bernadette@example.org",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    letter = network.instance_path("tilleuls") / "lettre-pilote.pdf"
    assert str(letter) in flat(result.output)
    pdf = flat(" ".join(page.extract_text() for page in PdfReader(letter).pages))
    for words_of_the_letter in (
        "Bonjour Bernadette",
        "Coop-ère des Tilleuls",
        "localhost/tilleuls",
        "bernadette@example.org",
        "Activez votre compte",
        "Remplissez les réglages",
        "Importez les logements",
        "Préparez l’apéro-info",
    ):
        assert words_of_the_letter in pdf
    code = re.search(r"tapez ce code : ([A-Z0-9]+(?:-[A-Z0-9]+)+)", pdf).group(1)

    client = browser(network)
    token = csrf_token(client, "/tilleuls/activer")
    typed = client.post("/tilleuls/activer", data={"csrf_token": token, "code": code})
    assert typed.status_code == 303
    page = words(client.get("/tilleuls/activer"))
    assert "Bernadette" in page and "mot de passe" in page.lower()
