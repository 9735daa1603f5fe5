"""A batch worker as a program of its own, started by a Dask worker (see ``dask_runner``).

A Dask worker is a daemonic process under its nanny, and :mod:`multiprocessing` refuses children
to daemonic processes; so a Dask worker starts ``python -m auditlib.batch.child FD`` with
:mod:`subprocess` instead. The program runs the process pool's own
:func:`auditlib.batch.worker.worker_loop` (one notebook kernel reused for many counties, the
kernel replaced after a failure, in its own process group) and talks with its Dask worker over a
socket pair (file descriptor ``FD``; POSIX only). It kills its process group, kernel included,
as soon as the Dask worker that started it is gone, so a worker lost mid-county publishes
nothing afterwards.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from auditlib.batch.worker import worker_loop
from auditlib.report.notebook_runner import skip_slow_iri_checker
from auditlib.report.render import weasyprint_problem

__all__ = ["WorkerChild", "main"]


class WorkerChild:
    """A worker program serving one county at a time for the calling process.

    Parameters
    ----------
    output_root : pathlib.Path
        The batch's output folder (the program's logs go to ``<output_root>/.logs/``).
    options : auditlib.batch.runner.BatchOptions
        The batch's report options.
    name : str
        Name of the worker's log file (``worker-<name>.log``), unique in the cluster.
    idle_timeout : float
        Seconds without a county after which the program ends by itself (its batch's client
        died before it could end it).
    """

    def __init__(self, output_root: Path, options: Any, name: str, idle_timeout: float) -> None:
        parent, child = multiprocessing.Pipe()  # a socket pair on POSIX
        self.process = subprocess.Popen(
            [sys.executable, "-m", "auditlib.batch.child", str(child.fileno())],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        child.close()
        self.connection = parent
        self.connection.send((str(output_root), options, name, os.getpid(), idle_timeout))
        self.idle_since = time.monotonic()

    def alive(self) -> bool:
        """Whether the program is still running."""
        return self.process.poll() is None

    def serve(
        self, index: int, params_file: str, timeout: float, resume: bool = True
    ) -> dict[str, Any]:
        """Produce one county's report: the result dict of :func:`.worker.worker_loop`.

        A county exceeding ``timeout`` seconds is stopped by killing the program's process group
        (its kernel too): status ``"timeout"``. A program that ended on its own (crash, out of
        memory): status ``"failed"``. Either way the program is gone afterwards. With
        ``resume``, a county whose report is current is ``"skipped"``.
        """
        started = time.monotonic()
        with contextlib.suppress(OSError):  # a program that died: found out below
            self.connection.send((index, params_file, resume))
        while True:
            remaining = timeout - (time.monotonic() - started)
            if remaining <= 0:
                self.kill()
                message = f"exceeded the per-county timeout of {timeout:g} s"
                return {"status": "timeout", "message": message, "seconds": timeout}
            try:
                if self.connection.poll(min(remaining, 0.5)):
                    _, result = self.connection.recv()
                    return dict(result)
            except (EOFError, OSError):
                pass
            if not self.alive():
                self.kill()
                message = f"worker process ended with exit code {self.process.returncode}"
                return {"status": "failed", "message": message}

    def kill(self) -> None:
        """Kill the program's process group (the program and its kernel)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # its own group: setsid in worker_loop
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait(10)
        self.connection.close()

    def stop(self) -> None:
        """Ask the program to shut its kernel down and end; kill it if it does not within 30 s."""
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(30)
        self.kill()


def main(argv: list[str]) -> None:
    """Serve counties over the socket whose file descriptor is ``argv[0]``."""
    skip_slow_iri_checker()  # before anything imports nbformat's jsonschema
    weasyprint_problem()  # preload WeasyPrint (or find it missing) once, as the fork server does
    connection = Connection(int(argv[0]))
    output_root, options, name, watched, idle_timeout = connection.recv()
    worker_loop(connection, output_root, options, name, watched, idle_timeout)


if __name__ == "__main__":
    main(sys.argv[1:])
