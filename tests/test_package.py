"""The package's public names: all importable, and ``import auditlib`` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import auditlib


def test_every_public_name_resolves_to_its_module() -> None:
    public = set(auditlib.__all__) - {"__version__"}
    assert public == set(auditlib._MODULE_OF)
    for name in sorted(public):
        value = getattr(auditlib, name)
        assert value is not None, name
    assert set(dir(auditlib)) >= set(auditlib.__all__)


def test_type_checking_imports_match_the_run_time_table() -> None:
    # The two lists of public names in auditlib/__init__.py: what type checkers see (imports
    # under TYPE_CHECKING) must be what __getattr__ imports, from the same modules.
    tree = ast.parse(Path(auditlib.__file__).read_text(encoding="utf-8"))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    static = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert static == auditlib._MODULE_OF


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        _ = auditlib.not_a_name  # type: ignore[attr-defined]


def test_import_loads_no_numerical_library() -> None:
    # A fresh interpreter: the test process itself has imported everything already.
    code = (
        "import sys, auditlib, auditlib.cli\n"
        "heavy = ['pandas', 'numpy', 'scipy', 'sklearn', 'matplotlib', 'openpyxl', 'weasyprint']\n"
        "print(','.join(name for name in heavy if name in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
