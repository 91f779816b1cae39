"""The package's layers, read from its imports (those placed inside functions included): no import
goes up a layer (docs/architecture.md, « Couches »), and no circle remains. A circle hidden in a
function is still a circle: each side needs the other to be understood, tested and moved."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database  # the source's imports only

PACKAGE = Path(__file__).resolve().parent.parent / "coopere"

LAYERS = ["core", "models", "platform", "people and place", "activity", "aggregates", "delivery"]
CORE, MODELS, PLATFORM, PEOPLE, ACTIVITY, AGGREGATES, DELIVERY = range(len(LAYERS))

# Each top-level module or package of coopere/, with its layer. A module added inside a package
# takes the package's layer; a new top-level module fails the test until it is placed here.
PLACES = {
    "config": CORE,
    "extensions": CORE,
    "database": CORE,
    "timeutil": CORE,
    "i18n": CORE,
    "inputs": CORE,
    "urls": CORE,
    "signals": CORE,
    "errors": CORE,
    "retention": CORE,
    "actions": CORE,
    "security": CORE,
    "logs": CORE,
    "queue": CORE,
    "audit": PLATFORM,
    "notifications": PLATFORM,
    "idempotency": PLATFORM,
    "policy": PLATFORM,
    "ratelimit": PLATFORM,
    "printing": PLATFORM,
    "auth": PEOPLE,
    "perimeter": PEOPLE,
    "dwellings": PEOPLE,
    "members": PEOPLE,
    "events": ACTIVITY,
    "listings": ACTIVITY,
    "exchanges": ACTIVITY,
    "group": ACTIVITY,
    "cafe": ACTIVITY,
    "moderation": ACTIVITY,
    "sheets": ACTIVITY,
    "printruns": AGGREGATES,
    "reports": AGGREGATES,
    "privacy": AGGREGATES,
    "backup": AGGREGATES,
    "newsletter": AGGREGATES,
    "public": DELIVERY,
    "menu": DELIVERY,
    "cli": DELIVERY,
    "demo": DELIVERY,
    "network": DELIVERY,
    "association": DELIVERY,
    "schedule": DELIVERY,
    "schedule_checks": DELIVERY,
}


def layer(module: str, places: dict[str, int] = PLACES) -> int:
    """The layer of a module of the package, by its name: the package itself is the app factory
    (delivery); `models` modules are the models layer; views (`views`, `*_views`) and command
    lines (`cli`, `*_command`) are delivery; `printouts` are aggregates; any other module takes
    its top-level package's layer. KeyError: a top-level module that is not placed yet."""
    parts = module.split(".")[1:]
    if not parts:
        return DELIVERY
    name = parts[-1]
    if name == "models":
        return MODELS
    if name in ("views", "cli") or name.endswith(("_views", "_command")):
        return DELIVERY
    if name == "printouts":
        return AGGREGATES
    return places[parts[0]]


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the package's modules it imports (anywhere in the file)."""
    modules = {}
    for path in root.rglob("*.py"):
        parts = list(path.with_suffix("").relative_to(root.parent).parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + (node.module.split(".") if node.module else []))
                # `from . import views` imports the module coopere.views, not the package;
                # `from . import thing` (a name of the package's __init__) imports the package.
                for alias in node.names:
                    submodule = f"{module}.{alias.name}"
                    targets.append(submodule if submodule in modules else module)
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph[name] |= {target for target in targets if target in modules and target != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def unplaced(graph: dict[str, set[str]], places: dict[str, int] = PLACES) -> list[str]:
    """The modules whose layer is unknown (a top-level module missing from PLACES)."""
    missing = []
    for module in sorted(graph):
        try:
            layer(module, places)
        except KeyError:
            missing.append(module)
    return missing


def upward_imports(graph: dict[str, set[str]], places: dict[str, int] = PLACES) -> list[str]:
    """Every import of a module from a higher layer, as « importer (layer) -> imported (layer) »."""
    found = []
    for module in sorted(graph):
        for imported in sorted(graph[module]):
            below, above = layer(module, places), layer(imported, places)
            if above > below:
                found.append(f"{module} ({LAYERS[below]}) -> {imported} ({LAYERS[above]})")
    return found


def test_every_module_has_a_layer():
    assert unplaced(import_graph(PACKAGE)) == [], "place these modules in PLACES (and the doc)"


def test_no_import_goes_up_a_layer():
    assert upward_imports(import_graph(PACKAGE)) == [], (
        "move the helper down, or let the lower layer send a signal (coopere/signals.py)"
    )


def test_no_import_circle_in_the_package():
    assert circles(import_graph(PACKAGE)) == []


def test_every_place_names_a_module_of_the_package():
    names = {path.stem for path in PACKAGE.glob("*.py")} | {
        path.parent.name for path in PACKAGE.glob("*/__init__.py")
    }
    assert set(PLACES) - names == set(), "these entries of PLACES name nothing any more"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "demo"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


def test_the_check_sees_a_circle_hidden_in_a_function(tmp_path):
    package = _package(
        tmp_path, {"a.py": "from .b import thing\n", "b.py": "def thing():\n    from .a import x\n"}
    )
    assert circles(import_graph(package)) == [["demo.a", "demo.b"]]


def test_the_check_sees_an_upward_import_hidden_in_a_function(tmp_path):
    package = _package(
        tmp_path,
        {
            "timeutil.py": "def now():\n    from .events.services import upcoming\n",
            "events/__init__.py": "",
            "events/services.py": "from ..timeutil import now\n",
            "events/models.py": "from ..timeutil import now\n",
        },
    )
    places = {"timeutil": CORE, "events": ACTIVITY}
    assert upward_imports(import_graph(package), places) == [
        "demo.timeutil (core) -> demo.events.services (activity)"
    ]


def test_a_module_takes_its_package_layer_and_its_role(tmp_path):
    places = {"events": ACTIVITY, "printing": PLATFORM}
    assert layer("demo.events.recurrence", places) == ACTIVITY
    assert layer("demo.events.models", places) == MODELS
    assert layer("demo.events.views", places) == DELIVERY
    assert layer("demo.events.signup_views", places) == DELIVERY
    assert layer("demo.events.cli", places) == DELIVERY
    assert layer("demo.events.printouts", places) == AGGREGATES
    assert layer("demo", places) == DELIVERY
    with pytest.raises(KeyError):
        layer("demo.newcomer", places)


def test_the_check_refuses_an_unplaced_module(tmp_path):
    package = _package(tmp_path, {"config.py": "", "newcomer.py": "from .config import x\n"})
    assert unplaced(import_graph(package), {"config": CORE}) == ["demo.newcomer"]
