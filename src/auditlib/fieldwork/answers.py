"""Parsing one answer: the answer cells of a worksheet row (or of a verification file's row).

:func:`parse_answer` turns the cells into typed values — codes given as the English code, the
Chinese label or ``"<code> <label>"``; numbers within the contract's bounds; dates as dates,
Excel serial numbers or text — refuses text that a spreadsheet would run as a formula, and then
applies the contract's rules across the cells
(:func:`auditlib.data.verification_rules.verification_rule_breaches`). The worksheet reader
(:mod:`auditlib.fieldwork.reading`) and the reader of a verification file
(:mod:`auditlib.fieldwork.verification_file`) both parse every answer with it, so the two ways
in cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl.utils.datetime import from_excel

from auditlib.data.codes import ERROR_TYPES, FIELD_STATUSES, VERIFICATION_ELIGIBILITY, YES_NO
from auditlib.data.contract import (
    FORMULA_PREFIXES,
    VERIFICATION,
)
from auditlib.data.idcard import mask_name
from auditlib.data.schema import BOOL_FALSE, BOOL_TRUE
from auditlib.data.verification_rules import (
    verification_rule_breaches,
)

__all__ = [
    "ANSWER_KEYS",
    "CODE_COLUMNS",
    "AnswerIssue",
    "cell_date",
    "cell_text",
    "code_of",
    "formula_like",
    "parse_answer",
    "shown_value",
]

#: The answer columns of the verification contract (everything but the household id).
ANSWER_KEYS: tuple[str, ...] = tuple(c for c in VERIFICATION.column_names if c != "household_id")
#: Answer columns holding a code (``payment_anomaly``: optional, 是/否).
CODE_COLUMNS = ("status", "eligible", "error_type", "payment_anomaly")
_TEXT_COLUMNS = ("verifier", "notes")
_BENEFIT = VERIFICATION.column("correct_benefit")
_LOWEST = 0.0 if _BENEFIT.minimum is None else float(_BENEFIT.minimum)
_HIGHEST = float("inf") if _BENEFIT.maximum is None else float(_BENEFIT.maximum)
_DATE_FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
_EXCEL_SERIALS = (1, 2_958_466)  # 1900-01-01 .. 9999-12-31


def _spellings(codes: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for code, label in codes.items():
        for spelling in (code, label, f"{code} {label}", f"{label} {code}"):
            found[_key(spelling)] = code
    return found


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


_CODES: dict[str, dict[str, str]] = {
    "status": _spellings(FIELD_STATUSES),
    "eligible": {
        **_spellings(VERIFICATION_ELIGIBILITY),
        **dict.fromkeys(BOOL_TRUE, "yes"),
        **dict.fromkeys(BOOL_FALSE, "no"),
    },
    "error_type": _spellings(ERROR_TYPES),
    "payment_anomaly": {
        **_spellings(YES_NO),
        **dict.fromkeys(BOOL_TRUE, "yes"),
        **dict.fromkeys(BOOL_FALSE, "no"),
    },
}
_EXPECTED_CODE = {
    "status": "one of " + " / ".join(FIELD_STATUSES.values()) + " (or its code: "
    f"{', '.join(FIELD_STATUSES)}); empty means 已核查 verified",
    "eligible": "是 or 否 (yes/no)",
    "error_type": "an entry of the drop-down list (a code of auditlib.data.codes.ERROR_TYPES, "
    "its Chinese label, or both)",
    "payment_anomaly": "是 or 否 (yes/no), or empty when the payments were not checked",
}


@dataclass(frozen=True)
class AnswerIssue:
    """A problem of one answer cell: column, value as shown (masked if personal), expectation."""

    column: str
    value: str
    expected: str
    code: str


def cell_text(value: Any) -> str:
    """A cell as trimmed text (``""`` when empty; ``300.0`` as ``"300"``)."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    return str(value).strip()


def cell_date(value: Any) -> date | None:
    """A date cell: a date, an Excel serial number (a re-saved workbook) or text; else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and _EXCEL_SERIALS[0] <= value < _EXCEL_SERIALS[1]:
        converted = from_excel(value)
        return converted.date() if isinstance(converted, datetime) else None
    text = cell_text(value)
    for form in _DATE_FORMS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def code_of(column: str, text: str) -> str | None:
    """The code a spelling of ``column`` (a :data:`CODE_COLUMNS` entry) stands for, or None."""
    return _CODES[column].get(_key(text))


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (formula injection)."""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip().startswith(FORMULA_PREFIXES)


def shown_value(column: str, text: str) -> str:
    """A cell's text as a problem may show it: personal columns masked, long text cut."""
    if text and column in VERIFICATION.column_names and VERIFICATION.column(column).personal:
        return mask_name(text)
    return text if len(text) <= 40 else text[:39] + "…"


def parse_answer(
    cells: Mapping[str, Any],
    *,
    recipient: bool | None,
    period_start: date | None = None,
    today: date | None = None,
) -> tuple[dict[str, Any] | None, list[AnswerIssue]]:
    """Parse and check the answer cells of one row.

    Parameters
    ----------
    cells : mapping
        Cell values by answer column (:data:`ANSWER_KEYS`; absent columns are empty): strings,
        numbers, dates as openpyxl or a CSV reader returns them.
    recipient : bool or None
        Whether the household is a recipient (``None``: unknown, see
        :func:`~auditlib.data.verification_rules.verification_rule_breaches`).
    period_start, today : datetime.date, optional
        Earliest and latest visit date accepted.

    Returns
    -------
    answer : dict or None
        Typed values by column (``status`` filled with ``verified`` when empty,
        ``verification_date`` a ``pandas.Timestamp``); ``None`` when every answer cell is empty
        (not answered yet) or when an issue was found.
    issues : list of AnswerIssue
        Every problem of the row (empty when the answer was accepted or absent).
    """
    text = {key: cell_text(cells.get(key)) for key in ANSWER_KEYS}
    if all(value == "" for value in text.values()):
        return None, []
    issues: list[AnswerIssue] = []
    answer: dict[str, Any] = {}
    for column in CODE_COLUMNS:
        code = code_of(column, text[column]) if text[column] else None
        if text[column] and code is None:
            issues.append(AnswerIssue(column, text[column], _EXPECTED_CODE[column], "answer_code"))
        answer[column] = code
    answer["correct_benefit"] = None
    if text["correct_benefit"]:
        try:
            benefit = float(text["correct_benefit"].replace(",", ""))
        except ValueError:
            benefit = float("nan")
        if not _LOWEST <= benefit <= _HIGHEST:  # also refuses NaN
            issues.append(
                AnswerIssue(
                    "correct_benefit",
                    text["correct_benefit"],
                    f"a number of yuan per month between {_LOWEST:g} and {_HIGHEST:g}",
                    "answer_number",
                )
            )
        else:
            answer["correct_benefit"] = benefit
    for column in _TEXT_COLUMNS:
        if formula_like(text[column]):
            issues.append(
                AnswerIssue(
                    column,
                    shown_value(column, text[column]),
                    "text that does not start with = + - @ (a spreadsheet would run it as a "
                    "formula); remove the leading character",
                    "answer_formula",
                )
            )
        answer[column] = text[column] or None
    visit = cell_date(cells.get("verification_date")) if text["verification_date"] else None
    if text["verification_date"] and visit is None:
        issues.append(
            AnswerIssue(
                "verification_date",
                text["verification_date"],
                "a date (YYYY-MM-DD)",
                "answer_date",
            )
        )
    answer["verification_date"] = visit
    refused = {issue.column for issue in issues}
    for breach in verification_rule_breaches(
        answer, recipient=recipient, period_start=period_start, today=today
    ):
        if breach.column not in refused:
            shown = shown_value(breach.column, text[breach.column])
            issues.append(AnswerIssue(breach.column, shown, breach.expected, breach.code))
    if issues:
        return None, issues
    answer["status"] = answer["status"] or "verified"
    answer["verification_date"] = None if visit is None else pd.Timestamp(visit)
    return answer, []
