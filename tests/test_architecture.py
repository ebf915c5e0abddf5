"""The architecture, checked: layers depend only downward, no import cycles, the database is the
store's alone, and modules stay a readable size.

The import graph is read from the source (``ast``), function-level imports included, so a
lazy ``import`` inside a function cannot hide a cycle or pull Qt into the core.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "desktop_app"
QT_ALLOWED = ("desktop_app.ui", "desktop_app.worker", "desktop_app.app")
# Modules longer than MAX_LINES, each with the reason it is one piece.
MAX_LINES = 620
LONG_MODULES = {
    "desktop_app.sources.http": "one robust HTTP client: retries, budget, watchdog and the "
    "mapping of every failure to a message belong together",
    "desktop_app.ui.main_window": "the window's layout and wiring; the work is in its "
    "collaborators (navigator, editor, tag and BibTeX controllers)",
    "desktop_app.bibtex.importer": "reading, matching, planning and applying one import (the "
    "entry-level work is in parse, names and records)",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """The modules ``name`` imports anywhere in its source (function bodies included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            submodules = [
                f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES
            ]
            # ``from desktop_app.library import jobs`` depends on the module ``jobs``; the
            # package is initialised first whatever one imports from it.
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(module)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _internal(name: str) -> set[str]:
    """The project's modules ``name`` depends on (a package import counts as its __init__)."""
    return {m for m in GRAPH[name] if m in MODULES and m != name}


def _closure(name: str, stop: set[str] | None = None) -> set[str]:
    seen: set[str] = set()
    stack = [name]
    while stack:
        for dep in _internal(stack.pop()) - (stop or set()):
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return seen


CORE = [m for m in MODULES if not m.startswith(QT_ALLOWED)]
# A front end may open the window: the command line's ``gui`` command imports the app's
# composition root when it runs, and that is its only way to Qt.
FRONT_DOORS = {"desktop_app.app"}


@pytest.mark.parametrize("module", CORE)
def test_the_core_never_imports_qt(module: str) -> None:
    """No module outside ui/, worker.py and app.py imports PySide6, directly or through
    another module, at the top or inside a function."""
    reached = {module, *_closure(module, stop=FRONT_DOORS)}
    culprits = sorted(m for m in reached if any(i.startswith("PySide6") for i in GRAPH[m]))
    assert culprits == [], f"{module} reaches Qt through {culprits}"


def test_the_scan_sees_qt_where_it_is() -> None:
    assert any(i.startswith("PySide6") for i in GRAPH["desktop_app.ui.main_window"])
    assert "desktop_app.store.repository" in _closure("desktop_app.library.jobs")


def test_importing_the_whole_core_loads_no_qt() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def find_cycles(nodes: list[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components larger than one node: the import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, set()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in nodes:
        if node not in index:
            visit(node)
    return cycles


def test_there_is_no_import_cycle() -> None:
    """None, counting imports inside functions (the old cli → cli_services → cli_bibtex →
    cli one was such)."""
    assert find_cycles(list(MODULES), {m: _internal(m) for m in MODULES}) == []
    assert find_cycles(["a", "b", "c"], {"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]


def test_only_the_store_touches_the_database() -> None:
    """Outside ``store/`` nobody reaches for the connection (``repo.db``, ``execute_sql``,
    ``connection()``, peewee): they go through the repository's methods."""
    offenders = []
    for name, path in MODULES.items():
        if name.startswith("desktop_app.store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("db", "execute_sql"):
                offenders.append(f"{name}:{node.lineno} .{node.attr}")
        if any(i == "peewee" or i.startswith("playhouse") for i in GRAPH[name]):
            offenders.append(f"{name} imports peewee")
    assert offenders == []


@pytest.mark.parametrize("module", list(MODULES))
def test_modules_stay_a_readable_size(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES or module in LONG_MODULES, f"{module} has {lines} lines"
