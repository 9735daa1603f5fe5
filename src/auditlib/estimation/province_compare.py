"""Comparing counties within a province: exceedance probabilities, rank intervals, funnel
limits and the counties a targeted inspection (靶向督查) would pick.

Each county's estimate is taken as :math:`\\hat p_c + \\mathrm{se}_c\\,T_{\\nu_c}` (a normal/t
approximation of its sampling distribution, :math:`\\nu_c` the county's degrees of freedom);
the counties are independent.

* :func:`exceedance_probability` — :math:`P(p_c > \\text{target}) =
  1 - F_{t,\\nu_c}((\\text{target}-\\hat p_c)/\\mathrm{se}_c)`; a county with no variance (no error
  found, se 0) gets 0 below the target. This is the approximate posterior probability under a
  flat prior, not a test.
* :func:`rank_intervals` — ranks (1 = highest rate) of draws from those distributions (clipped
  to [0, 1]) with a fixed seed; the interval holds the central ``level`` of each county's ranks.
* :func:`funnel_limits` — the control limits of a funnel plot around the provincial rate,
  :math:`p_0 \\pm z\\sqrt{p_0(1-p_0)/n^*}` over the effective sample size :math:`n^*`.
* :func:`targeted_selection` — Dibao coverage regressed on an economic indicator over the
  counties (least squares); a county whose coverage lies more than ``threshold`` residual
  standard deviations above the line (coverage high for its economy: possible 错保) or below it
  (possible 漏保) is picked, and so is a county whose error rate exceeds the target with
  probability ≥ ``probability``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats

from auditlib.errors import DesignError

__all__ = [
    "exceedance_probability",
    "funnel_limits",
    "rank_intervals",
    "targeted_selection",
]

FloatArray = npt.NDArray[np.float64]
#: Seed of the rank simulation (fixed: the report's bytes do not depend on the run).
RANK_SEED = 20_161_601


def exceedance_probability(
    estimate: npt.ArrayLike,
    standard_error: npt.ArrayLike,
    degrees_of_freedom: npt.ArrayLike,
    target: float,
) -> FloatArray:
    """Probability that each county's rate exceeds ``target`` (t approximation).

    Examples
    --------
    >>> exceedance_probability([0.05, 0.10], [0.01, 0.0], [20, 20], 0.05).round(3).tolist()
    [0.5, 1.0]
    """
    p = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(standard_error, dtype=np.float64)
    df = np.maximum(np.asarray(degrees_of_freedom, dtype=np.float64), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (target - p) / se
    probability = np.where(se > 0, special.stdtr(df, -np.nan_to_num(score)), (p > target) * 1.0)
    return np.asarray(probability, dtype=np.float64)


def rank_intervals(
    estimate: npt.ArrayLike,
    standard_error: npt.ArrayLike,
    degrees_of_freedom: npt.ArrayLike,
    *,
    level: float = 0.95,
    draws: int = 4000,
    seed: int = RANK_SEED,
) -> pd.DataFrame:
    """Rank intervals of the counties by simulation (1 = the highest rate).

    Returns
    -------
    pandas.DataFrame
        Columns ``rank`` (of the point estimates), ``rank_lower``, ``rank_median``,
        ``rank_upper``, one row per county in the order given.
    """
    p = np.asarray(estimate, dtype=np.float64)
    se = np.nan_to_num(np.asarray(standard_error, dtype=np.float64))
    df = np.maximum(np.asarray(degrees_of_freedom, dtype=np.float64), 1.0)
    if not 0 < level < 1:
        raise DesignError(f"level must be in (0, 1), got {level!r}")
    generator = np.random.default_rng(seed)
    noise = generator.standard_t(df, size=(draws, p.size))
    values = np.clip(p + se * noise, 0.0, 1.0)
    # rank 1 = highest; ties share the better rank
    ranks = (-values).argsort(axis=1, kind="stable").argsort(axis=1, kind="stable") + 1
    alpha = (1 - level) / 2
    point = (-p).argsort(kind="stable").argsort(kind="stable") + 1
    return pd.DataFrame(
        {
            "rank": point,
            "rank_lower": np.quantile(ranks, alpha, axis=0, method="lower").astype(int),
            "rank_median": np.median(ranks, axis=0),
            "rank_upper": np.quantile(ranks, 1 - alpha, axis=0, method="higher").astype(int),
        }
    )


def funnel_limits(
    rate: float, effective_n: npt.ArrayLike, levels: tuple[float, ...] = (0.95, 0.998)
) -> dict[float, tuple[FloatArray, FloatArray]]:
    """Funnel-plot control limits around ``rate`` at each effective size, per level."""
    size = np.maximum(np.asarray(effective_n, dtype=np.float64), 1.0)
    spread = np.sqrt(rate * (1 - rate) / size)
    limits = {}
    for level in levels:
        z = float(stats.norm.ppf(1 - (1 - level) / 2))
        limits[level] = (np.clip(rate - z * spread, 0, 1), np.clip(rate + z * spread, 0, 1))
    return limits


def _numbers(table: pd.DataFrame, column: str) -> FloatArray:
    """A column as floats (NaN where missing or not a number; all NaN without the column)."""
    if column not in table.columns:
        return np.full(len(table), np.nan)
    return np.asarray(pd.to_numeric(table[column], errors="coerce"), dtype=np.float64)


def targeted_selection(
    counties: pd.DataFrame,
    *,
    threshold: float = 1.5,
    probability: float = 0.8,
) -> pd.DataFrame:
    """The counties a targeted inspection (靶向督查) would pick, with the reason.

    Parameters
    ----------
    counties : pandas.DataFrame
        Columns ``county_code``, ``coverage`` (Dibao coverage rate, may be missing),
        ``indicator`` (economic indicator, e.g. disposable income per head; may be missing) and
        ``exceedance`` (P(错保率 > target), may be missing).
    threshold : float
        Residual standard deviations beyond which a county's coverage is unusual.
    probability : float
        Exceedance probability from which a county is picked.

    Returns
    -------
    pandas.DataFrame
        The input with ``expected_coverage``, ``residual_z``, ``picked`` (bool) and
        ``reason`` (``coverage_high``, ``coverage_low``, ``exceeds_target``, ``;``-joined).
    """
    table = counties.copy()
    coverage, indicator = _numbers(table, "coverage"), _numbers(table, "indicator")
    usable = np.isfinite(coverage) & np.isfinite(indicator)
    expected = np.full(len(table), np.nan)
    z = np.full(len(table), np.nan)
    if usable.sum() >= 3 and np.ptp(indicator[usable]) > 0:
        slope, intercept = np.polyfit(indicator[usable], coverage[usable], 1)
        expected = intercept + slope * indicator
        residual = coverage - expected
        sd = float(np.std(residual[usable], ddof=2)) if usable.sum() > 2 else 0.0
        z = residual / sd if sd > 0 else np.zeros(len(table))
    exceed = _numbers(table, "exceedance")
    reasons = []
    for k in range(len(table)):
        parts = []
        if np.isfinite(z[k]) and z[k] > threshold:
            parts.append("coverage_high")
        if np.isfinite(z[k]) and z[k] < -threshold:
            parts.append("coverage_low")
        if np.isfinite(exceed[k]) and exceed[k] >= probability:
            parts.append("exceeds_target")
        reasons.append(";".join(parts))
    table["expected_coverage"] = expected
    table["residual_z"] = z
    table["reason"] = reasons
    table["picked"] = table["reason"] != ""
    return table
