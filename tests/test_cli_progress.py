"""What ``auditlib report`` shows while it runs (auditlib.cli.progress): the library's step and
per-cell records drive a progress bar, every record goes to a new log file per run, ``--quiet``
shows nothing but still logs, and a failure is logged by its type only (messages may quote
values). ``risk evaluate``, ``synth examples`` and ``synth county`` show their steps the same
way (without a log file)."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner, Result

from auditlib.cli.main import cli
from auditlib.cli.progress import command_progress, run_log_path
from auditlib.report.notebook_runner import _cell_progress

LOG = logging.getLogger("auditlib.report")


def _run(log: Path, *, quiet: bool) -> None:
    with command_progress(log, quiet=quiet, verbose=False):
        LOG.info("running the report notebook", extra={"step": "notebook"})
        for done in (1, 2):
            LOG.info("notebook cell %d of %d", done, 2, extra={"progress": (done, 2)})


@pytest.mark.parametrize("quiet", [False, True])
def test_records_reach_the_log_file(
    tmp_path: Path, quiet: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "logs" / "x.log"
    _run(log, quiet=quiet)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "running the report notebook",
        "notebook cell 1 of 2",
        "notebook cell 2 of 2",
    ]
    assert LOG.handlers == [] and logging.getLogger("auditlib").handlers == []
    if quiet:
        assert capsys.readouterr().err == ""


def test_failure_is_logged_by_type_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "x.log"
    with pytest.raises(ValueError), command_progress(log, quiet=False, verbose=False):
        raise ValueError("value 430522199001011234 at row 5")
    text = log.read_text(encoding="utf-8")
    assert "failed: ValueError" in text and "430522199001011234" not in text
    assert "failed" not in capsys.readouterr().err  # the terminal gets the error message itself


def test_each_run_gets_a_new_log_file(tmp_path: Path) -> None:
    first = run_log_path(tmp_path, "430522")
    first.parent.mkdir(parents=True)
    first.write_text("earlier run\n", encoding="utf-8")
    second = run_log_path(tmp_path, "430522")
    assert second != first and second.name.startswith("430522-") and not second.exists()


def test_cell_hook_counts_code_cells_only(caplog: pytest.LogCaptureFixture) -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell("1"),
            nbformat.v4.new_markdown_cell("text"),
            nbformat.v4.new_code_cell("2"),
        ]
    )
    hook = _cell_progress(notebook)
    with caplog.at_level(logging.INFO, logger="auditlib.report"):
        hook(cell=notebook.cells[1], cell_index=1, execute_reply={})
        hook(cell=notebook.cells[3], cell_index=3, execute_reply={})
    assert [record.progress for record in caplog.records] == [(1, 2), (2, 2)]


# ``risk evaluate``, ``synth examples`` and ``synth county`` on tiny counties (300 households in
# two townships): --quiet prints nothing on stderr, the default shows the bar (rich renders it
# when stderr counts as a terminal: TTY_COMPATIBLE=1), --verbose prints every step as a line.
SMALL_SPEC = """counties:
  - {county_code: "430522", county: 新邵县, province: 湖南省, seed: 7, households: 300,
     township_count: 2}
  - {county_code: "530621", county: 鲁甸县, province: 云南省, seed: 8, households: 300,
     township_count: 2}
"""


@pytest.fixture
def small_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "counties.yaml"
    spec.write_text(SMALL_SPEC, encoding="utf-8")
    return spec


def _invoke(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("flag", ["--quiet", None, "--verbose"])
def test_synth_examples_progress(
    small_spec: Path, tmp_path: Path, flag: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    arguments = ["synth", "examples", "--spec", str(small_spec), "--out", str(out)]
    result = _invoke(arguments + ([flag] if flag else []), monkeypatch)
    assert result.stdout.count("300 households") == 2  # the result, whatever the flag
    steps = [
        "430522 新邵县 (1 of 2): generating 300 households (seed 7)",
        "530621 鲁甸县 (2 of 2): writing the files",
    ]
    if flag == "--quiet":
        assert result.stderr == ""
    elif flag is None:  # the bar: the county being done, counted
        assert "530621 鲁甸县 (2 of 2)" in result.stderr and "2/2" in result.stderr
        assert "430522: members" not in result.stderr  # stages only with --verbose
    else:  # each step, also the generator's stages and each file
        for step in [*steps, "430522: members", "530621 鲁甸县 (2 of 2): written", "wrote "]:
            assert step in result.stderr


@pytest.mark.parametrize("flag", ["--quiet", None])
def test_synth_county_progress(
    tmp_path: Path, flag: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments = ["synth", "county", "--seed", "3", "--households", "300", "--townships", "2"]
    arguments += ["--out", str(tmp_path / "county")]
    result = _invoke(arguments + ([flag] if flag else []), monkeypatch)
    assert "300 households" in result.stdout
    if flag == "--quiet":
        assert result.stderr == ""
    else:
        assert "430522 新邵县: writing the files" in result.stderr


@pytest.mark.parametrize("flag", ["--quiet", "--verbose"])
def test_risk_evaluate_progress(
    small_spec: Path, flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments = ["risk", "evaluate", "--spec", str(small_spec), "--county", "430522"]
    seeds = "1" if flag == "--quiet" else "2"
    arguments += ["--generator-seeds", seeds, "--scorer-seeds", "1", flag]
    result = _invoke(arguments, monkeypatch)
    assert "Metrics" in result.stdout
    if flag == "--quiet":
        assert result.stderr == ""
        return
    for step in [
        "generator seed 8 (1 of 2): generating the county",
        "generator seed 8 (1 of 2): scoring with 1 forest seed(s)",
        "generator seed 9 (2 of 2): evaluated",
    ]:
        assert step in result.stderr
    assert "2/2" in result.stderr  # the bar counts the generated counties
