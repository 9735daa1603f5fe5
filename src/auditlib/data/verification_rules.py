"""The cross-column rules of a verification answer (beyond each column's own checks).

A ``verified`` answer needs ``eligible``, ``verifier`` and ``verification_date`` (the optional
``payment_anomaly`` may stay empty: payments not checked); any other status leaves
``eligible``, ``error_type``, ``correct_benefit`` and ``payment_anomaly`` empty; a recipient
found ineligible needs the reason (``error_type``); the visit date falls in the audit period and
not after today. Both ways results come in — filled worksheets and verification files — apply
these rules through :func:`verification_rule_breaches`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from auditlib.data.codes import FIELD_STATUSES

__all__ = ["FINDING_COLUMNS", "RuleBreach", "verification_rule_breaches"]

#: The answer columns that hold a finding: empty unless the household was verified.
FINDING_COLUMNS: tuple[str, ...] = ("eligible", "error_type", "correct_benefit", "payment_anomaly")


@dataclass(frozen=True)
class RuleBreach:
    """One broken rule of a verification answer: the column it concerns and what it needs."""

    column: str
    expected: str
    code: str


def _empty(value: Any) -> bool:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return True
    return not isinstance(value, str) and bool(pd.isna(value))


def _day(value: Any) -> date | None:
    if _empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def verification_rule_breaches(
    answer: Mapping[str, Any],
    *,
    recipient: bool | None = None,
    period_start: date | None = None,
    today: date | None = None,
) -> list[RuleBreach]:
    """The rules of one verification answer that reach beyond a single cell's own type.

    Every way in (the worksheet reader, a verification CSV/xlsx) applies these same rules, so
    they cannot disagree.

    Parameters
    ----------
    answer : mapping
        Typed values of the answer, ``None`` (or NA) when empty: ``status`` (a code of
        ``FIELD_STATUSES``; empty means ``verified``), ``eligible`` (``yes``/``no``),
        ``error_type``, ``correct_benefit``, ``payment_anomaly`` (``yes``/``no``, optional),
        ``verifier``, ``verification_date`` (a date).
    recipient : bool or None
        Whether the household is a recipient (from the sample); ``None`` when unknown, in which
        case the reason of an ineligible answer cannot be required.
    period_start : datetime.date, optional
        Earliest visit date accepted (the start of the audit period).
    today : datetime.date, optional
        Latest visit date accepted (default: the current date).

    Returns
    -------
    list of RuleBreach
        Empty when the answer keeps every rule.

    Examples
    --------
    >>> [b.column for b in verification_rule_breaches({"status": "verified", "eligible": "yes"})]
    ['verifier', 'verification_date']
    """
    status = "verified" if _empty(answer.get("status")) else str(answer["status"])
    eligible = None if _empty(answer.get("eligible")) else str(answer["eligible"])
    has_reason = not _empty(answer.get("error_type"))
    visit = _day(answer.get("verification_date"))
    breaches: list[RuleBreach] = []
    if status == "verified":
        needed = {
            "eligible": "是 or 否 (yes/no)",
            "verifier": "the name of who verified",
            "verification_date": "the date of the visit",
        }
        for column, what in needed.items():
            if _empty(answer.get(column)):
                breaches.append(
                    RuleBreach(
                        column,
                        f"{what} (required when the status is 已核查 verified)",
                        "answer_missing",
                    )
                )
    else:
        label = f"{FIELD_STATUSES.get(status, status)} {status}"
        for column in FINDING_COLUMNS:
            if not _empty(answer.get(column)):
                breaches.append(
                    RuleBreach(
                        column,
                        f"empty when the status is {label} (a household that was not verified "
                        "has no finding; choose 已核查 verified if it was)",
                        "answer_inconsistent",
                    )
                )
    if status == "verified" and eligible == "no" and recipient and not has_reason:
        breaches.append(
            RuleBreach(
                "error_type",
                "the reason this recipient household is not eligible (an entry of the "
                "official removal list)",
                "answer_missing",
            )
        )
    if eligible == "yes" and has_reason:
        breaches.append(
            RuleBreach("error_type", "empty when the household is eligible", "answer_inconsistent")
        )
    latest = today or date.today()
    if visit is not None and (visit > latest or (period_start and visit < period_start)):
        since = f"between {period_start.isoformat()} and" if period_start else "not after"
        breaches.append(
            RuleBreach(
                "verification_date",
                f"a date {since} today ({latest.isoformat()})",
                "answer_date",
            )
        )
    return breaches
