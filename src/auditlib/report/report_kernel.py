"""The kernel one report runs in: a batch worker's (reused) or its own (started at once).

The report's own kernel starts in the report's work folder as soon as the parameters are known
and imports :data:`REPORT_PRELOAD` while the runner prepares
(:func:`auditlib.report.kernel.start_kernel`).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from auditlib.report.kernel import start_kernel

__all__ = ["REPORT_PRELOAD", "ReportKernel"]

#: Modules a fresh report kernel imports while the runner prepares
#: (see :func:`auditlib.report.kernel.start_kernel`).
REPORT_PRELOAD = (
    # the pipeline's audit run: loading, risk (scikit-learn), sampling, fieldwork, synth,
    # estimation (scipy) and pandas
    "auditlib.report.sections",
    "auditlib.report.sections_risk",
    "auditlib.report.outputs",  # the statistics form
    "xlsxwriter",
    "matplotlib.figure",
    "matplotlib.backends.backend_svg",
)


class ReportKernel:
    """The kernel a report runs in: a batch worker's (reused, left running) or its own.

    An own kernel is started in the report's work folder as soon as the parameters are known,
    importing :data:`REPORT_PRELOAD` while the runner prepares; it is shut down in the
    background as soon as the notebook has run (:meth:`release`), while the report renders,
    and at the latest when the report is done, before its folder is moved into place.
    """

    def __init__(self, reused: Any, kernel_name: str, cell_timeout: int, work: Path) -> None:
        self.manager = reused
        self.fresh = reused is None
        self._kernel_name, self._cell_timeout, self._work = kernel_name, cell_timeout, work
        self._shutdown: threading.Thread | None = None

    def __enter__(self) -> ReportKernel:
        if self.fresh:
            self.manager = start_kernel(
                self._kernel_name,
                cwd=self._work,
                preload=REPORT_PRELOAD,
                start_timeout=self._cell_timeout,
            )
        return self

    def release(self) -> None:
        """Start shutting an own kernel down (in a thread); a reused kernel is left alone."""
        if self.fresh and self._shutdown is None:
            self._shutdown = threading.Thread(
                target=_shut_down, args=(self.manager,), name="kernel-shutdown", daemon=True
            )
            self._shutdown.start()

    def wait_released(self) -> None:
        """Return once an own kernel has stopped (its process held the work folder)."""
        self.release()
        if self._shutdown is not None:
            self._shutdown.join()

    def __exit__(self, *exc_info: object) -> None:
        self.wait_released()


def _shut_down(manager: Any) -> None:
    with contextlib.suppress(Exception):  # a kernel that already died needs no shutdown
        manager.shutdown_kernel(now=True)
