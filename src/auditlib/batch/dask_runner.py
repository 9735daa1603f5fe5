"""Reports for many counties on a Dask ``distributed`` cluster, with the local pool's semantics.

:func:`run_dask_batch` sends one Dask task per county to an existing cluster (a scheduler
address, as started by ``dask scheduler`` and ``dask worker``) or to a
:class:`~distributed.LocalCluster` it starts. Dask does the scheduling, including re-running
the tasks of a worker that was lost; what a task does is what a worker of the process pool
(:mod:`auditlib.batch.runner`) does:

* **Kernel reuse.** A task hands its county to a worker program (:mod:`auditlib.batch.child`:
  the pool's own :func:`~auditlib.batch.worker.worker_loop`) that its Dask worker keeps for the
  whole batch, one per worker thread, so one notebook kernel serves many counties. The programs
  belong to a worker plugin registered for the batch and end with it (or by themselves after
  :data:`IDLE_TIMEOUT` seconds without a county, should the client die first).
* **Per-county timeout and kill.** The task waits at most the county's time limit, then kills
  the program's process group, kernel included, and lists the county as ``"timeout"``.
* **Isolation.** A county's failure, and even a crash of its program, is that county's only; the
  Dask worker itself runs no county code, and a new program serves the next county.
* **Resume.** The check whether a county's report is current runs in the worker programs, in
  parallel, not county after county in the client.
* **Atomic outputs, worker loss.** Reports are written to a work folder and renamed into place
  (:func:`auditlib.report.produce.produce_report`) under the county's lock. When a Dask worker
  dies mid-county its program kills itself within a second, publishing nothing; Dask re-runs
  the task elsewhere, and that task waits for the county's lock, removes the half-written work
  folder and starts again (or skips the county, had its report been published just before).

Paths are sent as they are: the parameter files, data, output, workspace and restricted folders
must be reachable by every worker under the same absolute paths (a shared filesystem whose
locks work across machines, e.g. NFSv4). Worker programs use POSIX socket pairs and process
groups: Dask workers run on Linux or macOS.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker

from auditlib.batch.child import WorkerChild
from auditlib.batch.runner import (
    BatchOptions,
    CountyOutcome,
    county_code_of,
    outcome_from_result,
    prepare_batch,
)
from auditlib.batch.worker import LOG_FOLDER
from auditlib.errors import ReportError
from auditlib.report.lock import try_clean

__all__ = [
    "CONNECT_TIMEOUT",
    "IDLE_TIMEOUT",
    "LOCK_WAIT",
    "CountyWorkers",
    "county_task",
    "run_dask_batch",
]

#: Seconds the client waits for the scheduler before giving up with a clear error.
CONNECT_TIMEOUT = 30.0
#: Seconds without a county after which a worker program ends by itself (when the client of
#: its batch died and could not end it); a program idle for half of it is not reused.
IDLE_TIMEOUT = 900.0
#: Seconds a county's task waits for the county's lock (held by the program of a lost worker
#: until it has killed itself, well under a second) before it starts anyway.
LOCK_WAIT = 60.0


class CountyWorkers(WorkerPlugin):
    """The worker programs of one batch on one Dask worker: started on demand, reused, ended
    with the batch (plugin teardown) or the worker.

    Parameters
    ----------
    output_root : str
        The batch's output folder.
    options : BatchOptions
        The batch's report options (PDF engine resolved).
    """

    def __init__(self, output_root: str, options: BatchOptions) -> None:
        self.output_root = output_root
        self.options = options

    def setup(self, worker: Any) -> None:
        """Prepare the (empty) set of programs on ``worker``."""
        self._lock = threading.Lock()
        self._idle: list[WorkerChild] = []
        self._started = 0
        self._prefix = f"{socket.gethostname()}-{os.getpid()}"

    def teardown(self, worker: Any) -> None:
        """End the programs (their kernels shut down)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.stop()

    def acquire(self) -> WorkerChild:
        """An idle program of this worker, or a new one."""
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if not child.alive():
                    child.connection.close()
                elif time.monotonic() - child.idle_since < IDLE_TIMEOUT / 2:
                    return child
                else:  # about to end by itself
                    child.kill()
            self._started += 1
            name = f"{self._prefix}-{self._started}"
        return WorkerChild(Path(self.output_root), self.options, name, IDLE_TIMEOUT)

    def release(self, child: WorkerChild) -> None:
        """Give a program back after a county (dropped when it is gone)."""
        if child.alive():
            child.idle_since = time.monotonic()
            with self._lock:
                self._idle.append(child)


def county_task(index: int, params_file: str, output_root: str, resume: bool, plugin: str) -> Any:
    """One county on a Dask worker (the task :func:`run_dask_batch` submits).

    Idempotent: a re-run after a lost worker finds the report published (skipped, with
    ``resume``) or not at all; a half-written work folder is removed before the county starts.

    Returns
    -------
    CountyOutcome
    """
    path, root = Path(params_file), Path(output_root)
    code = county_code_of(path)
    workers = cast(CountyWorkers, get_worker().plugins[plugin])
    deadline = time.monotonic() + LOCK_WAIT
    while not try_clean(root, code) and time.monotonic() < deadline:
        time.sleep(0.5)
    child = workers.acquire()
    try:
        result = child.serve(index, str(path), workers.options.timeout, resume)
    finally:
        workers.release(child)
    if result.get("status") in ("failed", "timeout"):
        try_clean(root, code)
    return outcome_from_result(path, code, result)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None, timeout: float) -> Iterator[Client]:
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=max(1, workers or os.cpu_count() or 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise ReportError(
            f"could not reach the Dask scheduler at {scheduler} within {timeout:g} s "
            f"({type(error).__name__}: {error}); start one with `dask scheduler` and workers "
            f"with `dask worker {scheduler} --nthreads 1`, or run on this machine with "
            "--cluster local"
        ) from None
    try:
        yield client
    finally:
        client.close()


def run_dask_batch(
    params_files: Sequence[str | Path],
    output_root: str | Path = "reports",
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    options: BatchOptions | None = None,
    resume: bool = True,
    on_outcome: Callable[[CountyOutcome], None] | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> list[CountyOutcome]:
    """Produce the reports of many counties on a Dask cluster.

    Parameters
    ----------
    params_files : sequence of path
        One parameter file per county, reachable by every worker under the same path.
    output_root : str or pathlib.Path
        Folder receiving ``<county_code>/`` report folders (and ``.logs/``); on a filesystem
        every worker shares.
    scheduler : str, optional
        Address of a running scheduler (``tcp://HOST:8786``); default: start a
        :class:`~distributed.LocalCluster` of ``workers`` single-threaded worker processes.
    workers : int, optional
        Workers of the local cluster (default: the number of CPU cores); unused with
        ``scheduler`` (the cluster's worker threads set how many counties run at once).
    options : BatchOptions, optional
        Report options and the per-county timeout (seconds).
    resume : bool
        Skip counties whose report is current (checked on the workers).
    on_outcome : callable, optional
        Called with each :class:`CountyOutcome` as it is known (progress display).
    connect_timeout : float
        Seconds to wait for the scheduler.

    Returns
    -------
    list of CountyOutcome
        In the order of ``params_files``; a county whose task could not run (every worker
        that tried it died, see Dask's ``distributed.scheduler.allowed-failures``) is
        ``"failed"`` with Dask's message.

    Raises
    ------
    ReportError
        The scheduler cannot be reached, a parameter file is given twice, or no PDF engine.
    """
    paths, root, options = prepare_batch(params_files, output_root, options)
    (root / LOG_FOLDER).mkdir(parents=True, exist_ok=True)
    outcomes: dict[int, CountyOutcome] = {}
    with _client(scheduler, workers, connect_timeout) as client:
        token = uuid.uuid4().hex[:12]
        plugin = f"auditlib-batch-{token}"
        client.register_plugin(CountyWorkers(str(root), options), name=plugin)
        try:
            futures = client.map(
                county_task,
                list(range(len(paths))),
                [str(path) for path in paths],
                output_root=str(root),
                resume=resume,
                plugin=plugin,
                key=[f"county-{path.stem}-{token}" for path in paths],
                pure=False,
            )
            index_of = {future.key: index for index, future in enumerate(futures)}
            for future, result in as_completed(futures, with_results=True, raise_errors=False):
                index = index_of[future.key]
                if isinstance(result, CountyOutcome):
                    outcome = result
                else:  # the task itself could not run: Dask's error (KilledWorker, ...)
                    path = paths[index]
                    code = county_code_of(path)
                    message = f"{type(result).__name__}: {result}"
                    outcome = CountyOutcome(str(path), code, "failed", message)
                    try_clean(root, code)
                outcomes[index] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
        finally:
            with contextlib.suppress(Exception):
                client.unregister_worker_plugin(plugin)
    return [outcomes[index] for index in range(len(paths))]
