"""The house's layers: data flows one way and each package imports only the ones below it.

Every import counts — at the top of a module, inside a function, or under ``TYPE_CHECKING`` —
so an import placed inside a function cannot hide a cycle. A new package must be given its place
in ``LAYERS`` before it can be imported by anyone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

# package → the packages it may import (besides itself). Lower layers first.
LAYERS: dict[str, set[str]] = {
    "domain": set(),
    "data_loaders": {"domain"},
    "metrics": {"domain"},
    "storage": {"domain", "data_loaders"},
    "services": {"domain", "data_loaders", "metrics", "storage"},
    "reports": {"domain", "metrics"},
    "cli": {"domain", "services", "reports", "storage"},
    "ui": {"domain", "services", "reports"},
    "pages": {"domain", "services", "reports", "ui"},
    "dashboard": {"domain", "ui"},
}
# single modules of a lower layer a higher one may use directly (the one way in, not a back door)
ALLOWED_MODULES = {
    "ui": {"storage.db", "data_loaders.schema", "data_loaders.headers"},  # the engine; kind labels
}
PACKAGES = set(LAYERS)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        path = ROOT / f"{package}.py"
        if path.exists():
            found[package] = path
        for file in (ROOT / package).rglob("*.py") if (ROOT / package).is_dir() else []:
            if "migrations" in file.parts:
                continue
            name = ".".join(file.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = file
    found["cli_entry"] = ROOT / "cli.py"
    return found


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every project module named by an import in ``path`` (anywhere in the file), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
            out += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return [(name, line) for name, line in out if name.split(".")[0] in PACKAGES]


def _package(module: str) -> str:
    return module.split(".")[0]


def test_every_import_goes_down_the_layers():
    wrong = []
    modules = _modules()
    for module, path in modules.items():
        home = "cli" if module == "cli_entry" else _package(module)
        for target, line in _imports(path):
            there = _package(target)
            if there == home or there in LAYERS[home]:
                continue
            if any(target == m or target.startswith(m + ".") for m in ALLOWED_MODULES.get(home, ())):
                continue
            wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} ({home} → {there})")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_the_layers_themselves_have_no_cycle():
    seen: dict[str, int] = {}

    def depth(package: str, trail: tuple[str, ...] = ()) -> int:
        if package in trail:
            pytest.fail(f"cycle: {' → '.join(trail + (package,))}")
        if package not in seen:
            seen[package] = 1 + max((depth(p, trail + (package,)) for p in LAYERS[package]), default=0)
        return seen[package]

    for package in LAYERS:
        depth(package)


def test_no_module_cycle_inside_a_package():
    """Within one package too, modules import each other one way only."""
    modules = _modules()
    graph = {m: {t for t, _ in _imports(p)} & set(modules) for m, p in modules.items()}
    # ``from pkg import name`` names a module or an attribute: keep only real modules
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for nxt in sorted(graph.get(module, ())):
            if nxt == module or nxt == _package(module) and module.startswith(nxt + "."):
                continue  # a package's __init__ re-exporting its own modules is not a cycle
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("module cycle: " + " → ".join(cycle))
            if state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if state.get(module) is None:
            visit(module)


def test_every_package_of_the_tree_has_a_place():
    """A new top-level package of Python code must be placed in LAYERS (or it escapes the test)."""
    skip = {"tests", "bench", "sample_data", "docs", "deploy", ".venv", ".git", "data"}
    found = {p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in skip
             and not p.name.startswith(".") and any(p.rglob("*.py"))}
    assert found <= PACKAGES, sorted(found - PACKAGES)
