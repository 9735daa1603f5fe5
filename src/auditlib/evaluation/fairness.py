"""Fairness table that tells the truth: flag rates (census) and design-weighted error rates.

For every group of :func:`auditlib.risk.fairness.fairness_audit` (head's sex, ethnicity, age
group, disability, township, and the intersections listed there) the table holds

* the census part, exact: recipient households, flagged households, flag rate, ratio to the
  county's rate, ``flag_outside_band``;
* from the **verified** sampled households, each with its design weight (1/π, adjusted for
  non-response as the county estimates are), a *finding* being "found ineligible" or "payment
  anomaly confirmed" (``payment_anomaly`` ``yes`` in the verification results, when the
  results carry that column — the data contract's verification table has no such field yet,
  so without it a finding is "found ineligible"):

  - ``precision`` = P(finding | flagged), a proportion over the domain group ∧ flagged;
  - ``recall`` = P(flagged | finding), over the domain group ∧ finding; ``miss_rate`` = 1 − recall;
  - ``false_positive_rate`` = P(flagged | no finding), over the domain group ∧ no finding;

  each with its Korn–Graubard interval (the project's estimator
  :func:`auditlib.estimation.estimators.proportion` on the county design, the domain kept as a
  domain so the variance stays right) and the unweighted counts behind it
  (``*_numerator``, ``*_denominator``: verified households). A measure whose denominator holds
  fewer than ``minimum_verified`` verified households is not estimated (``NaN``, the report
  prints "too few"); its counts are still given.

Which sampled households enter (``part``): ``"all"`` (default) every verified scored
household of every stratum with its design weight. Certainty strata (close relatives, the
top-risk households of the ``risk-targeted`` preset) and the risk oversample are selected *on*
the flag, but with known probability (π = 1 or the oversample's π): the weighted estimates stay
unbiased for the county, and the certainty units enter exactly, without variance. Leaving them
out instead (``part="random"``: only the second-stage stratum ``random``) estimates the rates of
the households *outside* those strata — under ``risk-targeted`` almost no flagged household is
left there, so precision cannot be estimated and the false-positive rate is 0 by construction.

``outside_band`` marks a group whose flag-rate ratio, precision ratio or recall ratio (to the
county's value, where estimated) lies outside :data:`auditlib.risk.fairness.BAND`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.errors import DataError, DesignError
from auditlib.estimation.analysis_table import respondents
from auditlib.estimation.design import SurveyDesign
from auditlib.estimation.estimands import audit_design
from auditlib.estimation.intervals import DEFAULT_CI_METHOD
from auditlib.estimation.nonresponse import adjust_for_nonresponse
from auditlib.risk.fairness import (
    BAND,
    CENSUS_COLUMNS,
    INTERSECTIONS,
    MINIMUM_INTERSECTION_HOUSEHOLDS,
    fairness_audit,
    flagged_households,
    group_columns,
    household_groups,
)

__all__ = [
    "FAIRNESS_COLUMNS",
    "MEASURES",
    "MINIMUM_VERIFIED",
    "PARTS",
    "fairness_table",
    "verified_findings",
]

#: Fewest verified households in a measure's denominator for it to be estimated.
MINIMUM_VERIFIED = 10
#: Which sampled households enter the verified measures (module docstring).
PARTS: tuple[str, ...] = ("all", "random")
#: The verified measures: name, domain (besides the group), variable.
MEASURES: tuple[str, ...] = ("precision", "recall", "miss_rate", "false_positive_rate")
_SUFFIXES = ("", "_lower", "_upper", "_numerator", "_denominator", "_reliable")

FAIRNESS_COLUMNS: tuple[str, ...] = (
    *CENSUS_COLUMNS,
    "verified",
    "verified_findings",
    *(f"{measure}{suffix}" for measure in MEASURES for suffix in _SUFFIXES),
    "precision_ratio",
    "recall_ratio",
    "outside_band",
)

_YES = {"yes", "true", "1", "1.0", "是"}
_NO = {"no", "false", "0", "0.0", "否", ""}


def verified_findings(
    analysis: pd.DataFrame, verification: pd.DataFrame | None = None
) -> npt.NDArray[np.bool_]:
    """Per analysis-table row: found ineligible, or a confirmed payment anomaly.

    ``payment_anomaly`` (yes/no) is read from ``verification`` (by ``household_id``) or, when
    absent there, from ``analysis``; without it a finding is "found ineligible".

    Raises
    ------
    DataError
        If ``payment_anomaly`` holds a value that is not yes/no.
    """
    found = analysis["ineligible"].to_numpy(dtype=float, na_value=0.0) > 0
    source: pd.Series | None = None
    if verification is not None and "payment_anomaly" in verification.columns:
        answers = verification.assign(household_id=verification["household_id"].astype(str))
        source = (
            analysis["household_id"]
            .astype(str)
            .map(answers.set_index("household_id")["payment_anomaly"])
        )
    elif "payment_anomaly" in analysis.columns:
        source = analysis["payment_anomaly"]
    if source is None:
        return found
    text = source.astype("string").fillna("").str.strip().str.lower()
    bad = ~text.isin(_YES | _NO).to_numpy(dtype=bool)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"verification: column 'payment_anomaly' must be yes or no; got "
            f"{source.iloc[row]!r} for household {analysis['household_id'].iloc[row]}"
        )
    return found | text.isin(_YES).to_numpy(dtype=bool)


def _verified_design(
    analysis: pd.DataFrame, design_options: dict[str, Any]
) -> tuple[pd.DataFrame, SurveyDesign]:
    """Respondents with non-response-adjusted weights (as the county estimates) and their design."""
    answered = analysis
    if not respondents(analysis).all():
        answered = adjust_for_nonresponse(analysis).analysis
    answered = answered.reset_index(drop=True)
    return answered, audit_design(answered, **design_options)


def fairness_table(
    data: CountyData,
    scores: pd.DataFrame,
    analysis: pd.DataFrame | None = None,
    *,
    verification: pd.DataFrame | None = None,
    flagged_tiers: tuple[str, ...] = ("high",),
    part: str = "all",
    minimum_verified: int = MINIMUM_VERIFIED,
    intersections: tuple[tuple[str, str], ...] = INTERSECTIONS,
    minimum_households: int = MINIMUM_INTERSECTION_HOUSEHOLDS,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
) -> pd.DataFrame:
    """Flag rates by group and, from the verified sample, weighted precision, recall, miss and
    false-positive rates with intervals and counts (module docstring).

    Parameters
    ----------
    data : CountyData
        The county.
    scores : pandas.DataFrame
        Risk scores (``household_id``, ``tier``): the scored households are the population.
    analysis : pandas.DataFrame, optional
        The analysis table (sample + verification + derived columns, as built by
        :func:`auditlib.estimation.analysis_table.build_analysis_table`). Without it only the
        census columns are filled.
    verification : pandas.DataFrame, optional
        Verification results; read only for an optional ``payment_anomaly`` column.
    flagged_tiers : tuple of str
        Tiers counted as flagged.
    part : {"all", "random"}
        Sampled households entering the verified measures.
    minimum_verified : int
        Fewest verified households in a measure's denominator (≥ 1).
    intersections, minimum_households
        See :func:`auditlib.risk.fairness.fairness_audit`.
    method, level : str, float
        Interval method and level (:func:`auditlib.estimation.estimators.proportion`).
    lonely_psu, ultimate_cluster
        Design options, as for the county estimates (:func:`audit_design`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FAIRNESS_COLUMNS`; first row ``("overall", "all")``.
    """
    if part not in PARTS:
        raise DesignError(f"part must be one of {list(PARTS)}, got {part!r}")
    if isinstance(minimum_verified, bool) or not isinstance(minimum_verified, int):
        raise DesignError(f"minimum_verified must be a whole number >= 1, got {minimum_verified!r}")
    if minimum_verified < 1:
        raise DesignError(f"minimum_verified must be a whole number >= 1, got {minimum_verified!r}")
    census = fairness_audit(
        data,
        scores,
        flagged_tiers=flagged_tiers,
        intersections=intersections,
        minimum_households=minimum_households,
    )
    table = census.reindex(columns=list(FAIRNESS_COLUMNS))
    table["outside_band"] = census["flag_outside_band"].to_numpy(dtype=bool)
    if analysis is None or not len(analysis):
        return table
    answered, design = _verified_design(
        analysis, {"lonely_psu": lonely_psu, "ultimate_cluster": ultimate_cluster}
    )
    flagged_by_id = flagged_households(scores, flagged_tiers)
    ids = answered["household_id"].astype(str)
    population = ids.isin(set(flagged_by_id.index.astype(str))).to_numpy(dtype=bool).copy()
    if part == "random":
        if "selection_reason" not in answered.columns:
            raise DataError("analysis: missing column 'selection_reason' needed by part='random'")
        reason = answered["selection_reason"].astype("string").fillna("")
        population &= (reason == "random").to_numpy(dtype=bool)
    flagged = ids.map(flagged_by_id.rename(index=str)).fillna(False).to_numpy(dtype=bool)
    finding = verified_findings(answered, verification)
    groups = group_columns(household_groups(data, ids), intersections)
    options = {"method": method, "level": level}
    rows = []
    for attribute, group in zip(census["attribute"], census["group"], strict=True):
        member = np.ones(len(ids), dtype=bool)
        if attribute != "overall":
            member = (groups[attribute].astype(str) == group).to_numpy(dtype=bool)
        rows.append(
            _verified_row(design, population & member, flagged, finding, minimum_verified, options)
        )
    verified = pd.DataFrame(rows, index=table.index)
    for column in verified.columns:
        table[column] = verified[column]
    for measure in ("precision", "recall"):
        overall = float(table[measure].iloc[0])
        table[f"{measure}_ratio"] = table[measure] / overall if overall > 0 else np.nan
    low, high = BAND
    ratios = table[["ratio_to_overall", "precision_ratio", "recall_ratio"]].astype(float)
    table["outside_band"] = ((ratios < low) | (ratios > high)).any(axis=1).to_numpy(dtype=bool)
    return table


def _verified_row(
    design: SurveyDesign,
    domain: npt.NDArray[np.bool_],
    flagged: npt.NDArray[np.bool_],
    finding: npt.NDArray[np.bool_],
    minimum: int,
    options: dict[str, Any],
) -> dict[str, object]:
    row: dict[str, object] = {
        "verified": int(domain.sum()),
        "verified_findings": int((domain & finding).sum()),
    }
    parts = {
        "precision": _measure(design, domain & flagged, finding, minimum, options),
        "recall": _measure(design, domain & finding, flagged, minimum, options),
        "false_positive_rate": _measure(design, domain & ~finding, flagged, minimum, options),
    }
    recall = parts["recall"]
    # miss rate = 1 − recall: the interval mirrors recall's, the count is of the unflagged
    parts["miss_rate"] = (
        1.0 - recall[0],
        1.0 - recall[2],
        1.0 - recall[1],
        recall[4] - recall[3],
        recall[4],
        recall[5],
    )
    for measure, values in parts.items():
        row.update(
            {f"{measure}{suffix}": value for suffix, value in zip(_SUFFIXES, values, strict=True)}
        )
    return row


def _measure(
    design: SurveyDesign,
    within: npt.NDArray[np.bool_],
    variable: npt.NDArray[np.bool_],
    minimum: int,
    options: dict[str, Any],
) -> tuple[float, float, float, int, int, bool]:
    """Estimate, lower, upper, numerator, denominator and reliability of one measure.

    The estimate is the weighted share of ``variable`` in the domain ``within`` (kept as a
    domain of the full design); ``NaN`` when fewer than ``minimum`` households are in it.
    """
    denominator = int(within.sum())
    numerator = int((within & variable).sum())
    if denominator < minimum:
        return (np.nan, np.nan, np.nan, numerator, denominator, False)
    estimate = design.subset(within).proportion(variable.astype(float), **options)
    return (
        min(max(float(estimate.estimate), 0.0), 1.0),  # a share: no 1 + 2e-16 from rounding
        float(estimate.lower),
        float(estimate.upper),
        numerator,
        denominator,
        bool(estimate.reliable),
    )
