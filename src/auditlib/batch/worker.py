"""The worker processes of :mod:`auditlib.batch.runner`.

A worker is a long-lived process in its own process group that receives counties over a pipe
and produces their reports one after the other. It keeps one notebook kernel alive across
counties (the kernel's imports — pandas, scikit-learn, matplotlib, auditlib — are the largest
fixed cost of a report); before each county the kernel's namespace is reset and its working
directory set (:func:`auditlib.report.notebook_runner.execute_notebook` with ``kernel_manager``),
and execution counts are renumbered, so a report made by a reused kernel is byte-identical to one
made by a fresh kernel. The kernel is replaced after :data:`KERNEL_REUSE_LIMIT` counties, or when
it died. The parent kills the whole process group (worker and kernel) of a county that exceeds
its time limit and starts a new worker. The resume check (is the county's report current?) runs
here too, so a batch's workers share the hashing of the inputs instead of the batch process doing
it for every county before any starts.

The same loop serves the process pool (:mod:`auditlib.batch.runner`) and the programs Dask
workers start (:mod:`auditlib.batch.child`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from auditlib.errors import AuditError
from auditlib.report.kernel import start_kernel
from auditlib.report.produce import produce_report
from auditlib.report.report_kernel import REPORT_PRELOAD
from auditlib.report.verify import report_is_current

__all__ = ["KERNEL_REUSE_LIMIT", "LOG_FOLDER", "county_is_current", "worker_loop"]

#: Counties one kernel serves before it is replaced (bounds memory growth).
KERNEL_REUSE_LIMIT = 25
LOG_FOLDER = ".logs"


def _maxrss_mb() -> float:
    try:
        import resource  # Unix only
    except ImportError:
        return 0.0
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def _kernel_peak_mb(kernel: Any) -> float:
    """Peak resident memory of the kernel process (Linux ``VmHWM``; 0 elsewhere)."""
    process = getattr(getattr(kernel, "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except (OSError, TypeError):
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1]) / 1024
    return 0.0


def _start_kernel(kernel_name: str | None, cwd: str) -> Any:
    return start_kernel(kernel_name, cwd=Path(cwd), preload=REPORT_PRELOAD)


def _produce(
    params_file: str, output_root: str, options: Any, kernel: Any, log: Any
) -> dict[str, Any]:
    result: dict[str, Any] = {"status": "failed", "message": "", "steps": {}}
    try:
        report = produce_report(
            params_file,
            output_root,
            restricted_root=options.restricted_root,
            audit_root=options.audit_root or None,
            verification=options.verification,
            language=options.language,
            kernel_name=options.kernel_name,
            cell_timeout=options.cell_timeout,
            pdf=options.pdf,
            pdf_engine=options.pdf_engine,
            kernel_manager=kernel,
        )
        result.update(status="done", county_code=report.county_code, steps=dict(report.seconds))
    except AuditError as error:
        result["message"] = f"{type(error).__name__}: {error.message}"
        print(result["message"], file=log)
        for problem in error.problems[:200]:
            print(problem.describe(), file=log)
        if len(error.problems) > 200:
            print(f"... and {len(error.problems) - 200} more problem(s)", file=log)
    except Exception as error:  # isolation: any failure is this county's only
        result["message"] = f"{type(error).__name__}: {error}"
        traceback.print_exc(file=log)
    return result


def county_is_current(params_file: str | Path, output_root: str | Path, options: Any) -> bool:
    """Whether the county's report folder is complete and made from its current inputs (resume).

    See :func:`auditlib.report.verify.report_is_current`; ``options`` is the batch's
    :class:`~auditlib.batch.runner.BatchOptions` (its PDF engine already resolved).
    """
    return report_is_current(
        Path(params_file),
        Path(output_root),
        verification=options.verification,
        language=options.language,
        pdf=options.pdf,
        pdf_engine=options.pdf_engine,
    )


def _die_with_batch(batch: int) -> None:
    """Kill this worker's process group (it and its kernel) once the batch process is gone.

    A batch killed with ``kill -9`` cannot stop its workers; without this they would go on
    and publish reports after the batch is dead. The batch's process id is watched directly
    (a forkserver worker's parent is the fork server, not the batch). POSIX only.
    """

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(batch, 0)
            except ProcessLookupError:
                os.killpg(os.getpgrp(), signal.SIGKILL)
            except PermissionError:  # alive, another user's process: cannot happen for ours
                continue

    threading.Thread(target=watch, name="die-with-batch", daemon=True).start()


def worker_loop(
    connection: Any,
    output_root: str,
    options: Any,
    number: int | str,
    batch: int = 0,
    idle_timeout: float | None = None,
) -> None:
    """Serve counties from ``connection`` until it sends ``None`` (run in a worker process).

    Each request is ``(index, params_file)`` or ``(index, params_file, resume)``; each reply
    ``(index, result dict)`` with status (``"skipped"`` when ``resume`` and the report is
    current), message, seconds, step times and peak memory of the worker and of its kernel.
    ``batch`` is the process whose end kills this worker's process group (0: none); with
    ``idle_timeout``, the worker also ends after that many seconds without a request.
    """
    if hasattr(os, "setsid"):
        os.setsid()  # own process group: a timeout kills the kernel too
        if batch:
            _die_with_batch(batch)
    logs = Path(output_root) / LOG_FOLDER
    logs.mkdir(parents=True, exist_ok=True)
    worker_log = open(logs / f"worker-{number}.log", "a", encoding="utf-8")  # noqa: SIM115
    os.dup2(worker_log.fileno(), 1)
    os.dup2(worker_log.fileno(), 2)
    kernel: Any = None
    served = 0
    try:
        while True:
            if idle_timeout is not None and not connection.poll(idle_timeout):
                break  # nobody has sent a county for a long time: its batch is gone
            request = connection.recv()
            if request is None:
                break
            index, params_file, *resume = request
            started = time.perf_counter()
            try:
                current = bool(resume and resume[0]) and county_is_current(
                    params_file, output_root, options
                )
            except Exception:  # the county's own run reports what is wrong with it
                current = False
            if current:
                connection.send((index, {"status": "skipped"}))
                continue
            with open(logs / f"{Path(params_file).stem}.log", "w", encoding="utf-8") as log:
                try:
                    if kernel is None or served >= KERNEL_REUSE_LIMIT or not kernel.is_alive():
                        if kernel is not None:
                            kernel.shutdown_kernel(now=True)
                        kernel, served = _start_kernel(options.kernel_name, output_root), 0
                    result = _produce(params_file, output_root, options, kernel, log)
                except Exception as error:  # kernel could not start
                    result = {"status": "failed", "message": f"{type(error).__name__}: {error}"}
                    traceback.print_exc(file=log)
            served += 1
            if result.get("status") != "done" and kernel is not None:
                # isolation: after any failure the next county gets a fresh kernel, whatever
                # state (namespace, folder, half-run cells) the failed one left behind
                kernel.shutdown_kernel(now=True)
                kernel = None
            result["seconds"] = time.perf_counter() - started
            result["peak_memory_mb"] = _maxrss_mb()
            result["kernel_peak_memory_mb"] = _kernel_peak_mb(kernel)
            connection.send((index, result))
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        if kernel is not None:
            kernel.shutdown_kernel(now=True)
        worker_log.close()
