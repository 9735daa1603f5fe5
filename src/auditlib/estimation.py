"""Results of design-based estimators (:class:`Estimate`, :class:`Estimates`) and the
helpers the estimators of :mod:`auditlib.estimators` share (reading variables, domains,
design effect, reliability flag, symmetric t intervals).

The design effect follows R ``svymean(..., deff=TRUE)``: the design variance over the
variance of simple random sampling without replacement of the same size,
:math:`s^2 (\\hat N - n)/(\\hat N n)` with :math:`s^2` the weighted variance times
:math:`n/(n-1)`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.errors import DesignError
from auditlib.intervals import (
    t_interval,
)

if TYPE_CHECKING:
    from auditlib.design import SurveyDesign

__all__ = [
    "MINIMUM_DEGREES_OF_FREEDOM",
    "MINIMUM_EFFECTIVE_N",
    "Estimate",
    "Estimates",
]

#: NCHS presentation standard: an estimate is flagged when df < 8 or effective n < 30.
MINIMUM_DEGREES_OF_FREEDOM = 8
MINIMUM_EFFECTIVE_N = 30

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """One design-based estimate with its uncertainty.

    Attributes
    ----------
    statistic : str
        ``"proportion"``, ``"total"``, ``"mean"`` or ``"ratio"``.
    variable : str
        Variable estimated (``"numerator/denominator"`` for ratios).
    domain : str or None
        Domain label (``None`` for the whole design).
    estimate, standard_error : float
    lower, upper : float
        Two-sided confidence limits at ``level``.
    upper_one_sided : float
        One-sided upper confidence limit at ``level``.
    level : float
    method : str
        Interval method (``"t"`` for totals, means and ratios).
    degrees_of_freedom : int
        #PSU − #strata of the domain (or the value passed by the caller).
    n : int
        Sampled rows in the domain.
    effective_n : float
        Effective sample size (see :func:`auditlib.intervals.effective_sample_size`), capped
        at ``n``.
    design_effect : float
        Design variance ÷ simple-random-sampling variance (NaN for ratios).
    reliable : bool
        False when ``degrees_of_freedom < 8`` or ``effective_n < 30`` (NCHS standard).
    """

    statistic: str
    variable: str
    domain: str | None
    estimate: float
    standard_error: float
    lower: float
    upper: float
    upper_one_sided: float
    level: float
    method: str
    degrees_of_freedom: int
    n: int
    effective_n: float
    design_effect: float
    reliable: bool

    @property
    def variance(self) -> float:
        """Squared standard error."""
        return self.standard_error**2

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dictionary."""
        return {name: getattr(self, name) for name in _FIELDS}

    def to_frame(self) -> pd.DataFrame:
        """A one-row DataFrame with every field as a column."""
        return pd.DataFrame([self.as_dict()])


_FIELDS = tuple(item.name for item in fields(Estimate))


@dataclass(frozen=True)
class Estimates(Mapping[str, Estimate]):
    """Estimates of one statistic for several domains (result of ``by=``), keyed by label."""

    items_: tuple[Estimate, ...]

    def __getitem__(self, key: str) -> Estimate:
        for item in self.items_:
            if item.domain == key:
                return item
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(str(item.domain) for item in self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def to_frame(self) -> pd.DataFrame:
        """One row per domain."""
        return pd.DataFrame([item.as_dict() for item in self.items_])


# ---------------------------------------------------------------------- helpers
def _column_values(design: SurveyDesign, variable: str, role: str) -> FloatArray:
    cache = design._column_cache
    if variable in cache:
        return cache[variable]
    if variable not in design.data.columns:
        raise DesignError(
            f"{role} {variable!r} is not a column of the design data; columns are: "
            + ", ".join(map(str, design.data.columns))
        )
    column = design.data[variable]
    if column.dtype == bool or str(column.dtype) == "boolean":
        column = column.astype("Float64")
    try:
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise DesignError(f"{role} {variable!r} must be numeric ({error})") from error
    cache[variable] = values
    return values


def _values(design: SurveyDesign, variable: str | npt.ArrayLike, role: str) -> FloatArray:
    if isinstance(variable, str):
        values = _column_values(design, variable, role)
    else:
        values = np.asarray(variable, dtype=np.float64)
        if values.shape != (len(design.data),):
            raise DesignError(
                f"{role} must have one value per design row ({len(design.data)}); "
                f"got shape {values.shape}"
            )
    missing = np.flatnonzero(np.isnan(values) & design.active)
    if missing.size:
        raise DesignError(
            f"{role} {_name(variable)!r} has {missing.size} missing value(s) in the domain "
            f"(first at data row {int(missing[0]) + 2}); fill or exclude them with subset()"
        )
    return np.where(design.active, values, 0.0)


def _name(variable: str | npt.ArrayLike) -> str:
    return variable if isinstance(variable, str) else "<array>"


def _domains(design: SurveyDesign, by: str) -> list[tuple[str, SurveyDesign]]:
    if by not in design.data.columns:
        raise DesignError(f"by={by!r} is not a column of the design data")
    column = design.data[by]
    labels = column[design.active & column.notna().to_numpy()].unique()
    if len(labels) == 0:
        raise DesignError(f"by={by!r}: no domain has a sampled row")
    ordered = sorted(labels, key=lambda value: str(value))
    return [
        (str(label), design.subset((column == label).fillna(False).to_numpy(bool)))
        for label in ordered
    ]


def _design_effect(
    design: SurveyDesign, values: FloatArray, variance: float, scale: float
) -> float:
    weight = design.weight
    n = design.n
    population = float(weight.sum())
    if n < 2 or population <= n:
        return float("nan")
    mean_value = float((weight * values).sum() / population)
    spread = float((weight * (values - mean_value) ** 2).sum() / population) * n / (n - 1)
    simple = spread * (population - n) / (population * n) * scale
    return variance / simple if simple > 0 else float("nan")


def _reliable(degrees_of_freedom: int, effective_n: float) -> bool:
    return bool(
        degrees_of_freedom >= MINIMUM_DEGREES_OF_FREEDOM and effective_n >= MINIMUM_EFFECTIVE_N
    )


def _symmetric(
    design: SurveyDesign,
    statistic: str,
    variable: str,
    estimate: float,
    variance: float,
    design_effect: float,
    level: float,
    degrees_of_freedom: int | None,
    domain: str | None,
) -> Estimate:
    df = design.degrees_of_freedom() if degrees_of_freedom is None else degrees_of_freedom
    se = float(np.sqrt(max(variance, 0.0)))
    lower, upper = t_interval(estimate, se, df, level=level)
    _, one_sided = t_interval(estimate, se, df, level=round(2 * level - 1, 12))
    n = design.n
    effective = float(min(n, n / design_effect)) if design_effect > 0 else float(n)
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
        degrees_of_freedom=int(df),
        n=n,
        effective_n=effective,
        design_effect=float(design_effect),
        reliable=_reliable(int(df), effective),
    )
