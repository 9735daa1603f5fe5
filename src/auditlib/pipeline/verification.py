"""Where phase 2 takes the verification results from, and which sampled households lack one.

Sources (``verification=``):

``"results"``  the results imported into the county workspace (``auditlib fieldwork import``),
               the real path;
``"auto"``     the workspace's results when any were imported, else ``"data"``;
``"data"``     the ``verification`` table of the county's data folder;
``"simulate"`` simulated from the synthetic ground truth (example data: demo and training);
a folder       filled worksheets, imported now (nothing is written);
a file         a verification CSV or xlsx, checked against the data contract.

Every source goes through the same reconciliation with the recorded sample. A sampled
household without a result is *pending*: an interim report counts it as non-response, a final
report refuses it and lists each one with the worksheet file, sheet and row it was issued in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.errors import FieldworkError, Problem, ReportError
from auditlib.fieldwork.importing import (
    import_worksheets,
    pending_households,
    read_issued,
    read_verification,
)
from auditlib.fieldwork.results import current_results, read_results_log
from auditlib.pipeline.params import AuditParams
from auditlib.pipeline.phases import matching_worksheets
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.sampling.sample import Sample
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.output import read_ground_truth

__all__ = ["SOURCES", "pending_problems", "results_from_path", "verification_results"]

#: Named sources of verification results (besides a folder or a file).
SOURCES = ("results", "auto", "data", "simulate")


def verification_results(
    mode: str,
    params: AuditParams,
    data: CountyData,
    sample: Sample,
    workspace: CountyWorkspace,
) -> tuple[pd.DataFrame, str]:
    """The verification table for ``sample`` from source ``mode``, and the source used.

    Raises
    ------
    ReportError
        An unknown source, or a named source that holds nothing.
    FieldworkError
        Results that do not pass the data contract or the worksheet checks.
    """
    ids = sample.table["household_id"].astype(str).tolist()
    if mode == "auto":
        mode = "results" if workspace.results_log.is_file() else "data"
    if mode == "results":
        if not workspace.results_log.is_file():
            raise ReportError(
                f"verification='results' but nothing was imported into {workspace.results_dir}; "
                "import the filled worksheets first ('auditlib fieldwork import')"
            )
        return current_results(read_results_log(workspace.results_log)), "results"
    if mode == "simulate":
        truth = read_ground_truth(params.data)
        return simulate_verification(data, truth, ids, seed=params.seed), "simulate"
    if mode == "data":
        if data.verification is None:
            raise ReportError(
                f"verification='data' but {params.data} has no verification table; "
                "import the filled worksheets ('auditlib fieldwork import') or pass their folder"
            )
        return data.verification, "data"
    source = Path(mode)
    if source.exists():
        return results_from_path(source, sample, workspace), str(source)
    raise ReportError(
        f"verification must be one of {', '.join(SOURCES)}, a folder of filled worksheets or a "
        f"verification CSV; got {mode!r} (no such file or folder)"
    )


def results_from_path(source: Path, sample: Sample, workspace: CountyWorkspace) -> pd.DataFrame:
    """Results in a folder of filled worksheets (imported now, nothing written) or a file.

    Raises
    ------
    FieldworkError
        Every problem of the worksheets or the file (file, sheet, row, column, value).
    """
    if source.is_dir():
        issued = read_issued(matching_worksheets(workspace, sample) or source)
        result = import_worksheets(sorted(source.glob("*.xlsx")), sample, issued)
        if result.errors:
            raise FieldworkError(
                f"the worksheets in {source} have {len(result.errors)} problem(s); fix them "
                "(see 'auditlib fieldwork import') before reporting",
                result.errors,
            )
        return result.verification
    return read_verification(source, sample=sample)


def pending_problems(
    sample: Sample, verification: pd.DataFrame, workspace: CountyWorkspace
) -> list[Problem]:
    """One problem per sampled household without a result, naming where it was issued."""
    answered = set(verification["household_id"].astype(str))
    unanswered = [h for h in sample.table["household_id"].astype(str) if h not in answered]
    if not unanswered:
        return []
    folder = matching_worksheets(workspace, sample)
    places = read_issued(folder).get("households", {}) if folder is not None else {}
    return [
        Problem(
            f"{pending.file}[{pending.sheet}]" if pending.file else "sample",
            pending.row,
            "household_id",
            pending.household_id,
            "a returned result (the worksheet row is still empty or was not imported); "
            "make an interim report with --interim, or import the result",
            code="result_pending",
        )
        for pending in pending_households(unanswered, places)
    ]
