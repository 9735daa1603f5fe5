"""The layout of the fieldwork worksheets (入户核查表) and the issued manifest's constants.

Each sheet lists the selected households of one township with the facts to verify and the
answer columns (:data:`WORKSHEET_COLUMNS`), every coded answer with a drop-down: eligible
是/否, error type from the official removal list (``ERROR_TYPES``), correct benefit (a number
≥ 0), verifier (text), verification date (a date), notes. Writing the workbooks
(:mod:`auditlib.fieldwork.writing`, :mod:`auditlib.fieldwork.xlsx`), reading them back
(:mod:`auditlib.fieldwork.reading`) and importing results (:mod:`auditlib.fieldwork.importing`)
all use this one layout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from auditlib.data.codes import ERROR_TYPES

__all__ = [
    "ANSWER_COLUMNS",
    "CODES_SHEET",
    "COLUMN_INDEX",
    "ELIGIBLE_CHOICES",
    "FIRST_DATA_ROW",
    "HEADER_ROW",
    "IDENTITY_COLUMNS",
    "ISSUED_FILE",
    "REASONS_ZH",
    "WORKSHEET_COLUMNS",
    "WorksheetColumn",
    "error_type_entries",
    "identity_digest",
]

ISSUED_FILE = "issued.json"
CODES_SHEET = "codes"
HEADER_ROW = 2
FIRST_DATA_ROW = 3
ELIGIBLE_CHOICES = ("是", "否")
REASONS_ZH = {
    "random": "随机抽取",
    "risk_oversample": "风险加抽",
    "certainty_relative": "近亲属备案(全查)",
    "certainty_risk": "高风险(全查)",
    "new_approval": "新纳入抽查",
    "temporary_assistance": "临时救助(全查)",
    "non_recipient": "未纳入对象(漏保核查)",
}


@dataclass(frozen=True)
class WorksheetColumn:
    """One column of a worksheet: key (English), Chinese header, width, kind."""

    key: str
    label_zh: str
    width: float
    answer: bool = False


WORKSHEET_COLUMNS: tuple[WorksheetColumn, ...] = (
    WorksheetColumn("row_number", "序号", 6),
    WorksheetColumn("household_id", "户编号", 18),
    WorksheetColumn("village", "村", 10),
    WorksheetColumn("head_name", "户主姓名", 9),
    WorksheetColumn("head_id_number", "户主身份证号", 21),
    WorksheetColumn("members", "人口", 8),
    WorksheetColumn("programme", "救助类型", 10),
    WorksheetColumn("monthly_benefit", "月保障金额", 10),
    WorksheetColumn("declared_income", "申报月收入", 10),
    WorksheetColumn("housing_area", "住房面积", 9),
    WorksheetColumn("selection_reason", "抽样原因", 17),
    WorksheetColumn("eligible", "是否符合条件", 9, answer=True),
    WorksheetColumn("error_type", "不符合情形", 26, answer=True),
    WorksheetColumn("correct_benefit", "核定保障金额", 10, answer=True),
    WorksheetColumn("verifier", "核查人", 9, answer=True),
    WorksheetColumn("verification_date", "核查日期", 12, answer=True),
    WorksheetColumn("notes", "备注", 20, answer=True),
)
IDENTITY_COLUMNS: tuple[str, ...] = ("household_id", "head_name", "head_id_number")
ANSWER_COLUMNS: tuple[str, ...] = tuple(c.key for c in WORKSHEET_COLUMNS if c.answer)
COLUMN_INDEX = {column.key: index for index, column in enumerate(WORKSHEET_COLUMNS)}


def error_type_entries() -> list[str]:
    """Drop-down entries of the error type: ``"<code> <中文>"`` for each code of ERROR_TYPES."""
    return [f"{code} {label}" for code, label in ERROR_TYPES.items()]


def identity_digest(household_id: str, head_name: str, head_id_number: str) -> str:
    """SHA-256 (hex) of the identity cells ``household_id␟head_name␟head_id_number``."""
    text = "\x1f".join((household_id, head_name, head_id_number))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
