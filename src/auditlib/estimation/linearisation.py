"""Taylor-linearisation variance of stratified multistage samples (R ``svyrecvar``).

One :class:`Stage` per sampling stage holds, for each sampled unit, its stratum and a
multiplier; :func:`stage_covariance` sums the centred cross-products of unit totals of the
influence values within strata:

.. math::

    V = \\sum_h \\phi_h \\sum_{i\\in h} (z_{hi} - \\bar z_h)(z_{hi} - \\bar z_h)^T,
    \\qquad \\phi_h = (1 - f_h)\\,\\frac{n_h}{n_h - 1},

with, at the second stage, each PSU's contribution multiplied by its first-stage inclusion
probability (R's ``multistage`` recursion). A lonely stratum (one sampled unit, sampling
fraction < 1) fails, is centred at the overall mean (``adjust``: uncentred, multiplier
:math:`1-f`) or contributes nothing (``certainty``); a stratum with sampling fraction 1
contributes nothing (certainty).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from auditlib.errors import DesignError

__all__ = [
    "CERTAINTY_TOLERANCE",
    "Stage",
    "build_stage",
    "stage_covariance",
    "stage_stratum_variances",
]

#: Sampling fractions below this are treated as certainty (R's ``onestrat`` threshold).
CERTAINTY_TOLERANCE = 1e-7

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Stage:
    """One sampling stage, as arrays indexed by unit (PSU or SSU) and by stratum.

    ``unit_of_row`` maps rows to units, ``stratum_of_unit`` units to strata (within this
    stage), ``sampled`` is the number of sampled units per stratum and ``scale`` the
    multiplier of the centred cross-products per stratum: ``(1-f) n/(n-1)`` for ordinary
    strata, ``(1-f)`` (uncentred) for lonely strata under ``adjust`` and 0 for certainty
    or lonely-under-``certainty`` strata. ``center`` tells whether the stratum is centred.
    ``unit_factor`` multiplies each unit's contribution (the first-stage inclusion
    probability at stage 2, 1 at stage 1).
    """

    unit_of_row: IntArray
    stratum_of_unit: IntArray
    unit_count: int
    stratum_count: int
    sampled: FloatArray
    scale: FloatArray
    center: BoolArray
    unit_factor: FloatArray


def build_stage(
    unit_of_row: IntArray,
    stratum_of_unit: IntArray,
    sampled: FloatArray,
    population: FloatArray,
    *,
    unit_factor: FloatArray,
    stage: str,
    labels: Sequence[str],
    lonely_psu: str,
) -> Stage:
    """Variance ingredients of one stage; fails on a lonely stratum under ``fail``.

    ``labels`` name the strata for the error message (R ``onestrat``: a stratum whose
    sampling fraction is 1 is certainty, never lonely).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction_left = np.where(np.isinf(population), 1.0, (population - sampled) / population)
    certain = fraction_left < CERTAINTY_TOLERANCE
    lonely = (sampled == 1) & ~certain
    if lonely.any() and lonely_psu == "fail":
        first = labels[int(np.flatnonzero(lonely)[0])]
        raise DesignError(
            f"{first} has only one sampled unit at the {stage} stage, so its variance cannot "
            f"be estimated ({int(lonely.sum())} such stratum/strata); sample at least two "
            "units there, merge it with a neighbouring stratum, or choose "
            "lonely_psu='adjust' or 'certainty'"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(sampled > 1, fraction_left * sampled / (sampled - 1), fraction_left)
    if lonely_psu == "certainty":
        scale = np.where(lonely, 0.0, scale)
    scale = np.where(certain, 0.0, scale)
    center = ~(lonely & (lonely_psu == "adjust"))
    return Stage(
        unit_of_row=unit_of_row,
        stratum_of_unit=stratum_of_unit,
        unit_count=len(stratum_of_unit),
        stratum_count=len(sampled),
        sampled=sampled,
        scale=scale,
        center=center,
        unit_factor=unit_factor,
    )


def stage_covariance(stage: Stage, scores: FloatArray) -> FloatArray:
    """Σ over strata of scale × centred cross-products of unit totals."""
    columns = scores.shape[1]
    totals = np.empty((stage.unit_count, columns))
    for column in range(columns):
        totals[:, column] = np.bincount(
            stage.unit_of_row, weights=scores[:, column], minlength=stage.unit_count
        )
    sums = np.empty((stage.stratum_count, columns))
    for column in range(columns):
        sums[:, column] = np.bincount(
            stage.stratum_of_unit, weights=totals[:, column], minlength=stage.stratum_count
        )
    means = sums / stage.sampled[:, None]
    centered = totals - np.where(stage.center[:, None], means, 0.0)[stage.stratum_of_unit]
    weight = stage.scale[stage.stratum_of_unit] * stage.unit_factor
    return np.asarray((centered * weight[:, None]).T @ centered, dtype=np.float64)


def stage_stratum_variances(stage: Stage, scores: FloatArray) -> FloatArray:
    """Variance contribution of each stratum of ``stage`` for one column of ``scores``.

    The diagonal of :func:`stage_covariance`, split by stratum (the contributions add up
    to it).
    """
    totals = np.bincount(stage.unit_of_row, weights=scores, minlength=stage.unit_count)
    sums = np.bincount(stage.stratum_of_unit, weights=totals, minlength=stage.stratum_count)
    means = sums / stage.sampled
    centered = totals - np.where(stage.center, means, 0.0)[stage.stratum_of_unit]
    weight = stage.scale[stage.stratum_of_unit] * stage.unit_factor
    return np.bincount(
        stage.stratum_of_unit, weights=weight * centered**2, minlength=stage.stratum_count
    ).astype(np.float64)
