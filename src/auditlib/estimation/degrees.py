"""Degrees of freedom that follow the variance: Satterthwaite over groups of strata.

R ``survey`` gives a design #PSU − #strata degrees of freedom. In an audit sample most of those
PSUs are single households of certainty strata (registered relatives, top-risk households: π = 1,
no variance) or of a county-wide household stratum, while the variance of most estimates comes
from 9–22 sampled villages. Counting them all gave 107–372 degrees of freedom to estimates whose
variance rests on a dozen villages, so every county estimate was flagged reliable, and the
Korn–Graubard interval used a t quantile close to the normal one.

Here the strata are put in *variance groups* (in the audit: the township strata of villages; each
single-stage household stratum of new approvals; the certainty strata) and the degrees of freedom
are Satterthwaite's for a sum of independent variance components,

.. math::

    \\nu = \\frac{\\left(\\sum_g V_g\\right)^2}{\\sum_g V_g^2/\\nu_g},
    \\qquad \\nu_g = \\#\\text{PSU}_g - \\#\\text{strata}_g,

with :math:`V_g` the group's share of the linearisation variance of the estimate and
:math:`\\nu_g` R's rule within the group (PSUs with rows in the domain). Groups whose strata are
all certainty strata contribute nothing. Within a group the strata are pooled (2–3 villages per
township give too unstable a per-stratum Satterthwaite). When the estimate has no variance at
all (e.g. no error found), :math:`\\nu` is the :math:`\\nu_g` of the group carrying the largest
estimated population (the villages), since that is where variance would come from.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from auditlib.estimation.linearisation import Stage, stage_stratum_variances

__all__ = ["group_degrees_of_freedom", "satterthwaite_degrees_of_freedom", "stratum_variances"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def stratum_variances(
    first: Stage, second: Stage | None, stratum_of_group: IntArray | None, scores: FloatArray
) -> FloatArray:
    """Linearisation variance of one column of ``scores`` split by first-stage stratum.

    The second stage's contribution of each PSU's second-stage stratum goes to the PSU's
    first-stage stratum (``stratum_of_group``); the parts add up to the variance.
    """
    by_stratum = stage_stratum_variances(first, scores)
    if second is not None and stratum_of_group is not None:
        within = stage_stratum_variances(second, scores)
        by_stratum += np.bincount(stratum_of_group, weights=within, minlength=len(by_stratum))
    return by_stratum


def group_degrees_of_freedom(psus: FloatArray, group: IntArray, variable: BoolArray) -> FloatArray:
    """R's #PSU − #strata within each group, over strata that hold PSUs and can vary.

    Parameters
    ----------
    psus : array, one value per stratum
        Sampled PSUs with rows in the domain.
    group : int array, one value per stratum
        Group code of each stratum (0 … k−1).
    variable : bool array, one value per stratum
        False for certainty strata (no variance).
    """
    count = int(group.max()) + 1 if group.size else 0
    used = (psus > 0) & variable
    units = np.bincount(group[used], weights=psus[used], minlength=count)
    strata = np.bincount(group[used], minlength=count)
    return np.asarray(units - strata, dtype=np.float64)


def satterthwaite_degrees_of_freedom(
    variances: FloatArray, group_df: FloatArray, group_size: FloatArray
) -> float:
    """Satterthwaite degrees of freedom of a sum of group variances.

    Parameters
    ----------
    variances : array, one value per group
        Variance contribution of each group (≥ 0).
    group_df : array, one value per group
        Degrees of freedom of each group (:func:`group_degrees_of_freedom`).
    group_size : array, one value per group
        Estimated population of each group in the domain (the fallback when nothing varies).

    Returns
    -------
    float
        At least 1: a domain whose sampled units sit in a single PSU per stratum (a rare
        domain, e.g. the 特困 households of two villages) gets 1, a very wide interval, rather
        than none.

    Examples
    --------
    >>> satterthwaite_degrees_of_freedom(
    ...     np.array([1.0, 1.0]), np.array([10.0, 10.0]), np.array([1.0, 1.0]))
    20.0
    """
    usable = group_df > 0
    if not usable.any():
        return 1.0
    v = np.where(usable, np.maximum(variances, 0.0), 0.0)
    if v.sum() <= 0:
        return float(group_df[usable][np.argmax(group_size[usable])])
    value = v.sum() ** 2 / np.sum(np.where(v > 0, v**2 / np.where(usable, group_df, 1.0), 0.0))
    return float(max(value, 1.0))
