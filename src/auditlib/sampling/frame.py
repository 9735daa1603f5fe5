"""The sampling frame: every household a plan can select, with its stratum and SSU stratum.

:func:`build_frame` turns a :class:`~auditlib.data.bundle.CountyData` and a
:class:`~auditlib.sampling.plan.SamplingPlan` into a :class:`SamplingFrame` — one row per
household in the frame, sorted by ``household_id``, whatever the row order of the input. The
frame's SHA-256 (:func:`frame_hash`) is recorded with the sample; the algorithm is in
``docs/sampling.md``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditlib.data.arrow import bool_mask
from auditlib.data.bundle import CountyData
from auditlib.errors import DataError, DesignError, Problem
from auditlib.sampling.plan import SamplingPlan

__all__ = ["FRAME_COLUMNS", "SamplingFrame", "build_frame", "frame_hash", "share_count"]

#: Columns of the frame, in the order they enter the frame hash.
FRAME_COLUMNS: tuple[str, ...] = (
    "household_id",
    "county_code",
    "township_code",
    "village_code",
    "programme",
    "recipient",
    "stratum",
    "ssu_stratum",
)

_HOUSEHOLD_COLUMNS = (
    "household_id",
    "county_code",
    "township_code",
    "village_code",
    "programme",
    "temporary_assistance",
    "enrolment_date",
)


@dataclass(frozen=True)
class SamplingFrame:
    """Households a plan can select, each in one first-stage and one second-stage stratum.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`FRAME_COLUMNS` (strings; ``recipient`` bool), sorted by
        ``household_id``; ``stratum`` is ``C:relative``, ``C:risk``, ``N:new_approval`` or
        ``T:<township_code>``; ``ssu_stratum`` is ``all`` in C/N strata.
    hash : str
        SHA-256 (hex) of the canonical frame (:func:`frame_hash`).
    cache : dict
        Index structures derived from ``table`` by the draw (filled on first use).
    """

    table: pd.DataFrame
    hash: str
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def share_count(share: float, population: int) -> int:
    """Units to draw for a share of a population: ⌈share × N⌉, computed as ceil(round(·, 9)).

    The rounding removes binary floating-point noise (0.3 × 10 = 3.0000000000000004 → 3).
    """
    if population <= 0 or share <= 0:
        return 0
    return min(population, math.ceil(round(share * population, 9)))


def _isin(values: pd.Series, pool: Any) -> np.ndarray:
    """Boolean mask: value is in pool (pyarrow hash lookup; fast for large pools)."""
    array = pa.array(values.astype("string").array)
    pool_array = pa.array([str(item) for item in pool], type=pa.string())
    mask = pc.is_in(array, value_set=pool_array)
    return bool_mask(mask)


def _fail(message: str, column: str | None = None, value: str = "", expected: str = "") -> None:
    raise DataError(message, [Problem("households", None, column, value, expected)])


def _risk_scores(
    households: pd.DataFrame, plan: SamplingPlan, risk: pd.Series | pd.DataFrame | None
) -> np.ndarray:
    """Risk score of every household, in the order of ``households`` (NaN = no score)."""
    if risk is None:
        column = plan.risk_column
        if column is None or column not in households.columns:
            raise DesignError(
                "the sampling plan uses risk scores (risk_certainty_share or "
                f"risk_oversample_share > 0) but no scores were given and the households table "
                f"has no column {column!r}; pass RiskScorer output (risk_percentile) or set "
                "sampling.plan.risk_column to a score column"
            )
        return np.asarray(pd.to_numeric(households[column], errors="coerce"), dtype=float)
    if isinstance(risk, pd.DataFrame):
        if "household_id" not in risk.columns or "risk_percentile" not in risk.columns:
            raise DesignError(
                "risk scores must have columns household_id and risk_percentile "
                f"(auditlib.risk.scorer output); got {list(risk.columns)}"
            )
        ids = risk["household_id"].astype("string").reset_index(drop=True)
        values = risk["risk_percentile"].to_numpy(dtype=float)
    else:
        ids = pd.Series(risk.index.astype(str), dtype="string")
        values = risk.to_numpy(dtype=float)
    if not ids.is_unique:
        duplicated = ids[ids.duplicated()].iloc[0]
        raise DesignError(f"risk scores list household {duplicated!r} more than once")
    position = pc.index_in(
        pa.array(households["household_id"].astype("string").array),
        value_set=pa.array(ids.array),
    )
    found = np.asarray(position.to_numpy(zero_copy_only=False), dtype=float)  # NaN: absent
    scores = np.full(len(households), np.nan)
    present = ~np.isnan(found)
    scores[present] = values[found[present].astype(np.int64)]
    return scores


def _top_by_risk(
    household_ids: pd.Series, candidates: np.ndarray, scores: np.ndarray, count: int
) -> np.ndarray:
    """Positions of the ``count`` candidates with the highest score (ties: smaller id first)."""
    if count <= 0 or len(candidates) == 0:
        return candidates[:0]
    ids = household_ids.to_numpy(dtype=object)[candidates]
    order = np.lexsort((ids, -scores[candidates]))
    return np.asarray(candidates[order[:count]])


def _priority_non_recipients(
    data: CountyData, households: pd.DataFrame, plan: SamplingPlan
) -> np.ndarray:
    """Boolean mask: household belongs to one of the plan's priority groups."""
    groups = set(plan.non_recipient_groups)
    mask = np.zeros(len(households), dtype=bool)
    reference = pd.Timestamp(data.info.reference_date)
    since = reference - pd.DateOffset(months=plan.priority_window_months)
    if "registered_poor" in groups:
        mask |= households["registered_poor"].to_numpy(dtype=bool)
    for group, column in (("recently_exited", "exit_date"), ("refused", "refusal_date")):
        if group in groups:
            dates = pd.to_datetime(households[column])
            mask |= ((dates >= since) & (dates <= reference)).to_numpy(dtype=bool)
    member_flags = []
    members = data.members
    if "severe_disability" in groups:
        grade = members["disability_grade"].to_numpy()
        member_flags.append((grade >= 1) & (grade <= 2))
    if "serious_illness" in groups:
        member_flags.append(members["serious_illness"].to_numpy(dtype=bool))
    if member_flags:
        flagged = np.logical_or.reduce(member_flags)
        flagged_ids = members["household_id"][flagged].astype("string").unique()
        mask |= _isin(households["household_id"], flagged_ids)
    return mask


def _relative_households(data: CountyData) -> np.ndarray:
    """Household ids with a member (or head) in ``registry_relatives``."""
    registry = data.registry("registry_relatives")
    if registry is None or registry.empty:
        return np.array([], dtype=object)
    ids = set(registry["id_number"].dropna().astype(str))
    pool = sorted(ids)
    hit = _isin(data.members["id_number"], pool)
    found = set(data.members["household_id"][hit].astype(str))
    heads = _isin(data.households["head_id_number"], pool)
    found |= set(data.households["household_id"][heads].astype(str))
    return np.array(sorted(found), dtype=object)


def build_frame(
    data: CountyData,
    plan: SamplingPlan,
    risk: pd.Series | pd.DataFrame | None = None,
) -> SamplingFrame:
    """Assign every household of the county to its stratum and second-stage stratum.

    Parameters
    ----------
    data : CountyData
        The county's tables (households, members, registries).
    plan : SamplingPlan
        The plan.
    risk : pandas.Series or DataFrame, optional
        Risk scores: a Series indexed by household_id, or :mod:`auditlib.risk.scorer` output
        (``household_id``, ``risk_percentile``). Needed when the plan uses risk and has no
        ``risk_column``.

    Returns
    -------
    SamplingFrame
        Sorted by ``household_id``; households outside every stratum are not in it.

    Raises
    ------
    DataError
        Missing columns or duplicated household ids.
    DesignError
        Risk scores needed but missing.
    """
    households = data.households
    missing = [c for c in _HOUSEHOLD_COLUMNS if c not in households.columns]
    if missing:
        _fail(
            f"households table lacks column(s) {missing} needed to draw a sample",
            missing[0],
            "<missing>",
            "the column of the data contract",
        )
    household_ids = households["household_id"].astype("string")
    if not household_ids.is_unique:
        duplicated = household_ids.duplicated().to_numpy(dtype=bool)
        first = str(household_ids[duplicated].iloc[0])
        _fail(
            f"household_id {first!r} occurs more than once in households",
            "household_id",
            first,
            "unique household ids",
        )
    # Everything below is vectorised over the households in their input order; the frame
    # is sorted by household_id at the end, so the input order cannot matter.
    count = len(households)
    programme = households["programme"].astype("string")
    recipient = programme.isin(list(plan.recipient_programmes)).to_numpy(dtype=bool)
    non_recipient = (programme == "none").fillna(False).to_numpy(dtype=bool)
    kind = np.zeros(count, dtype=np.int8)  # index into _STRATUM_KINDS

    if plan.relatives_certainty:
        relatives = _isin(household_ids, _relative_households(data))
        kind[relatives & recipient] = 1

    scores = np.full(count, -np.inf)
    if plan.needs_risk:
        found = _risk_scores(households, plan, risk)
        if recipient.any() and np.isnan(found[recipient]).all():
            raise DesignError(
                "no recipient household has a risk score; check that the scores belong to "
                "this county (household_id)"
            )
        # households without a score (e.g. programmes the scorer does not cover) rank last
        scores = np.where(np.isnan(found), -np.inf, found)
    recipient_count = int(recipient.sum())
    if plan.risk_certainty_share > 0:
        candidates = np.flatnonzero(recipient & (kind == 0))
        top = _top_by_risk(
            household_ids,
            candidates,
            scores,
            share_count(plan.risk_certainty_share, recipient_count),
        )
        kind[top] = 2

    if plan.new_approval_share > 0:
        reference = pd.Timestamp(data.info.reference_date)
        if plan.new_approval_months is None:
            since = pd.Timestamp(data.info.audit_period_start)
        else:
            since = reference - pd.DateOffset(months=plan.new_approval_months)
        enrolled = pd.to_datetime(households["enrolment_date"])
        new = ((enrolled >= since) & (enrolled <= reference)).to_numpy(dtype=bool)
        kind[new & recipient & (kind == 0)] = 3

    two_stage = kind == 0
    ssu = np.zeros(count, dtype=np.int8)  # index into _SSU_KINDS
    ssu[two_stage & recipient] = 1
    if plan.risk_oversample_share > 0:
        tier = np.zeros(count, dtype=bool)
        tier[
            _top_by_risk(
                household_ids,
                np.flatnonzero(recipient),
                scores,
                share_count(plan.risk_oversample_share, recipient_count),
            )
        ] = True
        ssu[two_stage & recipient & tier] = 2
    if plan.non_recipient_groups:
        at_risk = _priority_non_recipients(data, households, plan)
        ssu[two_stage & non_recipient & at_risk] = 4
    if plan.temporary_assistance:
        assisted = households["temporary_assistance"].to_numpy(dtype=bool)
        ssu[two_stage & assisted & (recipient | non_recipient)] = 3
    kind[two_stage & (ssu > 0)] = 4
    keep = np.flatnonzero(kind > 0)

    selected = households.iloc[keep]
    kept_kind = kind[keep]
    township = selected["township_code"].astype("string").reset_index(drop=True)
    stratum = pd.Series(np.array(_STRATUM_KINDS, dtype=object)[kept_kind], dtype="string")
    stratum = stratum.where(kept_kind != 4, "T:" + township)
    ssu_names = np.array(_SSU_KINDS, dtype=object)[ssu[keep]]
    ssu_names[kept_kind != 4] = "all"
    table = pd.DataFrame(
        {
            "household_id": household_ids.iloc[keep].reset_index(drop=True),
            "county_code": selected["county_code"].astype("string").reset_index(drop=True),
            "township_code": township,
            "village_code": selected["village_code"].astype("string").reset_index(drop=True),
            "programme": programme.iloc[keep].reset_index(drop=True),
            "recipient": recipient[keep],
            "stratum": stratum,
            "ssu_stratum": pd.Series(ssu_names, dtype="string"),
        }
    )
    table = table.sort_values("household_id", kind="stable").reset_index(drop=True)
    townships_per_village = table.groupby("village_code")["township_code"].nunique()
    if (townships_per_village > 1).any():
        village = str(townships_per_village[townships_per_village > 1].index[0])
        _fail(
            f"village_code {village!r} occurs in more than one township; village codes must be "
            "unique in the county (a village is a PSU of exactly one township stratum)",
            "village_code",
            village,
            "a village code belonging to one township",
        )
    return SamplingFrame(table=table, hash=frame_hash(table))


_STRATUM_KINDS = ("", "C:relative", "C:risk", "N:new_approval", "T:")
_SSU_KINDS = ("", "random", "risk_oversample", "temporary_assistance", "non_recipient")


def frame_hash(table: pd.DataFrame) -> str:
    """SHA-256 of the canonical frame.

    The canonical byte string is, for each column of :data:`FRAME_COLUMNS` in order: the
    column name, a line feed, the values of the rows sorted by ``household_id`` as text
    (``recipient`` as ``1``/``0``) joined by line feeds, and the record separator ``\\x1e``;
    all UTF-8.
    """
    ordered = table
    if len(table) and not table["household_id"].is_monotonic_increasing:
        ordered = table.sort_values("household_id", kind="stable")
    digest = hashlib.sha256()
    for column in FRAME_COLUMNS:
        if column == "recipient":
            values = np.where(ordered[column].to_numpy(dtype=bool), "1", "0").tolist()
        else:
            values = ordered[column].astype(str).tolist()
        digest.update(column.encode("utf-8") + b"\n")
        digest.update("\n".join(values).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()
