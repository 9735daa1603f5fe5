"""Simulated field returns for the example counties: what training sessions practise on.

After phase 1 (``auditlib sample``) a trainee has issued worksheets but no field team.
:func:`simulate_returns` plays the field teams: it copies each issued worksheet into a folder
of its own (``restricted/<county>/returned/`` by default, never the issued folder) and types into
the copies the answers :func:`auditlib.synth.fieldwork.simulate_verification` draws from the
county's synthetic ground truth — the same answers ``--verification simulate`` uses — so the
real path (``auditlib fieldwork import``, interim and final reports) can be run on example data.
A share of households can be left blank (pending) and a share made non-respondents.

Only counties with a ``ground_truth/`` folder (generated ones) can be simulated. Nothing is
overwritten: when a returned file exists already the call refuses before writing anything.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from auditlib.data.loading import load_county
from auditlib.errors import FieldworkError, Problem
from auditlib.fieldwork.filling import fill_worksheet
from auditlib.fieldwork.importing import read_issued
from auditlib.pipeline.params import AuditParams
from auditlib.pipeline.phases import issued_files, matching_worksheets
from auditlib.pipeline.record import read_recorded_sample
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.output import read_ground_truth

__all__ = ["RETURNED_FOLDER", "SimulatedReturns", "simulate_returns"]

#: Default folder of simulated returns, inside the county's restricted folder.
RETURNED_FOLDER = "returned"


@dataclass(frozen=True)
class SimulatedReturns:
    """What :func:`simulate_returns` wrote.

    Attributes
    ----------
    folder : pathlib.Path
        Folder of the filled copies.
    files : tuple of pathlib.Path
        The filled workbooks written.
    answered : int
        Households given an answer (verified or a non-response status).
    pending : int
        Households left blank.
    """

    folder: Path
    files: tuple[Path, ...]
    answered: int
    pending: int


def simulate_returns(
    params: AuditParams,
    workspace: CountyWorkspace,
    *,
    out: Path | None = None,
    answered_share: float = 1.0,
    nonresponse_rate: float = 0.0,
) -> SimulatedReturns:
    """Fill copies of the county's issued worksheets from its synthetic ground truth.

    Parameters
    ----------
    params : AuditParams
        The county's parameters (data folder, seed).
    workspace : CountyWorkspace
        Where phase 1 recorded the sample and issued the worksheets.
    out : pathlib.Path, optional
        Folder of the filled copies (default ``<restricted>/<county>/returned``).
    answered_share : float
        Share of sampled households returned, in (0, 1]; the others stay blank (pending).
        Which ones depends only on the seed and the household (not on row order).
    nonresponse_rate : float
        Probability in [0, 1) that a returned household was not found, had moved or refused.

    Returns
    -------
    SimulatedReturns

    Raises
    ------
    FieldworkError
        No ground truth, no worksheets issued for the recorded sample, a share out of range,
        or a returned file that exists already (nothing is written then).
    """
    if not 0.0 < answered_share <= 1.0:
        raise FieldworkError(f"answered share must be in (0, 1], got {answered_share!r}")
    truth_folder = Path(params.data) / "ground_truth"
    if not truth_folder.is_dir():
        raise FieldworkError(
            f"{params.data} has no ground_truth/ folder: returns can be simulated for generated "
            "counties only (the example data); real returns come from the field teams"
        )
    sample = read_recorded_sample(workspace)
    issued_folder = matching_worksheets(workspace, sample)
    if issued_folder is None:
        raise FieldworkError(
            f"no worksheets issued for the sample recorded in {workspace.sample_dir}; "
            "run phase 1 first ('auditlib sample')"
        )
    names = issued_files(read_issued(issued_folder))
    folder = out if out is not None else workspace.restricted_dir / RETURNED_FOLDER
    existing = [folder / name for name in names if (folder / name).exists()]
    if existing:
        raise FieldworkError(
            f"{len(existing)} returned file(s) exist already in {folder}; nothing was written",
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "exists",
                    "no file of that name: returned files are never overwritten (--out: "
                    "another folder)",
                )
                for path in existing
            ],
        )
    ids = sorted(sample.table["household_id"].astype(str))
    chosen = [h for h in ids if _uniform(params.seed, h) < answered_share]
    answers = simulate_verification(
        load_county(params.data),
        read_ground_truth(params.data),
        chosen,
        seed=params.seed,
        nonresponse_rate=nonresponse_rate,
    )
    folder.mkdir(parents=True, exist_ok=True)
    written = [_filled_copy(issued_folder / name, folder / name, answers) for name in names]
    return SimulatedReturns(folder, tuple(written), len(chosen), len(ids) - len(chosen))


def _uniform(seed: int, household_id: str) -> float:
    digest = hashlib.blake2b(f"{seed}|returned|{household_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def _filled_copy(source: Path, target: Path, answers: pd.DataFrame) -> Path:
    """Copy ``source``, fill the copy, and publish it at ``target`` atomically."""
    handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=target.parent, prefix=".returning-")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        fill_worksheet(Path(temporary), answers)
        os.link(temporary, target)  # fails if target appeared meanwhile: never overwrite
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target
