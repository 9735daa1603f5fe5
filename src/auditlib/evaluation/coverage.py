"""Coverage of the confidence-interval methods, measured by simulation.

A synthetic county with known truth is sampled repeatedly with the audit's two-stage design
(strata of townships, villages by simple random sampling without replacement, five
households per village by simple random sampling without replacement); for each sample the
inclusion-error rate, its two-stage variance (the same formula as
:meth:`auditlib.estimation.design.SurveyDesign.covariance`) and every interval of
:data:`auditlib.estimation.intervals.CI_METHODS` are computed, all replicates at once (numpy arrays
of shape replicates × sampled villages). Zero-error samples are kept and counted.

The synthetic county: ``townships`` townships of ``villages`` villages each, 30–90
recipient households per village; each village's error probability is drawn from a beta
distribution with mean ``rate`` and intra-class correlation ``icc`` (``a = rate(1-icc)/icc``,
``b = (1-rate)(1-icc)/icc``), rescaled so that their household-weighted mean is ``rate``, and
its number of ineligible households from the binomial.
The truth is the population share of ineligible households.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.errors import ParamsError
from auditlib.estimation.intervals import CI_METHODS, proportion_interval

__all__ = [
    "DEFAULT_ICCS",
    "DEFAULT_RATES",
    "DEFAULT_SAMPLE_SIZES",
    "HOUSEHOLDS_PER_VILLAGE",
    "ReplicateSamples",
    "SamplePlan",
    "SimulatedCounty",
    "draw_replicates",
    "plan_for",
    "replicate_estimates",
    "simulate_coverage",
    "synthetic_county",
]

DEFAULT_RATES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10, 0.20)
DEFAULT_SAMPLE_SIZES: tuple[int, ...] = (30, 75, 150)
DEFAULT_ICCS: tuple[float, ...] = (0.05, 0.15)
HOUSEHOLDS_PER_VILLAGE = 5

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SimulatedCounty:
    """A synthetic county: per village, its township, size and number of errors."""

    township: IntArray
    households: IntArray
    errors: IntArray
    rate: float
    icc: float

    @property
    def true_rate(self) -> float:
        """Population share of ineligible recipient households."""
        return float(self.errors.sum() / self.households.sum())


@dataclass(frozen=True)
class SamplePlan:
    """Strata (groups of townships) and villages sampled per stratum."""

    sample_size: int
    stratum_of_township: IntArray
    villages_per_stratum: IntArray
    households_per_village: int = HOUSEHOLDS_PER_VILLAGE

    @property
    def degrees_of_freedom(self) -> int:
        """#PSU − #strata."""
        return int(self.villages_per_stratum.sum() - self.villages_per_stratum.size)


def synthetic_county(
    rate: float, icc: float, *, townships: int = 10, villages: int = 24, seed: int = 0
) -> SimulatedCounty:
    """Build a synthetic county (see the module docstring)."""
    if not 0 < rate < 1:
        raise ParamsError(f"rate must be in (0, 1), got {rate!r}")
    if not 0 < icc < 1:
        raise ParamsError(f"icc must be in (0, 1), got {icc!r}")
    rng = np.random.default_rng(seed)
    count = townships * villages
    households = rng.integers(30, 91, size=count)
    a = rate * (1 - icc) / icc
    b = (1 - rate) * (1 - icc) / icc
    village_rate = rng.beta(a, b, size=count)
    # Rescale so that the county's expected rate is the nominal one (a few villages with
    # very high rates would otherwise move a 240-village county far from it).
    village_rate = np.clip(village_rate * rate / np.average(village_rate, weights=households), 0, 1)
    errors = rng.binomial(households, village_rate)
    township = np.repeat(np.arange(townships), villages)
    return SimulatedCounty(
        township, households.astype(np.int64), errors.astype(np.int64), rate, icc
    )


def plan_for(sample_size: int, townships: int = 10) -> SamplePlan:
    """The design for ``sample_size`` households: five per village, 2 villages per stratum
    below 15 villages and 3 from 15 on, at most ``townships`` strata (townships grouped).

    30 → 3 strata × 2 villages; 75 → 5 × 3; 150 → 10 × 3.
    """
    villages = sample_size // HOUSEHOLDS_PER_VILLAGE
    if sample_size % HOUSEHOLDS_PER_VILLAGE or villages < 4:
        raise ParamsError(
            f"sample size must be a multiple of {HOUSEHOLDS_PER_VILLAGE} and at least "
            f"{4 * HOUSEHOLDS_PER_VILLAGE}; got {sample_size}"
        )
    per_stratum = 2 if villages < 15 else 3
    strata = min(townships, villages // per_stratum)
    base, extra = divmod(villages, strata)
    counts = np.full(strata, base, dtype=np.int64)
    counts[:extra] += 1
    stratum_of_township = (np.arange(townships) * strata) // townships
    return SamplePlan(sample_size, stratum_of_township.astype(np.int64), counts)


@dataclass(frozen=True)
class ReplicateSamples:
    """Replicate samples: per stratum, the sampled villages and their error counts.

    ``villages[h]`` and ``errors[h]`` have shape (replicates, villages sampled in stratum h).
    """

    villages: tuple[IntArray, ...]
    errors: tuple[FloatArray, ...]


def draw_replicates(
    county: SimulatedCounty, plan: SamplePlan, replicates: int, rng: np.random.Generator
) -> ReplicateSamples:
    """Draw villages (SRS without replacement per stratum) and, in each, the number of
    ineligible households among ``households_per_village`` drawn without replacement
    (hypergeometric)."""
    m = plan.households_per_village
    stratum_of_village = plan.stratum_of_township[county.township]
    villages, errors = [], []
    for stratum, sampled in enumerate(plan.villages_per_stratum):
        members = np.flatnonzero(stratum_of_village == stratum)
        keys = rng.random((replicates, members.size))
        chosen = members[np.argpartition(keys, sampled - 1, axis=1)[:, :sampled]]
        size = county.households[chosen]
        bad = county.errors[chosen]
        villages.append(chosen)
        errors.append(rng.hypergeometric(bad, size - bad, m).astype(np.float64))
    return ReplicateSamples(tuple(villages), tuple(errors))


def replicate_estimates(
    county: SimulatedCounty, plan: SamplePlan, samples: ReplicateSamples
) -> tuple[FloatArray, FloatArray]:
    """Estimated rates and their variances for every replicate.

    The variance is R ``survey``'s two-stage without-replacement linearisation variance
    (first stage over village totals within strata, second stage within villages, weighted
    by the village inclusion probability), as in :meth:`SurveyDesign.covariance`.
    """
    m = plan.households_per_village
    stratum_of_village = plan.stratum_of_township[county.township]
    populations = np.bincount(stratum_of_village, minlength=plan.villages_per_stratum.size)
    weights = [
        populations[h] / sampled * county.households[samples.villages[h]] / m
        for h, sampled in enumerate(plan.villages_per_stratum)
    ]
    weight = np.concatenate(weights, axis=1)
    k = np.concatenate(samples.errors, axis=1)
    total_weight = weight.sum(axis=1) * m
    estimate = (weight * k).sum(axis=1) / total_weight
    village_total = weight * (k - m * estimate[:, None]) / total_weight[:, None]
    variance = np.zeros(estimate.shape)
    column = 0
    for h, sampled in enumerate(plan.villages_per_stratum):
        population = populations[h]
        block = slice(column, column + sampled)
        centred = village_total[:, block] - village_total[:, block].mean(axis=1, keepdims=True)
        variance += (1 - sampled / population) * sampled / (sampled - 1) * (centred**2).sum(axis=1)
        size = county.households[samples.villages[h]]
        within = (weight[:, block] / total_weight[:, None]) ** 2 * (
            k[:, block] - k[:, block] ** 2 / m
        )
        variance += (sampled / population) * ((1 - m / size) * m / (m - 1) * within).sum(axis=1)
        column += sampled
    return estimate, variance


def simulate_coverage(
    *,
    rates: Sequence[float] = DEFAULT_RATES,
    sample_sizes: Sequence[int] = DEFAULT_SAMPLE_SIZES,
    iccs: Sequence[float] = DEFAULT_ICCS,
    replicates: int = 2000,
    level: float = 0.95,
    methods: Sequence[str] = CI_METHODS,
    seed: int = 20261122,
) -> pd.DataFrame:
    """Coverage and mean width of every interval method over a grid.

    Returns
    -------
    DataFrame
        One row per (rate, icc, sample size, method): ``true_rate`` (of the synthetic
        population), ``coverage``, ``mean_width``, ``miss_below`` (share of intervals
        entirely below the truth), ``miss_above``, ``zero_error_share``, ``replicates``,
        ``degrees_of_freedom``.
    """
    if replicates < 10:
        raise ParamsError(f"replicates must be at least 10, got {replicates}")
    rows = []
    for rate_index, rate in enumerate(rates):
        for icc_index, icc in enumerate(iccs):
            county = synthetic_county(rate, icc, seed=seed + 1000 * rate_index + icc_index)
            truth = county.true_rate
            for size_index, sample_size in enumerate(sample_sizes):
                plan = plan_for(sample_size)
                rng = np.random.default_rng([seed, rate_index, icc_index, size_index])
                samples = draw_replicates(county, plan, replicates, rng)
                estimate, variance = replicate_estimates(county, plan, samples)
                errors = sum(block.sum(axis=1) for block in samples.errors)
                df = plan.degrees_of_freedom
                for method in methods:
                    lower, upper = proportion_interval(
                        estimate, variance, sample_size, df, method=method, level=level
                    )
                    rows.append(
                        {
                            "rate": rate,
                            "icc": icc,
                            "sample_size": sample_size,
                            "method": method,
                            "true_rate": truth,
                            "coverage": float(np.mean((lower <= truth) & (truth <= upper))),
                            "mean_width": float(np.mean(upper - lower)),
                            "miss_below": float(np.mean(upper < truth)),
                            "miss_above": float(np.mean(lower > truth)),
                            "zero_error_share": float(np.mean(errors == 0)),
                            "replicates": replicates,
                            "degrees_of_freedom": df,
                        }
                    )
    return pd.DataFrame(rows)
