"""Reports for many counties: parallel, isolated, resumable, with a summary table.

Each county runs in its own worker process (started from a fork server that has imported the
heavy libraries once, or spawned where fork is unavailable), in its own process group so that a
county exceeding its time limit is killed together with its notebook kernel. A county that fails
is recorded with its error; the others finish. A county whose report folder's manifest matches
its current inputs is skipped (resume; checked by the workers, in parallel). Outputs are atomic
(see :func:`auditlib.report.produce.produce_report`), so killing a batch leaves every report
folder either complete or untouched.
The summary workbook is built by :mod:`auditlib.batch.summary`; the same batch on a Dask cluster
by :mod:`auditlib.batch.dask_runner`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from auditlib.batch.worker import LOG_FOLDER, worker_loop
from auditlib.errors import AuditError, ReportError
from auditlib.pipeline.params import load_params
from auditlib.report.lock import try_clean
from auditlib.report.render import resolve_pdf_engine

__all__ = [
    "BatchOptions",
    "CountyOutcome",
    "county_code_of",
    "outcome_from_result",
    "outcome_record",
    "prepare_batch",
    "run_batch",
]

_PRELOAD = [
    "auditlib.batch.worker_startup",  # first: keeps jsonschema's slow IRI checker out of nbformat
    "pandas",
    "papermill",
    "nbconvert",
    "jupyter_client",
    "auditlib.report.produce",
    "auditlib.report.render",
    "auditlib.batch.worker",
]


@dataclass(frozen=True)
class BatchOptions:
    """Options shared by every county of a batch (see
    :func:`auditlib.report.produce.produce_report`)."""

    restricted_root: str = "restricted"
    audit_root: str = ""  # county workspaces; empty: "audits" beside the output folder
    verification: str = "simulate"
    language: str = ""
    kernel_name: str | None = None
    timeout: float = 1800.0
    cell_timeout: int = 600
    pdf: bool = True
    pdf_engine: str = "auto"  # resolved by run_batch before any county starts


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


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def county_code_of(params_file: Path) -> str:
    """The county code of a parameter file (its stem when the file cannot be read)."""
    try:
        return str(load_params(params_file).county_code)
    except AuditError:
        return params_file.stem


def _kill(process: Any) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.join(5)


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
    paths, root, options = prepare_batch(params_files, output_root, options)
    workers = max(1, workers or os.cpu_count() or 1)
    outcomes: dict[int, CountyOutcome] = {}

    def record(index: int, outcome: CountyOutcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    pending = [(index, path, county_code_of(path)) for index, path in enumerate(paths)]
    if pending:
        _run_pending(pending, root, options, workers, resume, record)
    return [outcomes[index] for index in range(len(paths))]


def prepare_batch(
    params_files: Sequence[str | Path], output_root: str | Path, options: BatchOptions | None
) -> tuple[list[Path], Path, BatchOptions]:
    """Checks and settings before any county of a batch starts (process pool or Dask).

    Returns the parameter files and output folder as absolute paths (the folder created) and
    the options with the PDF engine resolved.

    Raises
    ------
    ReportError
        A parameter file given twice, or no PDF engine while PDFs are asked for.
    """
    options = options or BatchOptions()
    if options.pdf:  # no engine: one clear error before any county starts
        options = replace(options, pdf_engine=resolve_pdf_engine(options.pdf_engine))
    root = Path(output_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    paths = [Path(path).resolve() for path in params_files]
    duplicates = sorted({str(path) for path in paths if paths.count(path) > 1})
    if duplicates:
        raise ReportError(f"parameter file(s) given twice: {', '.join(duplicates)}")
    return paths, root, options


@dataclass
class _Worker:
    """A worker process, its pipe and the county it is working on."""

    process: Any
    connection: Any
    task: tuple[int, Path, str, float] | None = None


def _start_worker(context: Any, root: Path, options: BatchOptions, number: int) -> _Worker:
    parent, child = context.Pipe()
    process = context.Process(
        target=worker_loop, args=(child, str(root), options, number, os.getpid()), daemon=True
    )
    process.start()
    child.close()
    return _Worker(process, parent)


def _run_pending(
    pending: list[tuple[int, Path, str]],
    root: Path,
    options: BatchOptions,
    workers: int,
    resume: bool,
    record: Callable[[int, CountyOutcome], None],
) -> None:
    context = _context()
    (root / LOG_FOLDER).mkdir(parents=True, exist_ok=True)
    queue = list(reversed(pending))
    started_workers = 0
    pool: list[_Worker] = []
    for _ in range(min(workers, len(pending))):
        pool.append(_start_worker(context, root, options, started_workers))
        started_workers += 1
    try:
        while queue or any(worker.task for worker in pool):
            for worker in pool:
                if worker.task is None and queue:
                    index, path, code = queue.pop()
                    try_clean(root, code)
                    worker.connection.send((index, str(path), resume))
                    worker.task = (index, path, code, time.monotonic())
            busy = [worker for worker in pool if worker.task is not None]
            wait([w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=0.5)
            now = time.monotonic()
            for position, worker in enumerate(pool):
                if worker.task is None:
                    continue
                index, path, code, started = worker.task
                outcome: CountyOutcome | None = None
                replace = False
                if worker.connection.poll():
                    try:
                        _, result = worker.connection.recv()
                        outcome = outcome_from_result(path, code, result)
                    except (EOFError, OSError):
                        replace = True
                elif not worker.process.is_alive():
                    replace = True
                elif now - started > options.timeout:
                    _kill(worker.process)
                    try_clean(root, code)
                    message = f"exceeded the per-county timeout of {options.timeout:g} s"
                    outcome = CountyOutcome(str(path), code, "timeout", message, now - started)
                    replace = True
                if replace and outcome is None:
                    exitcode = worker.process.exitcode
                    message = f"worker process ended with exit code {exitcode}"
                    outcome = CountyOutcome(str(path), code, "failed", message, now - started)
                    try_clean(root, code)
                if outcome is None:
                    continue
                worker.task = None
                record(index, outcome)
                if replace:
                    _kill(worker.process)
                    pool[position] = _start_worker(context, root, options, started_workers)
                    started_workers += 1
    finally:
        for worker in pool:
            with contextlib.suppress(OSError, ValueError):
                worker.connection.send(None)
        for worker in pool:
            worker.process.join(30)
            if worker.process.is_alive():
                _kill(worker.process)


def outcome_from_result(path: Path, code: str, result: dict[str, Any]) -> CountyOutcome:
    """The outcome of a county from its worker's result dict (see
    :func:`auditlib.batch.worker.worker_loop`)."""
    return CountyOutcome(
        params_file=str(path),
        county_code=str(result.get("county_code", code)),
        status=str(result.get("status", "failed")),
        message=str(result.get("message", "")),
        seconds=float(result.get("seconds", 0.0)),
        peak_memory_mb=float(result.get("peak_memory_mb", 0.0)),
        kernel_peak_memory_mb=float(result.get("kernel_peak_memory_mb", 0.0)),
        steps={key: float(value) for key, value in result.get("steps", {}).items()},
    )


def outcome_record(outcome: CountyOutcome) -> dict[str, Any]:
    """An outcome as a plain dict (for JSON logs)."""
    return asdict(outcome)
