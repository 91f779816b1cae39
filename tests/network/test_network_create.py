"""Creating a perimeter in a network (`perimeters create`): served at once under /<slug>/, its
pilote activates their account with the code of the card the command wrote (no password ever
sent), and a refused creation leaves nothing behind. On the PostgreSQL leg, each perimeter gets a
database of its own, made from the template database."""

from __future__ import annotations

import io
import re
import shutil
import uuid

import psycopg
import pytest
from pypdf import PdfReader
from werkzeug.test import Client

from coopere.network import Network, NetworkDispatcher, create_network_app
from coopere.network import registry
from coopere.network.databases import sqlite_template as sqlite_template_of
from coopere.network.create import CreateError, NewPerimeter, create_perimeter
from coopere.network.sites import head_revision, schema_revision
from coopere.network.slugs import RESERVED, SlugError
from helpers import BACKEND, PG_URL

PUBLIC = "https://reseau.example.org"
NEW_PASSWORD = "un-jardin-partage-au-printemps"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """The migrated template database, made once for the session and copied into each network
    (what `perimeters create` makes on first use: tested by the first test that needs it)."""
    folder = tmp_path_factory.mktemp("template-network")
    return sqlite_template_of(Network(folder))


@pytest.fixture(scope="session")
def pg_prefix():
    """The names of this session's PostgreSQL databases (the template database is shared by the
    session's tests); all dropped at the end."""
    prefix = f"coopere_t{uuid.uuid4().hex[:8]}_"
    yield prefix
    if BACKEND == "postgresql":
        drop_databases(prefix + "%")


def drop_databases(pattern: str, keep: str = "") -> None:
    with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as connection:
        names = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,)
        ).fetchall()
        for (name,) in names:
            if not (keep and name.startswith(keep)):
                connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def network(tmp_path, sqlite_template, pg_prefix):
    """An empty network folder; on PostgreSQL, one database per perimeter, dropped afterwards."""
    root = tmp_path / "reseau"
    root.mkdir()
    settings = [
        f"PUBLIC_URL = {PUBLIC!r}",
        # what every perimeter gets: cheap password hashes, counters in memory (as in tests/)
        "ARGON2_TIME_COST = 1",
        "ARGON2_MEMORY_COST = 1024",
        "ARGON2_PARALLELISM = 1",
        "RATELIMIT_STORAGE_URI = 'memory://'",
    ]
    prefix = pg_prefix
    if BACKEND == "postgresql":
        server = PG_URL.replace("+psycopg", "").rsplit("/", 1)[0]
        settings.append(f"DATABASE_URL_TEMPLATE = {server + '/' + prefix + '{slug}'!r}")
    (root / "network.py").write_text("\n".join(settings) + "\n")
    (root / "template").mkdir()
    shutil.copyfile(sqlite_template, root / "template" / sqlite_template.name)
    yield Network(root)
    if BACKEND == "postgresql":
        drop_databases(prefix + "%", keep=prefix + "template_")


def lilas(**changes) -> NewPerimeter:
    fields = dict(
        slug="lilas",
        name="Coop-ère des Lilas",
        city="Nantes",
        postcode="44300",
        estimated_dwellings=320,
        meeting_place="Square des Lilas",
        pilote_first_name="Odile",
        pilote_last_name="Martin",
        pilote_login="odile.martin@example.org",
    )
    fields.update(changes)
    return NewPerimeter(**fields)


def letter_code(path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    match = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{3}-[A-Z0-9]{3})\b", text)
    assert match, text
    return match.group(1).replace("-", "")


def page(response) -> str:
    return response.get_data(as_text=True)


def test_a_new_perimeter_is_served_and_its_pilote_activates_with_the_card(network):
    created = create_perimeter(network, lilas())

    assert created.address == f"{PUBLIC}/lilas"
    assert created.letter == network.instance_path("lilas") / "lettre-pilote.pdf"
    assert created.letter.stat().st_mode & 0o077 == 0  # the card holds a code: private file
    assert schema_revision(network, "lilas") == head_revision()
    assert registry.served_slugs(network) == ["lilas"]

    web = Client(NetworkDispatcher(network))
    home = web.get("/lilas/")
    assert home.status_code == 200 and "Coop-ère des Lilas" in page(home)

    # The card's QR code: /lilas/activer/<code>, then the pilote chooses a password.
    code = letter_code(created.letter)
    opened = web.get(f"/lilas/activer/{code}", follow_redirects=True)
    assert "Bonjour Odile" in page(opened)
    token = CSRF.search(page(opened)).group(1)
    chosen = web.post(
        "/lilas/activer",
        data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/lilas/accueil"
    settings = web.get("/lilas/admin/perimetre")
    assert settings.status_code == 200 and "Square des Lilas" in page(settings)  # an admin's page

    # The code served once: the card cannot make a second password.
    again = Client(NetworkDispatcher(network)).get(f"/lilas/activer/{code}", follow_redirects=True)
    assert "Bonjour Odile" not in page(again)


def test_the_command_asks_and_says_where_the_card_is(network):
    runner = create_network_app(network).test_cli_runner()
    answers = "\n".join(
        [
            "Coop-ère des Roses",
            "Rezé",
            "44400",
            "250",
            "Maison de quartier",
            "Paul",
            "Roy",
            "06 12 34 56 78",
        ]
    )
    result = runner.invoke(args=["perimeters", "create", "roses"], input=answers + "\n")
    assert result.exit_code == 0, result.output
    assert f"{PUBLIC}/roses" in result.output
    assert "lettre-pilote.pdf" in result.output
    listed = runner.invoke(args=["perimeters", "list", "--check"])
    assert "roses" in listed.output and "en service" in listed.output
    assert "schéma à jour" in listed.output


@pytest.mark.parametrize("slug", ["static", "reseau", "Lilas", "-lilas", "li las", "é", "x" * 31])
def test_reserved_or_malformed_slugs_are_refused_in_french(network, slug):
    with pytest.raises(SlugError) as refused:
        create_perimeter(network, lilas(slug=slug))
    assert any(word in str(refused.value) for word in ("réservé", "minuscules", "trop long"))
    assert not network.perimeters_dir.exists() or not any(network.perimeters_dir.iterdir())
    assert registry.all_entries(network) == []
    assert "static" in RESERVED


def test_a_refused_creation_leaves_nothing_behind(network):
    create_perimeter(network, lilas())
    with pytest.raises(CreateError, match="existe déjà"):
        create_perimeter(network, lilas(name="Autre"))
    # a pilote login that is not an email nor a French phone: refused after the folder and the
    # database were made — both are removed again
    with pytest.raises(Exception):
        create_perimeter(network, lilas(slug="roses", pilote_login="pas-un-identifiant"))
    assert not network.instance_path("roses").exists()
    assert schema_revision(network, "roses") is None
    assert [entry.slug for entry in registry.all_entries(network)] == ["lilas"]

    # without PUBLIC_URL, the card cannot carry its link: refused before anything is made
    (network.root / "network.py").write_text("")
    bare = Network(network.root)
    with pytest.raises(CreateError, match="PUBLIC_URL"):
        create_perimeter(bare, lilas(slug="tilleuls"))
    assert not bare.instance_path("tilleuls").exists()
