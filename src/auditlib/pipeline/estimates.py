"""From a recorded sample and its verification results to every estimate of the report.

One function, :func:`audit_estimates`, used by the report
(:func:`auditlib.pipeline.audit.run_audit`) and by ``auditlib simulate pipeline``
(:mod:`auditlib.pipeline.simulation`), so the simulation checks exactly what the report
computes. It adds to the sample and the answers what only the
county's register knows: the yuan paid in the audit period (per household, and to all Dibao
recipients per township: the known totals of the ratio estimators), the months each recipient
was entitled in the period, the priority groups, and the township auxiliaries of the small-area
model (share of Dibao recipients hit by a red-flag rule, mean risk percentile).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.estimation.entitlement import entitled_months
from auditlib.estimation.findings import county_analysis_table
from auditlib.estimation.priority import priority_groups
from auditlib.estimation.summary import ReportEstimates, compute_estimates
from auditlib.pipeline.params import AuditParams

__all__ = [
    "RegisterFacts",
    "analysis_table",
    "audit_estimates",
    "dibao_paid_by_township",
    "period_payments",
    "register_facts",
    "township_auxiliaries",
    "township_names",
]


def township_names(data: CountyData) -> dict[str, str]:
    """Township name by township code."""
    households = data.households.drop_duplicates("township_code")
    return dict(
        zip(
            households["township_code"].astype(str),
            households["township"].astype(str),
            strict=True,
        )
    )


def analysis_table(
    sample_table: pd.DataFrame,
    verification: pd.DataFrame,
    data: CountyData,
    *,
    interim: bool = False,
    months: pd.Series | None = None,
) -> pd.DataFrame:
    """Sample table + verification answers + ``amount_paid`` and entitled months (audit
    period) + ``township``. ``months``: the register's entitled months when already computed
    (:attr:`RegisterFacts.months`).

    Built by :func:`auditlib.estimation.findings.county_analysis_table` (through
    ``build_analysis_table``, which refuses answers that do not reconcile with the sample),
    with the township name added.
    """
    table = county_analysis_table(sample_table, verification, data, interim=interim, months=months)
    names = township_names(data)
    table["township"] = table["township_code"].astype(str).map(names)
    return table


def period_payments(data: CountyData) -> pd.Series:
    """Yuan paid to each household in the audit period (``household_id`` as text)."""
    ledger = data.payments
    dates = pd.to_datetime(ledger["payment_date"])
    keep = (dates >= pd.Timestamp(data.info.audit_period_start)) & (
        dates <= pd.Timestamp(data.info.audit_period_end)
    )
    part = ledger[keep.to_numpy(bool)]
    return part.groupby(part["household_id"].astype(str))["amount"].sum()


def dibao_paid_by_township(data: CountyData) -> dict[str, float]:
    """Yuan paid in the audit period to the county's Dibao recipient households, per township.

    The known totals *X* of the ratio estimators of the yuan estimands
    (:mod:`auditlib.estimation.payments`).
    """
    households = data.households
    dibao = households["programme"].astype(str).to_numpy() == "dibao"
    ids = households["household_id"].astype(str).to_numpy()[dibao]
    paid = period_payments(data).reindex(ids).fillna(0.0).to_numpy(float)
    towns = households["township_code"].astype(str).to_numpy()[dibao]
    totals = pd.Series(paid).groupby(towns).sum()
    return {str(code): float(value) for code, value in totals.items()}


def township_auxiliaries(data: CountyData, scores: pd.DataFrame | None) -> pd.DataFrame:
    """Register auxiliaries of each township for the small-area model.

    Columns ``township_code``, ``recipients`` (Dibao recipient households), ``rule_share``
    (share of them hit by at least one red-flag rule) and ``mean_risk`` (their mean risk
    percentile); without risk scores only ``township_code`` and ``recipients``.
    """
    households = data.households
    dibao = households[households["programme"].astype(str) == "dibao"]
    frame = pd.DataFrame(
        {
            "township_code": dibao["township_code"].astype(str).to_numpy(),
            "household_id": dibao["household_id"].astype(str).to_numpy(),
        }
    )
    if scores is not None:
        indexed = scores.assign(household_id=scores["household_id"].astype(str)).set_index(
            "household_id"
        )
        frame["rule_share"] = (
            indexed["rule_count"].reindex(frame["household_id"]).fillna(0).to_numpy() > 0
        ).astype(float)
        frame["mean_risk"] = (
            indexed["risk_percentile"].reindex(frame["household_id"]).to_numpy(dtype=float)
        )
    table = frame.groupby("township_code", sort=True).agg(
        recipients=("household_id", "size"),
        **{name: (name, "mean") for name in ("rule_share", "mean_risk") if name in frame},
    )
    return table.reset_index()


@dataclass(frozen=True)
class RegisterFacts:
    """What the estimates take from the county's register, the same for every sample.

    Attributes
    ----------
    names : dict
        Township name by code.
    months : pandas.Series
        Entitled months in the audit period by household (:func:`entitled_months`).
    paid : dict
        Yuan paid to Dibao households in the period by township (:func:`dibao_paid_by_township`).
    auxiliaries : pandas.DataFrame
        Township auxiliaries of the small-area model (:func:`township_auxiliaries`).
    groups : pandas.DataFrame
        Priority-group membership of every household.
    dibao_households : int
        Dibao recipient households in the register (the number of ineligible households is
        this times 错保率).
    """

    names: dict[str, str]
    months: pd.Series
    paid: dict[str, float]
    auxiliaries: pd.DataFrame
    groups: pd.DataFrame
    dibao_households: int


def register_facts(
    data: CountyData, scores: pd.DataFrame | None, priority_window_months: int
) -> RegisterFacts:
    """Compute :class:`RegisterFacts` once (a report, or every replicate of a simulation)."""
    info = data.info
    return RegisterFacts(
        names=township_names(data),
        months=entitled_months(data.households, info.audit_period_start, info.audit_period_end),
        paid=dibao_paid_by_township(data),
        auxiliaries=township_auxiliaries(data, scores),
        groups=priority_groups(
            data.households,
            data.members,
            pd.Timestamp(info.reference_date),
            priority_window_months,
        ),
        dibao_households=int((data.households["programme"].astype(str) == "dibao").sum()),
    )


def audit_estimates(
    params: AuditParams,
    data: CountyData,
    sample: Any,
    answers: pd.DataFrame,
    *,
    scores: pd.DataFrame | None = None,
    interim: bool = False,
    facts: RegisterFacts | None = None,
) -> tuple[pd.DataFrame, ReportEstimates]:
    """The analysis table and every estimate of the report.

    Parameters
    ----------
    params : AuditParams
        The county's parameters (estimation options).
    data : CountyData
        The county's tables.
    sample : auditlib.sampling.sample.Sample
        The recorded sample.
    answers : pandas.DataFrame
        Verification results.
    scores : pandas.DataFrame, optional
        Risk scores (:attr:`auditlib.risk.assessment.RiskAssessment.scores`): the township
        auxiliaries of the small-area model (used only when ``facts`` is not given).
    interim : bool
        Results still pending count as non-response.
    facts : RegisterFacts, optional
        The register's part, computed once (:func:`register_facts`) when estimating many
        samples of one county; computed here when not given.
    """
    if facts is None:
        facts = register_facts(data, scores, sample.plan.priority_window_months)
    table = analysis_table(sample.table, answers, data, interim=interim, months=facts.months)
    groups = facts.groups
    sampled = np.isin(groups["household_id"].to_numpy(str), table["household_id"].to_numpy(str))
    estimates = compute_estimates(
        table,
        groups=groups[sampled],
        township_names=facts.names,
        method=params.estimation.ci_method,
        level=params.estimation.level,
        lonely_psu=params.estimation.lonely_psu,
        ultimate_cluster=sample.ultimate_cluster,
        df_method=params.estimation.degrees_of_freedom,
        payment_interval=params.estimation.payment_interval,
        paid=facts.paid,
        township_auxiliaries=facts.auxiliaries,
        dibao_households=facts.dibao_households,
    )
    return table, estimates
