"""Phase 1 of a county audit: draw and record the sample, issue the worksheets — never twice.

:func:`phase_one` is used by ``auditlib sample``, by the report notebook when a county has no
recorded sample yet (the demo and training), and by batches. It is idempotent: run again on the
same data, plan and seed it finds the same sample already recorded and the same worksheets
already issued, and writes nothing. It never replaces what an earlier run wrote: a different
sample is refused; worksheets issued for another sample, or a folder holding files it did not
write, make it issue into a new numbered folder (``worksheets-2``, ...) and say so.
Phase 2 (reading the record and estimating) is :func:`auditlib.pipeline.audit.phase_two`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.errors import DesignError, Problem
from auditlib.fieldwork.importing import read_issued
from auditlib.fieldwork.layout import ISSUED_FILE
from auditlib.fieldwork.writing import write_worksheets
from auditlib.pipeline.params import AuditParams
from auditlib.pipeline.record import read_recorded_sample, write_sample_record
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.sampling.frame import build_frame
from auditlib.sampling.sample import Sample, sample_from_frame, table_sha256

__all__ = [
    "PhaseOneResult",
    "WorksheetIssue",
    "issue_worksheets",
    "issued_files",
    "matching_worksheets",
    "phase_one",
]


@dataclass(frozen=True)
class WorksheetIssue:
    """What happened to the worksheets of a sample.

    Attributes
    ----------
    folder : pathlib.Path
        Folder holding the worksheets of this sample (and their ``issued.json``).
    action : str
        ``"issued"`` (written now), ``"kept"`` (already issued for this sample: left as they
        are, answers typed in included), ``"completed"`` (issued before; files missing from the
        folder were written again, identical to the first issue) or ``"reissued"`` (the usual
        folder holds worksheets of another sample or files auditlib did not write: this set
        went into a new numbered folder).
    files : tuple of str
        Worksheet files of this sample.
    written : tuple of str
        Files written by this run.
    """

    folder: Path
    action: str
    files: tuple[str, ...]
    written: tuple[str, ...]

    def describe(self) -> str:
        """One line for people."""
        texts = {
            "issued": f"{len(self.files)} worksheet file(s) issued in {self.folder}",
            "kept": f"worksheets already issued for this sample in {self.folder}: kept as they "
            "are (nothing overwritten)",
            "completed": f"worksheets already issued in {self.folder}; {len(self.written)} "
            "missing file(s) written again (identical to the first issue), the others kept",
            "reissued": f"{self.folder.parent / 'worksheets'} holds worksheets of another sample "
            f"or files auditlib did not write; kept as they are, and this sample's "
            f"{len(self.files)} worksheet file(s) issued in {self.folder} instead",
        }
        return texts[self.action] + " (restricted: full names and ID numbers)"


@dataclass(frozen=True)
class PhaseOneResult:
    """Outcome of :func:`phase_one`.

    Attributes
    ----------
    sample : Sample
        The recorded sample.
    recorded_now : bool
        True when this run wrote the sample record, False when it was already there.
    record_files : tuple of pathlib.Path
        Files of the sample record written by this run.
    worksheets : WorksheetIssue or None
        The worksheets (None when not asked for).
    """

    sample: Sample
    recorded_now: bool
    record_files: tuple[Path, ...]
    worksheets: WorksheetIssue | None


def issued_files(issued: Mapping[str, object]) -> tuple[str, ...]:
    """The worksheet files named in an ``issued.json`` (sorted)."""
    households = issued.get("households", {})
    if not isinstance(households, Mapping):
        return ()
    return tuple(
        sorted({str(place["file"]) for place in households.values() if isinstance(place, Mapping)})
    )


def _next_free(restricted_dir: Path) -> Path:
    number = 2
    while (restricted_dir / f"worksheets-{number}").exists():
        number += 1
    return restricted_dir / f"worksheets-{number}"


def matching_worksheets(workspace: CountyWorkspace, sample: Sample) -> Path | None:
    """The county's worksheet folder issued for ``sample`` (None when there is none)."""
    digest = table_sha256(sample.table)
    restricted_dir = workspace.restricted_dir
    candidates = [restricted_dir / "worksheets", *sorted(restricted_dir.glob("worksheets-*"))]
    for folder in candidates:
        if not (folder / ISSUED_FILE).is_file():
            continue
        issued = read_issued(folder)  # a damaged manifest is an error, never skipped
        if issued.get("sample_table_sha256") == digest:
            return folder
    return None


def issue_worksheets(
    workspace: CountyWorkspace,
    sample: Sample,
    data: CountyData,
    *,
    teams: Mapping[str, Sequence[str]] | None = None,
) -> WorksheetIssue:
    """Issue the worksheets of ``sample`` without touching any worksheet already issued.

    See :class:`WorksheetIssue` for the four outcomes.
    """
    existing = matching_worksheets(workspace, sample)
    if existing is not None:
        files = issued_files(read_issued(existing))
        missing = [name for name in files if not (existing / name).is_file()]
        if not missing:
            return WorksheetIssue(existing, "kept", files, ())
        existing.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".issue-", dir=existing.parent) as scratch:
            write_worksheets(sample, data, Path(scratch), teams=teams)
            for name in missing:
                shutil.copy2(Path(scratch) / name, existing / name)
        return WorksheetIssue(existing, "completed", files, tuple(missing))
    folder = workspace.worksheets_dir
    action = "issued"
    if folder.exists() and any(folder.iterdir()):
        folder, action = _next_free(workspace.restricted_dir), "reissued"
    written = write_worksheets(sample, data, folder, teams=teams)
    names = tuple(sorted(Path(path).name for path in written.files))
    return WorksheetIssue(folder, action, names, (*names, ISSUED_FILE))


def phase_one(
    params: AuditParams,
    workspace: CountyWorkspace,
    data: CountyData,
    *,
    risk: pd.Series | pd.DataFrame | None = None,
    worksheets: bool = True,
) -> PhaseOneResult:
    """Draw the sample of ``params`` from ``data``, record it once, issue its worksheets.

    Parameters
    ----------
    params : AuditParams
        The county's parameters (seed, plan, teams).
    workspace : CountyWorkspace
        Where the record and the worksheets go.
    data : CountyData
        The county's data.
    risk : pandas.Series or DataFrame, optional
        Risk scores for plans that use them.
    worksheets : bool
        Issue the worksheets too.

    Raises
    ------
    DesignError
        The workspace already records a *different* sample (other data, seed or plan): it
        is never replaced.
    """
    workspace.check()
    if data.info.county_code != params.county_code:
        raise DesignError(
            f"{params.source or 'parameters'}: county_code {params.county_code} but the data "
            f"folder {params.data} holds county {data.info.county_code}"
        )
    plan = params.sampling_plan()
    frame = build_frame(data, plan, risk)
    drawn = sample_from_frame(frame, plan, params.seed, data.info.county_code)
    written: tuple[Path, ...]
    if workspace.has_sample():
        recorded = read_recorded_sample(workspace)
        if table_sha256(recorded.table) != table_sha256(drawn.table):
            where = workspace.sample_dir
            raise DesignError(
                f"{where}: a different sample is recorded here (seed {recorded.seed}, plan "
                f"{recorded.plan.name!r}, {len(recorded.table)} households; drawing now with "
                f"seed {params.seed}, plan {plan.name!r} gives {len(drawn.table)} households, "
                "not the same ones). Phase 1 never replaces a recorded sample: to report on it, "
                "run phase 2 ('auditlib report'); to draw anew, move the folder away yourself",
                [
                    Problem(
                        str(where / "sample.json"),
                        None,
                        "table_sha256",
                        table_sha256(recorded.table)[:16],
                        f"the sample drawn now ({table_sha256(drawn.table)[:16]})",
                    )
                ],
            )
        sample, written = recorded, ()
    else:
        sample = drawn
        written = tuple(write_sample_record(workspace, drawn, frame, data))
    issue = (
        issue_worksheets(workspace, sample, data, teams=params.sampling.teams)
        if worksheets
        else None
    )
    return PhaseOneResult(sample, bool(written), written, issue)
