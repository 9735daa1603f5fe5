"""Drawing the sample from a frame: hash-keyed SRSWOR and systematic πps.

Every random number is a *keyed hash*: the 64-bit key of unit ``u`` in selection ``label`` is
the first 8 bytes (big-endian) of ``SHA-256("auditlib-sample-v1␟<seed>␟<label>␟<u>")`` (``␟`` =
U+001F). A simple random sample without replacement of ``n`` out of ``N`` units takes the ``n``
units with the smallest keys (ties, which have probability ~2⁻⁶⁴, by unit id). Because keys
depend only on the seed, the selection's label (its stratum, PSU and SSU stratum) and the unit
id, the draw does not depend on row order or machine, and adding a township or a household
elsewhere leaves every other selection unchanged. ``docs/sampling.md`` gives the full recipe
and a worked example.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from auditlib.sampling_frame import SamplingFrame, share_count
from auditlib.sampling_plan import SamplingPlan

__all__ = [
    "HASH_PREFIX",
    "SAMPLE_COLUMNS",
    "SSU_STRATA",
    "draw_from_frame",
    "srswor",
    "systematic_pps",
    "unit_keys",
]

HASH_PREFIX = "auditlib-sample-v1"
_SEPARATOR = "\x1f"

#: Columns of the sample table (shared-interfaces.md), in order.
SAMPLE_COLUMNS: tuple[str, ...] = (
    "household_id",
    "county_code",
    "township_code",
    "village_code",
    "programme",
    "recipient",
    "stratum",
    "psu",
    "ssu_stratum",
    "psu_population",
    "ssu_population",
    "psu_inclusion_probability",
    "ssu_inclusion_probability",
    "inclusion_probability",
    "weight",
    "selection_reason",
)

#: Second-stage strata, in drawing order, with their selection reason.
SSU_STRATA: dict[str, str] = {
    "random": "random",
    "risk_oversample": "risk_oversample",
    "temporary_assistance": "temporary_assistance",
    "non_recipient": "non_recipient",
}

_CERTAINTY_REASONS = {
    "C:relative": "certainty_relative",
    "C:risk": "certainty_risk",
    "N:new_approval": "new_approval",
}


def unit_keys(seed: int, label: str, units: Sequence[str]) -> np.ndarray:
    """64-bit random keys of ``units`` in the selection ``label`` (see module docstring).

    Returns
    -------
    numpy.ndarray of uint64
    """
    prefix = f"{HASH_PREFIX}{_SEPARATOR}{seed}{_SEPARATOR}{label}{_SEPARATOR}".encode()
    sha = hashlib.sha256
    out = np.fromiter(
        (int.from_bytes(sha(prefix + unit.encode()).digest()[:8], "big") for unit in units),
        dtype=np.uint64,
        count=len(units),
    )
    return out


def srswor(seed: int, label: str, units: np.ndarray, n: int) -> np.ndarray:
    """Simple random sample without replacement: the ``n`` units with the smallest keys.

    Parameters
    ----------
    seed : int
        Seed of the draw.
    label : str
        Identifier of this selection (stratum, PSU, SSU stratum).
    units : numpy.ndarray of str
        Unit ids (distinct).
    n : int
        Sample size (capped at ``len(units)``).

    Returns
    -------
    numpy.ndarray
        Selected unit ids, in ascending key order.
    """
    if n >= len(units):
        return np.sort(units)
    keys = unit_keys(seed, label, units.tolist())
    order = np.lexsort((units, keys))
    return units[order[:n]]


def systematic_pps(
    seed: int, label: str, units: np.ndarray, sizes: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Systematic πps sampling on a randomly ordered list (exact integer arithmetic).

    Units with ``n·xᵢ ≥ X`` are taken with certainty and removed (repeatedly, ``n`` reduced
    each time). The remaining units are ordered by their keys; with cumulative sizes
    ``Cᵢ = n'·(x₁+…+xᵢ)`` and ``X'`` the remaining total, the start ``r = key(label+"/start",
    "start") mod X'`` and the points ``r + k·X'`` (``k = 0..n'−1``) select the units whose
    interval ``[Cᵢ₋₁, Cᵢ)`` contains a point; πᵢ = n'·xᵢ/X'.

    Returns
    -------
    selected : numpy.ndarray
        Selected unit ids.
    probabilities : numpy.ndarray
        Inclusion probability of every unit of ``units`` (same order).
    """
    sizes = sizes.astype(np.int64)
    probabilities = np.zeros(len(units))
    certain = np.zeros(len(units), dtype=bool)
    remaining = min(n, len(units))
    while remaining > 0:
        open_units = ~certain
        total = int(sizes[open_units].sum())
        new_certain = open_units & (remaining * sizes >= total)
        if not new_certain.any():
            break
        take = int(new_certain.sum())
        if take >= remaining:
            # more certainty candidates than places: the largest (then smallest id) win
            candidates = np.flatnonzero(new_certain)
            order = np.lexsort((units[candidates], -sizes[candidates]))
            new_certain = np.zeros(len(units), dtype=bool)
            new_certain[candidates[order[:remaining]]] = True
            take = remaining
        certain |= new_certain
        remaining -= take
    probabilities[certain] = 1.0
    selected = list(units[certain])
    open_index = np.flatnonzero(~certain)
    if remaining > 0 and len(open_index) > 0:
        open_units_ids = units[open_index]
        keys = unit_keys(seed, label, open_units_ids.tolist())
        order = open_index[np.lexsort((open_units_ids, keys))]
        total = int(sizes[order].sum())
        start = int(unit_keys(seed, label + "/start", ["start"])[0]) % total
        upper = np.cumsum(remaining * sizes[order])
        points = start + total * np.arange(remaining, dtype=np.int64)
        hit = np.searchsorted(upper, points, side="right")
        selected.extend(units[order[hit]])
        probabilities[order] = remaining * sizes[order] / total
    return np.array(selected, dtype=object), probabilities


def _ssu_size(plan: SamplingPlan, ssu_stratum: str, population: int) -> int:
    if ssu_stratum == "random":
        wanted: int | None = plan.households_per_village
    elif ssu_stratum == "risk_oversample":
        wanted = plan.risk_oversample_per_village
    elif ssu_stratum == "non_recipient":
        wanted = plan.non_recipients_per_village
    else:  # temporary_assistance: every household
        wanted = None
    return population if wanted is None else min(wanted, population)


def draw_from_frame(frame: SamplingFrame, plan: SamplingPlan, seed: int) -> pd.DataFrame:
    """Draw the sample table from a prepared frame (columns :data:`SAMPLE_COLUMNS`).

    Parameters
    ----------
    frame : SamplingFrame
        From :func:`auditlib.sampling_frame.build_frame`.
    plan : SamplingPlan
        The plan the frame was built for.
    seed : int
        Seed of the draw.

    Returns
    -------
    pandas.DataFrame
        One row per selected household, sorted by stratum, psu, ssu_stratum, household_id.
    """
    table = frame.table
    stratum = table["stratum"].to_numpy(dtype=str)
    ids = table["household_id"].to_numpy(dtype=str).astype(object)
    parts: list[pd.DataFrame] = []

    # County-wide single-stage strata: C (certainty) and N (SRSWOR of a share).
    for name, reason in _CERTAINTY_REASONS.items():
        units = ids[stratum == name]
        if len(units) == 0:
            continue
        count = (
            len(units)
            if name.startswith("C:")
            else share_count(plan.new_approval_share, len(units))
        )
        chosen = srswor(seed, name, units, count)
        probability = count / len(units)
        parts.append(
            pd.DataFrame(
                {
                    "household_id": chosen,
                    "stratum": name,
                    "psu": chosen,
                    "ssu_stratum": "all",
                    "psu_population": len(units),
                    "ssu_population": 1,
                    "psu_inclusion_probability": probability,
                    "ssu_inclusion_probability": 1.0,
                    "selection_reason": reason,
                }
            )
        )

    # Two-stage part: villages within townships, then households within villages.
    two_stage = table[np.char.startswith(stratum, "T:")]
    if len(two_stage):
        villages = (
            two_stage.assign(size=two_stage["recipient"].astype(np.int64))
            .groupby(["stratum", "village_code"], sort=True)["size"]
            .sum()
            .reset_index()
        )
        chosen_villages: dict[str, tuple[str, float, int]] = {}
        for name, group in villages.groupby("stratum", sort=True):
            units = group["village_code"].to_numpy(dtype=str).astype(object)
            count = plan.villages_to_draw(len(units))
            if plan.psu_selection == "pps":
                sizes = np.maximum(group["size"].to_numpy(dtype=np.int64), 1)
                chosen, probabilities = systematic_pps(seed, str(name), units, sizes, count)
                by_unit = dict(zip(units, probabilities, strict=True))
                for village in chosen:
                    chosen_villages[village] = (str(name), float(by_unit[village]), len(units))
            else:
                chosen = srswor(seed, str(name), units, count)
                for village in chosen:
                    chosen_villages[village] = (str(name), count / len(units), len(units))
        in_sampled = two_stage[two_stage["village_code"].isin(list(chosen_villages))]
        groups = in_sampled.groupby(["village_code", "ssu_stratum"], sort=True)["household_id"]
        for (village, ssu_stratum), members in groups:
            name, psu_probability, psu_population = chosen_villages[str(village)]
            units = members.to_numpy(dtype=str).astype(object)
            count = _ssu_size(plan, str(ssu_stratum), len(units))
            label = f"{name}{_SEPARATOR}{village}{_SEPARATOR}{ssu_stratum}"
            chosen = srswor(seed, label, units, count)
            parts.append(
                pd.DataFrame(
                    {
                        "household_id": chosen,
                        "stratum": name,
                        "psu": str(village),
                        "ssu_stratum": str(ssu_stratum),
                        "psu_population": psu_population,
                        "ssu_population": len(units),
                        "psu_inclusion_probability": psu_probability,
                        "ssu_inclusion_probability": count / len(units),
                        "selection_reason": SSU_STRATA[str(ssu_stratum)],
                    }
                )
            )
    return _finish(parts, table)


def _finish(parts: list[pd.DataFrame], table: pd.DataFrame) -> pd.DataFrame:
    if parts:
        sample = pd.concat(parts, ignore_index=True)
    else:
        sample = pd.DataFrame(
            {column: pd.Series(dtype=object) for column in SAMPLE_COLUMNS if column != "recipient"}
        )
    attributes = table.set_index("household_id")[
        ["county_code", "township_code", "village_code", "programme", "recipient"]
    ]
    looked_up = attributes.reindex(sample["household_id"].astype(str))
    for column in attributes.columns:
        sample[column] = looked_up[column].to_numpy()
    sample["inclusion_probability"] = sample["psu_inclusion_probability"].astype(float) * sample[
        "ssu_inclusion_probability"
    ].astype(float)
    sample["weight"] = 1.0 / sample["inclusion_probability"]
    sample = sample[list(SAMPLE_COLUMNS)]
    for column in (
        "household_id",
        "county_code",
        "township_code",
        "village_code",
        "programme",
        "stratum",
        "psu",
        "ssu_stratum",
        "selection_reason",
    ):
        sample[column] = sample[column].astype("string")
    sample["recipient"] = sample["recipient"].astype(bool)
    for column in ("psu_population", "ssu_population"):
        sample[column] = sample[column].astype(np.int64)
    for column in (
        "psu_inclusion_probability",
        "ssu_inclusion_probability",
        "inclusion_probability",
        "weight",
    ):
        sample[column] = sample[column].astype(np.float64)
    sample = sample.sort_values(
        ["stratum", "psu", "ssu_stratum", "household_id"], kind="stable"
    ).reset_index(drop=True)
    return sample
