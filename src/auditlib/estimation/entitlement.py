"""What a recipient household was entitled to in the audit period, and the over- and
underpayment that follow (DWP's fraud-and-error measures).

A verified Dibao or 特困 recipient's *entitlement* for the period is the monthly benefit the
verifiers found correct (``correct_benefit``, yuan/month) times the months it was entitled in the
period; a household found ineligible was entitled to 0. Entitled months run from the month of
enrolment (benefit is due from the month of approval) or the period's first month, whichever is
later, to the exit month or the period's last month. Then, per household,

* overpayment = max(paid − entitlement, 0) — for an ineligible household, everything it was paid;
* underpayment = max(entitlement − paid, 0).

``improper_amount`` (yuan paid to ineligible households) is the ineligible part of the
overpayment. A verified eligible household without ``correct_benefit`` cannot be assessed: its
entitlement is taken to be what it was paid (no over- or underpayment) and it is counted in
``entitlement_unknown``. Without register dates the entitled months are the months in which the
household was paid (:func:`paid_months`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["entitled_months", "paid_months", "payment_columns"]

FloatArray = npt.NDArray[np.float64]


def _month(value: Any) -> int:
    stamp = pd.Timestamp(value)
    return stamp.year * 12 + stamp.month - 1


def entitled_months(households: pd.DataFrame, period_start: Any, period_end: Any) -> pd.Series:
    """Months of the audit period each household was entitled (from its register dates).

    Parameters
    ----------
    households : pandas.DataFrame
        ``household_id``, ``enrolment_date`` and ``exit_date`` (missing: before the period /
        never).
    period_start, period_end : date-like
        The audit period (inclusive).

    Returns
    -------
    pandas.Series
        Whole months (≥ 0), indexed by ``household_id`` as text.

    Examples
    --------
    >>> frame = pd.DataFrame({"household_id": ["a", "b"],
    ...                       "enrolment_date": [pd.NaT, pd.Timestamp("2025-05-20")],
    ...                       "exit_date": [pd.Timestamp("2025-03-02"), pd.NaT]})
    >>> entitled_months(frame, "2025-01-01", "2025-12-31").tolist()
    [3, 8]
    """
    first, last = _month(period_start), _month(period_end)
    enrolment = pd.to_datetime(households["enrolment_date"])
    exit_date = pd.to_datetime(households["exit_date"])
    start = (enrolment.dt.year * 12 + enrolment.dt.month - 1).fillna(first).clip(lower=first)
    end = (exit_date.dt.year * 12 + exit_date.dt.month - 1).fillna(last).clip(upper=last)
    months = (end - start + 1).clip(lower=0).astype("int64")
    return pd.Series(
        months.to_numpy(), index=households["household_id"].astype(str).to_numpy(), name="months"
    )


def paid_months(ledger: pd.DataFrame) -> pd.Series:
    """Distinct calendar months with a payment, per household (``household_id`` as text)."""
    dates = pd.to_datetime(ledger["payment_date"])
    month = dates.dt.year * 12 + dates.dt.month
    frame = pd.DataFrame({"household_id": ledger["household_id"].astype(str), "month": month})
    return frame.groupby("household_id")["month"].nunique().astype("int64")


def payment_columns(
    recipient: npt.ArrayLike,
    respondent: npt.ArrayLike,
    ineligible: npt.ArrayLike,
    amount_paid: npt.ArrayLike,
    correct_benefit: npt.ArrayLike,
    months: npt.ArrayLike,
) -> dict[str, FloatArray]:
    """``entitlement``, ``overpayment``, ``underpayment`` and ``entitlement_unknown`` per row.

    All are 0 for non-recipients and non-respondents (see the module docstring).
    """
    counted = np.asarray(recipient, dtype=bool) & np.asarray(respondent, dtype=bool)
    bad = np.asarray(ineligible, dtype=float) > 0
    paid = np.asarray(amount_paid, dtype=float)
    monthly = np.asarray(correct_benefit, dtype=float)
    span = np.asarray(months, dtype=float)
    unknown = counted & ~bad & ~(np.isfinite(monthly) & np.isfinite(span))
    due = np.where(bad, 0.0, np.where(unknown, paid, np.nan_to_num(monthly) * np.nan_to_num(span)))
    entitlement = np.where(counted, due, 0.0)
    return {
        "entitlement": entitlement,
        "overpayment": np.where(counted, np.maximum(paid - entitlement, 0.0), 0.0),
        "underpayment": np.where(counted, np.maximum(entitlement - paid, 0.0), 0.0),
        "entitlement_unknown": unknown.astype(float),
    }
