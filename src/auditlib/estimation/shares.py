"""Intervals for ratios that are shares (yuan paid to ineligible households ÷ all yuan paid).

The improper-payment rate and the over- and underpayment rates are ratios of two estimated
yuan totals whose numerator is a part of the denominator. Their sampling distribution is skewed
like a small proportion's (few ineligible households carry the numerator), and the estimate is
strongly correlated with its own standard error (0.70–0.92 in issue 13's measurements), so the
symmetric ``± t·se`` interval of R ``svyratio`` misses almost always on the low side and its
lower limit goes below 0 in 8–19 % of samples. :func:`share_interval` applies a proportion
interval (Korn–Graubard by default) to the share with the effective size
:math:`\\hat R(1-\\hat R)/v`, as for a proportion of households, which is skewed the right way
and stays in [0, 1]. See ``docs/estimation.md`` for the measured effect.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from auditlib.estimation.certainty import SPLIT_METHODS, CertaintySplit, split_interval
from auditlib.estimation.intervals import effective_sample_size, proportion_interval
from auditlib.estimation.presentation import proportion_flags, total_presentation
from auditlib.estimation.results import Estimate

__all__ = ["share_cap", "share_interval"]

FloatArray = npt.NDArray[np.float64]


def share_interval(
    result: Estimate, split: CertaintySplit, cap: float | None, method: str
) -> Estimate:
    """``result`` (a ratio with its ``t`` interval) with the limits of a share.

    Parameters
    ----------
    result : Estimate
        A ratio estimate.
    split : CertaintySplit
        Its exact part (certainty units), the variable share and Kish's size of the variable
        rows (:func:`auditlib.estimation.certainty.certainty_split`).
    cap : float or None
        Cap of the variable part's effective size (``None``: Kish's size; for a *fractional*
        numerator the estimators pass :math:`\\hat R(1-\\hat R)/v_0`, see
        :func:`auditlib.estimation.estimators.ratio`).
    method : str
        A proportion interval method of :data:`auditlib.estimation.intervals.CI_METHODS`.
    """
    p, v, df = result.estimate, result.variance, result.degrees_of_freedom
    levels = np.array([result.level, round(2 * result.level - 1, 12)])
    if 0 <= p <= 1 and method in SPLIT_METHODS:
        lowers, uppers, sizes = split_interval(
            np.array([p]), np.array([v]), df, split, method=method, levels=levels, cap=cap
        )
        lowers, uppers = lowers[:, 0], uppers[:, 0]
        effective = float(sizes[0])
        shown = proportion_flags(p, lowers[0], uppers[0], effective, df, result.n)[0]
    elif 0 <= p <= 1:
        size = result.n if method == "korn-graubard-nchs" else split.kish
        lowers, uppers = proportion_interval(
            p, v, result.n, df, method=method, level=levels, cap_size=size
        )
        effective = float(effective_sample_size(p, v, size))
        shown = proportion_flags(p, lowers[0], uppers[0], effective, df, result.n)[0]
    else:
        t = -special.stdtrit(max(df, 1), (1 - levels) / 2)
        spread = np.exp(t * result.standard_error / p)
        lowers, uppers = p / spread, p * spread
        effective = result.effective_n
        shown = total_presentation(p, result.standard_error, effective, df, result.n)[0]
    values = result.as_dict() | {
        "lower": float(lowers[0]),
        "upper": float(uppers[0]),
        "upper_one_sided": float(uppers[1]),
        "method": method,
        "effective_n": effective,
        "reliable": not (shown.suppress or shown.review),
        "presentation": ";".join(shown.reasons),
    }
    return Estimate(**values)


def share_cap(
    weight: FloatArray,
    certain: npt.ArrayLike,
    numerator: FloatArray,
    denominator: FloatArray,
    fractional: bool,
) -> float | None:
    """Cap of a share's effective size (``None``: Kish's size of the variable rows).

    A *fractional* numerator (a part of each household's yuan: underpayments) is capped at
    :math:`\\hat R(1-\\hat R)/v_0`, :math:`v_0` the unclustered variance of the variable
    rows' influence values with the finite-population correction (a design effect ≥ 1).
    """
    if not fractional:
        return None
    variable = np.where(np.asarray(certain, dtype=bool), 0.0, weight)
    paid = float((variable * denominator).sum())
    if paid <= 0:
        return None
    share = float((variable * numerator).sum()) / paid
    scores = variable * (numerator - share * denominator) / paid
    fraction = min(int((variable > 0).sum()) / float(variable.sum()), 1.0)
    unclustered = (1 - fraction) * float(np.sum(scores**2))
    if not (0 < share < 1 and unclustered > 0):
        return None
    return share * (1 - share) / unclustered
