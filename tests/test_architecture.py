"""The shape of desktop/, read from the source: no import cycles (counting the imports inside
functions, which only hide a cycle), and the layers' rules — the core (models, services,
reports, db.py) imports no PySide6, the GUI imports no SQLAlchemy, and who may import whom
inside the core (docs/architecture.md, "Who imports whom")."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "desktop"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
           if "migrations/versions" not in p.as_posix()}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:` (never run: not an import)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
                (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
                or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")):
            hidden.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return hidden


@functools.cache
def imported_names(name: str, path: Path) -> list[tuple[str, int]]:
    """Every module `name` imports, anywhere in the file (top level, functions, methods),
    as (absolute dotted name, line); relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hidden = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # `from pkg import module` imports the module; `from module import name`, the module
                found.append((f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES
                              else source, node.lineno))
    return found


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _line in imported_names(name, path):
            # `import desktop.a.b` reaches desktop.a.b; a name inside a module, that module
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("desktop"):
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_reader_sees_imports_inside_functions_and_relative_ones(tmp_path):
    graph = import_graph()
    # desktop.cli imports the database only inside its command functions
    assert "desktop.db" in graph["desktop.cli"]
    assert "desktop.services.check" in graph["desktop.cli"]
    assert "desktop.ui.pages.base" in graph["desktop.ui.pages"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_desktop():
    found = cycles(import_graph())
    assert found == [], "import cycles (move the shared piece into the lower module):\n" + \
        "\n".join(" ↔ ".join(c) for c in found)


CORE = ("desktop.models", "desktop.services", "desktop.reports", "desktop.db")


def _layer_violations(prefixes: tuple[str, ...], banned: str) -> list[str]:
    bad = []
    for name, path in MODULES.items():
        if not any(name == p or name.startswith(p + ".") for p in prefixes):
            continue
        for target, line in imported_names(name, path):
            if target == banned or target.startswith(banned + "."):
                bad.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    return bad


@pytest.mark.parametrize(("prefixes", "banned"), [(CORE, "PySide6"), (("desktop.ui",), "sqlalchemy")])
def test_layers_keep_their_imports(prefixes, banned):
    assert _layer_violations(prefixes, banned) == []


# -- who imports whom inside the core (docs/architecture.md) -----------------------------------

# the attachment store: files by hash that use cases' rows name, their sweeper, the capture
# time and place kept on a stored photo and a stored photo's look (near-duplicates) — the only
# part of exchange/ below the use cases
STORE = ("desktop.services.exchange.attachments", "desktop.services.exchange.store_gc",
         "desktop.services.exchange.photo_capture", "desktop.services.exchange.photo_similar")
FRONTS = ("desktop.ui", "desktop.app", "desktop.cli", "desktop.capture")


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _use_case(name: str) -> bool:
    """desktop/services/*.py: the use cases and rules (not queries/, not exchange/)."""
    return name.startswith("desktop.services.") and name.count(".") == 2


def _front(name: str) -> bool:
    return _under(name, *FRONTS) or name.startswith("desktop.cli_")


def _module_of(target: str) -> str:
    """The module an import reaches (`desktop.a.b.name` → `desktop.a.b`); others as they are."""
    found = target
    while found and found not in MODULES:
        found = found.rpartition(".")[0]
    return found or target


RULES = {
    "use cases import from exchange/ only the attachment store": (
        _use_case, lambda t: _under(t, "desktop.services.exchange") and not _under(t, *STORE)),
    "queries import from exchange/ only the attachment store": (
        lambda n: _under(n, "desktop.services.queries"),
        lambda t: _under(t, "desktop.services.exchange") and not _under(t, *STORE)),
    "no use case but documents.py (it renders what it signs) imports queries/": (
        lambda n: _use_case(n) and n != "desktop.services.documents",
        lambda t: _under(t, "desktop.services.queries")),
    "only the fronts import the demo generator": (
        lambda n: not _front(n) and not _under(n, "desktop.demo"),
        lambda t: _under(t, "desktop.demo")),
    "the core imports no front": (
        lambda n: _under(n, *CORE, "desktop.vocabulary"),
        lambda t: _front(t) or _under(t, "desktop.demo")),
    "reports only draw: no ORM, database, services or SQLAlchemy": (
        lambda n: _under(n, "desktop.reports"),
        lambda t: _under(t, "desktop.models", "desktop.db", "desktop.services", "sqlalchemy")),
    "the ORM classes import only SQLAlchemy, the vocabulary and the clock": (
        lambda n: _under(n, "desktop.models"),
        lambda t: t.startswith("desktop") and not _under(t, "desktop.models", "desktop.vocabulary",
                                                         "desktop.clock")),
    "the vocabulary is plain: nothing of desktop, no SQLAlchemy": (
        lambda n: n == "desktop.vocabulary",
        lambda t: t.startswith("desktop") or _under(t, "sqlalchemy")),
}


def _rule_violations(source: Callable[[str], bool], banned: Callable[[str], bool]) -> list[str]:
    bad = []
    for name, path in MODULES.items():
        if not source(name):
            continue
        for target, line in imported_names(name, path):
            reached = _module_of(target)
            if reached != name and banned(reached):
                bad.append(f"{path.relative_to(ROOT)}:{line}: {reached}")
    return bad


def test_the_rules_name_modules_that_exist():
    """A renamed module must not empty a rule silently."""
    assert set(STORE) | {"desktop.services.documents", "desktop.demo.generator",
                         "desktop.vocabulary", "desktop.cli", "desktop.app"} <= set(MODULES)
    assert _use_case("desktop.services.hazards") and not _use_case("desktop.services.queries.register")
    assert _front("desktop.cli_data") and _front("desktop.ui.main_window") and not _front("desktop.db")
    # a violation is seen: the demo generator imports use cases, reports do not
    assert _rule_violations(lambda n: n == "desktop.demo.generator", _use_case)
    assert _module_of("desktop.services.hazards.HazardRow") == "desktop.services.hazards"
    assert _module_of("sqlalchemy.orm") == "sqlalchemy.orm"


@pytest.mark.parametrize("rule", list(RULES))
def test_who_imports_whom(rule):
    assert _rule_violations(*RULES[rule]) == [], rule
