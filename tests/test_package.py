"""The package's public names: all importable, and ``import auditlib`` stays light."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import auditlib


def test_every_public_name_resolves_to_the_module_the_stub_names() -> None:
    # __init__.pyi is the one list of public names; lazy_loader reads it at run time.
    tree = ast.parse(Path(auditlib.__file__).with_suffix(".pyi").read_text(encoding="utf-8"))
    listed = {
        alias.name: f"auditlib.{node.module}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert set(auditlib.__all__) == {"__version__", *listed}
    for name, module in sorted(listed.items()):
        value = getattr(auditlib, name)
        assert getattr(importlib.import_module(module), name) is value, name
    assert set(dir(auditlib)) >= set(auditlib.__all__)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"auditlib.*not_a_name"):
        _ = auditlib.not_a_name  # type: ignore[attr-defined]


def test_import_loads_no_numerical_library() -> None:
    # A fresh interpreter: the test process itself has imported everything already.
    code = (
        "import sys, auditlib, auditlib.cli.main\n"
        "heavy = ['pandas', 'numpy', 'scipy', 'sklearn', 'matplotlib', 'openpyxl', 'weasyprint']\n"
        "print(','.join(name for name in heavy if name in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
