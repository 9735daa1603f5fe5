"""The sample record of a county workspace: written once by phase 1, read by phase 2.

``<audits>/<county_code>/sample/`` holds the sample table and its sidecar (seed, plan, hashes;
:mod:`auditlib.sampling.sample`), the frame the inclusion probabilities were computed on
(``frame.csv``) and the fingerprint of the county data the sample was drawn from
(``data_fingerprint.json``, :mod:`auditlib.data.fingerprint`), so that phase 2 can name every
file that changed since.
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
from auditlib.errors import DataError, DesignError, Problem
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.sampling.frame import SamplingFrame
from auditlib.sampling.sample import SAMPLE_FILE, SIDECAR_FILE, Sample, read_sample

__all__ = [
    "DATA_FINGERPRINT_FILE",
    "FRAME_FILE",
    "DataChange",
    "data_changes",
    "read_recorded_sample",
    "recorded_data_fingerprint",
    "recorded_frame",
    "refuse_changed_data",
    "write_sample_record",
]

FRAME_FILE = "frame.csv"
DATA_FINGERPRINT_FILE = "data_fingerprint.json"


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


def read_recorded_sample(workspace: CountyWorkspace) -> Sample:
    """The recorded sample (its table checked against the recorded hash)."""
    return read_sample(workspace.sample_dir)


def recorded_data_fingerprint(workspace: CountyWorkspace) -> dict[str, Any]:
    """The data fingerprint recorded with the sample (empty for older records)."""
    path = workspace.sample_dir / DATA_FINGERPRINT_FILE
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
    recorded = recorded_data_fingerprint(workspace)
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
