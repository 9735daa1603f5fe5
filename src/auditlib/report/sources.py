"""Checks of a report's verification source made before any kernel starts."""

from __future__ import annotations

from pathlib import Path

from auditlib.data.contract import VERIFICATION
from auditlib.errors import ReportError
from auditlib.pipeline.workspace import CountyWorkspace

__all__ = ["checked_verification_source"]


def checked_verification_source(
    verification: str, data_folder: Path, workspace: CountyWorkspace
) -> str:
    """Fail before starting a kernel when the verification source cannot exist.

    Returns the source as the kernel must receive it: a path resolved against the caller's
    working directory (the kernel runs in another folder).
    """
    if verification == "auto":
        if workspace.results_log.is_file() or _has_verification_table(data_folder):
            return verification
        raise ReportError(
            f"verification='auto' but nothing was imported into {workspace.results_dir} and "
            f"{data_folder} has no verification table (verification.csv/.xlsx/.parquet); import "
            "the filled worksheets first ('auditlib fieldwork import'), pass their folder or a "
            "verification CSV (--verification PATH), or 'simulate' for the example counties"
        )
    if verification == "results":
        if not workspace.results_log.is_file():
            raise ReportError(
                f"verification='results' but nothing was imported into {workspace.results_dir}; "
                "import the filled worksheets first ('auditlib fieldwork import')"
            )
        return verification
    if verification == "simulate":
        if not (data_folder / "ground_truth").is_dir():
            raise ReportError(
                f"verification='simulate' needs the synthetic ground truth, but {data_folder} "
                "has no ground_truth/ folder (only generated counties have one)"
            )
        return verification
    if verification == "data":
        if not _has_verification_table(data_folder):
            raise ReportError(
                f"verification='data' but {data_folder} has no verification table "
                f"(verification.csv/.xlsx/.parquet); pass the folder of filled worksheets or a "
                "verification CSV (--verification PATH), or 'simulate' for the example counties"
            )
        return verification
    source = Path(verification).resolve()
    if not source.exists():
        raise ReportError(
            f"verification source {verification!r} does not exist (looked for {source}); "
            "expected auto, results, data, simulate, a folder of filled worksheets or a "
            "verification CSV"
        )
    if workspace.has_sample():
        # Checked here, not only in the kernel: a refusal then lists every problem (file,
        # sheet, row, column, value) on the command line, where the kernel passes a message.
        from auditlib.pipeline.record import read_recorded_sample  # pandas: only for a path
        from auditlib.pipeline.verification import results_from_path

        results_from_path(source, read_recorded_sample(workspace), workspace)
    return str(source)


def _has_verification_table(data_folder: Path) -> bool:
    """Whether the county folder holds a verification table (any supported format)."""
    # deferred: pandas, pyarrow are not loaded before the kernel starts
    from auditlib.data.io import SUPPORTED_SUFFIXES

    stems = (VERIFICATION.name, VERIFICATION.label_zh)
    return any(
        (data_folder / f"{stem}{suffix}").is_file()
        for stem in stems
        for suffix in SUPPORTED_SUFFIXES
    )
