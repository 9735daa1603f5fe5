"""Drawing the sample from a frame: townships' villages, then households, then certainty strata.

Villages are drawn by SRSWOR or systematic πps and households by SRSWOR within each village and
second-stage stratum, all with the keyed-hash random numbers of
:mod:`auditlib.sampling.keyed_hash`, so the draw does not depend on row order or machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from auditlib.sampling.frame import SamplingFrame, share_count
from auditlib.sampling.keyed_hash import SEPARATOR, srswor, systematic_pps, unit_keys
from auditlib.sampling.plan import SamplingPlan

__all__ = ["SAMPLE_COLUMNS", "SSU_STRATA", "draw_from_frame", "selection"]


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

_SSU_ORDER = {name: index for index, name in enumerate(SSU_STRATA)}

_CERTAINTY_REASONS = {
    "C:relative": "certainty_relative",
    "C:risk": "certainty_risk",
    "N:new_approval": "new_approval",
}


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


@dataclass(frozen=True)
class _Township:
    name: str
    villages: np.ndarray
    sizes: np.ndarray


@dataclass(frozen=True)
class _Groups:
    """Index structures of a frame: positions of the units of every selection."""

    single: dict[str, np.ndarray]
    townships: list[_Township]
    ssu: dict[str, list[tuple[str, np.ndarray]]]
    ids: np.ndarray
    columns: dict[str, np.ndarray]


def _groups(frame: SamplingFrame) -> _Groups:
    cached = frame.cache.get("groups")
    if isinstance(cached, _Groups):
        return cached
    table = frame.table
    ids = table["household_id"].to_numpy(dtype=object)
    stratum = table["stratum"].astype("string")
    single = {
        name: np.flatnonzero((stratum == name).to_numpy(dtype=bool)) for name in _CERTAINTY_REASONS
    }
    two_stage = np.flatnonzero(stratum.str.startswith("T:").to_numpy(dtype=bool))
    part = table.iloc[two_stage]
    # villages (PSUs) per township with their size (recipient households)
    villages = part.groupby(["stratum", "village_code"], sort=True)["recipient"].sum().reset_index()
    townships = [
        _Township(
            str(name),
            group["village_code"].to_numpy(dtype=object),
            group["recipient"].to_numpy(dtype=np.int64),
        )
        for name, group in villages.groupby("stratum", sort=True)
    ]
    # households of every (village, ssu stratum), as positions in the frame table
    village_index, village_uniques = pd.factorize(part["village_code"])
    ssu_index, ssu_uniques = pd.factorize(part["ssu_stratum"])
    village_codes = np.asarray(village_uniques, dtype=object)
    ssu_codes = np.asarray(ssu_uniques, dtype=object)
    combined = village_index.astype(np.int64) * max(len(ssu_codes), 1) + ssu_index
    order = np.argsort(combined, kind="stable")
    boundaries = np.flatnonzero(np.diff(combined[order])) + 1
    by_village: dict[str, list[tuple[str, np.ndarray]]] = {}
    for chunk in np.split(order, boundaries) if len(order) else []:
        first = chunk[0]
        code = str(village_codes[village_index[first]])
        by_village.setdefault(code, []).append((str(ssu_codes[ssu_index[first]]), two_stage[chunk]))
    for groups_of_village in by_village.values():
        groups_of_village.sort(key=lambda item: _SSU_ORDER[item[0]])
    columns = {
        name: table[name].to_numpy(dtype=object)
        for name in ("county_code", "township_code", "village_code", "programme")
    }
    columns["recipient"] = table["recipient"].to_numpy(dtype=bool)
    groups = _Groups(single=single, townships=townships, ssu=by_village, ids=ids, columns=columns)
    frame.cache["groups"] = groups
    return groups


def draw_from_frame(frame: SamplingFrame, plan: SamplingPlan, seed: int) -> pd.DataFrame:
    """Draw the sample table from a prepared frame (columns :data:`SAMPLE_COLUMNS`).

    Parameters
    ----------
    frame : SamplingFrame
        From :func:`auditlib.sampling.frame.build_frame`.
    plan : SamplingPlan
        The plan the frame was built for.
    seed : int
        Seed of the draw.

    Returns
    -------
    pandas.DataFrame
        One row per selected household, sorted by stratum, psu, ssu_stratum, household_id.
    """
    groups = _groups(frame)
    return _finish(_select(groups, plan, seed), groups)


_Row = tuple[np.ndarray, str, "str | None", str, int, int, float, float, str]


def selection(frame: SamplingFrame, plan: SamplingPlan, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Selected household ids and their inclusion probabilities, without building the table.

    The same selection as :func:`draw_from_frame` (for simulations of many draws).
    """
    groups = _groups(frame)
    rows = _select(groups, plan, seed)
    if not rows:
        return np.array([], dtype=object), np.array([], dtype=np.float64)
    positions = np.concatenate([row[0] for row in rows])
    probabilities = np.repeat([row[6] * row[7] for row in rows], [len(row[0]) for row in rows])
    return groups.ids[positions], probabilities


def _select(groups: _Groups, plan: SamplingPlan, seed: int) -> list[_Row]:
    ids = groups.ids
    rows: list[_Row] = []

    # County-wide single-stage strata: C (certainty) and N (SRSWOR of a share).
    for name, reason in _CERTAINTY_REASONS.items():
        positions = groups.single[name]
        if len(positions) == 0:
            continue
        if name.startswith("C:"):
            count = len(positions)
        else:
            count = share_count(plan.new_approval_share, len(positions))
        chosen = _srswor_positions(seed, name, ids, positions, count)
        rows.append(
            (chosen, name, None, "all", len(positions), 1, count / len(positions), 1.0, reason)
        )

    # Two-stage part: villages within townships, then households within villages.
    for township in groups.townships:
        units = township.villages
        count = plan.villages_to_draw(len(units))
        if plan.psu_selection == "pps":
            sizes = np.maximum(township.sizes, 1)
            chosen_villages, probabilities = systematic_pps(
                seed, township.name, units, sizes, count
            )
            by_unit = dict(zip(units.tolist(), probabilities.tolist(), strict=True))
            selected = [(str(v), float(by_unit[v])) for v in chosen_villages]
        else:
            selected = [
                (str(v), count / len(units)) for v in srswor(seed, township.name, units, count)
            ]
        for village, psu_probability in selected:
            for ssu_stratum, positions in groups.ssu.get(village, []):
                size = _ssu_size(plan, ssu_stratum, len(positions))
                label = f"{township.name}{SEPARATOR}{village}{SEPARATOR}{ssu_stratum}"
                chosen = _srswor_positions(seed, label, ids, positions, size)
                rows.append(
                    (
                        chosen,
                        township.name,
                        village,
                        ssu_stratum,
                        len(units),
                        len(positions),
                        psu_probability,
                        size / len(positions),
                        SSU_STRATA[ssu_stratum],
                    )
                )
    return rows


def _srswor_positions(
    seed: int, label: str, ids: np.ndarray, positions: np.ndarray, n: int
) -> np.ndarray:
    if n >= len(positions):
        return positions
    units = ids[positions]
    keys = unit_keys(seed, label, units.tolist())
    order = np.lexsort((units, keys))
    return positions[order[:n]]


def _finish(rows: list[_Row], groups: _Groups) -> pd.DataFrame:
    ids = groups.ids
    table = groups.columns
    lengths = [len(row[0]) for row in rows]
    positions = np.concatenate([row[0] for row in rows]) if rows else np.array([], dtype=int)

    def repeat(index: int, dtype: Any) -> np.ndarray:
        if not rows:
            return np.array([], dtype=dtype)
        return np.repeat(np.array([row[index] for row in rows], dtype=dtype), lengths)

    household = ids[positions]
    psu = repeat(2, object)
    single = np.repeat(np.array([row[2] is None for row in rows], dtype=bool), lengths)
    psu[single] = household[single]
    pi1 = repeat(6, np.float64)
    pi2 = repeat(7, np.float64)
    pi = pi1 * pi2
    columns: dict[str, Any] = {
        "household_id": household,
        "county_code": table["county_code"][positions],
        "township_code": table["township_code"][positions],
        "village_code": table["village_code"][positions],
        "programme": table["programme"][positions],
        "recipient": table["recipient"][positions],
        "stratum": repeat(1, object),
        "psu": psu,
        "ssu_stratum": repeat(3, object),
        "psu_population": repeat(4, np.int64),
        "ssu_population": repeat(5, np.int64),
        "psu_inclusion_probability": pi1,
        "ssu_inclusion_probability": pi2,
        "inclusion_probability": pi,
        "weight": 1.0 / pi,
        "selection_reason": repeat(8, object),
    }
    sample = pd.DataFrame(columns)
    for name in (
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
        sample[name] = sample[name].astype("string")
    sample = sample.sort_values(
        ["stratum", "psu", "ssu_stratum", "household_id"], kind="stable"
    ).reset_index(drop=True)
    return sample
