"""Audit estimands for an area: the county from its full design, each township from a design
conditional on the township (its villages are the PSUs of a single stratum; the certainty
strata enter with the households located in the township, exact, no variance; the
new-approval stratum as a domain of its county-wide stratum). The estimands themselves are in
:mod:`auditlib.estimation.estimands`; see ``docs/estimation.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from auditlib.errors import DesignError
from auditlib.estimation.analysis_table import DERIVED_COLUMNS, SINGLE_STAGE_PREFIXES, prepare
from auditlib.estimation.design import SurveyDesign
from auditlib.estimation.estimands import (
    OmissionEstimate,
    audit_design,
    improper_payments,
    inclusion_error_by_type,
    inclusion_error_rate,
    omission_rate,
    recipients_of,
    tekun_error_rate,
)
from auditlib.estimation.intervals import DEFAULT_CI_METHOD
from auditlib.estimation.payments import PaymentEstimate, payment_estimate
from auditlib.estimation.results import Estimate, Estimates

__all__ = ["AuditEstimates", "county_estimates", "estimates_table", "township_estimates"]


@dataclass(frozen=True)
class AuditEstimates:
    """All audit estimands for one area (the county or one township).

    ``overpayment`` and ``underpayment`` are :class:`PaymentEstimate` (total and rate);
    ``tekun_error`` is ``None`` when no 特困 recipient was sampled.
    """

    area_level: str
    area_code: str
    inclusion_error: Estimate
    inclusion_error_by_type: Estimates
    improper_payment_total: Estimate
    improper_payment_rate: Estimate | None
    omission: OmissionEstimate | None
    notes: tuple[str, ...] = field(default=())
    tekun_error: Estimate | None = None
    overpayment: PaymentEstimate | None = None
    underpayment: PaymentEstimate | None = None

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
        add("tekun_error_rate", self.tekun_error)
        add("improper_payment_total", self.improper_payment_total)
        add("improper_payment_rate", self.improper_payment_rate)
        for name in ("overpayment", "underpayment"):
            part = getattr(self, name)
            if part is not None:
                add(f"{name}_total", part.total)
                add(f"{name}_rate", part.rate)
        if self.omission is not None:
            add("omission_rate", self.omission.rate)
            add("eligible_non_recipients", self.omission.eligible_non_recipients)
            add("eligible_recipients", self.omission.eligible_recipients)
        return rows


def _estimates_for(
    design: SurveyDesign,
    area_level: str,
    area_code: str,
    *,
    method: str,
    level: float,
    degrees_of_freedom: int | None,
    payment_interval: str = "share",
    known_total_paid: float | None = None,
) -> AuditEstimates:
    options: dict[str, Any] = {
        "method": method,
        "level": level,
        "degrees_of_freedom": degrees_of_freedom,
    }
    yuan: dict[str, Any] = {**options, "known_total_paid": known_total_paid}
    notes: list[str] = []
    inclusion = inclusion_error_rate(design, **options)
    by_type = inclusion_error_by_type(design, **options)
    total, rate = improper_payments(design, interval=payment_interval, **yuan)
    recipients = recipients_of(design)
    over, under = (
        payment_estimate(recipients, name, interval=payment_interval, **yuan)
        for name in ("overpayment", "underpayment")
    )
    if rate is None:
        notes.append("no yuan paid to sampled recipients: improper-payment rate undefined")
    omission: OmissionEstimate | None = None
    try:
        omission = omission_rate(design, **options)
    except DesignError as error:
        notes.append(f"omission rate not estimated: {error.message}")
    return AuditEstimates(
        area_level,
        area_code,
        inclusion,
        by_type,
        total,
        rate,
        omission,
        tuple(notes),
        tekun_error=tekun_error_rate(design, **options),
        overpayment=over,
        underpayment=under,
    )


def county_estimates(
    analysis: pd.DataFrame,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
    design: SurveyDesign | None = None,
    df_method: str = "variance",
    payment_interval: str = "share",
    paid: Mapping[str, float] | None = None,
) -> AuditEstimates:
    """All audit estimands for the county, from the full design.

    ``paid``: yuan paid to Dibao recipients in the audit period by township code (from the
    register); the county's known total is their sum (see :mod:`auditlib.estimation.payments`).
    ``df_method`` and ``payment_interval``: see the module docstring.
    """
    design = design or audit_design(
        analysis, lonely_psu=lonely_psu, ultimate_cluster=ultimate_cluster, df_method=df_method
    )
    county = str(analysis["county_code"].iloc[0]) if "county_code" in analysis else "county"
    return _estimates_for(
        design,
        "county",
        county,
        method=method,
        level=level,
        degrees_of_freedom=None,
        payment_interval=payment_interval,
        known_total_paid=None if paid is None else float(sum(paid.values())),
    )


def township_estimates(
    analysis: pd.DataFrame,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    lonely_psu: str = "fail",
    ultimate_cluster: bool = False,
    df_method: str = "variance",
    payment_interval: str = "share",
    paid: Mapping[str, float] | None = None,
) -> dict[str, AuditEstimates]:
    """Direct audit estimands per township, each from a design conditional on the township.

    The township's design holds its own village stratum (``T:<township>``) plus the
    county-wide single-stage strata (``C:*``, ``N:*``) restricted, as a domain, to the
    township's households. Degrees of freedom: sampled villages − 1 (the certainty strata
    add no variance; the new-approval domain is ignored, which is conservative), whatever
    ``df_method`` (accepted for a uniform signature).
    """
    del df_method
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
        design = audit_design(
            part, lonely_psu=lonely_psu, ultimate_cluster=ultimate_cluster, df_method="design"
        )
        # The estimators' numeric columns, sliced once from the county table.
        design._column_cache.update({name: values[rows] for name, values in numeric.items()})
        design = design.subset(township[rows] == code)
        villages = len(set(psu[own]))
        df = villages - 1 if villages else None
        results[code] = _estimates_for(
            design,
            "township",
            code,
            method=method,
            level=level,
            degrees_of_freedom=df,
            payment_interval=payment_interval,
            known_total_paid=None if paid is None else paid.get(code),
        )
    return results


def estimates_table(analysis: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """County and per-township estimates in one long table (one row per estimand).

    ``options``: those of :func:`county_estimates` (except ``design``).
    """
    table = prepare(analysis)
    rows = county_estimates(table, **options).records()
    for item in township_estimates(table, **options).values():
        rows += item.records()
    return pd.DataFrame(rows)
