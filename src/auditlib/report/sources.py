"""Checks of a report's inputs made before any kernel starts (verification source, previous
round, cross-county findings), and the fingerprint of the cross-county findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditlib.data.contract import VERIFICATION
from auditlib.data.fingerprint import file_sha256
from auditlib.errors import ReportError
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.report.manifest import input_fingerprint

__all__ = [
    "check_params_inputs",
    "checked_verification_source",
    "cross_county_fingerprint",
    "input_fingerprint_of",
]


def check_params_inputs(params: Any) -> None:
    """Fail before a kernel starts when a file the parameters name cannot be used: the previous
    round compared with (``report.previous_round``) or the cross-county findings
    (``risk.cross_county``)."""
    if params.report.previous_round is not None:
        # deferred: pandas with the previous round's reader, only when a report runs
        from auditlib.pipeline.earlier_round import load_earlier_round

        load_earlier_round(params.report.previous_round, params.county_code)
    findings = params.risk.cross_county
    if findings is not None:
        # deferred: pandas with the findings' reader, only when a report runs
        from auditlib.risk.rules.cross_county import read_cross_county_findings

        read_cross_county_findings(findings, params.county_code)


def cross_county_fingerprint(findings: Path | None) -> dict[str, Any]:
    """``{"cross_county": {"file", "sha256"}}`` of the findings a report used, ``{}`` without."""
    if findings is None:
        return {}
    return {"cross_county": {"file": str(findings), "sha256": file_sha256(findings)}}


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


def input_fingerprint_of(
    params_file: Path, params: Any, template: Path, data_folder: Path | None = None
) -> dict[str, Any]:
    """Fingerprint of a report's inputs: parameter file, data folder (``params.data`` unless
    given), notebook template, the previous round's ``estimates.json`` when the report
    compares with one (``report.previous_round``) and the cross-county findings it used."""
    earlier = params.report.previous_round
    if earlier is not None and earlier.is_dir():
        earlier = earlier / "estimates.json"
    folder = Path(params.data) if data_folder is None else data_folder
    fingerprint = input_fingerprint(params_file, folder, [template], earlier)
    return fingerprint | cross_county_fingerprint(params.risk.cross_county)
