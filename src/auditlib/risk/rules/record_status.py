"""Whether a registry record still counts in the audit period, and evidence notes saying why.

Registries keep records that no longer apply: a payroll record that ended (``end_date``), a
business whose registration was cancelled (``registration_status`` 注销, ``cancellation_date``),
a flat the person owns only a share of (``ownership_share``, 按份共有). These optional columns
of the data contract (:mod:`auditlib.data.registry_tables`) are read here for the household
rules (:mod:`auditlib.risk.rules.household`); a missing column or value keeps the record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.risk.rules.hits import clean_text, date_text

__all__ = [
    "CANCELLED_BUSINESS_STATUSES",
    "cancelled_before_period",
    "dated_note",
    "ended_before_period",
    "minority_share",
    "share_note",
]

#: Business statuses meaning the registration was cancelled (注销); compared after lower-casing.
CANCELLED_BUSINESS_STATUSES: frozenset[str] = frozenset({"注销", "已注销", "cancelled"})


def ended_before_period(records: pd.DataFrame, column: str, data: CountyData) -> np.ndarray:
    """Whether each record's ``column`` (a date) is before the audit period (missing: no)."""
    if column not in records:
        return np.zeros(len(records), dtype=bool)
    ended = pd.to_datetime(records[column], errors="coerce")
    start = pd.Timestamp(data.info.audit_period_start)
    return (ended < start).fillna(False).to_numpy(dtype=bool)


def cancelled_before_period(records: pd.DataFrame, data: CountyData) -> np.ndarray:
    """Whether each business record was cancelled (注销) before the audit period.

    A cancelled record without a ``cancellation_date`` is not: the field team checks when the
    business closed.
    """
    status = clean_text(records.get("registration_status", pd.Series("", index=records.index)))
    cancelled = status.str.lower().isin(CANCELLED_BUSINESS_STATUSES).to_numpy(dtype=bool)
    return cancelled & ended_before_period(records, "cancellation_date", data)


def _shares(records: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(
        records.get("ownership_share", pd.Series(np.nan, index=records.index)), errors="coerce"
    )


def minority_share(records: pd.DataFrame, minimum: float) -> np.ndarray:
    """Whether each property record's ``ownership_share`` is below ``minimum`` (missing: no)."""
    return (_shares(records) < minimum).fillna(False).to_numpy(dtype=bool)


def dated_note(
    records: pd.DataFrame, column: str, text_zh: str, text_en: str
) -> tuple[pd.Series, pd.Series]:
    """Evidence suffixes ``"，<text_zh><date>"`` / ``", <text_en> <date>"`` where ``column`` holds
    a date, empty elsewhere (and when the column is absent)."""
    empty = pd.Series("", index=records.index, dtype="string")
    if column not in records:
        return empty, empty
    dated = pd.to_datetime(records[column], errors="coerce").notna().to_numpy(dtype=bool)
    day = date_text(records[column]).astype("string")
    zh = ("，" + text_zh + day).where(dated, "")
    en = (", " + text_en + " " + day).where(dated, "")
    return zh.astype("string"), en.astype("string")


def share_note(records: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Evidence suffixes ``"，产权份额50%"`` / ``", share 50%"`` for partly owned property."""
    part = _shares(records)
    shared = (part < 1).fillna(False).to_numpy(dtype=bool)
    percent = (part * 100).round(0).astype("Int64").astype("string")
    zh = ("，产权份额" + percent + "%").where(shared, "").fillna("")
    en = (", share " + percent + "%").where(shared, "").fillna("")
    return zh.astype("string"), en.astype("string")
