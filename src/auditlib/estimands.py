"""The audit estimands: 错保率, improper payments and 漏保率, county-wide and per township.

Input is the *analysis table* (see :func:`build_analysis_table`): the sample table of
:mod:`auditlib.sampling` plus the verification results and the yuan paid in the audit
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

from auditlib.design import SurveyDesign
from auditlib.errors import DesignError, FieldworkError, Problem
from auditlib.estimation import Estimate, Estimates, _column_values, proportions
from auditlib.intervals import DEFAULT_CI_METHOD

__all__ = [
    "ANALYSIS_COLUMNS",
    "AuditEstimates",
    "OmissionEstimate",
    "audit_design",
    "build_analysis_table",
    "county_estimates",
    "estimates_table",
    "improper_payments",
    "inclusion_error_by_type",
    "inclusion_error_rate",
    "omission_rate",
    "township_estimates",
]

#: Columns the estimands read from the analysis table.
ANALYSIS_COLUMNS: tuple[str, ...] = (
    "household_id",
    "township_code",
    "village_code",
    "recipient",
    "stratum",
    "psu",
    "ssu_stratum",
    "psu_population",
    "ssu_population",
    "weight",
    "eligible",
    "error_type",
    "amount_paid",
)
_SINGLE_STAGE_PREFIXES = ("C:", "N:")


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


# ---------------------------------------------------------------------- analysis table
def _as_bool(column: pd.Series, name: str) -> pd.Series:
    if column.dtype == bool:
        return column
    text = column.astype("string").str.strip().str.lower()
    mapping = {"true": True, "1": True, "1.0": True, "false": False, "0": False, "0.0": False}
    mapped = text.map(mapping)
    bad = mapped.isna()
    if bad.any():
        raise DesignError(
            f"column {name!r} must be boolean (True/False or 1/0); got {column[bad].iloc[0]!r} "
            f"at row {int(np.flatnonzero(bad.to_numpy())[0]) + 2}"
        )
    return mapped.astype(bool)


def build_analysis_table(
    sample: pd.DataFrame,
    verification: pd.DataFrame,
    payments: pd.DataFrame,
    *,
    period_start: Any = None,
    period_end: Any = None,
) -> pd.DataFrame:
    """Join the sample table, the verification results and the payments ledger.

    Parameters
    ----------
    sample : DataFrame
        Sample table (auditlib.sampling), one row per selected household.
    verification : DataFrame
        Verification results (schema ``verification``): household_id, eligible
        (``"yes"``/``"no"``), error_type, correct_benefit.
    payments : DataFrame
        Payments ledger (schema ``payments``): household_id, payment_date, amount.
    period_start, period_end : date-like, optional
        Audit period; payments outside it are not counted (inclusive bounds).

    Returns
    -------
    DataFrame
        The sample table plus ``eligible``, ``error_type``, ``correct_benefit``,
        ``amount_paid`` (yuan), ``ineligible`` (1.0 for recipients found ineligible),
        ``improper_amount`` (``amount_paid × ineligible``) and ``eligible_flag`` (1.0/0.0).

    Raises
    ------
    FieldworkError
        A sampled household has no verification result, a result belongs to no sampled
        household, or ``eligible`` is not ``"yes"``/``"no"``.
    """
    missing_columns = [c for c in ("household_id", "eligible") if c not in verification]
    if missing_columns:
        raise FieldworkError(f"verification table lacks column(s) {missing_columns}")
    sampled = sample["household_id"].astype("string")
    verified = verification["household_id"].astype("string")
    problems = [
        Problem("verification", None, "household_id", str(h), "a verification result")
        for h in sampled[~sampled.isin(verified)]
    ]
    problems += [
        Problem("verification", int(i) + 2, "household_id", str(h), "a sampled household")
        for i, h in zip(
            np.flatnonzero(~verified.isin(sampled)), verified[~verified.isin(sampled)], strict=True
        )
    ]
    eligible = verification["eligible"].astype("string").str.strip()
    problems += [
        Problem("verification", int(i) + 2, "eligible", str(v), '"yes" or "no"')
        for i, v in zip(
            np.flatnonzero(~eligible.isin(["yes", "no"]).to_numpy(bool)),
            eligible[~eligible.isin(["yes", "no"]).fillna(False)],
            strict=True,
        )
    ]
    if verified.duplicated().any():
        problems += [
            Problem("verification", None, "household_id", str(h), "one result per household")
            for h in verified[verified.duplicated()].unique()
        ]
    if problems:
        raise FieldworkError(
            f"verification results do not reconcile with the sample ({len(problems)} problem(s))",
            problems,
        )
    ledger = payments
    if period_start is not None or period_end is not None:
        dates = pd.to_datetime(payments["payment_date"])
        keep = np.ones(len(payments), dtype=bool)
        if period_start is not None:
            keep &= (dates >= pd.Timestamp(period_start)).to_numpy(bool)
        if period_end is not None:
            keep &= (dates <= pd.Timestamp(period_end)).to_numpy(bool)
        ledger = payments[keep]
    paid = ledger.groupby(ledger["household_id"].astype("string"))["amount"].sum()
    table = sample.copy()
    table["household_id"] = sampled
    table["recipient"] = _as_bool(table["recipient"], "recipient")
    results = verification.assign(household_id=verified, eligible=eligible).set_index(
        "household_id"
    )
    keep_columns = [c for c in ("eligible", "error_type", "correct_benefit") if c in results]
    table = table.join(results[keep_columns], on="household_id")
    if "error_type" not in table:
        table["error_type"] = pd.NA
    table["amount_paid"] = table["household_id"].map(paid).fillna(0.0).astype(float)
    return _derive(table)


def _derive(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table["recipient"] = _as_bool(table["recipient"], "recipient")
    eligible = table["eligible"].astype("string")
    bad = ~eligible.isin(["yes", "no"]).fillna(False).to_numpy(bool)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise FieldworkError(
            f'column \'eligible\' must be "yes" or "no" for every sampled household; got '
            f"{table['eligible'].iloc[row]!r} at analysis-table row {row + 2}"
        )
    recipient = table["recipient"].to_numpy(bool)
    no = (eligible == "no").to_numpy(bool)
    table["eligible_flag"] = (~no).astype(float)
    table["ineligible"] = (no & recipient).astype(float)
    table["improper_amount"] = table["amount_paid"].astype(float) * table["ineligible"]
    table["eligible_non_recipient"] = (~no & ~recipient).astype(float)
    table["eligible_recipient"] = (~no & recipient).astype(float)
    return table


_DERIVED = (
    "eligible_flag",
    "ineligible",
    "improper_amount",
    "eligible_non_recipient",
    "eligible_recipient",
)
_TEXT = (
    "household_id",
    "township_code",
    "village_code",
    "stratum",
    "psu",
    "ssu_stratum",
    "eligible",
    "error_type",
)


def _prepare(analysis: pd.DataFrame) -> pd.DataFrame:
    """The columns the estimands need, as plain numpy-backed columns (fast to slice)."""
    if _is_prepared(analysis):
        return analysis
    missing = [c for c in ANALYSIS_COLUMNS if c not in analysis.columns]
    if missing:
        raise DesignError(
            f"the analysis table lacks column(s) {missing}; build it with build_analysis_table"
        )
    if not all(c in analysis.columns for c in _DERIVED):
        analysis = _derive(analysis)
    columns: dict[str, Any] = {}
    for name in _TEXT:
        columns[name] = pd.Series(
            analysis[name].to_numpy(dtype=object, na_value=None), dtype=object, copy=False
        )
    for name in ("psu_population", "ssu_population", "weight", "amount_paid", *_DERIVED):
        columns[name] = analysis[name].to_numpy(dtype=float, na_value=np.nan)
    columns["recipient"] = _as_bool(analysis["recipient"], "recipient").to_numpy(bool)
    if "county_code" in analysis.columns:
        columns["county_code"] = pd.Series(
            analysis["county_code"].to_numpy(dtype=object, na_value=None), dtype=object
        )
    return pd.DataFrame(columns, index=pd.RangeIndex(len(analysis)))


def _is_prepared(table: pd.DataFrame) -> bool:
    return (
        all(c in table.columns for c in _DERIVED)
        and table["recipient"].dtype == bool
        and table["stratum"].dtype == object
    )


# ---------------------------------------------------------------------- designs
def audit_design(
    analysis: pd.DataFrame, *, lonely_psu: str = "fail", ultimate_cluster: bool = False
) -> SurveyDesign:
    """The county design of an analysis table (R: ``svydesign(ids=~psu+household_id,
    strata=~stratum+ssu_stratum, fpc=~psu_population+ssu_population, weights=~weight)``)."""
    table = analysis if _is_prepared(analysis) else _prepare(analysis)
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
    return _column_values(design, name, "column")


def _recipients(design: SurveyDesign) -> SurveyDesign:
    return design.subset(_array(design, "recipient") > 0)


def inclusion_error_rate(
    design: SurveyDesign,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
) -> Estimate:
    """错保率: proportion of recipient households found ineligible."""
    result: Estimate = _recipients(design).proportion(
        "ineligible", method=method, level=level, degrees_of_freedom=degrees_of_freedom
    )
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
    data = design.data
    active = design.active
    if not (active & ~(_array(design, "recipient") > 0)).any():
        raise DesignError(
            "the omission rate needs sampled non-recipient households (second-stage stratum "
            "'non_recipient'); this sample has none"
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
    table = _prepare(analysis)
    stratum = table["stratum"].to_numpy(dtype=object)
    single_stage = np.array(
        [str(value).startswith(_SINGLE_STAGE_PREFIXES) for value in stratum], dtype=bool
    )
    township = table["township_code"].to_numpy(dtype=object)
    psu = table["psu"].to_numpy(dtype=object)
    results: dict[str, AuditEstimates] = {}
    for code in sorted({str(value) for value in township if value is not None}):
        own = stratum == f"T:{code}"
        rows = own | single_stage
        part = table[rows].reset_index(drop=True)
        design = audit_design(part, lonely_psu=lonely_psu, ultimate_cluster=ultimate_cluster)
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
    table = _prepare(analysis)
    rows = county_estimates(table, **options).records()
    for item in township_estimates(table, **options).values():
        rows += item.records()
    return pd.DataFrame(rows)
