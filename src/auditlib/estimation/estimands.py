"""The audit estimands: 错保率, improper payments and 漏保率, county-wide and per township.

Input is the *analysis table* (see :func:`build_analysis_table`): the sample table of
:mod:`auditlib.sampling.sample` plus the verification results and the yuan paid in the audit
period. Estimands (all design-based, Taylor linearisation, R ``survey`` conventions):

* **inclusion-error rate (错保率)**: weighted share of recipient households found ineligible
  (``eligible == "no"``), overall and by error type (domain: recipients);
* **improper payments**: weighted total of yuan paid to ineligible recipient households,
  and its ratio to the total yuan paid to recipient households;
* **omission rate (漏保率)**: :math:`E/(E+R)`, *E* the estimated eligible non-recipient
  households (second-stage stratum ``non_recipient``), *R* the estimated eligible
  recipient households. It equals the proportion of non-recipients among eligible
  households, so its variance is the linearised variance of that ratio, which accounts
  for the covariance of *E* and *R* over shared villages; the covariance is reported.

County estimates use the full design (township strata, certainty strata ``C:*``, the
new-approval stratum ``N:*``). Township estimates use a design conditional on the
township: its villages are the PSUs of a single stratum; the certainty strata enter with
the households located in the township (exact, no variance) and the new-approval stratum
as a domain (households of the township) of its county-wide stratum. See
``docs/estimation.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.errors import DesignError
from auditlib.estimation.analysis_table import (
    DERIVED_COLUMNS,
    SINGLE_STAGE_PREFIXES,
    is_prepared,
    prepare,
)
from auditlib.estimation.design import SurveyDesign
from auditlib.estimation.estimators import proportions
from auditlib.estimation.intervals import DEFAULT_CI_METHOD
from auditlib.estimation.results import Estimate, Estimates
from auditlib.estimation.variables import column_values

__all__ = [
    "AuditEstimates",
    "OmissionEstimate",
    "audit_design",
    "county_estimates",
    "estimates_table",
    "improper_payments",
    "inclusion_error_by_type",
    "inclusion_error_rate",
    "omission_rate",
    "township_estimates",
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


@dataclass(frozen=True)
class AuditEstimates:
    """All audit estimands for one area (the county or one township)."""

    area_level: str
    area_code: str
    inclusion_error: Estimate
    inclusion_error_by_type: Estimates
    improper_payment_total: Estimate
    improper_payment_rate: Estimate | None
    omission: OmissionEstimate | None
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """One row per estimand (long format, ready for a report table)."""
        return pd.DataFrame(self.records())

    def records(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as dictionaries."""
        rows: list[dict[str, Any]] = []

        def add(name: str, estimate: Estimate | None, error_type: str | None = None) -> None:
            if estimate is None:
                return
            row: dict[str, Any] = {
                "area_level": self.area_level,
                "area_code": self.area_code,
                "estimand": name,
            }
            row["error_type"] = error_type
            row.update(estimate.as_dict())
            rows.append(row)

        add("inclusion_error_rate", self.inclusion_error)
        for error_type, estimate in self.inclusion_error_by_type.items():
            add("inclusion_error_rate_by_type", estimate, error_type)
        add("improper_payment_total", self.improper_payment_total)
        add("improper_payment_rate", self.improper_payment_rate)
        if self.omission is not None:
            add("omission_rate", self.omission.rate)
            add("eligible_non_recipients", self.omission.eligible_non_recipients)
            add("eligible_recipients", self.omission.eligible_recipients)
        return rows


# ---------------------------------------------------------------------- designs
def audit_design(
    analysis: pd.DataFrame, *, lonely_psu: str = "fail", ultimate_cluster: bool = False
) -> SurveyDesign:
    """The county design of an analysis table (R: ``svydesign(ids=~psu+household_id,
    strata=~stratum+ssu_stratum, fpc=~psu_population+ssu_population, weights=~weight)``)."""
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
    )


def _array(design: SurveyDesign, name: str) -> npt.NDArray[np.float64]:
    return column_values(design, name, "column")


def _recipients(design: SurveyDesign) -> SurveyDesign:
    return design.subset(_array(design, "recipient") > 0)


def inclusion_error_rate(
    design: SurveyDesign,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
    nonrespondents: str | None = None,
) -> Estimate:
    """错保率: proportion of recipient households found ineligible.

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
    result: Estimate = _recipients(design).proportion(
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
    recipients = _recipients(design)
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


def improper_payments(
    design: SurveyDesign, *, level: float = 0.95, degrees_of_freedom: int | None = None
) -> tuple[Estimate, Estimate | None]:
    """Improper payments: total yuan paid to ineligible recipients and the ratio to all paid.

    The rate is ``None`` when no yuan were paid to the sampled recipients.
    """
    recipients = _recipients(design)
    total: Estimate = recipients.total(
        "improper_amount", level=level, degrees_of_freedom=degrees_of_freedom
    )
    if float((recipients.weight * _array(design, "amount_paid")).sum()) == 0:
        return total, None
    rate: Estimate = recipients.ratio(
        "improper_amount", "amount_paid", level=level, degrees_of_freedom=degrees_of_freedom
    )
    return total, rate


def omission_rate(
    design: SurveyDesign,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
) -> OmissionEstimate:
    """漏保率 E/(E+R) with the joint-linearisation covariance of E and R.

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
    eligible = design.subset(_array(design, "eligible_flag") > 0)
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


def _estimates_for(
    design: SurveyDesign,
    area_level: str,
    area_code: str,
    *,
    method: str,
    level: float,
    degrees_of_freedom: int | None,
) -> AuditEstimates:
    options = {"level": level, "degrees_of_freedom": degrees_of_freedom}
    notes: list[str] = []
    inclusion = inclusion_error_rate(design, method=method, **options)  # type: ignore[arg-type]
    by_type = inclusion_error_by_type(design, method=method, **options)  # type: ignore[arg-type]
    total, rate = improper_payments(design, **options)  # type: ignore[arg-type]
    if rate is None:
        notes.append("no yuan paid to sampled recipients: improper-payment rate undefined")
    omission: OmissionEstimate | None = None
    try:
        omission = omission_rate(design, method=method, **options)  # type: ignore[arg-type]
    except DesignError as error:
        notes.append(f"omission rate not estimated: {error.message}")
    return AuditEstimates(
        area_level, area_code, inclusion, by_type, total, rate, omission, tuple(notes)
    )


def county_estimates(
    analysis: pd.DataFrame,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
    design: SurveyDesign | None = None,
) -> AuditEstimates:
    """All audit estimands for the county, from the full design."""
    design = design or audit_design(
        analysis, lonely_psu=lonely_psu, ultimate_cluster=ultimate_cluster
    )
    county = str(analysis["county_code"].iloc[0]) if "county_code" in analysis else "county"
    return _estimates_for(
        design, "county", county, method=method, level=level, degrees_of_freedom=None
    )


def township_estimates(
    analysis: pd.DataFrame,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
) -> dict[str, AuditEstimates]:
    """Audit estimands per township, each from a design conditional on the township.

    The township's design holds its own village stratum (``T:<township>``) plus the
    county-wide single-stage strata (``C:*``, ``N:*``) restricted, as a domain, to the
    township's households. Degrees of freedom: sampled villages − 1 (the certainty strata
    add no variance; the new-approval domain is ignored, which is conservative).
    """
    table = prepare(analysis)
    stratum = table["stratum"].to_numpy(dtype=object)
    single_stage = np.array(
        [str(value).startswith(SINGLE_STAGE_PREFIXES) for value in stratum], dtype=bool
    )
    township = table["township_code"].to_numpy(dtype=object)
    psu = table["psu"].to_numpy(dtype=object)
    numeric = {
        name: table[name].to_numpy(dtype=float)
        for name in ("recipient", "amount_paid", *DERIVED_COLUMNS)
    }
    results: dict[str, AuditEstimates] = {}
    for code in sorted({str(value) for value in township if value is not None}):
        own = stratum == f"T:{code}"
        rows = own | single_stage
        part = table[rows].reset_index(drop=True)
        design = audit_design(part, lonely_psu=lonely_psu, ultimate_cluster=ultimate_cluster)
        # The estimators' numeric columns, sliced once from the county table.
        design._column_cache.update({name: values[rows] for name, values in numeric.items()})
        design = design.subset(township[rows] == code)
        villages = len(set(psu[own]))
        df = villages - 1 if villages else None
        results[code] = _estimates_for(
            design, "township", code, method=method, level=level, degrees_of_freedom=df
        )
    return results


def estimates_table(
    analysis: pd.DataFrame,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
) -> pd.DataFrame:
    """County and per-township estimates in one long table (one row per estimand)."""
    options: dict[str, Any] = {
        "method": method,
        "level": level,
        "lonely_psu": lonely_psu,
        "ultimate_cluster": ultimate_cluster,
    }
    table = prepare(analysis)
    rows = county_estimates(table, **options).records()
    for item in township_estimates(table, **options).values():
        rows += item.records()
    return pd.DataFrame(rows)
