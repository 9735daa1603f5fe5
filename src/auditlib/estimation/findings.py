"""What the verification of one round found, per verified recipient household: the labels a
risk score learns from (:mod:`auditlib.risk.learned`).

A *finding* is either of what a field visit with the ledger establishes:

* ``ineligible`` — the recipient household was found not eligible (错保);
* ``overpaid`` — the ledger paid it more in the audit period than the entitlement implied by
  the verified ``correct_benefit`` (:mod:`auditlib.estimation.entitlement`), by more than
  ``tolerance`` of the entitlement plus, for households enrolled during the period, one
  month's benefit (routine arrears, 补发, as rules P04/P06 allow). Duplicate, oversized and
  after-death payments show up here; an account held by a non-member or shared by several
  households does not (its money may be right);
* ``payment_anomaly`` — the field team recorded a payment irregularity (the verification
  table's optional ``payment_anomaly`` answer, 发放异常: ``yes``); without the column, or
  where it is empty, only the ledger's overpayment speaks for payments.

Non-respondents (not found, moved, refused) are not labelled: they are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.estimation.analysis_table import build_analysis_table
from auditlib.estimation.entitlement import entitled_months

__all__ = ["FINDING_COLUMNS", "county_analysis_table", "verified_findings"]

FINDING_COLUMNS: tuple[str, ...] = (
    "household_id",
    "weight",
    "stratum",
    "ineligible",
    "overpaid",
    "payment_anomaly",
    "finding",
)


def county_analysis_table(
    sample_table: pd.DataFrame,
    verification: pd.DataFrame,
    data: CountyData,
    *,
    interim: bool = False,
    months: pd.Series | None = None,
) -> pd.DataFrame:
    """:func:`~auditlib.estimation.analysis_table.build_analysis_table` over the county's audit
    period, entitled months from its register (``months`` when already computed)."""
    info = data.info
    if months is None:
        months = entitled_months(data.households, info.audit_period_start, info.audit_period_end)
    return build_analysis_table(
        sample_table,
        verification,
        data.payments,
        period_start=info.audit_period_start,
        period_end=info.audit_period_end,
        interim=interim,
        months=months,
    )


def verified_findings(
    sample_table: pd.DataFrame,
    verification: pd.DataFrame,
    data: CountyData,
    *,
    programmes: tuple[str, ...] = ("dibao",),
    tolerance: float = 0.10,
) -> pd.DataFrame:
    """One row per verified recipient household of ``programmes``: weight and findings.

    Parameters
    ----------
    sample_table : pandas.DataFrame
        The round's sample table (:class:`auditlib.sampling.sample.Sample` ``.table``).
    verification : pandas.DataFrame
        Its verification results (data contract ``verification``).
    data : CountyData
        The round's registers and ledger.
    programmes : tuple of str
        Programmes whose households are labelled (those the risk score ranks).
    tolerance : float
        Share of the entitlement a payment total may exceed it by before it is a finding.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FINDING_COLUMNS` (``ineligible``, ``overpaid``, ``payment_anomaly``,
        ``finding`` boolean).
    """
    info = data.info
    table = county_analysis_table(sample_table, verification, data)
    households = data.households.assign(
        household_id=data.households["household_id"].astype(str)
    ).set_index("household_id")
    ids = table["household_id"].astype(str)
    programme = households["programme"].astype(str).reindex(ids).to_numpy()
    keep = (
        (table["respondent"].to_numpy(float) > 0)
        & table["recipient"].to_numpy(bool)
        & np.isin(programme, programmes)
    )
    table = table[keep]
    ids = ids[keep]
    enrolled = pd.to_datetime(households["enrolment_date"], errors="coerce").reindex(ids)
    new = (enrolled >= pd.Timestamp(info.audit_period_start)).fillna(False).to_numpy(bool)
    benefit = pd.to_numeric(table["correct_benefit"], errors="coerce").fillna(0.0).to_numpy()
    allowance = tolerance * table["entitlement"].to_numpy(float) + np.where(new, benefit, 0.0)
    ineligible = table["ineligible"].to_numpy(float) > 0
    overpaid = ~ineligible & (table["overpayment"].to_numpy(float) > allowance + 1e-9)
    anomaly = np.zeros(len(ids), dtype=bool)
    if "payment_anomaly" in verification.columns:
        answers = verification.assign(household_id=verification["household_id"].astype(str))
        answer = answers.set_index("household_id")["payment_anomaly"].astype("string")
        anomaly = (answer.str.strip().str.lower().reindex(ids) == "yes").fillna(False)
        anomaly = anomaly.to_numpy(bool)
    return pd.DataFrame(
        {
            "household_id": ids.to_numpy(),
            "weight": table["weight"].to_numpy(float),
            "stratum": table["stratum"].astype(str).to_numpy(),
            "ineligible": ineligible,
            "overpaid": overpaid,
            "payment_anomaly": anomaly,
            "finding": ineligible | overpaid | anomaly,
        }
    ).reset_index(drop=True)
