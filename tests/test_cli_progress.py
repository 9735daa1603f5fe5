"""What ``auditlib report`` shows while it runs (auditlib.cli.progress): the library's step and
per-cell records drive a progress bar, every record goes to a new log file per run, ``--quiet``
shows nothing but still logs, and a failure is logged by its type only (messages may quote
values)."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
import pytest

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
