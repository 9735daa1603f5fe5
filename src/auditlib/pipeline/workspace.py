"""The county workspace: the paths of one audit, and the sample record phase 2 reads.

One audit of one county runs in two phases, weeks apart (DESIGN.md §2). The workspace owns
every path they share::

    <audits>/<county_code>/sample/       the sample record, written once by phase 1:
        sample.csv, sample.json          the sample table and its sidecar (seed, plan, hashes)
        frame.csv                        the frame the inclusion probabilities were computed on
        data_fingerprint.json            the county data the sample was drawn from
    <audits>/<county_code>/results/      imported verification results (append-only log)
    <restricted>/<county_code>/worksheets/   issued worksheets + issued.json (full identities;
                                         a re-issue for another sample goes to worksheets-2/, ...)
    <reports>/<county_code>/             the report folder

The report folder is a sibling of the sample record, never its parent, and the restricted
worksheets are never inside the reports. Nothing here deletes or overwrites a file that the
running step did not create: a different sample is refused, not replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.atomic import atomic_write_text
from auditlib.data.bundle import CountyData
from auditlib.data.fingerprint import compare_folder_fingerprints, folder_fingerprint
from auditlib.errors import DataError, DesignError, ParamsError, Problem
from auditlib.sampling.frame import SamplingFrame
from auditlib.sampling.sample import SAMPLE_FILE, SIDECAR_FILE, Sample, read_sample

__all__ = [
    "DATA_FINGERPRINT_FILE",
    "FRAME_FILE",
    "CountyWorkspace",
    "DataChange",
    "data_changes",
    "recorded_frame",
    "refuse_changed_data",
    "write_sample_record",
]

FRAME_FILE = "frame.csv"
DATA_FINGERPRINT_FILE = "data_fingerprint.json"
RESULTS_LOG_FILE = "results_log.csv"
DEFAULT_AUDIT_ROOT = Path("audits")
DEFAULT_RESTRICTED_ROOT = Path("restricted")
DEFAULT_REPORT_ROOT = Path("reports")


@dataclass(frozen=True)
class DataChange:
    """One file of the county data that differs from the one the sample was drawn from."""

    file: str
    detail: str

    def problem(self, folder: Path) -> Problem:
        """The change as a :class:`~auditlib.errors.Problem` (file, what changed, expected)."""
        return Problem(
            str(folder / self.file),
            None,
            None,
            self.detail,
            "the same content as when the sample was drawn (phase 1)",
            code="data_changed",
        )


@dataclass(frozen=True)
class CountyWorkspace:
    """The folders of one county audit (see the module docstring).

    Parameters
    ----------
    county_code : str
        The county.
    audit_root : pathlib.Path
        Parent of ``<county_code>/sample`` and ``<county_code>/results`` (default ``audits``).
    restricted_root : pathlib.Path
        Parent of ``<county_code>/worksheets`` (default ``restricted``).
    report_root : pathlib.Path
        Parent of the report folder ``<county_code>`` (default ``reports``).
    """

    county_code: str
    audit_root: Path = DEFAULT_AUDIT_ROOT
    restricted_root: Path = DEFAULT_RESTRICTED_ROOT
    report_root: Path = DEFAULT_REPORT_ROOT

    @property
    def sample_dir(self) -> Path:
        """The sample record (written once by phase 1)."""
        return self.audit_root / self.county_code / "sample"

    @property
    def results_dir(self) -> Path:
        """Imported verification results."""
        return self.audit_root / self.county_code / "results"

    @property
    def results_log(self) -> Path:
        """The append-only log of every imported answer."""
        return self.results_dir / RESULTS_LOG_FILE

    @property
    def restricted_dir(self) -> Path:
        """The county's restricted folder (full identities)."""
        return self.restricted_root / self.county_code

    @property
    def worksheets_dir(self) -> Path:
        """Where phase 1 issues the worksheets (``issued.json`` beside them)."""
        return self.restricted_dir / "worksheets"

    @property
    def report_dir(self) -> Path:
        """The report folder."""
        return self.report_root / self.county_code

    def check(self) -> CountyWorkspace:
        """Refuse layouts in which one folder would be written inside another.

        Raises
        ------
        ParamsError
            The restricted folder is inside (or equal to) the report root, or the sample
            record or results are inside the report folder.
        """
        problems = []
        reports = self.report_root.resolve()
        restricted = self.restricted_root.resolve()
        if restricted == reports or restricted.is_relative_to(reports):
            problems.append(
                Problem(
                    "--restricted",
                    None,
                    None,
                    str(self.restricted_root),
                    f"a folder outside the reports folder {self.report_root} (worksheets hold "
                    "full names and ID numbers; reports are published)",
                )
            )
        report_dir = self.report_dir.resolve()
        for name, folder in (("sample record", self.sample_dir), ("results", self.results_dir)):
            if folder.resolve().is_relative_to(report_dir):
                problems.append(
                    Problem(
                        "--workspace",
                        None,
                        None,
                        str(folder),
                        f"the {name} outside the report folder {self.report_dir}",
                    )
                )
        if problems:
            raise ParamsError(
                "the county workspace would put one folder inside another: "
                + "; ".join(f"{p.value} must be {p.expected}" for p in problems),
                problems,
            )
        return self

    def has_sample(self) -> bool:
        """True when phase 1 has recorded a sample here."""
        return (self.sample_dir / SIDECAR_FILE).is_file()

    def read_sample(self) -> Sample:
        """The recorded sample (its table checked against the recorded hash)."""
        return read_sample(self.sample_dir)

    def recorded_data_fingerprint(self) -> dict[str, Any]:
        """The data fingerprint recorded with the sample (empty for older records)."""
        path = self.sample_dir / DATA_FINGERPRINT_FILE
        if not path.is_file():
            return {}
        try:
            content: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise DesignError(
                f"{path}: not valid JSON ({error.msg}, line {error.lineno}); the sample record "
                "was damaged",
                [Problem(str(path), error.lineno, None, error.msg, "the JSON written by phase 1")],
            ) from None
        return content


def write_sample_record(
    workspace: CountyWorkspace, sample: Sample, frame: SamplingFrame, data: CountyData
) -> list[Path]:
    """Write the sample record of phase 1 (table, sidecar, frame, data fingerprint).

    Only into a folder holding no sample yet: a recorded sample is never replaced.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    DesignError
        A sample is already recorded in the workspace.
    """
    folder = workspace.sample_dir
    if workspace.has_sample() or (folder / SAMPLE_FILE).exists():
        raise DesignError(
            f"{folder}: a sample is already recorded here; phase 1 never replaces it (move "
            "the folder away yourself to draw anew)"
        )
    table_path = sample.write(folder)
    frame_path = folder / FRAME_FILE
    atomic_write_text(frame_path, frame.table.to_csv(index=False, lineterminator="\n"))
    fingerprint_path = folder / DATA_FINGERPRINT_FILE
    content = {
        "data_folder": str(data.source) if data.source is not None else "",
        "files": folder_fingerprint(data.source) if data.source is not None else {},
    }
    atomic_write_text(
        fingerprint_path, json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    )
    return [table_path, folder / SIDECAR_FILE, frame_path, fingerprint_path]


def data_changes(workspace: CountyWorkspace, data: CountyData) -> list[DataChange]:
    """Files of the county data that changed since the sample was recorded (empty: none).

    A record without a data fingerprint (written by an older version) reports no change; the
    sample is still re-derived from the data (:func:`auditlib.sampling.sample.check_sample`).
    """
    recorded = workspace.recorded_data_fingerprint()
    if not recorded.get("files") or data.source is None:
        return []
    current = folder_fingerprint(data.source)
    return [
        DataChange(name, detail)
        for name, detail in compare_folder_fingerprints(recorded["files"], current)
    ]


def refuse_changed_data(changes: list[DataChange], data: CountyData) -> None:
    """Raise a :class:`~auditlib.errors.DataError` naming every changed file.

    Raises
    ------
    DataError
        Always (when ``changes`` is not empty).
    """
    if not changes:
        return
    folder = data.source or Path(".")
    listed = "; ".join(f"{change.file}: {change.detail}" for change in changes)
    raise DataError(
        f"the county data in {folder} changed since the sample was drawn (phase 1): {listed}. "
        "Restore the data the sample was drawn from, or estimate from the recorded sample "
        "anyway with --from-recorded-sample (the report then says so)",
        [change.problem(folder) for change in changes],
    )


def recorded_frame(workspace: CountyWorkspace) -> pd.DataFrame:
    """The frame table recorded by phase 1 (strings; empty when the record has none)."""
    path = workspace.sample_dir / FRAME_FILE
    if not path.is_file():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)
