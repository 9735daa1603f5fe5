"""Declared dependencies match what the code imports: every third-party module imported by
``src/auditlib`` comes from a distribution declared in ``pyproject.toml``, and every declared
runtime dependency is imported somewhere (or is listed below with the reason it is needed
without an import). ``requirements.lock`` (written by ``scripts/lock.sh``) pins every declared
dependency with hashes and platform markers."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PACKAGE = ROOT / "src" / "auditlib"
#: Declared, needed at run time, never imported by name.
USED_WITHOUT_IMPORT = {
    "ipykernel": "the kernel that runs the report notebook (started by jupyter_client)",
    "pyarrow": "pandas' parquet and Arrow-backed CSV engine",
    "dask": "the `dask scheduler` / `dask worker` commands (its entry point) that start a cluster",
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


def _declared_with_extras() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in ("dev", "lab"):
        specs += project["optional-dependencies"][extra]
    return [Requirement(spec) for spec in specs]


def _lock_entries() -> list[str]:
    """The lock's requirements, each with its continuation lines joined, comments dropped."""
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    return [
        " ".join(line.split())
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_lock_pins_every_package_with_a_hash() -> None:
    unpinned = []
    for entry in _lock_entries():
        requirement = Requirement(entry.split(" --hash=", 1)[0])
        pinned = [specifier.operator for specifier in requirement.specifier] == ["=="]
        if not pinned or " --hash=sha256:" not in entry:
            unpinned.append(entry[:80])
    assert not unpinned, f"requirements.lock lines without '==' and a sha256 hash: {unpinned}"


def test_lock_covers_every_declared_dependency() -> None:
    locked: dict[str, list[str]] = {}
    for entry in _lock_entries():
        requirement = Requirement(entry.split(" --hash=", 1)[0])
        locked.setdefault(_normalise(requirement.name), []).extend(
            specifier.version for specifier in requirement.specifier
        )
    problems = []
    for requirement in _declared_with_extras():
        versions = locked.get(_normalise(requirement.name))
        if not versions:
            problems.append(f"{requirement.name}: missing")
        elif not any(requirement.specifier.contains(version) for version in versions):
            problems.append(f"{requirement}: locked at {versions}")
    assert not problems, f"pyproject.toml dependencies not in requirements.lock: {problems}"


def test_lock_is_universal() -> None:
    """One lock for Linux, macOS and Windows: packages needed only on Windows carry a marker."""
    entries = _lock_entries()
    assert any("sys_platform == 'win32'" in entry for entry in entries)
    assert any("sys_platform == 'darwin'" in entry for entry in entries)
