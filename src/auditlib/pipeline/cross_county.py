"""Running the cross-county checks into a findings file, and which files a set of parameter
files expects (``risk.cross_county``).

``auditlib crosscheck`` and ``auditlib demo`` write the findings with :func:`write_findings`:
an existing ``crosscounty.csv`` is never overwritten — county reports record in their manifests
the findings they used — so the same findings leave it as it is and other findings are refused.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditlib.data.atomic import atomic_write_bytes
from auditlib.errors import DataError
from auditlib.pipeline.params import load_params
from auditlib.risk.crosscounty import CrossCountyFindings, cross_county_check

__all__ = ["FindingsRun", "findings_targets", "write_findings"]


@dataclass(frozen=True)
class FindingsRun:
    """One run of the checks: the findings, where they are and what the run did.

    Attributes
    ----------
    result : CrossCountyFindings
        The findings (full identities: restricted).
    path : pathlib.Path
        The findings file.
    unchanged : bool
        The file held exactly these findings already and was left as it was.
    seconds : float
        Wall time of the checks.
    """

    result: CrossCountyFindings
    path: Path
    unchanged: bool
    seconds: float


def write_findings(
    folders: Sequence[Path],
    path: Path,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> FindingsRun:
    """Run the checks over ``folders`` and write the findings to ``path`` (a CSV file).

    Raises
    ------
    DataError
        A county folder that cannot be checked, or ``path`` existing with other findings.
    """
    started = time.perf_counter()
    result = cross_county_check(folders, memory_limit=memory_limit, threads=threads)
    seconds = time.perf_counter() - started
    content = result.findings.to_csv(index=False, lineterminator="\n").encode("utf-8")
    unchanged = path.is_file() and path.read_bytes() == content
    if path.exists() and not unchanged:
        raise DataError(
            f"{path} exists and holds other findings; it is never overwritten (county reports "
            "may have used it): choose another --out, or move the old file away"
        )
    if not unchanged:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, content)
    return FindingsRun(result, path, unchanged, seconds)


def findings_targets(params_files: Sequence[Path]) -> dict[Path, list[Path]]:
    """Findings file → the data folders of the parameter files that name it
    (``risk.cross_county``), for files named by at least two counties."""
    targets: dict[Path, list[Path]] = {}
    for params_file in params_files:
        params = load_params(params_file)
        if params.risk.cross_county is not None:
            path = params.risk.cross_county.resolve()
            targets.setdefault(path, []).append(Path(params.data))
    return {path: folders for path, folders in targets.items() if len(folders) > 1}
