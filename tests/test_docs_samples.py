"""Every Python code sample in ``docs/`` and the README runs as written.

Each fenced ``python`` block is executed on its own, in a fresh namespace, in a temporary
working folder (a sample that writes files writes them there). An API outline that is not meant
to run is fenced as ``text``, not ``python``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def _samples() -> list[tuple[str, str]]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for number, match in enumerate(_BLOCK.finditer(text), start=1):
            line = text[: match.start()].count("\n") + 1
            found.append((f"{path.relative_to(ROOT)}:{line} (block {number})", match.group(1)))
    return found


SAMPLES = _samples()


def test_the_docs_have_samples() -> None:
    assert len(SAMPLES) >= 3


@pytest.mark.parametrize(("where", "code"), SAMPLES, ids=[where for where, _ in SAMPLES])
def test_sample_runs_as_written(
    where: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(code, where, "exec"), {"__name__": "__docs__"})
