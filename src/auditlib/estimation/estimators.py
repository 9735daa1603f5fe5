"""Design-based estimators: proportions, totals, means and ratios, overall and by domain.

Each estimator takes a :class:`auditlib.estimation.design.SurveyDesign` and returns a frozen
:class:`Estimate` (or, with ``by=``, an :class:`Estimates` holding one per domain). The
variance is the Taylor linearisation of R ``survey``: the estimator's influence values
(weighted, zero outside the domain) go through :meth:`SurveyDesign.covariance`.

======================  =====================================================
statistic               influence value of row *i* (weight :math:`w_i`, domain
                        indicator :math:`d_i`)
======================  =====================================================
total :math:`\\hat Y`    :math:`w_i d_i y_i`
mean / proportion       :math:`w_i d_i (y_i - \\hat{\\bar y}) / \\hat N_d`
ratio :math:`\\hat R`    :math:`w_i d_i (y_i - \\hat R x_i) / \\hat X`
======================  =====================================================

"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from auditlib.errors import DesignError
from auditlib.estimation.certainty import SPLIT_METHODS, certainty_split, split_interval
from auditlib.estimation.intervals import (
    DEFAULT_CI_METHOD,
    effective_sample_size,
    kish_size,
    proportion_interval,
    t_interval,
)
from auditlib.estimation.presentation import proportion_flags, total_presentation
from auditlib.estimation.results import Estimate, Estimates
from auditlib.estimation.shares import share_cap, share_interval
from auditlib.estimation.structure import DesignStructure
from auditlib.estimation.variables import domains, variable_name, variable_values

__all__ = ["mean", "proportion", "proportions", "ratio", "total"]

FloatArray = npt.NDArray[np.float64]


def total(
    design: DesignStructure,
    variable: str | npt.ArrayLike,
    *,
    level: float = 0.95,
    by: str | None = None,
    degrees_of_freedom: int | None = None,
    domain: str | None = None,
) -> Any:
    """Estimated population total of ``variable`` (R ``svytotal``), CI ``± t_df · se``.

    With ``by=`` (a column name) returns :class:`Estimates`, one per domain.
    """
    if by is not None:
        return Estimates(
            tuple(
                total(sub, variable, level=level, degrees_of_freedom=degrees_of_freedom, domain=lab)
                for lab, sub in domains(design, by)
            )
        )
    values = variable_values(design, variable, "variable")
    scores = design.weight * values
    variance = float(design.covariance(scores)[0, 0])
    deff = _design_effect(design, values, variance, float(design.weight.sum()) ** 2)
    return _symmetric(
        design,
        "total",
        variable_name(variable),
        (float(scores.sum()), variance, deff),
        scores,
        level,
        degrees_of_freedom,
        domain,
    )


def _mean_parts(design: DesignStructure, values: FloatArray) -> tuple[float, float, FloatArray]:
    weight = design.weight
    population = float(weight.sum())
    estimate = float((weight * values).sum() / population)
    scores = weight * (values - estimate) / population
    return estimate, float(design.covariance(scores)[0, 0]), scores


def mean(
    design: DesignStructure,
    variable: str | npt.ArrayLike,
    *,
    level: float = 0.95,
    by: str | None = None,
    degrees_of_freedom: int | None = None,
    domain: str | None = None,
) -> Any:
    """Estimated population mean of ``variable`` (R ``svymean``), CI ``± t_df · se``."""
    if by is not None:
        return Estimates(
            tuple(
                mean(sub, variable, level=level, degrees_of_freedom=degrees_of_freedom, domain=lab)
                for lab, sub in domains(design, by)
            )
        )
    values = variable_values(design, variable, "variable")
    estimate, variance, scores = _mean_parts(design, values)
    deff = _design_effect(design, values, variance, 1.0)
    return _symmetric(
        design,
        "mean",
        variable_name(variable),
        (estimate, variance, deff),
        scores,
        level,
        degrees_of_freedom,
        domain,
    )


def proportion(
    design: DesignStructure,
    variable: str | npt.ArrayLike,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    by: str | None = None,
    degrees_of_freedom: int | None = None,
    domain: str | None = None,
) -> Any:
    """Estimated proportion of a 0/1 ``variable`` with a confidence interval.

    Parameters
    ----------
    design : SurveyDesign
    variable : str or array-like
        Column (or array) holding 0/1 or boolean values.
    method : str
        Interval method, one of :data:`auditlib.estimation.intervals.CI_METHODS`
        (default Korn–Graubard, NCHS form).
    level : float
        Two-sided confidence level; the one-sided upper limit uses the same level.
    by : str, optional
        Column defining domains; returns :class:`Estimates`.
    degrees_of_freedom : int, optional
        Override the design degrees of freedom (R's ``df=``).

    Raises
    ------
    DesignError
        If the variable holds values other than 0 and 1, or missing values in the domain.
    """
    if by is not None:
        return Estimates(
            tuple(
                proportion(
                    sub,
                    variable,
                    method=method,
                    level=level,
                    degrees_of_freedom=degrees_of_freedom,
                    domain=lab,
                )
                for lab, sub in domains(design, by)
            )
        )
    values = variable_values(design, variable, "variable")
    return proportions(
        design,
        values[:, None],
        (variable_name(variable),),
        domains=(domain,),
        method=method,
        level=level,
        degrees_of_freedom=degrees_of_freedom,
    )[0]


def proportions(
    design: DesignStructure,
    matrix: npt.ArrayLike,
    variables: tuple[str, ...],
    *,
    domains: tuple[str | None, ...] | None = None,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
) -> list[Estimate]:
    """Several proportions over the same domain at once (one column of 0/1 values each).

    Same results as calling :func:`proportion` on each column, computed in one pass (one
    covariance call, vectorised intervals).
    """
    values = np.where(design.active[:, None], np.asarray(matrix, dtype=np.float64), 0.0)
    rows, columns = np.nonzero(design.active[:, None] & (values != 0) & (values != 1))
    if rows.size:
        raise DesignError(
            f"proportion needs a 0/1 variable; {variables[int(columns[0])]!r} has "
            f"{float(values[rows[0], columns[0]])!r} at data row {int(rows[0]) + 2} "
            f"({rows.size} value(s) not 0/1)"
        )
    weight = design.weight
    population = float(weight.sum())
    estimate = weight @ values / population
    scores = weight[:, None] * (values - estimate) / population
    variance = np.diag(design.covariance(scores)).copy()
    n = design.n
    spread = (weight @ (values - estimate) ** 2) / population * n / max(n - 1, 1)
    simple = spread * (population - n) / (population * n)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = np.where((simple > 0) & (n >= 2) & (population > n), variance / simple, np.nan)
    df = _degrees_of_freedom(design, scores, degrees_of_freedom)
    if not 0.5 < level < 1:
        raise DesignError(f"level must be in (0.5, 1), got {level!r}")
    levels = np.array([level, round(2 * level - 1, 12)])
    # Two-sided limits at `level` and the one-sided upper limit (two-sided 2·level − 1).
    if method in SPLIT_METHODS:
        size_variance = float(design.covariance(weight)[0, 0])
        split = certainty_split(
            weight, values, np.ones(len(weight)), design.certain_rows, size_variance
        )
        lowers, uppers, effective = split_interval(
            estimate, variance, df, split, method=method, levels=levels
        )
    else:
        cap = n if method == "korn-graubard-nchs" else kish_size(weight)
        lowers, uppers = proportion_interval(
            estimate, variance, n, df, method=method, level=levels[:, None], cap_size=cap
        )
        effective = effective_sample_size(estimate, variance, cap)
    lower, upper, one_sided = lowers[0], uppers[0], uppers[1]
    shown = proportion_flags(estimate, lower, upper, effective, df, n)
    labels = domains if domains is not None else (None,) * len(variables)
    return [
        Estimate(
            statistic="proportion",
            variable=variables[k],
            domain=labels[k],
            estimate=float(estimate[k]),
            standard_error=float(np.sqrt(max(variance[k], 0.0))),
            lower=float(lower[k]),
            upper=float(upper[k]),
            upper_one_sided=float(one_sided[k]),
            level=level,
            method=method,
            degrees_of_freedom=int(df[k]),
            n=n,
            effective_n=float(effective[k]),
            design_effect=float(deff[k]),
            reliable=not (shown[k].suppress or shown[k].review),
            presentation=";".join(shown[k].reasons),
        )
        for k in range(len(variables))
    ]


def ratio(
    design: DesignStructure,
    numerator: str | npt.ArrayLike,
    denominator: str | npt.ArrayLike,
    *,
    level: float = 0.95,
    by: str | None = None,
    degrees_of_freedom: int | None = None,
    domain: str | None = None,
    method: str = "t",
    fractional: bool = False,
) -> Any:
    """Ratio of two estimated totals :math:`\\hat Y/\\hat X` (R ``svyratio``).

    ``method="t"`` (R): ``± t_df · se``. A proportion method treats the ratio as a *share*
    (:func:`auditlib.estimation.shares.share_interval`: skewed like the estimate, never below
    0, certainty units exact); ``fractional``: the numerator is a part of each unit's
    denominator, not all or nothing (:func:`auditlib.estimation.shares.share_cap`).

    Raises
    ------
    DesignError
        If the estimated denominator total is zero.
    """
    if by is not None:
        return Estimates(
            tuple(
                ratio(
                    sub,
                    numerator,
                    denominator,
                    level=level,
                    degrees_of_freedom=degrees_of_freedom,
                    domain=lab,
                    method=method,
                    fractional=fractional,
                )
                for lab, sub in domains(design, by)
            )
        )
    top = variable_values(design, numerator, "numerator")
    bottom = variable_values(design, denominator, "denominator")
    weight = design.weight
    bottom_total = float((weight * bottom).sum())
    if bottom_total == 0:
        raise DesignError(
            f"the estimated total of denominator {variable_name(denominator)!r} is 0 in this "
            "domain; the ratio is undefined"
        )
    estimate = float((weight * top).sum()) / bottom_total
    scores = weight * (top - estimate * bottom) / bottom_total
    variance = float(design.covariance(scores)[0, 0])
    result = _symmetric(
        design,
        "ratio",
        f"{variable_name(numerator)}/{variable_name(denominator)}",
        (estimate, variance, float("nan")),
        scores,
        level,
        degrees_of_freedom,
        domain,
    )
    if method == "t":
        return result
    paid_variance = float(design.covariance(weight * bottom)[0, 0])
    split = certainty_split(weight, top[:, None], bottom, design.certain_rows, paid_variance)
    return share_interval(
        result, split, share_cap(weight, design.certain_rows, top, bottom, fractional), method
    )


def _degrees_of_freedom(
    design: DesignStructure, scores: FloatArray, given: int | None
) -> npt.NDArray[np.int64]:
    """Degrees of freedom of each column of ``scores`` (``given`` overrides; see
    :meth:`DesignStructure.degrees_of_freedom`)."""
    matrix = scores.reshape(len(scores), -1)
    if given is not None:
        return np.full(matrix.shape[1], int(given), dtype=np.int64)
    if design.df_method == "design":
        return np.full(matrix.shape[1], design.degrees_of_freedom(), dtype=np.int64)
    return np.array(
        [design.degrees_of_freedom(matrix[:, k]) for k in range(matrix.shape[1])], dtype=np.int64
    )


def _design_effect(
    design: DesignStructure, values: FloatArray, variance: float, scale: float
) -> float:
    """Design effect as R ``svymean(..., deff=TRUE)``.

    The design variance over the variance of simple random sampling without replacement of
    the same size, :math:`s^2 (\\hat N - n)/(\\hat N n)` with :math:`s^2` the weighted variance
    times :math:`n/(n-1)` (``scale`` converts a mean's variance to the statistic's).
    """
    weight = design.weight
    n = design.n
    population = float(weight.sum())
    if n < 2 or population <= n:
        return float("nan")
    mean_value = float((weight * values).sum() / population)
    spread = float((weight * (values - mean_value) ** 2).sum() / population) * n / (n - 1)
    simple = spread * (population - n) / (population * n) * scale
    return variance / simple if simple > 0 else float("nan")


def _symmetric(
    design: DesignStructure,
    statistic: str,
    variable: str,
    parts: tuple[float, float, float],
    scores: FloatArray,
    level: float,
    degrees_of_freedom: int | None,
    domain: str | None,
) -> Estimate:
    """An estimate with the interval ``± t_df · se``; ``parts`` = estimate, variance, deff."""
    estimate, variance, design_effect = parts
    df = int(_degrees_of_freedom(design, scores, degrees_of_freedom)[0])
    se = float(np.sqrt(max(variance, 0.0)))
    lower, upper = t_interval(estimate, se, df, level=level)
    _, one_sided = t_interval(estimate, se, df, level=round(2 * level - 1, 12))
    n = design.n
    effective = float(min(n, n / design_effect)) if design_effect > 0 else float(n)
    shown = total_presentation(estimate, se, effective, df, n)[0]
    return Estimate(
        statistic=statistic,
        variable=variable,
        domain=domain,
        estimate=float(estimate),
        standard_error=se,
        lower=float(lower),
        upper=float(upper),
        upper_one_sided=float(one_sided),
        level=level,
        method="t",
        degrees_of_freedom=df,
        n=n,
        effective_n=effective,
        design_effect=float(design_effect),
        reliable=not (shown.suppress or shown.review),
        presentation=";".join(shown.reasons),
    )
