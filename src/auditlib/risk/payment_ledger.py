"""The payment ledger of the payment rules and features: payments with typed columns, months
of entitlement, households per account, and key helpers that group or match payments on
integer codes instead of text (split from :mod:`auditlib.risk.rules.payment`, which re-exports
``payment_frame``, ``entitled_months`` and ``account_households``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.table_keys import key_codes, positions_in, spreadsheet_rows, text_column

__all__ = [
    "account_households",
    "entitled_months",
    "household_codes",
    "pairs_in",
    "payment_frame",
    "present_in",
    "stripped_text",
]


def payment_frame(data: CountyData) -> pd.DataFrame:
    """Payments with numeric amounts, dates and spreadsheet rows (one row per payment).

    Text columns are typed as pandas infers them from Python objects (``str``), but converted
    from Arrow directly (:func:`auditlib.risk.crosscheck.text_column`).
    """
    payments = data.payments
    return pd.DataFrame(
        {
            "household_id": text_column(payments["household_id"].astype("string")),
            "payment_date": pd.to_datetime(payments["payment_date"], errors="coerce").to_numpy(),
            "amount": pd.to_numeric(payments["amount"], errors="coerce").to_numpy(dtype=float),
            "account_number": stripped_text(payments["account_number"]),
            "account_holder_name": stripped_text(payments["account_holder_name"]),
            "row": spreadsheet_rows(payments),
        }
    )


def stripped_text(values: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Text stripped of surrounding spaces (see :func:`auditlib.risk.crosscheck.text_column`)."""
    return text_column(values.astype("string").str.strip())


def entitled_months(data: CountyData) -> pd.Series:
    """Months of the audit period each household was enrolled (0 if enrolled after it).

    Counted in calendar months from the later of the enrolment date and the period start to
    the period end, both months included.
    """
    households = data.households
    start = pd.Timestamp(data.info.audit_period_start)
    end = pd.Timestamp(data.info.audit_period_end)
    enrolled = pd.to_datetime(households["enrolment_date"], errors="coerce").fillna(start)
    first = enrolled.where(enrolled > start, start)
    months = (end.year - first.dt.year) * 12 + (end.month - first.dt.month) + 1
    return pd.Series(
        months.clip(lower=0).to_numpy(dtype=float),
        index=households["household_id"].astype("string").to_numpy(),
    )


def account_households(payments: pd.DataFrame) -> pd.Series:
    """Number of distinct households paid into each account (indexed like ``payments``).

    A payment without an account number counts as an account of its own household (1).
    """
    account = key_codes(payments["account_number"])
    household = key_codes(payments["household_id"])
    known = account >= 0
    counts = np.ones(len(payments), dtype=float)
    if known.any():
        width = int(household.max()) + 2
        pairs = np.unique(account[known] * width + (household[known] + 1))
        per_account = np.bincount(pairs // width, minlength=int(account.max()) + 1)
        counts[known] = per_account[account[known]]
    return pd.Series(counts, index=payments.index)


def household_codes(payments: pd.DataFrame) -> np.ndarray:
    """Integer code of each payment's household (``NaN`` when missing) to group on: the same
    groups as the text ids, without hashing the text again in every grouping."""
    codes = key_codes(payments["household_id"]).astype(float)
    codes[codes < 0] = np.nan
    return codes


def pairs_in(left: pd.DataFrame, right: pd.DataFrame, keys: tuple[str, str]) -> np.ndarray:
    """Whether each row's pair of ``keys`` values occurs in ``right``, missing matching missing
    (the rows a left merge on ``keys`` would find); text compared exactly, on integer codes."""
    codes = []
    for key in keys:
        both = pd.concat([left[key], right[key]], ignore_index=True).astype("string")
        codes.append(key_codes(both) + 1)  # 0 = missing
    width = int(codes[1].max()) + 1 if len(codes[1]) else 1
    pairs = codes[0] * width + codes[1]
    return np.isin(pairs[: len(left)], pairs[len(left) :])


def present_in(values: pd.Series, reference: pd.Series) -> np.ndarray:
    """Whether each value occurs in ``reference``, a missing value matching a missing one (as
    the keys of a pandas merge do); used to drop rows that cannot match before a merge."""
    present = positions_in(values, reference) >= 0
    if reference.isna().any():
        present |= values.isna().to_numpy(dtype=bool)
    return present
