"""NCHS data presentation standards: which estimates to publish, review, footnote or suppress.

Rules as CDC's R package surveytable applies them (github.com/CDCgov/surveytable, commit
ea5d660, ``R/z_lpe.R``; line numbers below), implementing Parker JD, Talih M, Malec DJ, et al.,
NCHS data presentation standards for proportions, Vital Health Stat 2(175), 2017, and Parker JD
et al., ... for rates and counts, Vital Health Stat 2(200), 2023, Table A (doi:10.15620/cdc:124368).

Proportions, :func:`proportion_presentation` (``.lpe_percents``, l. 81-153)
    Effective sample size capped at the denominator *n*; at 0% or 100% it is *n* and the width
    counts as 0 (l. 91-96). **Suppress** (flag ``Px``): effective n < 30 (l. 102; covers
    n < 30); else a Korn–Graubard width ≤ 0.05 passes (l. 104); else width ≥ 0.30 (l. 106) or
    width / p > 130% (l. 108). Of shown estimates: **footnote** (``Pc``, l. 122) when passed by
    relative width but width / (1 − p) > 130%; **review** when df < 8 (``Pdf``, l. 130) or the
    estimate is 0% / 100% (``P0``, l. 137).
Counts, rates, means, ratios, :func:`total_presentation`
    ``rule="nchs"`` (``.lpe_counts``, l. 22-49; Parker 2023 Table A): Kish effective n *m* capped
    at *n* (R/tab.R 190-193), log-t interval ``x·exp(±k)``, ``k = t(.975, max(m − 1, .1))·se/x``
    (R/tab.R 198-203). **Suppress** (``Cx``) when m < 10 or relative width 2·sinh(k) > 160%;
    **review** (``Cdf``) shown estimates with df < 8. ``rule="30/30"`` (``.lpe_counts_3030``,
    l. 51-79): **suppress** (``Cx``) n < 30, else **footnote** (``Cr``) RSE ≥ 30%; no df rule.
Small cells (``.lpe_n``, l. 1-20)
    1-4 cases, or 1-4 short of the total: ``R``, "if confidential, suppress all"; ``"cell_n<5"``.

Deviations from surveytable: widths, ratios and RSEs are rounded to 12 decimals before the
comparison (0.35 − 0.05 is a width of 0.30); without ``n_numerator`` 0% / 100% is read from the
estimate; surveytable checks no means, auditlib applies the count rules to means and ratios
(a non-positive estimate has infinite relative width and RSE); ``"n<30"`` is a reason of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from auditlib.errors import DesignError
from auditlib.estimation.intervals import t_interval

__all__ = [
    "PRESENTATION_RULES",
    "Presentation",
    "proportion_flags",
    "proportion_presentation",
    "total_presentation",
]

#: Thresholds of the standards, citable in reports (see the module docstring for sources).
PRESENTATION_RULES: Mapping[str, float] = MappingProxyType(
    {
        "proportion_minimum_effective_n": 30,  # suppress below (Parker 2017; z_lpe.R 102)
        "proportion_width_always_shown": 0.05,  # width ≤ this passes (z_lpe.R 104)
        "proportion_maximum_width": 0.30,  # suppress at or above (z_lpe.R 106)
        "proportion_maximum_relative_width": 1.30,  # suppress above; complement footnote
        "minimum_degrees_of_freedom": 8,  # review below (z_lpe.R 37, 130)
        "count_minimum_effective_n": 10,  # suppress below (Parker 2023 Table A; z_lpe.R 28)
        "count_maximum_relative_width": 1.60,  # suppress above (z_lpe.R 28)
        "count_30_30_minimum_n": 30,  # suppress below (z_lpe.R 51-59)
        "count_30_30_maximum_rse": 0.30,  # footnote at or above (z_lpe.R 66)
        "confidential_cell_n": 5,  # cells of 1-4 flagged "R" (z_lpe.R 1-13)
    }
)
_R = PRESENTATION_RULES
_DECIMALS = 12
#: reason code -> (kind: "s"uppress / "r"eview / "f"ootnote, Chinese text, English text)
_REASONS: dict[str, tuple[str, str, str]] = {
    "n<30": ("s", "样本量<30", "sample size < 30"),
    "effective_n<30": ("s", "有效样本量<30", "effective sample size < 30"),
    "width>=0.30": ("s", "置信区间宽度≥30个百分点", "CI width ≥ 30 percentage points"),
    "relative_width>130%": ("s", "相对置信区间宽度>130%", "relative CI width > 130%"),
    "effective_n<10": ("s", "有效样本量<10", "effective sample size < 10"),
    "relative_width>160%": ("s", "相对置信区间宽度>160%", "relative CI width > 160%"),
    "complement_relative_width>130%": (
        "f", "互补比例的相对置信区间宽度>130%", "relative CI width of the complement > 130%"
    ),
    "rse>=30%": ("f", "相对标准误≥30%", "relative standard error ≥ 30%"),
    "df<8": ("r", "自由度<8", "degrees of freedom < 8"),
    "zero_or_one": ("r", "估计值为0或100%", "estimate of 0% or 100%"),
    "cell_n<5": (
        "r", "单元格样本量<5，如涉密则不予发布", "cell of < 5 cases, suppress if confidential"
    ),
}  # fmt: skip
_HEADS = {
    "zh": ("不予发布", "需统计复核", "加注发布", "（", "）", "；"),
    "en": ("Do not publish", "Needs statistical review", "Publish with footnote", " (", ")", "; "),
}

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Presentation:
    """How one estimate may be presented.

    Attributes
    ----------
    suppress : bool
        Do not publish the figure.
    review : bool
        Publish only after statistical review (never set together with ``suppress``).
    reasons : tuple of str
        Stable codes of every rule that fired, e.g. ``"effective_n<30"``, ``"df<8"``.
    footnote : bool
        Publish with a footnote (complement rule for proportions, RSE ≥ 30% under 30/30).
    surveytable_flags : tuple of str
        The flags surveytable would print (``"R"``, ``"Px"``, ``"Pc"``, ``"Cx"``...).
    """

    suppress: bool
    review: bool
    reasons: tuple[str, ...]
    footnote: bool = False
    surveytable_flags: tuple[str, ...] = ()

    @property
    def reliable(self) -> bool:
        """True when no rule fired that affects publication (no suppression, review, footnote)."""
        return not (self.suppress or self.review or self.footnote)

    def label(self, language: str = "zh") -> str:
        """Short text for a table note, ``""`` when the estimate is fine.

        Parameters
        ----------
        language : {"zh", "en"}
            E.g. ``"不予发布（有效样本量<30）"``, ``"Do not publish (effective sample size < 30)"``.
        """
        if language not in _HEADS:
            raise ValueError(f"language must be 'zh' or 'en', got {language!r}")
        *heads, left, right, sep = _HEADS[language]
        column = 1 if language == "zh" else 2
        parts = []
        for kind in ("s",) if self.suppress else ("r", "f"):
            texts = [_REASONS[r][column] for r in self.reasons if _REASONS[r][0] == kind]
            if texts:
                parts.append(heads["srf".index(kind)] + left + sep.join(texts) + right)
        return sep.join(parts)


def _arrays(names: tuple[str, ...], *values: npt.ArrayLike) -> list[FloatArray]:
    try:
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))
    except ValueError as error:
        raise DesignError(f"{', '.join(names)} must have one shape: {error}") from error
    out = [np.array(a, dtype=np.float64).ravel() for a in arrays]
    for name, array in zip(names, out, strict=False):
        if name != "effective_n" and np.isnan(array).any():
            raise DesignError(f"{name} must not be missing (NaN)")
    return out


def _cell(count: FloatArray, total: FloatArray | None) -> BoolArray:
    small = (count >= 1) & (count < _R["confidential_cell_n"])
    if total is not None:
        rest = total - count
        small |= (rest >= 1) & (rest < _R["confidential_cell_n"])
    return np.asarray(small, dtype=np.bool_)


def _build(
    codes: list[tuple[str, str, BoolArray]], suppress: BoolArray, footnote: BoolArray
) -> list[Presentation]:
    """``codes``: (reason, surveytable flag, mask) in surveytable's print order."""
    out = []
    for i in range(suppress.size):
        fired = [(reason, flag) for reason, flag, mask in codes if mask[i]]
        reasons = tuple(dict.fromkeys(reason for reason, _ in fired))
        review = not suppress[i] and any(_REASONS[r][0] == "r" for r in reasons)
        flags = tuple(dict.fromkeys(flag for _, flag in fired if flag))
        out.append(Presentation(bool(suppress[i]), review, reasons, bool(footnote[i]), flags))
    return out


def proportion_presentation(
    estimate: npt.ArrayLike,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    effective_n: npt.ArrayLike,
    degrees_of_freedom: npt.ArrayLike,
    n: npt.ArrayLike,
    *,
    n_numerator: npt.ArrayLike | None = None,
) -> list[Presentation]:
    """Apply the NCHS standards for proportions (Parker et al. 2017), as surveytable does.

    Parameters
    ----------
    estimate, lower, upper : array_like
        Proportion in [0, 1] and its 95% Korn–Graubard interval.
    effective_n : array_like
        Korn–Graubard effective sample size; capped at ``n``; may be NaN where the estimate
        is 0 or 1.
    degrees_of_freedom : array_like
        Design degrees of freedom (PSUs − strata in the domain).
    n : array_like
        Sample size of the denominator.
    n_numerator : array_like, optional
        Sample cases in the numerator; enables the small-cell rule and recognises 0%/100%
        from counts, as surveytable does.

    Returns
    -------
    list of Presentation
        One per element of the broadcast inputs, in C order.
    """
    names = ("estimate", "lower", "upper", "effective_n", "degrees_of_freedom", "n", "n_numerator")
    values = [estimate, lower, upper, effective_n, degrees_of_freedom, n]
    arrays = _arrays(names, *values, *([] if n_numerator is None else [n_numerator]))
    p, lo, hi, neff, df, size = arrays[:6]
    if np.any((lo < 0) | (lo > p) | (p > hi) | (hi > 1) | (size <= 0)):
        raise DesignError("need 0 <= lower <= estimate <= upper <= 1 and n > 0")
    zero_or_one = (p == 0) | (p == 1)
    cell = np.zeros(p.size, dtype=np.bool_)
    if n_numerator is not None:
        k = arrays[6]
        zero_or_one |= (k == 0) | (k == size)
        cell = _cell(k, size)
    neff = np.where(zero_or_one, size, np.minimum(neff, size))  # z_lpe.R 91-96
    if np.isnan(neff).any():
        raise DesignError("effective_n must not be missing unless the estimate is 0 or 1")
    width = np.round(np.where(zero_or_one, 0.0, hi - lo), _DECIMALS)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.round(np.where(p > 0, width / p, np.inf), _DECIMALS)
        complement = np.round(np.where(p < 1, width / (1 - p), np.inf), _DECIMALS)
    short = width <= _R["proportion_width_always_shown"]
    few = neff < _R["proportion_minimum_effective_n"]
    wide = ~short & (width >= _R["proportion_maximum_width"])
    rel = ~short & ~wide & (relative > _R["proportion_maximum_relative_width"])
    suppress = few | wide | rel
    comp = ~suppress & ~short & (complement > _R["proportion_maximum_relative_width"])
    codes = [
        ("cell_n<5", "R", cell),
        ("n<30", "Px", size < _R["proportion_minimum_effective_n"]),
        ("effective_n<30", "Px", few),
        ("width>=0.30", "Px", wide),
        ("relative_width>130%", "Px", rel),
        ("complement_relative_width>130%", "Pc", comp),
        ("df<8", "Pdf", ~suppress & (df < _R["minimum_degrees_of_freedom"])),
        ("zero_or_one", "P0", ~suppress & zero_or_one),
    ]
    return _build(codes, suppress, comp)


def total_presentation(
    estimate: npt.ArrayLike,
    standard_error: npt.ArrayLike,
    effective_n: npt.ArrayLike,
    degrees_of_freedom: npt.ArrayLike,
    n: npt.ArrayLike,
    *,
    rule: str = "nchs",
) -> list[Presentation]:
    """Apply the NCHS standards for counts (and rates, means, ratios), as surveytable does.

    Parameters
    ----------
    estimate, standard_error : array_like
        Estimate and its design-based standard error.
    effective_n : array_like
        Kish effective sample size ``n / deff_Kish`` (capped at ``n``).
    degrees_of_freedom : array_like
        Design degrees of freedom.
    n : array_like
        Sample cases behind the estimate.
    rule : {"nchs", "30/30"}
        ``"nchs"``: Parker (2023) Table A, surveytable's default. ``"30/30"``: n ≥ 30 and
        RSE < 30% (surveytable ``.lpe_counts_3030``).

    Returns
    -------
    list of Presentation
        One per element of the broadcast inputs, in C order.
    """
    if rule not in ("nchs", "30/30"):
        raise ValueError(f"rule must be 'nchs' or '30/30', got {rule!r}")
    names = ("estimate", "standard_error", "effective_n", "degrees_of_freedom", "n")
    x, se, neff, df, size = _arrays(
        names, estimate, standard_error, effective_n, degrees_of_freedom, n
    )
    if np.any(se < 0) or np.any(size < 0) or np.isnan(neff).any():
        raise DesignError("need standard_error >= 0, n >= 0 and effective_n not missing")
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where(x > 0, se / x, np.inf)
    cell = _cell(size, None)
    if rule == "30/30":
        few = size < _R["count_30_30_minimum_n"]
        noisy = ~few & (np.round(rse, _DECIMALS) >= _R["count_30_30_maximum_rse"])
        codes = [("cell_n<5", "R", cell), ("n<30", "Cx", few), ("rse>=30%", "Cr", noisy)]
        return _build(codes, few, noisy)
    neff = np.minimum(neff, size)  # R/tab.R 192-193
    _, t = t_interval(np.zeros_like(neff), np.ones_like(neff), np.maximum(neff - 1, 0.1))
    with np.errstate(over="ignore", invalid="ignore"):  # relative width (UL - LL) / x
        relative = np.round(np.where(np.isfinite(rse), 2 * np.sinh(t * rse), np.inf), _DECIMALS)
    few = neff < _R["count_minimum_effective_n"]
    wide = relative > _R["count_maximum_relative_width"]
    suppress = few | wide
    codes = [
        ("cell_n<5", "R", cell),
        ("effective_n<10", "Cx", few),
        ("relative_width>160%", "Cx", wide),
        ("df<8", "Cdf", ~suppress & (df < _R["minimum_degrees_of_freedom"])),
    ]
    return _build(codes, suppress, np.zeros(suppress.size, dtype=np.bool_))


def proportion_flags(
    estimate: npt.ArrayLike,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    effective_n: npt.ArrayLike,
    degrees_of_freedom: npt.ArrayLike,
    n: npt.ArrayLike,
) -> list[Presentation]:
    """:func:`proportion_presentation` of estimators' output, whatever its interval method.

    Limits outside [0, 1] (Wald), missing limits (df < 1) and non-finite effective sizes are
    brought into range first (a missing limit counts as the widest: 0 or 1).
    """
    p = np.clip(np.nan_to_num(np.asarray(estimate, dtype=np.float64), nan=0.0), 0.0, 1.0)
    lo = np.clip(np.nan_to_num(np.asarray(lower, dtype=np.float64), nan=0.0), 0.0, p)
    hi = np.clip(np.nan_to_num(np.asarray(upper, dtype=np.float64), nan=1.0), p, 1.0)
    neff = np.nan_to_num(np.asarray(effective_n, dtype=np.float64), nan=0.0, posinf=0.0)
    df = np.nan_to_num(np.asarray(degrees_of_freedom, dtype=np.float64), nan=0.0)
    size = np.maximum(np.asarray(n, dtype=np.float64), 1.0)
    return proportion_presentation(p, lo, hi, neff, df, size)
