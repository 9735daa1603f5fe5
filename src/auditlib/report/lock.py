"""One writer per report folder: a lock per county in the output folder, stale leftovers cleaned.

A report (``auditlib report``, or one county of a batch) holds ``<output_root>/.<code>.lock``
(:mod:`filelock`: released by the operating system when the process dies, even by ``kill -9``)
while it writes ``<output_root>/<code>/``. A second run for the same county and folder stops at
once with a clear message instead of racing the first. Whoever holds the lock may remove the
county's ``.partial-<code>-*`` work folders: no live run is writing them, so they are leftovers
of a run that was killed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from auditlib.errors import Problem, ReportError

__all__ = ["county_lock", "remove_stale_work_folders", "try_clean"]


def _lock_path(output_root: Path, county_code: str) -> Path:
    return output_root / f".{county_code}.lock"


@contextmanager
def county_lock(output_root: Path, county_code: str) -> Iterator[None]:
    """Hold the lock of ``<output_root>/<county_code>`` and clean the county's leftovers.

    Raises
    ------
    ReportError
        Another run (another ``auditlib report`` or batch) is writing the same folder.
    """
    output_root.mkdir(parents=True, exist_ok=True)
    path = _lock_path(output_root, county_code)
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ReportError(
            f"{output_root / county_code} is being written by another auditlib run (lock "
            f"{path}); wait until it has finished, or write this report to another --out folder",
            [Problem(str(path), None, None, county_code, "no other run writing this county")],
        ) from None
    try:
        remove_stale_work_folders(output_root, county_code)
        yield
    finally:
        lock.release()


def remove_stale_work_folders(output_root: Path, county_code: str) -> list[Path]:
    """Remove ``.partial-<code>-*`` folders (call only while holding the county's lock)."""
    removed = []
    for leftover in sorted(output_root.glob(f".partial-{county_code}-*")):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def try_clean(output_root: Path, county_code: str) -> bool:
    """Remove the county's leftovers if no run holds its lock now; True if cleaned."""
    lock = FileLock(_lock_path(output_root, county_code), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return False
    try:
        remove_stale_work_folders(output_root, county_code)
    finally:
        lock.release()
    return True
