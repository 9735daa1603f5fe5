"""The package's shape: one subpackage per stage, imports one way, no circles, small modules.

The import rules themselves are import-linter contracts in ``pyproject.toml`` (``layers``:
``cli → batch → report → pipeline → {fieldwork, evaluation} → {risk, sampling, estimation,
synth} → data → errors``; ``acyclic_siblings``: no import circle between modules at any depth);
these tests run them and check what import-linter does not.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import auditlib

PACKAGE = Path(auditlib.__file__).parent
PROJECT = PACKAGE.parents[1]
STAGES = (
    "batch",
    "cli",
    "data",
    "estimation",
    "evaluation",
    "fieldwork",
    "pipeline",
    "report",
    "risk",
    "sampling",
    "synth",
)
MAX_MODULE_LINES = 400
#: Modules whose functions may import auditlib modules lazily, and why (each import carries a
#: comment saying so): the command line and the report runner start before they need them.
LAZY_IMPORTS_ALLOWED = (
    "auditlib.cli.",
    "auditlib.report.produce",
    "auditlib.report.privacy",
    "auditlib.report.sources",
)


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def _lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command is not None, "import-linter is not installed (pip install -e '.[dev]')"
    return subprocess.run(
        [command, "--config", str(config), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    result = _lint_imports(PROJECT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def _lint_copy_with(tmp_path: Path, module: str, line: str) -> str:
    """Lint a copy of the package with ``line`` appended to ``module``; return the report."""
    copy = tmp_path / "src" / "auditlib"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "assets"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    config.write_text((PROJECT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
            "--config",
            str(config),
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # upward imports, against the order of the stages
        ("data/bundle.py", "import auditlib.risk.scorer", "Stages import one way"),
        ("errors.py", "import auditlib.data.codes", "Stages import one way"),
        # between independent stages of one layer
        ("sampling/plan.py", "import auditlib.estimation.results", "Stages import one way"),
        ("fieldwork/layout.py", "import auditlib.evaluation.coverage", "Stages import one way"),
        # data.io imports data.schema: the reverse import closes a circle inside a stage
        ("data/schema.py", "import auditlib.data.io", "No import circle between modules"),
    ],
)
def test_the_contracts_can_fail(tmp_path: Path, module: str, line: str, broken: str) -> None:
    report = _lint_copy_with(tmp_path, module, line)
    assert re.search(re.escape(broken) + r".* BROKEN", report), report


def test_top_level_holds_only_the_stages() -> None:
    entries = {path.name for path in PACKAGE.iterdir() if path.name != "__pycache__"}
    files = {"__init__.py", "__init__.pyi", "__main__.py", "errors.py", "py.typed"}
    assert entries == files | set(STAGES)
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{init} needs a docstring saying what the stage owns"
        assert all(isinstance(node, ast.Expr) for node in tree.body), (
            f"{init} must not import or define anything (one home per name)"
        )


def test_every_module_is_at_most_400_lines() -> None:
    long = {
        name: count
        for name, path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_module_imports_the_package_root() -> None:
    # auditlib/__init__ re-exports everything lazily; importing it from inside is a circle.
    offenders = []
    for name, path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "auditlib" and node.level == 0:
                offenders.append(name)
            if isinstance(node, ast.Import) and any(a.name == "auditlib" for a in node.names):
                offenders.append(name)
    assert offenders == []


def test_lazy_imports_only_where_allowed_and_explained() -> None:
    problems = []
    for name, path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                    "auditlib"
                ):
                    continue
                if not name.startswith(LAZY_IMPORTS_ALLOWED):
                    problems.append(f"{name}:{node.lineno} imports {node.module} in a function")
                    continue
                here = lines[node.lineno - 1]
                block_start = node.lineno - 1
                while block_start > 0 and lines[block_start - 1].lstrip().startswith(
                    ("from auditlib", "import auditlib")
                ):
                    block_start -= 1
                explained = "#" in here or lines[block_start - 1].lstrip().startswith("#")
                if not explained:
                    problems.append(f"{name}:{node.lineno} lazy import without a reason")
    assert problems == []


def test_the_report_notebook_has_one_home() -> None:
    # The template ships inside the package (it must work from a wheel); notebooks/ links to it
    # for analysts who open it in JupyterLab, so the two can never differ.
    from auditlib.report.folder import notebook_template

    link = PROJECT / "notebooks" / "county_report.ipynb"
    assert link.is_symlink()
    assert link.resolve() == notebook_template().resolve()
    assert notebook_template().is_relative_to(PACKAGE)


def test_version_is_the_installed_distribution_version() -> None:
    from importlib import metadata

    assert auditlib.__version__ == metadata.version("auditlib")
