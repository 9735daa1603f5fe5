"""The analysis table: sample table + verification results + yuan paid in the audit period.

:func:`build_analysis_table` joins the three inputs and derives the 0/1 variables the audit
estimands (:mod:`auditlib.estimation.estimands`) estimate; :func:`prepare` turns an analysis table
into the lean numpy-backed frame the designs are built from.

Field status (``status``): a sampled household is ``verified`` (已核查, a respondent) or a
non-respondent: ``not_found`` (未找到), ``moved`` (已迁出), ``refused`` (拒绝配合), or ``pending``
(worksheet not yet returned; interim reports only). A non-respondent has no verdict and all its
derived 0/1 variables are 0 (never ineligible, eligible, eligible non-recipient or eligible
recipient; ``improper_amount`` 0): estimating from such a table as it stands gives the *lower
bound* of the 错保率, not an estimate.
:func:`auditlib.estimation.nonresponse.adjust_for_nonresponse` drops them and reweights the
respondents, as :func:`auditlib.estimation.summary.compute_estimates` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.data.codes import FIELD_STATUSES
from auditlib.errors import DesignError, FieldworkError, Problem
from auditlib.estimation.entitlement import paid_months, payment_columns

__all__ = [
    "ANALYSIS_COLUMNS",
    "DERIVED_COLUMNS",
    "NONRESPONSE_STATUSES",
    "PENDING",
    "SINGLE_STAGE_PREFIXES",
    "STATUS_CODES",
    "VERIFIED",
    "build_analysis_table",
    "field_status",
    "is_prepared",
    "prepare",
    "respondents",
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

#: Field status of a household with a verdict (已核查); the only respondents.
VERIFIED = "verified"
#: Field statuses of a verification table (empty or absent means ``verified``).
STATUS_CODES: tuple[str, ...] = tuple(FIELD_STATUSES)
#: Status of a sampled household without a verification row (``interim=True`` only).
PENDING = "pending"
#: Statuses of non-respondents, in report order.
NONRESPONSE_STATUSES: tuple[str, ...] = ("not_found", "moved", "refused", PENDING)
_VERDICT_COLUMNS = ("eligible", "error_type", "correct_benefit", "payment_anomaly")
_VERDICT = '"yes" or "no" (required when the status is verified)'
_ANOMALY = '"yes", "no" or empty (payments not checked)'
_ANOMALY_YES = frozenset({"yes", "1", "1.0", "true"})
_ANOMALY_NO = frozenset({"no", "0", "0.0", "false"})


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
    interim: bool = False,
    months: pd.Series | None = None,
) -> pd.DataFrame:
    """Join the sample table, the verification results and the payments ledger.

    Parameters
    ----------
    sample : DataFrame
        Sample table (auditlib.sampling.sample), one row per selected household.
    verification : DataFrame
        Verification results (schema ``verification``): household_id, eligible
        (``"yes"``/``"no"``), error_type, correct_benefit and, optionally, ``status``
        (:data:`STATUS_CODES`; absent or empty means ``verified``) and ``payment_anomaly``
        (``"yes"``/``"no"``, empty when not checked). ``eligible`` is required where the
        status is ``verified`` and must be empty elsewhere, as must ``error_type``,
        ``correct_benefit`` and ``payment_anomaly``.
    payments : DataFrame
        Payments ledger (schema ``payments``): household_id, payment_date, amount.
    period_start, period_end : date-like, optional
        Audit period; payments outside it are not counted (inclusive bounds).
    interim : bool
        Interim report: a sampled household without a verification result gets the status
        ``pending`` (a non-respondent) instead of being an error; a ``pending`` status in
        the verification table is accepted too.
    months : pandas.Series, optional
        Entitled months in the period by ``household_id``
        (:func:`auditlib.estimation.entitlement.entitled_months` of the register); default
        the months with a payment (:func:`auditlib.estimation.entitlement.paid_months`).

    Returns
    -------
    DataFrame
        The sample table plus ``eligible``, ``error_type``, ``correct_benefit``, ``status``,
        ``amount_paid`` (yuan), ``respondent`` (1.0 verified, 0.0 otherwise), ``ineligible``
        (1.0 for recipients found ineligible), ``improper_amount``
        (``amount_paid × ineligible``), ``eligible_flag`` (1.0 found eligible),
        ``eligible_non_recipient``, ``eligible_recipient`` (Dibao recipients),
        ``payment_anomaly`` (1.0 when a verified household's payments were found irregular;
        0.0 for non-respondents, when not checked and when absent), ``dibao`` and
        ``tekun`` (recipients of each programme; every recipient is ``dibao`` when the sample
        has no ``programme``), ``entitled_months`` and the columns of
        :func:`auditlib.estimation.entitlement.payment_columns`; the 0/1 variables are 0 for
        non-respondents (see the module docstring).

    Raises
    ------
    FieldworkError
        With one problem per offending row: a sampled household has no verification result
        (unless ``interim``), a result belongs to no sampled household or is duplicated,
        ``status`` is not a code of :data:`STATUS_CODES`, ``eligible`` is not
        ``"yes"``/``"no"`` for a verified household, or a non-respondent has a verdict.
    """
    missing_columns = [c for c in ("household_id", "eligible") if c not in verification]
    if missing_columns:
        raise FieldworkError(f"verification table lacks column(s) {missing_columns}")
    sampled = sample["household_id"].astype("string")
    verified = verification["household_id"].astype("string")
    problems = []
    if not interim:
        problems += [
            Problem("verification", None, "household_id", str(h), "a verification result")
            for h in sampled[~sampled.isin(verified)]
        ]
    problems += [
        Problem("verification", int(i) + 2, "household_id", str(h), "a sampled household")
        for i, h in zip(
            np.flatnonzero(~verified.isin(sampled)), verified[~verified.isin(sampled)], strict=True
        )
    ]
    status = field_status(verification)
    allowed = [*STATUS_CODES, PENDING] if interim else list(STATUS_CODES)
    expected = " or ".join(f'"{code}"' for code in allowed) + " (or empty for verified)"
    expected += "" if interim else f'; "{PENDING}" only in an interim report'
    bad_status = ~status.isin(allowed).to_numpy(bool)
    problems += [
        Problem("verification", int(i) + 2, "status", str(status.iloc[i]), expected)
        for i in np.flatnonzero(bad_status)
    ]
    respondent = (status == VERIFIED).to_numpy(bool)
    eligible = verification["eligible"].astype("string").str.strip()
    bad_eligible = respondent & ~eligible.isin(["yes", "no"]).fillna(False).to_numpy(bool)
    problems += [
        Problem("verification", int(i) + 2, "eligible", str(eligible.iloc[i]), _VERDICT)
        for i in np.flatnonzero(bad_eligible)
    ]
    if "payment_anomaly" in verification:
        anomaly = verification["payment_anomaly"].astype("string").str.strip().str.lower()
        known = anomaly.isin(_ANOMALY_YES | _ANOMALY_NO) | anomaly.isna() | (anomaly == "")
        bad_anomaly = respondent & ~known.fillna(True).to_numpy(bool)
        problems += [
            Problem(
                "verification",
                int(i) + 2,
                "payment_anomaly",
                str(verification["payment_anomaly"].iloc[i]),
                _ANOMALY,
            )
            for i in np.flatnonzero(bad_anomaly)
        ]
    for name in _VERDICT_COLUMNS:
        if name not in verification:
            continue
        column = verification[name]
        filled = column.notna().to_numpy(bool)
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            text = column.astype("string").str.strip()
            filled = filled & (text != "").fillna(False).to_numpy(bool)
        for i in np.flatnonzero(filled & ~respondent & ~bad_status):
            problems.append(
                Problem(
                    "verification",
                    int(i) + 2,
                    name,
                    str(column.iloc[i]),
                    f"empty for a household with status {status.iloc[i]!r}",
                )
            )
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
    results = verification.assign(
        household_id=verified, eligible=eligible.where(pd.Series(respondent, index=eligible.index))
    ).set_index("household_id")
    keep_columns = [c for c in _VERDICT_COLUMNS if c in results]
    table = table.join(results[keep_columns], on="household_id")
    if "error_type" not in table:
        table["error_type"] = pd.NA
    table["status"] = (
        sampled.map(pd.Series(status.to_numpy(), index=verified.to_numpy()))
        .fillna(PENDING)
        .astype("string")
    )
    table["amount_paid"] = table["household_id"].map(paid).fillna(0.0).astype(float)
    entitled = paid_months(ledger) if months is None else months
    table["entitled_months"] = table["household_id"].astype(str).map(entitled).astype(float)
    return _derive(table)


def field_status(table: pd.DataFrame) -> pd.Series:
    """The field status of each row: ``status`` stripped, empty or absent ⇒ ``verified``."""
    if "status" not in table:
        return pd.Series(VERIFIED, index=table.index, dtype="string")
    text = table["status"].astype("string").str.strip()
    return text.mask(text == "", pd.NA).fillna(VERIFIED)


def _derive(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table["recipient"] = _as_bool(table["recipient"], "recipient")
    status = field_status(table)
    respondent = (status == VERIFIED).to_numpy(bool)
    eligible = table["eligible"].astype("string")
    bad = respondent & ~eligible.isin(["yes", "no"]).fillna(False).to_numpy(bool)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise FieldworkError(
            f'column \'eligible\' must be "yes" or "no" for every verified household; got '
            f"{table['eligible'].iloc[row]!r} at analysis-table row {row + 2}"
        )
    recipient = table["recipient"].to_numpy(bool)
    no = (eligible == "no").fillna(False).to_numpy(bool) & respondent
    yes = respondent & ~no
    table["status"] = status
    table["respondent"] = respondent.astype(float)
    table["eligible_flag"] = yes.astype(float)
    table["ineligible"] = (no & recipient).astype(float)
    table["improper_amount"] = table["amount_paid"].astype(float) * table["ineligible"]
    programme = (
        table["programme"].astype("string").fillna("").to_numpy(str)
        if "programme" in table
        else np.where(recipient, "dibao", "none")
    )
    dibao = recipient & (programme != "tekun")
    table["dibao"] = dibao.astype(float)
    table["tekun"] = (recipient & (programme == "tekun")).astype(float)
    table["eligible_non_recipient"] = (yes & ~recipient).astype(float)
    table["eligible_recipient"] = (yes & dibao).astype(float)
    table["payment_anomaly"] = _anomaly_flag(table, respondent)
    missing = pd.Series(np.nan, index=table.index)
    for name, values in payment_columns(
        recipient,
        respondent,
        table["ineligible"].to_numpy(),
        table["amount_paid"].to_numpy(dtype=float),
        pd.to_numeric(table.get("correct_benefit", missing), errors="coerce").to_numpy(float),
        pd.to_numeric(table.get("entitled_months", missing), errors="coerce").to_numpy(float),
    ).items():
        table[name] = values
    return table


def _anomaly_flag(table: pd.DataFrame, respondent: npt.NDArray[np.bool_]) -> npt.NDArray[Any]:
    """1.0 where a respondent's ``payment_anomaly`` is yes (or already 1), else 0.0."""
    if "payment_anomaly" not in table:
        return np.zeros(len(table), dtype=float)
    column = table["payment_anomaly"]
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        found = pd.to_numeric(column, errors="coerce").fillna(0.0).to_numpy(float) > 0
    else:
        text = column.astype("string").str.strip().str.lower()
        found = text.isin(_ANOMALY_YES).fillna(False).to_numpy(bool)
    return (found & respondent).astype(float)


DERIVED_COLUMNS = (
    *("eligible_flag", "ineligible", "improper_amount"),
    *("eligible_non_recipient", "eligible_recipient", "dibao", "tekun"),
    *("entitlement", "overpayment", "underpayment", "entitlement_unknown"),
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
    """The columns the estimands need, as plain numpy-backed columns (fast to slice).

    ``respondent`` (1.0/0.0) is kept, derived from ``status`` when absent (no ``status``:
    every row a respondent).
    """
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
    columns["respondent"] = respondents(analysis).astype(float)
    columns["variance_group"] = pd.Series(
        [str(label).split(":", 1)[0] if ":" in str(label) else "" for label in columns["stratum"]],
        dtype=object,
    )
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


def respondents(table: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """True for the verified rows (``respondent``, else ``status``; neither: every row)."""
    if "respondent" in table.columns:
        return table["respondent"].to_numpy(dtype=float, na_value=0.0) > 0
    return (field_status(table) == VERIFIED).to_numpy(bool)
