"""Intervals that respect certainty units: they add neither variance nor uncertainty.

An audit sample verifies some households with certainty (registered relatives of staff,
top-risk households: inclusion probability 1). Their part of an estimate is known exactly; only
the part carried by the sampled households is uncertain. Writing the estimate as

.. math::

    \\hat p = c + a\\,\\hat p_R,\\qquad
    c = \\frac{\\sum_{C} y_i}{\\hat N},\\quad a = \\frac{\\sum_{R} w_i}{\\hat N},\\quad
    \\hat p_R = \\frac{\\sum_R w_i y_i}{\\sum_R w_i},

(*C* the certainty rows, *R* the others; for a ratio :math:`\\hat Y/\\hat X` replace the
weights by :math:`w_ix_i`), the interval combines :math:`c + a\\,[L_R, U_R]`, with
:math:`[L_R, U_R]` the interval of :math:`\\hat p_R` (the county's method: Jeffreys or
Korn–Graubard; variance :math:`v/a^2`, effective size capped at Kish's size of the *R* rows),
with :math:`m = t_{df}\\,c\\,\\mathrm{cv}(\\hat N)`. The numerator of *c* is exact but its
denominator, the estimated size of the domain, is not: *m* (delta method,
:math:`\\mathrm{cv}(\\hat N)` the coefficient of variation of the estimated domain size) keeps
that uncertainty, which alone decides the interval when every error is in the certainty strata
(without it, coverage fell to 50 % in such a county). The two half-widths are combined in
quadrature (MOVER, Zou & Donner 2008): :math:`\\hat p - \\sqrt{(\\hat p - c - aL_R)^2 + m^2}`
to :math:`\\hat p + \\sqrt{(c + aU_R - \\hat p)^2 + m^2}` (issue 13's first version added
them, which over-covered). In a risk-targeted sample of a county where the top-risk households
carry most errors the estimate is nearly exact; an interval that treats the certainty
households as ordinary sampled ones (or caps the effective size at a binomial one of the
whole sample) overstates the uncertainty of that part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from auditlib.estimation.intervals import (
    combine_in_quadrature,
    effective_sample_size,
    kish_size,
    proportion_interval,
)

__all__ = ["SPLIT_METHODS", "CertaintySplit", "certainty_split", "split_interval"]

#: Interval methods computed on the variable part (the others treat every row alike).
SPLIT_METHODS: tuple[str, ...] = ("korn-graubard", "jeffreys")

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CertaintySplit:
    """The exact part ``exact`` (one per column), the variable share ``scale``, Kish's size
    ``kish`` of the variable rows and ``exact_cv``, the coefficient of variation of the estimated
    denominator total (see the module docstring)."""

    exact: FloatArray
    scale: float
    kish: float
    exact_cv: float = 0.0


def certainty_split(
    weight: FloatArray,
    numerator: FloatArray,
    denominator: FloatArray,
    certain: npt.ArrayLike,
    denominator_variance: float = 0.0,
) -> CertaintySplit:
    """Split an estimate ``Σ w·numerator / Σ w·denominator`` by certainty rows.

    Parameters
    ----------
    weight : array (rows,)
        Weights, 0 outside the domain.
    numerator : array (rows, k)
        One column per estimate.
    denominator : array (rows,)
        1 for a proportion; the yuan paid for a share of yuan.
    certain : bool array (rows,)
        Rows with inclusion probability 1.
    denominator_variance : float
        Linearisation variance of the estimated denominator total :math:`\\sum w\\cdot`
        denominator.
    """
    fixed = np.asarray(certain, dtype=bool)
    scaled = weight * denominator
    total = float(scaled.sum())
    exact = np.asarray(weight * fixed, dtype=np.float64) @ numerator
    variable = np.where(fixed, 0.0, weight)
    return CertaintySplit(
        exact=np.asarray(exact / total, dtype=np.float64),
        scale=float((variable * denominator).sum() / total),
        kish=kish_size(variable),
        exact_cv=float(np.sqrt(max(denominator_variance, 0.0)) / total) if total > 0 else 0.0,
    )


def split_interval(
    estimate: FloatArray,
    variance: FloatArray,
    degrees_of_freedom: Any,
    split: CertaintySplit,
    *,
    method: str,
    levels: FloatArray,
    cap: Any = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Limits (one row per level) and effective sizes of ``c + a·[L_R, U_R]``.

    ``cap`` overrides the cap of the variable part's effective size (default Kish's size of the
    variable rows). All rows certain: the estimate is exact (both limits equal it).
    """
    p = np.asarray(estimate, dtype=np.float64)
    if split.scale <= 0:
        same = np.broadcast_to(p, (len(levels), *p.shape)).copy()
        return same, same.copy(), np.full(p.shape, np.inf)
    part = np.clip((p - split.exact) / split.scale, 0.0, 1.0)
    part_variance = np.asarray(variance, dtype=np.float64) / split.scale**2
    size = split.kish if cap is None else cap
    lowers, uppers = proportion_interval(
        part,
        part_variance,
        np.maximum(split.kish, 1.0),
        degrees_of_freedom,
        method=method,
        level=levels.reshape(-1, *([1] * p.ndim)),
        cap_size=size,
    )
    effective = effective_sample_size(part, part_variance, size)
    df = np.maximum(np.asarray(degrees_of_freedom, dtype=np.float64), 1.0)
    t = special.stdtrit(df, 1 - (1 - levels.reshape(-1, *([1] * p.ndim))) / 2)
    lower, upper = combine_in_quadrature(
        p,
        split.exact + split.scale * lowers,
        split.exact + split.scale * uppers,
        t * split.exact * split.exact_cv,
    )
    return lower, upper, np.asarray(effective, dtype=np.float64)
