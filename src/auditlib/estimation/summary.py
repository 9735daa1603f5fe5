"""The report's estimates, from :mod:`auditlib.estimation.estimands` plus the report-only
breakdowns.

County and township figures come from :func:`auditlib.estimation.areas.county_estimates` and
:func:`auditlib.estimation.areas.township_estimates` (township designs conditional on the
township's villages). Added here for the report: the estimated number of ineligible households and
the total paid (the denominators people ask about), and the share found eligible among sampled
non-recipients of each priority group (groups overlap; domains of the county design).

Non-response: when some sampled households were not verified, every estimate comes from the
respondents with weights adjusted within weighting classes
(:func:`auditlib.estimation.nonresponse.adjust_for_nonresponse`), and the report adds the
response rates, the weighting classes and the bounds of the 错保率 (every non-respondent recipient
eligible / ineligible, on the full sample with the design weights). When everyone responded the
estimates are those of the analysis table itself, the response rate is 1 and both bounds are
the 错保率.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data.codes import PRIORITY_GROUPS
from auditlib.errors import DesignError
from auditlib.estimation.areas import AuditEstimates, county_estimates, township_estimates
from auditlib.estimation.estimands import audit_design, inclusion_error_rate, recipients_of
from auditlib.estimation.intervals import DEFAULT_CI_METHOD
from auditlib.estimation.nonresponse import MINIMUM_RESPONDENTS, adjust_for_nonresponse
from auditlib.estimation.payments import PaymentEstimate, scaled_total
from auditlib.estimation.response import RESPONSE_RATE_COLUMNS
from auditlib.estimation.results import Estimate
from auditlib.estimation.township_model import township_model

__all__ = [
    "ReportEstimates",
    "compute_estimates",
    "estimate_record",
    "figure_estimates",
    "key_figures",
]

_INTERVAL_COLUMNS = (
    "estimate",
    "lower",
    "upper",
    "upper_one_sided",
    "degrees_of_freedom",
    "effective_n",
    "reliable",
)


@dataclass(frozen=True)
class ReportEstimates:
    """Every estimate a county report shows.

    Attributes
    ----------
    error_rate : Estimate
        错保率: share of Dibao recipient households found ineligible.
    ineligible_households : Estimate
        Estimated number of ineligible Dibao recipient households.
    improper_amount, total_paid : Estimate
        Yuan paid to ineligible Dibao recipients; yuan paid to all Dibao recipients (audit
        period; Horvitz–Thompson, the register's total is in ``paid``).
    improper_rate : Estimate or None
        ``improper_amount / total_paid`` (``None`` when nothing was paid).
    omission_rate : Estimate or None
        漏保率 E / (E + R); ``None`` when the sample has no non-recipient household.
    by_type : pandas.DataFrame
        One row per error type found: code, found, estimate, lower, upper, ...
    townships : pandas.DataFrame
        One row per township: township_code, township, sampled, found, estimate, lower,
        upper, upper_one_sided, degrees_of_freedom, effective_n, reliable.
    omission_by_group : pandas.DataFrame
        One row per priority group sampled: code, sampled, eligible_found, estimate, ...
    notes : tuple of str
        Notes of the estimands (e.g. why the omission rate is missing) and of the
        non-response adjustment.
    response_rates : pandas.DataFrame
        Response rates (columns
        :data:`~auditlib.estimation.analysis_table.RESPONSE_RATE_COLUMNS` and ``name``, the
        township name): the county, each township, each selection reason.
    weighting_classes : pandas.DataFrame
        The class table of the non-response adjustment
        (``classes`` of :class:`auditlib.estimation.nonresponse.NonresponseAdjustment`).
    error_rate_lower_bound, error_rate_upper_bound : Estimate or None
        错保率 with every non-respondent recipient counted eligible / ineligible (full sample,
        design weights); both equal ``error_rate`` when everyone responded.
    minimum_respondents : int
        Fewest respondents of a weighting class before it was collapsed.
    tekun_error_rate : Estimate or None
        特困 error rate (``None`` when no 特困 recipient was sampled).
    overpayment, underpayment : PaymentEstimate or None
        Yuan paid above / below the verified entitlement, with their rates.
    paid : float or None
        Yuan paid to all Dibao recipients in the audit period, from the register.
    township_results : mapping
        Township code → its direct :class:`~auditlib.estimation.areas.AuditEstimates`.
    township_model : pandas.DataFrame
        Fay–Herriot 错保率 per township (:func:`auditlib.estimation.township_model.township_model`;
        empty when it could not be fitted, the reason in ``notes``).
    """

    error_rate: Estimate
    ineligible_households: Estimate
    improper_amount: Estimate
    total_paid: Estimate
    improper_rate: Estimate | None
    omission_rate: Estimate | None
    by_type: pd.DataFrame
    townships: pd.DataFrame
    omission_by_group: pd.DataFrame
    notes: tuple[str, ...] = ()
    response_rates: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(RESPONSE_RATE_COLUMNS))
    )
    weighting_classes: pd.DataFrame = field(default_factory=pd.DataFrame)
    error_rate_lower_bound: Estimate | None = None
    error_rate_upper_bound: Estimate | None = None
    minimum_respondents: int = MINIMUM_RESPONDENTS
    tekun_error_rate: Estimate | None = None
    overpayment: PaymentEstimate | None = None
    underpayment: PaymentEstimate | None = None
    paid: float | None = None
    township_results: Mapping[str, AuditEstimates] = field(default_factory=dict)
    township_model: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def response_rate(self) -> float | None:
        """County share of sampled households verified (unweighted; ``None`` if unknown)."""
        county = self.response_rates[self.response_rates["level"] == "county"]
        return None if county.empty else float(county["response_rate"].iloc[0])

    @property
    def nonresponse_figures(self) -> dict[str, float] | None:
        """County response and 错保率 bounds; ``None`` when every household was verified.

        Keys ``sampled``, ``respondents``, ``response_rate``, ``weighted_response_rate``,
        ``lower``, ``upper`` (point values of the bounds) and ``minimum_respondents``.
        """
        lower, upper = self.error_rate_lower_bound, self.error_rate_upper_bound
        rate = self.response_rate
        if rate is None or rate >= 1 or lower is None or upper is None:
            return None
        county = self.response_rates[self.response_rates["level"] == "county"].iloc[0]
        return {
            **{key: int(county[key]) for key in ("sampled", "respondents")},
            **{key: float(county[key]) for key in ("response_rate", "weighted_response_rate")},
            "lower": lower.estimate,
            "upper": upper.estimate,
            "minimum_respondents": self.minimum_respondents,
        }


def estimate_record(estimate: Estimate | None) -> dict[str, Any] | None:
    """The fields of an estimate as JSON-ready values (NaN → ``None``)."""
    if estimate is None:
        return None
    return {
        key: (None if isinstance(value, float) and not np.isfinite(value) else value)
        for key, value in estimate.as_dict().items()
    }


def _interval_row(estimate: Estimate) -> dict[str, Any]:
    return {column: getattr(estimate, column) for column in _INTERVAL_COLUMNS}


def _township_table(
    analysis: pd.DataFrame,
    respondents: pd.DataFrame,
    per_township: Mapping[str, Any],
    names: Mapping[str, str],
) -> pd.DataFrame:
    """Sampled recipients (all, respondents or not) and ineligible found, per township."""
    rows = []
    township = analysis["township_code"].astype(str).to_numpy()
    recipient = analysis["recipient"].astype(bool).to_numpy()
    found_in = respondents["township_code"].astype(str).to_numpy()
    ineligible = respondents["ineligible"].astype(float).to_numpy()
    for code, result in per_township.items():
        rows.append(
            {
                "township_code": code,
                "township": names.get(code, code),
                "sampled": int(((township == code) & recipient).sum()),
                "found": int(ineligible[found_in == code].sum()),
                **_interval_row(result.inclusion_error),
            }
        )
    return pd.DataFrame(
        rows, columns=["township_code", "township", "sampled", "found", *_INTERVAL_COLUMNS]
    )


def compute_estimates(
    analysis: pd.DataFrame,
    *,
    groups: pd.DataFrame | None = None,
    township_names: Mapping[str, str] | None = None,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
    minimum_respondents: int = MINIMUM_RESPONDENTS,
    df_method: str = "variance",
    payment_interval: str = "share",
    paid: Mapping[str, float] | None = None,
    township_auxiliaries: pd.DataFrame | None = None,
    dibao_households: int | None = None,
) -> ReportEstimates:
    """Compute every estimate of the report, adjusted for non-response when there is some.

    Parameters
    ----------
    analysis : pandas.DataFrame
        From :func:`auditlib.estimation.analysis_table.build_analysis_table`.
    groups : pandas.DataFrame, optional
        Priority-group membership
        (:func:`auditlib.estimation.priority.priority_groups`) of (at least) the sampled
        households.
    township_names : mapping, optional
        Township name by code (for tables and figures).
    method, level : str, float
        Confidence-interval method and level.
    lonely_psu, ultimate_cluster
        Design options (see :class:`auditlib.estimation.design.SurveyDesign`).
    minimum_respondents : int
        Fewest respondents of a weighting class before it is collapsed.
    df_method, payment_interval, paid
        See :func:`auditlib.estimation.areas.county_estimates`.
    township_auxiliaries : pandas.DataFrame, optional
        Register auxiliaries of the township model
        (:func:`auditlib.estimation.township_model.township_model`).
    dibao_households : int, optional
        Dibao recipient households in the register. Given, the number of ineligible
        households is this times 错保率, with the rate's interval scaled
        (:func:`auditlib.estimation.payments.scaled_total`); otherwise the design's total.
    """
    design_options: dict[str, Any] = {
        "lonely_psu": lonely_psu,
        "ultimate_cluster": ultimate_cluster,
        "df_method": df_method,
    }
    options: dict[str, Any] = {
        "method": method,
        "level": level,
        "payment_interval": payment_interval,
        "paid": paid,
    }
    adjustment = adjust_for_nonresponse(analysis, minimum_respondents=minimum_respondents)
    answered = analysis if adjustment.complete else adjustment.analysis
    design = audit_design(answered, **design_options)
    county = county_estimates(answered, design=design, **options)
    towns = township_estimates(answered, **design_options, **options)
    table = design.data
    rates = adjustment.response_rates
    carries_variance = (table["dibao"].to_numpy(float) > 0) & ~table["stratum"].astype(
        str
    ).str.startswith("C:").to_numpy(bool)
    model, model_notes = township_model(
        {code: item.inclusion_error for code, item in towns.items()},
        pd.Series(carries_variance.astype(float))
        .groupby(table["township_code"].astype(str).to_numpy())
        .sum()
        .to_dict(),
        township_auxiliaries,
        county.inclusion_error.estimate,
        level=level,
        county_variance=county.inclusion_error.variance,
    )
    bounds = (county.inclusion_error, county.inclusion_error)
    if not adjustment.complete:
        full = audit_design(analysis, **design_options)
        bounds = (
            inclusion_error_rate(full, method=method, level=level, nonrespondents="eligible"),
            inclusion_error_rate(full, method=method, level=level, nonrespondents="ineligible"),
        )
    recipients = recipients_of(design)
    ineligible_households: Estimate = (
        recipients.total("ineligible", level=level)
        if dibao_households is None
        else scaled_total(county.inclusion_error, dibao_households, "ineligible")
    )
    total_paid: Estimate = recipients.total("amount_paid", level=level)
    type_rows = []
    for code, estimate in county.inclusion_error_by_type.items():
        found = int(
            ((table["ineligible"] > 0) & (table["error_type"].astype("string") == code))
            .fillna(False)
            .sum()
        )
        type_rows.append({"code": code, "found": found, **_interval_row(estimate)})
    group_rows = []
    non_recipient = ~table["recipient"].to_numpy(bool)
    if groups is not None and county.omission is not None:
        merged = table[["household_id"]].astype(str).merge(groups, on="household_id", how="left")
        for code in PRIORITY_GROUPS:
            member = merged[code].fillna(False).to_numpy(bool) & non_recipient
            if not member.any():
                continue
            try:
                estimate = design.subset(member).proportion(
                    "eligible_flag", method=method, level=level
                )
            except DesignError:
                continue
            group_rows.append(
                {
                    "code": code,
                    "sampled": int(member.sum()),
                    "eligible_found": int(table.loc[member, "eligible_flag"].sum()),
                    **_interval_row(estimate),
                }
            )
    return ReportEstimates(
        error_rate=county.inclusion_error,
        ineligible_households=ineligible_households,
        improper_amount=county.improper_payment_total,
        total_paid=total_paid,
        improper_rate=county.improper_payment_rate,
        omission_rate=None if county.omission is None else county.omission.rate,
        by_type=pd.DataFrame(type_rows, columns=["code", "found", *_INTERVAL_COLUMNS]),
        townships=_township_table(analysis, table, towns, township_names or {}),
        omission_by_group=pd.DataFrame(
            group_rows, columns=["code", "sampled", "eligible_found", *_INTERVAL_COLUMNS]
        ),
        notes=county.notes + adjustment.notes + model_notes,
        response_rates=adjustment.response_rates.assign(
            name=[
                (township_names or {}).get(code, code) if level == "township" else code
                for level, code in zip(rates["level"], rates["code"], strict=True)
            ]
        ),
        weighting_classes=adjustment.classes,
        error_rate_lower_bound=bounds[0],
        error_rate_upper_bound=bounds[1],
        minimum_respondents=minimum_respondents,
        tekun_error_rate=county.tekun_error,
        overpayment=county.overpayment,
        underpayment=county.underpayment,
        paid=None if paid is None else float(sum(paid.values())),
        township_results=towns,
        township_model=model,
    )


def figure_estimates(estimates: ReportEstimates) -> dict[str, Estimate | None]:
    """The headline estimates by name (the estimands of ``auditlib simulate pipeline``)."""
    over, under = estimates.overpayment, estimates.underpayment
    return {
        "error_rate": estimates.error_rate,
        "improper_amount": estimates.improper_amount,
        "improper_rate": estimates.improper_rate,
        "omission_rate": estimates.omission_rate,
        "tekun_error_rate": estimates.tekun_error_rate,
        "overpayment": None if over is None else over.total,
        "underpayment": None if under is None else under.total,
    }


def key_figures(estimates: ReportEstimates) -> Mapping[str, float | None]:
    """The headline numbers (``estimates.json``, the manifest and the batch summary).

    ``error_rate_*``, ``improper_amount_*``, ``improper_rate_*``, ``omission_rate_*``,
    ``tekun_error_rate_*``, ``overpayment_*``, ``underpayment_*`` (estimate, lower, upper);
    ``response_rate`` (county, unweighted) and the point values of
    ``error_rate_lower_bound`` / ``error_rate_upper_bound``.
    """
    figures: dict[str, float | None] = {}
    for name, estimate in figure_estimates(estimates).items():
        for part in ("estimate", "lower", "upper"):
            value = None if estimate is None else float(getattr(estimate, part))
            figures[f"{name}_{part}"] = value
    figures["response_rate"] = estimates.response_rate
    for name in ("error_rate_lower_bound", "error_rate_upper_bound"):
        bound = getattr(estimates, name)
        figures[name] = None if bound is None else float(bound.estimate)
    return figures
