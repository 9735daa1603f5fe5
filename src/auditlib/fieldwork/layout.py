"""The layout of the fieldwork worksheets (入户核查表) and the issued manifest's constants.

Each sheet lists the selected households of one township with the facts to verify and the
answer columns (:data:`WORKSHEET_COLUMNS`), every coded answer with a drop-down: field status
(``FIELD_STATUSES``: 已核查/未找到/已迁出/拒绝配合), eligible 是/否, error type from the official
removal list (``ERROR_TYPES``), correct benefit (a number ≥ 0), payment anomaly 是/否 (发放异常,
optional: empty when the payments were not checked), verifier (text), verification date (a
date), notes. The title row names the seed and the sample (:func:`worksheet_title`),
so that a worksheet of another draw is recognised on import. Writing the workbooks
(:mod:`auditlib.fieldwork.writing`, :mod:`auditlib.fieldwork.xlsx`), reading them back
(:mod:`auditlib.fieldwork.reading`) and importing results (:mod:`auditlib.fieldwork.importing`)
all use this one layout.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from auditlib.data.codes import ERROR_TYPES, FIELD_STATUSES

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
    "STATUS_CHOICES",
    "TITLE_ROW",
    "WORKSHEET_COLUMNS",
    "WorksheetColumn",
    "error_type_entries",
    "identity_digest",
    "title_sample",
    "worksheet_title",
]

ISSUED_FILE = "issued.json"
CODES_SHEET = "codes"
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
ELIGIBLE_CHOICES = ("是", "否")
#: Drop-down entries of the field status: the Chinese labels of ``FIELD_STATUSES``.
STATUS_CHOICES: tuple[str, ...] = tuple(FIELD_STATUSES.values())
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
    WorksheetColumn("status", "核查状态", 9, answer=True),
    WorksheetColumn("eligible", "是否符合条件", 9, answer=True),
    WorksheetColumn("error_type", "不符合情形", 24, answer=True),
    WorksheetColumn("correct_benefit", "核定保障金额", 10, answer=True),
    WorksheetColumn("payment_anomaly", "发放异常", 9, answer=True),
    WorksheetColumn("verifier", "核查人", 9, answer=True),
    WorksheetColumn("verification_date", "核查日期", 12, answer=True),
    WorksheetColumn("notes", "备注", 18, answer=True),
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


_TITLE_SAMPLE = re.compile(
    r"抽样种子\s*(?P<seed>[^\s,，]+)\s*[,，]\s*样本\s*(?P<sample>[0-9a-f]{12})"
)


def worksheet_title(county: str, township: str, seed: object, sample_sha256: str) -> str:
    """Text of a sheet's title row: county, township, the seed and the sample hash prefix.

    >>> worksheet_title("新邵县", "酿溪镇", 42, "0123456789abcdef")[:40]
    '新邵县 酿溪镇 入户核查表 — 抽样种子 42, 样本 0123456789ab'
    """
    return (
        f"{county} {township} 入户核查表 — 抽样种子 {seed}, 样本 {sample_sha256[:12]}  "
        "(内部资料, 含个人身份信息)"
    )


def title_sample(title: str) -> tuple[str, str] | None:
    """The seed and the 12-character sample hash prefix a title row names (``None``: neither).

    >>> title_sample(worksheet_title("新邵县", "酿溪镇", 42, "0123456789abcdef"))
    ('42', '0123456789ab')
    """
    found = _TITLE_SAMPLE.search(title)
    return None if found is None else (found["seed"], found["sample"])
