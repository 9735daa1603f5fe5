"""Samples with known inclusion probabilities: draw, write, read and re-check.

>>> sample = draw_sample(data, "notice-2019", seed=20190601)        # doctest: +SKIP
>>> sample.table[["household_id", "stratum", "inclusion_probability"]]  # doctest: +SKIP
>>> sample.write("reports/430522/sample")                           # doctest: +SKIP

The design, the selection algorithms and the reproducibility recipe are documented in
``docs/sampling.md``; :mod:`auditlib.sampling.plan` (plans, presets),
:mod:`auditlib.sampling.frame` (frame, frame hash) and :mod:`auditlib.sampling.draw`
(keyed-hash selection) hold the parts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data.atomic import atomic_write_text, write_with
from auditlib.data.bundle import CountyData
from auditlib.errors import DesignError, Problem
from auditlib.sampling.draw import SAMPLE_COLUMNS, draw_from_frame
from auditlib.sampling.frame import SamplingFrame, build_frame
from auditlib.sampling.keyed_hash import HASH_PREFIX
from auditlib.sampling.plan import SamplingPlan, resolve_plan

__all__ = [
    "SAMPLE_FILE",
    "SIDECAR_FILE",
    "Sample",
    "check_sample",
    "draw_sample",
    "read_sample",
    "sample_summary",
]

SAMPLE_FILE = "sample.csv"
SIDECAR_FILE = "sample.json"
_FORMAT = "auditlib-sample/1"


@dataclass(frozen=True)
class Sample:
    """A drawn sample with everything needed to reproduce and check it.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per selected household (columns :data:`SAMPLE_COLUMNS`).
    seed : int
        Seed of the draw.
    plan : SamplingPlan
        The resolved plan.
    frame_hash : str
        SHA-256 of the canonical frame the sample was drawn from.
    county_code : str
        County of the frame.
    """

    table: pd.DataFrame
    seed: int
    plan: SamplingPlan
    frame_hash: str
    county_code: str = ""

    @property
    def ultimate_cluster(self) -> bool:
        """Whether variance estimation should use the with-replacement (ultimate cluster)
        approximation: True for πps village selection, whose joint probabilities are not
        computed."""
        return self.plan.psu_selection == "pps"

    def sidecar(self) -> dict[str, Any]:
        """The JSON sidecar content: seed, plan, frame hash, table hash, counts."""
        return {
            "format": _FORMAT,
            "algorithm": HASH_PREFIX,
            "county_code": self.county_code,
            "seed": self.seed,
            "plan": self.plan.describe(),
            "frame_hash": self.frame_hash,
            "table_sha256": table_sha256(self.table),
            "households": len(self.table),
            "ultimate_cluster": self.ultimate_cluster,
            "counts": sample_summary(self.table).to_dict(orient="records"),
        }

    def write(self, folder: str | Path, *, parquet: bool = False) -> Path:
        """Write ``sample.csv`` (or ``.parquet``) and ``sample.json`` atomically into ``folder``.

        Returns
        -------
        pathlib.Path
            The table file written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if parquet:
            path = folder / "sample.parquet"
            write_with(path, lambda temporary: self.table.to_parquet(temporary, index=False))
        else:
            path = folder / SAMPLE_FILE
            atomic_write_text(path, _csv_text(self.table))
        sidecar = json.dumps(self.sidecar(), ensure_ascii=False, indent=2, sort_keys=True)
        atomic_write_text(folder / SIDECAR_FILE, sidecar + "\n")
        return path


def _csv_text(table: pd.DataFrame) -> str:
    return str(table.to_csv(index=False, lineterminator="\n", float_format="%.17g"))


def table_sha256(table: pd.DataFrame) -> str:
    """SHA-256 of the sample table's CSV text (as :meth:`Sample.write` writes it)."""
    return hashlib.sha256(_csv_text(table).encode("utf-8")).hexdigest()


def draw_sample(
    data: CountyData,
    plan: str | Mapping[str, Any] | SamplingPlan,
    seed: int,
    *,
    risk: pd.Series | pd.DataFrame | None = None,
) -> Sample:
    """Draw a stratified two-stage sample with certainty strata from one county.

    Parameters
    ----------
    data : CountyData
        The county's tables.
    plan : str, mapping or SamplingPlan
        Preset name (``"notice-2019"``, ...), plan fields, or a plan.
    seed : int
        Non-negative seed; same frame + plan + seed give the same sample on any machine.
    risk : pandas.Series or DataFrame, optional
        Risk scores (Series by household_id, or :mod:`auditlib.risk.scorer` output with
        ``risk_percentile``) when the plan uses risk.

    Returns
    -------
    Sample

    Raises
    ------
    ParamsError
        Invalid plan.
    DataError, DesignError
        Frame columns missing, or risk scores needed but absent.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DesignError(f"seed must be a non-negative integer, got {seed!r}")
    resolved = plan if isinstance(plan, SamplingPlan) else resolve_plan(plan)
    frame = build_frame(data, resolved, risk)
    return sample_from_frame(frame, resolved, int(seed), data.info.county_code)


def sample_from_frame(
    frame: SamplingFrame, plan: SamplingPlan, seed: int, county_code: str = ""
) -> Sample:
    """Draw a :class:`Sample` from a prepared frame (for repeated draws, e.g. simulations)."""
    table = draw_from_frame(frame, plan, seed)
    return Sample(table=table, seed=seed, plan=plan, frame_hash=frame.hash, county_code=county_code)


def sample_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Households drawn and population per stratum and selection reason.

    Returns
    -------
    pandas.DataFrame
        Columns stratum, selection_reason, psus (distinct PSUs drawn), households,
        weighted_households (sum of weights).
    """
    if table.empty:
        return pd.DataFrame(
            columns=["stratum", "selection_reason", "psus", "households", "weighted_households"]
        )
    grouped = table.groupby(["stratum", "selection_reason"], sort=True)
    summary = grouped.agg(
        psus=("psu", "nunique"),
        households=("household_id", "size"),
        weighted_households=("weight", "sum"),
    ).reset_index()
    summary["psus"] = summary["psus"].astype(int)
    summary["households"] = summary["households"].astype(int)
    summary["weighted_households"] = summary["weighted_households"].round(9)
    summary["stratum"] = summary["stratum"].astype(str)
    summary["selection_reason"] = summary["selection_reason"].astype(str)
    return summary


def read_sample(folder: str | Path) -> Sample:
    """Read a sample written by :meth:`Sample.write` and check its table hash.

    Raises
    ------
    DesignError
        Missing files, or a table that does not match the hash in ``sample.json`` (edited).
    """
    folder = Path(folder)
    sidecar_path = folder / SIDECAR_FILE
    try:
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DesignError(f"{sidecar_path}: no sample sidecar; draw the sample first") from None
    except json.JSONDecodeError as error:
        raise DesignError(
            f"{sidecar_path}: not valid JSON ({error.msg}, line {error.lineno})"
        ) from None
    parquet = folder / "sample.parquet"
    try:
        if (folder / SAMPLE_FILE).exists():
            table = pd.read_csv(
                folder / SAMPLE_FILE,
                dtype={c: "string" for c in SAMPLE_COLUMNS}
                | {"recipient": bool, "psu_population": "int64", "ssu_population": "int64"}
                | {c: "float64" for c in SAMPLE_COLUMNS if c.endswith(("probability", "weight"))},
                keep_default_na=False,
                encoding="utf-8",
            )
        elif parquet.exists():
            table = pd.read_parquet(parquet)
        else:
            raise DesignError(f"{folder}: neither {SAMPLE_FILE} nor sample.parquet found")
    except (ValueError, UnicodeDecodeError, OSError) as error:  # pandas/pyarrow parse errors
        raise DesignError(
            f"{folder}: the sample table cannot be read ({type(error).__name__}); it was damaged "
            "after phase 1 wrote it — restore it from a copy",
            [
                Problem(
                    str(folder / SAMPLE_FILE),
                    None,
                    None,
                    type(error).__name__,
                    "the table phase 1 wrote",
                )
            ],
        ) from None
    if list(table.columns) != list(SAMPLE_COLUMNS):
        raise DesignError(
            f"{folder}: sample table columns {list(table.columns)} differ from "
            f"{list(SAMPLE_COLUMNS)}"
        )
    found = table_sha256(table)
    if found != sidecar.get("table_sha256"):
        raise DesignError(
            f"{folder}: the sample table was changed after it was drawn (SHA-256 {found[:12]}… "
            f"but {SIDECAR_FILE} records {str(sidecar.get('table_sha256'))[:12]}…)",
            [Problem(str(folder / SAMPLE_FILE), None, None, found, "the recorded table hash")],
        )
    return Sample(
        table=table,
        seed=int(sidecar["seed"]),
        plan=resolve_plan(sidecar["plan"], file=str(sidecar_path), key="plan"),
        frame_hash=str(sidecar["frame_hash"]),
        county_code=str(sidecar.get("county_code", "")),
    )


def check_sample(
    sample: Sample, data: CountyData, *, risk: pd.Series | pd.DataFrame | None = None
) -> None:
    """Re-derive a sample from the data and its seed; fail if it is not the same sample.

    Raises
    ------
    DesignError
        The frame changed (different frame hash) or the re-drawn table differs.
    """
    frame = build_frame(data, sample.plan, risk)
    if frame.hash != sample.frame_hash:
        raise DesignError(
            f"the frame of county {data.info.county_code} changed since the sample was drawn "
            f"(frame SHA-256 {frame.hash[:12]}…, sample records {sample.frame_hash[:12]}…); "
            "the sample cannot be re-derived from these data"
        )
    redrawn = draw_from_frame(frame, sample.plan, sample.seed)
    if table_sha256(redrawn) != table_sha256(sample.table):
        raise DesignError(
            "re-drawing with the recorded seed and plan gives a different sample; "
            "the sample table was altered or drawn by a different algorithm version"
        )
