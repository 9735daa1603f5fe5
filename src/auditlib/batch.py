"""Reports for many counties: parallel, isolated, resumable, with a summary table.

Each county runs in its own worker process (started from a fork server that has imported the
heavy libraries once, or spawned where fork is unavailable), in its own process group so that a
county exceeding its time limit is killed together with its notebook kernel. A county that fails
is recorded with its error; the others finish. A county whose report folder's manifest matches
its current inputs is skipped (resume). Outputs are atomic (see :func:`auditlib.report.
produce_report`), so killing a batch leaves every report folder either complete or untouched.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.errors import AuditError, ReportError

__all__ = [
    "BatchOptions",
    "CountyOutcome",
    "run_batch",
    "summary_table",
    "write_summary",
]

_PRELOAD = ["pandas", "papermill", "nbconvert", "weasyprint", "auditlib.report", "auditlib.render"]
_LOG_FOLDER = ".logs"


@dataclass(frozen=True)
class BatchOptions:
    """Options shared by every county of a batch (see :func:`auditlib.report.produce_report`)."""

    restricted_root: str = "restricted"
    verification: str = "simulate"
    language: str = ""
    kernel_name: str | None = None
    timeout: float = 1800.0
    cell_timeout: int = 600
    pdf: bool = True


@dataclass(frozen=True)
class CountyOutcome:
    """What happened to one county of a batch.

    Attributes
    ----------
    params_file : str
        The county's parameter file.
    county_code : str
        County code (the parameter file's stem when it could not be read).
    status : str
        ``"done"``, ``"skipped"`` (report already current), ``"failed"`` or ``"timeout"``.
    message : str
        Error message for failures; empty otherwise.
    seconds : float
        Wall time of the county (0 when skipped).
    peak_memory_mb : float
        Peak resident memory of the worker process (MB; 0 when skipped).
    kernel_peak_memory_mb : float
        Peak resident memory of its notebook kernel (MB).
    """

    params_file: str
    county_code: str
    status: str
    message: str = ""
    seconds: float = 0.0
    peak_memory_mb: float = 0.0
    kernel_peak_memory_mb: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)


def _maxrss_mb(who: int) -> float:
    value = resource.getrusage(who).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def _worker(params_file: str, output_root: str, options: BatchOptions, result_path: str) -> None:
    """Body of a worker process: produce one report, write a JSON result file."""
    if hasattr(os, "setsid"):
        os.setsid()  # own process group: a timeout kills the kernel too
    log_folder = Path(output_root) / _LOG_FOLDER
    log_folder.mkdir(parents=True, exist_ok=True)
    log = open(log_folder / f"{Path(params_file).stem}.log", "w", encoding="utf-8")  # noqa: SIM115
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    started = time.perf_counter()
    result: dict[str, Any] = {"status": "failed", "message": "", "steps": {}}
    try:
        from auditlib.report import produce_report

        report = produce_report(
            params_file,
            output_root,
            restricted_root=options.restricted_root,
            verification=options.verification,
            language=options.language,
            kernel_name=options.kernel_name,
            cell_timeout=options.cell_timeout,
            pdf=options.pdf,
        )
        result.update(status="done", county_code=report.county_code, steps=dict(report.seconds))
    except AuditError as error:
        result["message"] = f"{type(error).__name__}: {error.message}"
        for problem in error.problems[:20]:
            print(problem.describe(), file=log)
    except Exception as error:  # isolation: any failure is this county's only
        result["message"] = f"{type(error).__name__}: {error}"
        traceback.print_exc(file=log)
    result["seconds"] = time.perf_counter() - started
    result["peak_memory_mb"] = _maxrss_mb(resource.RUSAGE_SELF)
    result["kernel_peak_memory_mb"] = _maxrss_mb(resource.RUSAGE_CHILDREN)
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    log.close()


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _county_code(params_file: Path) -> str:
    try:
        from auditlib.params import load_params

        return str(load_params(params_file).county_code)
    except AuditError:
        return params_file.stem


def _kill(process: Any) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.join(5)


def _clean_partial(output_root: Path, county_code: str) -> None:
    for leftover in output_root.glob(f".partial-{county_code}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def run_batch(
    params_files: Sequence[str | Path],
    output_root: str | Path = "reports",
    *,
    options: BatchOptions | None = None,
    workers: int | None = None,
    resume: bool = True,
    on_outcome: Callable[[CountyOutcome], None] | None = None,
) -> list[CountyOutcome]:
    """Produce the reports of many counties in parallel.

    Parameters
    ----------
    params_files : sequence of path
        One parameter file per county.
    output_root : str or pathlib.Path
        Folder receiving ``<county_code>/`` report folders (and ``.logs/``).
    options : BatchOptions, optional
        Report options and the per-county timeout (seconds).
    workers : int, optional
        Counties run at once (default: the number of CPU cores).
    resume : bool
        Skip counties whose report is current (manifest matches the inputs).
    on_outcome : callable, optional
        Called with each :class:`CountyOutcome` as it is known (progress display).

    Returns
    -------
    list of CountyOutcome
        In the order of ``params_files``.
    """
    from auditlib.report import report_is_current

    options = options or BatchOptions()
    workers = max(1, workers or os.cpu_count() or 1)
    root = Path(output_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    paths = [Path(path).resolve() for path in params_files]
    duplicates = sorted({str(path) for path in paths if paths.count(path) > 1})
    if duplicates:
        raise ReportError(f"parameter file(s) given twice: {', '.join(duplicates)}")
    outcomes: dict[int, CountyOutcome] = {}

    def record(index: int, outcome: CountyOutcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    pending: list[tuple[int, Path, str]] = []
    for index, path in enumerate(paths):
        code = _county_code(path)
        if resume and report_is_current(
            path, root, verification=options.verification, language=options.language
        ):
            record(index, CountyOutcome(str(path), code, "skipped"))
        else:
            pending.append((index, path, code))
    if pending:
        _run_pending(pending, root, options, workers, record)
    return [outcomes[index] for index in range(len(paths))]


def _run_pending(
    pending: list[tuple[int, Path, str]],
    root: Path,
    options: BatchOptions,
    workers: int,
    record: Callable[[int, CountyOutcome], None],
) -> None:
    context = _context()
    results = root / _LOG_FOLDER
    results.mkdir(parents=True, exist_ok=True)
    queue = list(reversed(pending))
    running: dict[Any, tuple[int, Path, str, float, Path]] = {}
    while queue or running:
        while queue and len(running) < workers:
            index, path, code = queue.pop()
            _clean_partial(root, code)
            result_path = results / f"{path.stem}.result.json"
            result_path.unlink(missing_ok=True)
            process = context.Process(
                target=_worker, args=(str(path), str(root), options, str(result_path))
            )
            process.start()
            running[process] = (index, path, code, time.monotonic(), result_path)
        ready = wait([process.sentinel for process in running], timeout=0.5)
        now = time.monotonic()
        for process in list(running):
            index, path, code, started, result_path = running[process]
            if process.sentinel in ready:
                process.join()
                del running[process]
                record(index, _outcome(path, code, result_path, process.exitcode))
            elif now - started > options.timeout:
                _kill(process)
                del running[process]
                _clean_partial(root, code)
                message = f"exceeded the per-county timeout of {options.timeout:g} s"
                record(index, CountyOutcome(str(path), code, "timeout", message, now - started))


def _outcome(path: Path, code: str, result_path: Path, exitcode: int | None) -> CountyOutcome:
    try:
        result = json.loads(result_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return CountyOutcome(
            str(path), code, "failed", f"worker process ended with exit code {exitcode}"
        )
    return CountyOutcome(
        params_file=str(path),
        county_code=str(result.get("county_code", code)),
        status=str(result["status"]),
        message=str(result.get("message", "")),
        seconds=float(result.get("seconds", 0.0)),
        peak_memory_mb=float(result.get("peak_memory_mb", 0.0)),
        kernel_peak_memory_mb=float(result.get("kernel_peak_memory_mb", 0.0)),
        steps={key: float(value) for key, value in result.get("steps", {}).items()},
    )


_SUMMARY_FIGURES = (
    "error_rate_estimate",
    "error_rate_lower",
    "error_rate_upper",
    "improper_amount_estimate",
    "improper_amount_lower",
    "improper_amount_upper",
    "improper_rate_estimate",
    "improper_rate_lower",
    "improper_rate_upper",
    "omission_rate_estimate",
    "omission_rate_lower",
    "omission_rate_upper",
)


def summary_table(outcomes: Sequence[CountyOutcome], output_root: str | Path) -> pd.DataFrame:
    """All counties' key estimates side by side (from each report's ``estimates.json``)."""
    rows = []
    for outcome in outcomes:
        row: dict[str, Any] = {
            "county_code": outcome.county_code,
            "county": "",
            "status": outcome.status,
            "message": outcome.message,
        }
        path = Path(output_root) / outcome.county_code / "estimates.json"
        if outcome.status in ("done", "skipped") and path.is_file():
            content = json.loads(path.read_text(encoding="utf-8"))
            row["county"] = content.get("county", "")
            row.update({key: content["estimates"].get(key) for key in _SUMMARY_FIGURES})
        rows.append(row)
    table = pd.DataFrame(
        rows, columns=["county_code", "county", "status", "message", *_SUMMARY_FIGURES]
    )
    return table.sort_values("county_code", kind="stable").reset_index(drop=True)


def write_summary(table: pd.DataFrame, output_root: str | Path) -> Path:
    """Write ``summary.xlsx`` (key estimates of every county) into ``output_root``."""
    from io import BytesIO

    from auditlib.forms import normalise_xlsx

    path = Path(output_root) / "summary.xlsx"
    buffer = BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="summary", index=False)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(normalise_xlsx(buffer.getvalue()))
    os.replace(temporary, path)
    return path


def outcome_record(outcome: CountyOutcome) -> dict[str, Any]:
    """An outcome as a plain dict (for JSON logs)."""
    return asdict(outcome)
