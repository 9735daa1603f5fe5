"""Declared dependencies match what the code imports: every third-party module imported by
``src/auditlib`` comes from a distribution declared in ``pyproject.toml``, and every declared
runtime dependency is imported somewhere (or is listed below with the reason it is needed
without an import)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "auditlib"
#: Declared, needed at run time, never imported by name.
USED_WITHOUT_IMPORT = {
    "ipykernel": "the kernel that runs the report notebook (started by jupyter_client)",
    "pyarrow": "pandas' parquet and Arrow-backed CSV engine",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalise(re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0])
        for spec in project["dependencies"]
    }


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name != "auditlib" and name not in sys.stdlib_module_names}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    providers = metadata.packages_distributions()
    return {module: {_normalise(d) for d in providers.get(module, [])} for module in modules}


def test_every_imported_module_is_declared() -> None:
    declared = _declared()
    undeclared = {
        module: sorted(dists)
        for module, dists in _distributions(_imported_modules()).items()
        if not dists & declared
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_every_declared_dependency_is_used() -> None:
    used = set().union(*_distributions(_imported_modules()).values())
    unused = _declared() - used - set(USED_WITHOUT_IMPORT)
    assert not unused, f"declared in pyproject.toml but never imported: {sorted(unused)}"
