"""Results of design-based estimators (:class:`Estimate`, :class:`Estimates`) and the NCHS
presentation standard that flags an estimate as unreliable."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "MINIMUM_DEGREES_OF_FREEDOM",
    "MINIMUM_EFFECTIVE_N",
    "Estimate",
    "Estimates",
    "known_total",
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
        Effective sample size (see :func:`auditlib.estimation.intervals.effective_sample_size`),
        capped at ``n``.
    design_effect : float
        Design variance ÷ simple-random-sampling variance (NaN for ratios).
    reliable : bool
        False when the NCHS presentation standard suppresses the estimate or asks for
        statistical review (:mod:`auditlib.estimation.presentation`: effective n < 30, CI
        width and relative width for proportions, df < 8, 0 % or 100 %; for totals, means
        and ratios the count rules).
    presentation : str
        The rules that fired, ``;``-joined reason codes (``""``: none), e.g.
        ``"effective_n<30"``, ``"df<8"``, ``"complement_relative_width>130%"`` (a footnote;
        does not make the estimate unreliable).
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
    presentation: str = ""

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


def meets_presentation_standard(degrees_of_freedom: int, effective_n: float) -> bool:
    """True when an estimate may be shown without a flag (df ≥ 8 and effective n ≥ 30)."""
    return bool(
        degrees_of_freedom >= MINIMUM_DEGREES_OF_FREEDOM and effective_n >= MINIMUM_EFFECTIVE_N
    )


def known_total(records: Sequence[Estimate], total: float, *, domain: str) -> Estimate:
    """A total known without sampling error (a register's), in the shape of the estimates
    ``records`` it replaces: standard error 0, interval ``[total, total]``, method
    ``"register"``, 0 degrees of freedom, ``n`` the records' summed sample size."""
    template = records[0]
    return Estimate(
        statistic="total",
        variable=template.variable,
        domain=domain,
        estimate=total,
        standard_error=0.0,
        lower=total,
        upper=total,
        upper_one_sided=total,
        level=template.level,
        method="register",
        degrees_of_freedom=0,
        n=int(sum(record.n for record in records)),
        effective_n=float("nan"),
        design_effect=float("nan"),
        reliable=True,
        presentation="",
    )
