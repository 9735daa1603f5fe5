"""The audit estimands: 错保率, improper payments and 漏保率, county-wide and per township.

Input is the *analysis table* (see :func:`build_analysis_table`): the sample table of
:mod:`auditlib.sampling.sample` plus the verification results and the yuan paid in the audit
period. Estimands (all design-based, Taylor linearisation, R ``survey`` conventions):

* **inclusion-error rate (错保率)**: weighted share of *Dibao* recipient households found
  ineligible (``eligible == "no"``), overall and by error type;
* **特困 error rate**: the same share among 特困 (extreme-poverty support) recipients, its own
  estimand (``None`` when the sample has none);
* **improper payments, overpayments, underpayments** (yuan, Dibao recipients) and their rates
  to all yuan paid (:mod:`auditlib.estimation.payments`);
* **omission rate (漏保率)**: :math:`E/(E+R)`, *E* the estimated eligible non-recipient
  households (second-stage stratum ``non_recipient``), *R* the estimated eligible
  Dibao recipient households. It equals the proportion of non-recipients among
  Dibao-eligible households (特困 recipients left out), so its variance is the linearised
  variance of that ratio, which accounts for the covariance of *E* and *R* over shared
  villages; the covariance is reported.

Intervals: Korn–Graubard capped at Kish's size for proportions, the share interval for yuan
rates and totals, and degrees of freedom from where the variance comes from
(``df_method="variance"``, :mod:`auditlib.estimation.degrees`); ``method="korn-graubard-nchs"``,
``payment_interval="t"`` and ``df_method="design"`` give R ``survey``'s numbers.

County estimates use the full design (township strata, certainty strata ``C:*``, the
new-approval stratum ``N:*``). Township estimates use a design conditional on the
township: its villages are the PSUs of a single stratum; the certainty strata enter with
the households located in the township (exact, no variance) and the new-approval stratum
as a domain (households of the township) of its county-wide stratum. See
``docs/estimation.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.errors import DesignError
from auditlib.estimation.analysis_table import (
    is_prepared,
    prepare,
)
from auditlib.estimation.certainty import SPLIT_METHODS
from auditlib.estimation.design import SurveyDesign
from auditlib.estimation.estimators import proportions
from auditlib.estimation.intervals import DEFAULT_CI_METHOD
from auditlib.estimation.omission import omission_interval
from auditlib.estimation.payments import payment_estimate
from auditlib.estimation.results import Estimate, Estimates
from auditlib.estimation.variables import column_values

__all__ = [
    "OmissionEstimate",
    "audit_design",
    "improper_payments",
    "inclusion_error_by_type",
    "inclusion_error_rate",
    "omission_rate",
    "recipients_of",
    "tekun_error_rate",
]


@dataclass(frozen=True)
class OmissionEstimate:
    """漏保率 E/(E+R) with its parts.

    Attributes
    ----------
    rate : Estimate
        The omission rate (proportion of non-recipients among eligible households).
    eligible_non_recipients, eligible_recipients : Estimate
        Estimated totals *E* and *R*.
    covariance : float
        Linearisation covariance of *E* and *R*.
    """

    rate: Estimate
    eligible_non_recipients: Estimate
    eligible_recipients: Estimate
    covariance: float


# ---------------------------------------------------------------------- designs
def audit_design(
    analysis: pd.DataFrame,
    *,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
    df_method: str = "variance",
) -> SurveyDesign:
    """The county design of an analysis table (R: ``svydesign(ids=~psu+household_id,
    strata=~stratum+ssu_stratum, fpc=~psu_population+ssu_population, weights=~weight)``).

    ``df_method="variance"`` (default) takes the degrees of freedom from the variance groups
    of the strata (villages ``T:``, new approvals ``N:``, certainty ``C:``); ``"design"`` is
    R's #PSU − #strata."""
    table = analysis if is_prepared(analysis) else prepare(analysis)
    return SurveyDesign(
        table,
        strata="stratum",
        psu="psu",
        ssu="household_id",
        ssu_strata="ssu_stratum",
        weights="weight",
        psu_population="psu_population",
        ssu_population="ssu_population",
        lonely_psu=lonely_psu,
        ultimate_cluster=ultimate_cluster,
        df_method=df_method,
        variance_groups="variance_group",
    )


def _array(design: SurveyDesign, name: str) -> npt.NDArray[np.float64]:
    return column_values(design, name, "column")


def recipients_of(design: SurveyDesign, programme: str = "dibao") -> SurveyDesign:
    """The design restricted to the recipients of ``programme`` (``"dibao"`` or ``"tekun"``)."""
    return design.subset(_array(design, programme) > 0)


def inclusion_error_rate(
    design: SurveyDesign,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
    nonrespondents: str | None = None,
) -> Estimate:
    """错保率: proportion of Dibao recipient households found ineligible.

    ``nonrespondents="eligible"`` or ``"ineligible"`` gives the lower or upper bound of the
    rate under non-response: on the design of the *full* sample (design weights, the rows of
    non-respondents included, column ``respondent`` 0), every non-respondent recipient counts
    as eligible or as ineligible. ``None`` reads ``ineligible`` as it is (0 for
    non-respondents, i.e. the lower bound).
    """
    variable: Any = "ineligible"
    if nonrespondents not in (None, "eligible", "ineligible"):
        raise DesignError(
            f"nonrespondents must be None, 'eligible' or 'ineligible'; got {nonrespondents!r}"
        )
    if nonrespondents == "ineligible" and "respondent" in design.data.columns:
        variable = np.maximum(_array(design, "ineligible"), 1.0 - _array(design, "respondent"))
    result: Estimate = recipients_of(design).proportion(
        variable, method=method, level=level, degrees_of_freedom=degrees_of_freedom
    )
    if nonrespondents is not None:
        result = _renamed(result, f"ineligible:nonrespondents_{nonrespondents}")
    return result


def inclusion_error_by_type(
    design: SurveyDesign,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
) -> Estimates:
    """错保率 by error type: for each type found, the share of recipients ineligible for it."""
    recipients = recipients_of(design)
    data = design.data
    ineligible = _array(design, "ineligible") > 0
    codes = data["error_type"].to_numpy(dtype=object, na_value=None)
    found = sorted({str(code) for code in codes[ineligible & design.active] if code is not None})
    if not found:
        return Estimates(())
    matrix = np.column_stack([ineligible & (codes == code) for code in found]).astype(float)
    items = proportions(
        recipients,
        matrix,
        tuple(f"ineligible:{code}" for code in found),
        domains=tuple(found),
        method=method,
        level=level,
        degrees_of_freedom=degrees_of_freedom,
    )
    return Estimates(tuple(items))


def tekun_error_rate(
    design: SurveyDesign,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
) -> Estimate | None:
    """特困 error rate: share of 特困 recipients found ineligible (``None`` if none sampled)."""
    if not (design.active & (_array(design, "tekun") > 0)).any():
        return None
    result: Estimate = recipients_of(design, "tekun").proportion(
        "ineligible", method=method, level=level, degrees_of_freedom=degrees_of_freedom
    )
    return _renamed(result, "ineligible:tekun")


def improper_payments(
    design: SurveyDesign,
    *,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
    method: str = DEFAULT_CI_METHOD,
    known_total_paid: float | None = None,
    interval: str = "share",
) -> tuple[Estimate, Estimate | None]:
    """Improper payments to Dibao recipients: the total and the ratio to all yuan paid.

    The rate is ``None`` when no yuan were paid to the sampled recipients. See
    :mod:`auditlib.estimation.payments` for the estimators and intervals.
    """
    result = payment_estimate(
        recipients_of(design),
        "improper_amount",
        method=method,
        level=level,
        degrees_of_freedom=degrees_of_freedom,
        known_total_paid=known_total_paid,
        interval=interval,
    )
    return result.total, result.rate


def omission_rate(
    design: SurveyDesign,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
) -> OmissionEstimate:
    """漏保率 E/(E+R) with the joint-linearisation covariance of E and R.

    The estimate and its variance are those of R (the proportion of non-recipients among
    eligible households); with a method of
    :data:`~auditlib.estimation.certainty.SPLIT_METHODS` the interval comes from the share of
    eligible households among the sampled non-recipients
    (:func:`auditlib.estimation.omission.omission_interval`).

    Raises
    ------
    DesignError
        If no non-recipient household was sampled, or no sampled household is eligible.
    """
    active = design.active
    at_risk = (design.data["ssu_stratum"].astype(str) == "non_recipient").to_numpy()
    if not (active & at_risk).any():
        # temporary-assistance households alone speak only for that group: E would cover a
        # sliver of the priority groups and the rate would be biased low
        raise DesignError(
            "the omission rate needs a sample of at-risk non-recipient households (second-stage "
            "stratum 'non_recipient', e.g. preset notice-2021); this sample has none"
        )
    # Dibao-eligible: eligible non-recipients and eligible Dibao recipients (特困 left out).
    eligible = design.subset((_array(design, "eligible_flag") > 0) & (_array(design, "tekun") == 0))
    rate: Estimate = eligible.proportion(
        _array(design, "eligible_non_recipient"),
        method=method,
        level=level,
        degrees_of_freedom=degrees_of_freedom,
    )
    rate = _renamed(rate, "eligible_non_recipient/eligible")
    e_total: Estimate = design.total(
        "eligible_non_recipient", level=level, degrees_of_freedom=degrees_of_freedom
    )
    r_total: Estimate = design.total(
        "eligible_recipient", level=level, degrees_of_freedom=degrees_of_freedom
    )
    if method in SPLIT_METHODS:
        outside = design.subset(_array(design, "recipient") == 0)
        share: Estimate = outside.proportion(
            "eligible_non_recipient",
            method=method,
            level=level,
            degrees_of_freedom=degrees_of_freedom,
        )
        rate = omission_interval(rate, share, r_total, float(outside.weight.sum()))
    weight = design.weight
    joint = design.covariance(
        np.column_stack(
            [
                weight * _array(design, "eligible_non_recipient"),
                weight * _array(design, "eligible_recipient"),
            ]
        )
    )
    return OmissionEstimate(rate, e_total, r_total, float(joint[0, 1]))


def _renamed(estimate: Estimate, variable: str) -> Estimate:
    values = estimate.as_dict()
    values["variable"] = variable
    return Estimate(**values)
