"""Sample-size planner: how many villages and households for a wanted margin, and the reverse.

For a proportion ``p`` (expected 错保 rate), half-width ``d`` of the confidence interval at
level ``1 − α``, and design effect ``deff``::

    n₀ = z²·p(1−p)·deff / d²,   z = Φ⁻¹(1 − α/2)
    n  = n₀ / (1 + (n₀ − 1)/N)              (finite-population correction, Cochran 1977 4.2)
    deff = 1 + (m − 1)·ρ                     (m households per village, ρ intra-village ICC)

``n`` households are allocated over townships (strata) proportionally (``nₕ ∝ Nₕ``), by Neyman
(``nₕ ∝ Nₕ·Sₕ``, ``Sₕ = √(pₕ(1−pₕ))``) or equally, and turned into ``ceil(nₕ/m)`` villages
(at least 2 so that the township variance can be estimated, at most all villages).

The reverse, :func:`achieved_margin`, gives the half-width a plan achieves::

    V = Σₕ Wₕ² · pₕ(1−pₕ)·deff / nₕ · (1 − nₕ/Nₕ),   d = z·√V,   Wₕ = Nₕ/N.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from auditlib.data.bundle import CountyData
from auditlib.errors import DesignError
from auditlib.sampling.frame import build_frame
from auditlib.sampling.plan import SamplingPlan, resolve_plan

__all__ = [
    "MarginResult",
    "SampleSizePlan",
    "achieved_margin",
    "design_effect",
    "frame_counts",
    "plan_sample_size",
    "required_sample_size",
]

Allocation = Literal["proportional", "neyman", "equal"]


def _z(level: float) -> float:
    if not 0.5 < level < 1:
        raise DesignError(f"confidence level must be in (0.5, 1), got {level!r}")
    return float(stats.norm.ppf(1 - (1 - level) / 2))


def _check_rate(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise DesignError(f"{name} must be in (0, 1), got {value!r}")


def design_effect(households_per_village: int, icc: float) -> float:
    """Design effect of cluster sampling, ``1 + (m − 1)·ρ`` (Kish 1965)."""
    if households_per_village < 1:
        raise DesignError(f"households per village must be >= 1, got {households_per_village}")
    if not -1 < icc <= 1:
        raise DesignError(f"intra-village correlation must be in (-1, 1], got {icc!r}")
    return 1 + (households_per_village - 1) * icc


def required_sample_size(
    rate: float,
    margin: float,
    level: float = 0.95,
    deff: float = 1.0,
    population: int | None = None,
) -> int:
    """Households needed: ``ceil(n₀ / (1 + (n₀−1)/N))`` with ``n₀ = z²p(1−p)deff/d²``.

    Parameters
    ----------
    rate : float
        Expected proportion ``p`` in (0, 1).
    margin : float
        Wanted half-width ``d`` of the CI, in (0, 1).
    level : float
        Confidence level.
    deff : float
        Design effect (>= some positive value; 1 for SRS).
    population : int, optional
        Population size ``N`` for the finite-population correction.
    """
    _check_rate("expected rate", rate)
    _check_rate("margin", margin)
    if deff <= 0:
        raise DesignError(f"design effect must be positive, got {deff!r}")
    z = _z(level)
    n0 = z * z * rate * (1 - rate) * deff / (margin * margin)
    if population is not None:
        if population < 1:
            raise DesignError(f"population must be >= 1, got {population}")
        n0 = n0 / (1 + (n0 - 1) / population)
        return min(population, math.ceil(round(n0, 9)))
    return math.ceil(round(n0, 9))


def frame_counts(data: CountyData, plan: SamplingPlan | str = "notice-2019") -> pd.DataFrame:
    """Recipient households and villages of the two-stage part of the frame, per township.

    Returns
    -------
    pandas.DataFrame
        Columns township_code, households (recipient households in the T stratum),
        villages (villages with any T-stratum household).
    """
    resolved = plan if isinstance(plan, SamplingPlan) else resolve_plan(plan)
    if resolved.needs_risk:
        resolved = resolved.model_copy(
            update={
                "risk_certainty_share": 0.0,
                "risk_oversample_share": 0.0,
                "risk_oversample_per_village": 0,
            }
        )
    table = build_frame(data, resolved).table
    two_stage = table[table["stratum"].str.startswith("T:")]
    counts = two_stage.groupby("township_code", sort=True).agg(
        households=("recipient", "sum"), villages=("village_code", "nunique")
    )
    counts = counts.reset_index()
    counts["township_code"] = counts["township_code"].astype(str)
    counts["households"] = counts["households"].astype(np.int64)
    counts["villages"] = counts["villages"].astype(np.int64)
    return counts


@dataclass(frozen=True)
class SampleSizePlan:
    """Result of :func:`plan_sample_size`.

    Attributes
    ----------
    n0 : float
        Households needed before the finite-population correction.
    households : int
        Households needed after it (county total, random part).
    deff : float
        Design effect used.
    households_per_village : int
        ``m``.
    allocation : str
        Allocation rule.
    townships : pandas.DataFrame
        township_code, households (frame), villages (frame), allocated_households,
        villages_to_draw, households_drawn (= villages_to_draw × m, capped by the frame).
    margin : float
        Half-width the allocated plan achieves (:func:`achieved_margin` formula).
    """

    n0: float
    households: int
    deff: float
    households_per_village: int
    allocation: str
    townships: pd.DataFrame
    margin: float

    @property
    def villages(self) -> int:
        """Villages to draw in the county."""
        return int(self.townships["villages_to_draw"].sum())


def _township_rates(
    counts: pd.DataFrame, rate: float, township_rates: Mapping[str, float] | None
) -> np.ndarray:
    rates = np.full(len(counts), rate, dtype=float)
    if township_rates:
        for index, code in enumerate(counts["township_code"]):
            if code in township_rates:
                _check_rate(f"rate of township {code}", float(township_rates[code]))
                rates[index] = float(township_rates[code])
    return rates


def plan_sample_size(
    counts: pd.DataFrame,
    *,
    rate: float,
    margin: float,
    level: float = 0.95,
    deff: float | None = None,
    icc: float | None = None,
    households_per_village: int = 5,
    allocation: Allocation = "proportional",
    township_rates: Mapping[str, float] | None = None,
    minimum_villages: int = 2,
) -> SampleSizePlan:
    """Villages per township and households per village for a wanted margin.

    Parameters
    ----------
    counts : pandas.DataFrame
        Per township: township_code, households, villages (see :func:`frame_counts`).
    rate, margin, level : float
        Expected rate, wanted half-width, confidence level.
    deff, icc : float, optional
        Design effect, or the intra-village correlation from which it is computed; default
        deff 1.
    households_per_village : int
        ``m``.
    allocation : {"proportional", "neyman", "equal"}
        How households are spread over townships.
    township_rates : mapping, optional
        Expected rate per township (Neyman weights ``Nₕ·√(pₕ(1−pₕ))``).
    minimum_villages : int
        Least villages per township (2 allows a variance estimate).
    """
    if deff is not None and icc is not None:
        raise DesignError("give either deff or icc, not both")
    if icc is not None:
        deff = design_effect(households_per_village, icc)
    deff = 1.0 if deff is None else float(deff)
    if counts.empty:
        raise DesignError("the frame has no township with recipient households")
    population = int(counts["households"].sum())
    z = _z(level)
    _check_rate("expected rate", rate)
    _check_rate("margin", margin)
    n0 = z * z * rate * (1 - rate) * deff / (margin * margin)
    households = required_sample_size(rate, margin, level, deff, population)
    sizes = counts["households"].to_numpy(dtype=float)
    rates = _township_rates(counts, rate, township_rates)
    if allocation == "proportional":
        shares = sizes / sizes.sum()
    elif allocation == "neyman":
        weights = sizes * np.sqrt(rates * (1 - rates))
        shares = weights / weights.sum()
    elif allocation == "equal":
        shares = np.full(len(sizes), 1 / len(sizes))
    else:
        raise DesignError(f"allocation must be proportional, neyman or equal, got {allocation!r}")
    allocated = households * shares
    villages = counts["villages"].to_numpy(dtype=np.int64)
    wanted = np.ceil(np.round(allocated / households_per_village, 9)).astype(np.int64)
    to_draw = np.minimum(np.maximum(wanted, minimum_villages), villages)
    drawn = np.minimum(to_draw * households_per_village, counts["households"].to_numpy())
    table = counts[["township_code", "households", "villages"]].copy()
    table["allocated_households"] = allocated
    table["villages_to_draw"] = to_draw
    table["households_drawn"] = drawn.astype(np.int64)
    achieved = _margin(counts["households"].to_numpy(), drawn, rates, deff, z)
    return SampleSizePlan(
        n0=n0,
        households=households,
        deff=deff,
        households_per_village=households_per_village,
        allocation=allocation,
        townships=table.reset_index(drop=True),
        margin=achieved,
    )


def _margin(
    population: np.ndarray, drawn: np.ndarray, rates: np.ndarray, deff: float, z: float
) -> float:
    population = population.astype(float)
    drawn = drawn.astype(float)
    total = population.sum()
    usable = drawn > 0
    if not usable.all():
        return math.inf
    weights = population / total
    variance = weights**2 * rates * (1 - rates) * deff / drawn * (1 - drawn / population)
    return float(z * math.sqrt(max(variance.sum(), 0.0)))


@dataclass(frozen=True)
class MarginResult:
    """Result of :func:`achieved_margin`: the half-width a plan achieves and its inputs."""

    margin: float
    households: int
    villages: int
    deff: float
    townships: pd.DataFrame


def achieved_margin(
    counts: pd.DataFrame,
    plan: SamplingPlan | str,
    *,
    rate: float,
    level: float = 0.95,
    deff: float | None = None,
    icc: float | None = None,
    township_rates: Mapping[str, float] | None = None,
) -> MarginResult:
    """Half-width of the CI of the county rate that a plan's random part achieves.

    Uses ``nₕ = min(villages_to_draw(Mₕ) × m, Nₕ)`` recipient households per township, the
    stratified variance with the design effect and the finite-population correction.
    """
    resolved = plan if isinstance(plan, SamplingPlan) else resolve_plan(plan)
    m = resolved.households_per_village
    if deff is not None and icc is not None:
        raise DesignError("give either deff or icc, not both")
    if icc is not None:
        deff = design_effect(m, icc)
    deff = 1.0 if deff is None else float(deff)
    _check_rate("expected rate", rate)
    z = _z(level)
    villages = np.array([resolved.villages_to_draw(int(v)) for v in counts["villages"]])
    drawn = np.minimum(villages * m, counts["households"].to_numpy())
    rates = _township_rates(counts, rate, township_rates)
    table = counts[["township_code", "households", "villages"]].copy()
    table["villages_to_draw"] = villages
    table["households_drawn"] = drawn
    return MarginResult(
        margin=_margin(counts["households"].to_numpy(), drawn, rates, deff, z),
        households=int(drawn.sum()),
        villages=int(villages.sum()),
        deff=deff,
        townships=table.reset_index(drop=True),
    )
