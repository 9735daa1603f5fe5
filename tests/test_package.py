"""The package's public names: all importable, and ``import auditlib`` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import auditlib


def test_every_public_name_resolves_to_its_module() -> None:
    public = set(auditlib.__all__) - {"__version__"}
    assert public == set(auditlib._MODULE_OF)
    for name in sorted(public):
        value = getattr(auditlib, name)
        assert value is not None, name
    assert set(dir(auditlib)) >= set(auditlib.__all__)


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
