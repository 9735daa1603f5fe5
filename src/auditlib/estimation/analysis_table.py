"""The analysis table: sample table + verification results + yuan paid in the audit period.

:func:`build_analysis_table` joins the three inputs and derives the 0/1 variables the audit
estimands (:mod:`auditlib.estimation.estimands`) estimate; :func:`prepare` turns an analysis table
into the lean numpy-backed frame the designs are built from.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from auditlib.errors import DesignError, FieldworkError, Problem

__all__ = [
    "ANALYSIS_COLUMNS",
    "DERIVED_COLUMNS",
    "SINGLE_STAGE_PREFIXES",
    "build_analysis_table",
    "is_prepared",
    "prepare",
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
SINGLE_STAGE_PREFIXES = ("C:", "N:")


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
        Sample table (auditlib.sampling.sample), one row per selected household.
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


DERIVED_COLUMNS = (
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


def prepare(analysis: pd.DataFrame) -> pd.DataFrame:
    """The columns the estimands need, as plain numpy-backed columns (fast to slice)."""
    if is_prepared(analysis):
        return analysis
    missing = [c for c in ANALYSIS_COLUMNS if c not in analysis.columns]
    if missing:
        raise DesignError(
            f"the analysis table lacks column(s) {missing}; build it with build_analysis_table"
        )
    if not all(c in analysis.columns for c in DERIVED_COLUMNS):
        analysis = _derive(analysis)
    columns: dict[str, Any] = {}
    for name in _TEXT:
        columns[name] = pd.Series(
            analysis[name].to_numpy(dtype=object, na_value=None), dtype=object, copy=False
        )
    for name in ("psu_population", "ssu_population", "weight", "amount_paid", *DERIVED_COLUMNS):
        columns[name] = analysis[name].to_numpy(dtype=float, na_value=np.nan)
    columns["recipient"] = _as_bool(analysis["recipient"], "recipient").to_numpy(bool)
    if "county_code" in analysis.columns:
        columns["county_code"] = pd.Series(
            analysis["county_code"].to_numpy(dtype=object, na_value=None), dtype=object
        )
    return pd.DataFrame(columns, index=pd.RangeIndex(len(analysis)))


def is_prepared(table: pd.DataFrame) -> bool:
    return (
        all(c in table.columns for c in DERIVED_COLUMNS)
        and table["recipient"].dtype == bool
        and table["stratum"].dtype == object
    )
