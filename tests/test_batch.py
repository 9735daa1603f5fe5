"""Batch runs: isolation of a broken county, resume, per-county timeout, interrupted batches,
summary table."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from filelock import FileLock, Timeout

from auditlib.batch.runner import BatchOptions, CountyOutcome, run_batch
from auditlib.batch.summary import summary_table
from auditlib.batch.summary_workbook import write_summary
from auditlib.report.produce import produce_report


def _county(root: Path, code: str, seed: int) -> Path:
    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import write_practice_county

    config = SynthConfig(
        county_code=code,
        county=f"测试{code[-2:]}县",
        province="测试省",
        seed=seed,
        households=3000,
        township_count=2,
        village_households=150,
    )
    return write_practice_county(config, root, sample_seed=3, n_estimators=50, max_samples=128)


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("batch")
    good = [_county(root, "410101", 12), _county(root, "410102", 13)]
    broken = _county(root, "410103", 14)
    households = root / "data" / "410103" / "households.csv"
    households.write_text("not,a,households,table\n1,2,3,4\n", encoding="utf-8")
    return root, [*good, broken]


def _options(root: Path, **changes: object) -> BatchOptions:
    values: dict[str, object] = {
        "restricted_root": str(root / "restricted"),
        "verification": "simulate",
        "pdf": False,
    }
    values.update(changes)
    return BatchOptions(**values)  # type: ignore[arg-type]


def test_broken_county_fails_alone_and_rerun_resumes(counties: tuple[Path, list[Path]]) -> None:
    root, params = counties
    seen: list[CountyOutcome] = []
    outcomes = run_batch(
        params, root / "reports", options=_options(root), workers=2, on_outcome=seen.append
    )
    assert [o.status for o in outcomes] == ["done", "done", "failed"]
    assert len(seen) == 3
    assert "households.csv" in outcomes[2].message, outcomes[2].message
    for outcome in outcomes[:2]:
        assert (root / "reports" / outcome.county_code / "report.html").is_file()
        assert outcome.peak_memory_mb > 0 and outcome.kernel_peak_memory_mb > 0
    assert not (root / "reports" / "410103").exists()
    table = summary_table(outcomes, root / "reports")
    assert list(table["status"]) == ["done", "done", "failed"]
    assert table.loc[0, "error_rate_lower"] <= table.loc[0, "error_rate_estimate"]
    path = write_summary(table, root / "reports").path
    sheet = openpyxl.load_workbook(path)["错保率"]
    assert sheet.cell(row=4, column=1).value == "410101"  # below the title and two header rows
    # a rerun skips the finished counties and retries the broken one
    again = run_batch(params, root / "reports", options=_options(root), workers=2)
    assert [o.status for o in again] == ["skipped", "skipped", "failed"]


def test_county_over_its_time_limit_is_stopped(counties: tuple[Path, list[Path]]) -> None:
    root, params = counties
    outcomes = run_batch(
        params[:1], root / "timeout", options=_options(root, timeout=2.0), workers=1
    )
    assert outcomes[0].status == "timeout"
    assert "2 s" in outcomes[0].message
    assert not (root / "timeout" / "410101").exists()
    assert not list((root / "timeout").glob(".partial-*"))


@pytest.mark.slow
def test_killed_batch_completes_on_rerun_without_redoing(counties: tuple[Path, list[Path]]) -> None:
    root, params = counties
    output = root / "killed"
    command = [
        sys.executable,
        "-m",
        "auditlib",
        "batch",
        str(params[0]),
        str(params[1]),
        "--out",
        str(output),
        "--restricted",
        str(root / "restricted"),
        "--verification",
        "simulate",
        "--workers",
        "1",
        "--no-pdf",
    ]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    first = output / "410101" / "manifest.json"
    while not first.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # the second county is now under way
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # The county's worker runs in its own session and exits when it sees the batch gone;
    # until then it holds the county's lock and a rerun is (rightly) refused. Wait for it as a
    # user would ("wait until it has finished").
    lock = FileLock(output / ".410102.lock", timeout=0)
    lock_deadline = time.monotonic() + 120
    while True:
        try:
            lock.acquire()
        except Timeout:
            assert time.monotonic() < lock_deadline, "the killed batch's worker never exited"
            time.sleep(0.5)
            continue
        lock.release()
        break
    assert first.exists()
    second = output / "410102"
    assert not second.exists() or (second / "manifest.json").exists(), "never half-written"
    outcomes = run_batch(params[:2], output, options=_options(root), workers=1)
    assert outcomes[0].status == "skipped"
    assert outcomes[1].status in ("done", "skipped")
    assert (second / "report.html").is_file()
    assert not list(output.glob(".partial-*"))
    shutil.rmtree(output)


def test_batch_command_exits_non_zero_and_lists_the_failure(
    counties: tuple[Path, list[Path]],
) -> None:
    root, params = counties
    # the good counties are current from the first test (resume: skipped); the broken one fails
    command = [
        sys.executable,
        "-m",
        "auditlib",
        "batch",
        *map(str, params),
        "--out",
        str(root / "reports"),
        "--restricted",
        str(root / "restricted"),
        "--verification",
        "simulate",
        "--workers",
        "2",
        "--no-pdf",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "410103" in result.stdout and "failed" in result.stdout
    assert "summary.xlsx" in result.stdout


def test_a_broken_county_first_on_one_worker_leaves_the_others_whole(
    counties: tuple[Path, list[Path]],
) -> None:
    # The broken county fails inside the notebook kernel; the worker must not carry anything
    # of it (namespace, working folder) into the next counties.
    root, params = counties
    broken, *good = params[2], params[0], params[1]
    outcomes = run_batch([broken, *good], root / "one-worker", options=_options(root), workers=1)
    assert [o.status for o in outcomes] == ["failed", "done", "done"], [o.message for o in outcomes]
    for outcome in outcomes[1:]:
        assert (root / "one-worker" / outcome.county_code / "report.html").is_file()


def test_a_second_writer_of_the_same_county_is_refused(
    counties: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    from auditlib.errors import ReportError
    from auditlib.report.lock import county_lock

    output = tmp_path / "reports"
    stale = output / ".partial-410101-dead"
    stale.mkdir(parents=True)
    with county_lock(output, "410101"):
        assert not stale.exists(), "leftovers of a dead run are cleaned by the lock holder"
        with pytest.raises(ReportError, match="being written by another auditlib run"):
            produce_report(
                counties[1][0], output, restricted_root=tmp_path / "restricted", pdf=False
            )


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups (POSIX)")
def test_workers_die_with_a_killed_batch(counties: tuple[Path, list[Path]]) -> None:
    psutil = pytest.importorskip("psutil")
    root, params = counties
    output = root / "orphans"
    command = [
        sys.executable,
        "-m",
        "auditlib",
        "batch",
        str(params[0]),
        "--out",
        str(output),
        "--restricted",
        str(root / "restricted"),
        "--verification",
        "simulate",
        "--workers",
        "1",
        "--no-pdf",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # wait until the worker is writing the report (its work folder exists), then kill the batch
    while time.monotonic() < deadline and not list(output.glob(".partial-410101-*")):
        time.sleep(0.2)
    assert list(output.glob(".partial-410101-*")), "the worker never started the report"
    everyone = psutil.Process(process.pid).children(recursive=True)
    process.kill()  # kill -9 of the batch alone
    process.wait()
    _gone, alive = psutil.wait_procs(everyone, timeout=5)
    assert alive == [], f"left running after the batch died: {[p.pid for p in alive]}"
    time.sleep(10)  # a surviving worker would have finished and published the report by now
    assert not (output / "410101" / "report.html").exists(), "nothing published after the batch"
