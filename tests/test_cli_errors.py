"""Damaged files and internal errors: a clear message and an exit code, never a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import pytest

from auditlib.cli.common import EXIT_BAD_INPUT, EXIT_FAILURE, run_guarded
from auditlib.cli.main import cli
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import write_practice_county


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("errors")
    config = SynthConfig(
        county_code="420683",
        households=900,
        township_count=2,
        seed=6061,
        reference_date=date(2025, 3, 31),
    )
    params = write_practice_county(config, root, sample_seed=31)
    places = ["--workspace", str(root / "audits"), "--restricted", str(root / "restricted")]
    assert run_guarded(cli, ["sample", str(params), *places]) == 0
    return params, places


def test_a_damaged_issued_manifest_is_a_clear_error(
    drawn: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    params, places = drawn
    issued = Path(places[3]) / "420683" / "worksheets" / "issued.json"
    original = issued.read_bytes()
    workbook = sorted(issued.parent.glob("*.xlsx"))[0]
    try:
        issued.write_text('{"households": {"H1": ', encoding="utf-8")
        code = run_guarded(cli, ["fieldwork", "import", str(params), str(workbook), *places])
        text = "".join(capsys.readouterr())
        assert code == EXIT_BAD_INPUT
        assert "issued.json" in text and "damaged" in text and "Traceback" not in text
    finally:
        issued.write_bytes(original)


def test_a_damaged_sample_table_is_a_clear_error(
    drawn: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    params, places = drawn
    table = Path(places[1]) / "420683" / "sample" / "sample.csv"
    original = table.read_bytes()
    try:
        table.write_bytes(b"\x00\xff\xfe binary \x89PNG" * 50)
        code = run_guarded(cli, ["sample", str(params), *places, "--check"])
        text = "".join(capsys.readouterr())
        assert code == EXIT_BAD_INPUT
        assert "sample" in text and "Traceback" not in text
    finally:
        table.write_bytes(original)


def test_an_internal_error_is_one_line_and_a_saved_trace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @click.command()
    def broken() -> None:
        raise RuntimeError("张三 430522199001011234")  # a bug quoting a cell

    code = run_guarded(broken, [])
    printed = capsys.readouterr().err
    assert code == EXIT_FAILURE
    assert printed.count("\n") == 1 and "RuntimeError" in printed
    assert "张三" not in printed and "4305221990" not in printed
    trace = Path(printed.split("the full trace is in ")[1].split(" — ")[0])
    assert "RuntimeError" in trace.read_text(encoding="utf-8")
    trace.unlink()
