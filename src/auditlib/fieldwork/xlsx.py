"""Layout of one fieldwork workbook, written with XlsxWriter (write-only, shared formats).

:mod:`auditlib.fieldwork.layout` prepares the rows of each township sheet; this module lays them
out: title row, header row, one row per household, answer columns unlocked and shaded, drop-downs
(data validations), frozen panes, print titles, A4 landscape fitted to the page width, a footer,
sheet protection without password and the hidden ``codes`` sheet that feeds the field-status
(column B) and error-type (column A) drop-downs. Every cell format is created once per workbook
and shared by all cells, so writing a county of a few thousand households takes a fraction of a
second. The output is byte for byte reproducible: the document's creation time is fixed by the
caller and XlsxWriter stamps every zip member with 1980-01-01.

Filled workbooks are read back with openpyxl (:mod:`auditlib.fieldwork.reading`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from auditlib.errors import FieldworkError
from auditlib.fieldwork.layout import (
    CODES_SHEET,
    COLUMN_INDEX,
    ELIGIBLE_CHOICES,
    FIRST_DATA_ROW,
    HEADER_ROW,
    STATUS_CHOICES,
    WORKSHEET_COLUMNS,
    error_type_entries,
)

__all__ = ["TownshipSheet", "write_workbook"]

BORDER_COLOUR = "#999999"
HEADER_FILL = "#DDEBF7"
ANSWER_FILL = "#FFF2CC"
FOOTER = "&C第 &P 页 / 共 &N 页  (内部资料 含个人信息 严禁外传)"
TEXT_COLUMNS = frozenset({"household_id", "head_name", "head_id_number"})
# Zero-based positions: XlsxWriter counts rows and columns from 0, Excel from 1.
_HEADER = HEADER_ROW - 1
_FIRST = FIRST_DATA_ROW - 1
_LAST_COLUMN = len(WORKSHEET_COLUMNS) - 1


@dataclass(frozen=True)
class TownshipSheet:
    """One sheet: its name (the township code), title row text and the household rows.

    ``rows`` holds one tuple per household, its values in the order of
    ``WORKSHEET_COLUMNS`` (``None`` for an empty cell; answer columns are written empty).
    """

    name: str
    title: str
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class _Formats:
    title: Format
    header: Format
    header_answer: Format
    fact: Format
    text: Format
    answer: Format
    answer_date: Format


def _formats(workbook: Workbook) -> _Formats:
    cell = {"font_size": 9, "border": 1, "border_color": BORDER_COLOUR}
    header = {**cell, "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter"}
    answer = {**cell, "locked": False, "pattern": 1, "bg_color": ANSWER_FILL}
    return _Formats(
        title=workbook.add_format({"bold": True, "font_size": 12}),
        header=workbook.add_format({**header, "pattern": 1, "bg_color": HEADER_FILL}),
        header_answer=workbook.add_format({**header, "pattern": 1, "bg_color": ANSWER_FILL}),
        fact=workbook.add_format(cell),
        text=workbook.add_format({**cell, "num_format": "@"}),
        answer=workbook.add_format(answer),
        answer_date=workbook.add_format({**answer, "num_format": "yyyy-mm-dd"}),
    )


def _checked(status: int | None, what: str, sheet: str) -> None:
    """XlsxWriter returns a negative status (and only warns) when it refuses an instruction."""
    if status is not None and status < 0:
        raise FieldworkError(
            f"could not write the {what} of worksheet {sheet!r} (XlsxWriter status "
            f"{status}); expected it to be accepted"
        )


def _write_value(sheet: Worksheet, row: int, column: int, value: Any, style: Format) -> int:
    if value is None:
        return int(sheet.write_blank(row, column, None, style))
    if isinstance(value, bool):
        return int(sheet.write_boolean(row, column, value, style))
    if isinstance(value, int | float):
        return int(sheet.write_number(row, column, value, style))
    return int(sheet.write_string(row, column, str(value), style))


def _write_rows(sheet: Worksheet, rows: Sequence[tuple[Any, ...]], formats: _Formats) -> None:
    styles = []
    for column in WORKSHEET_COLUMNS:
        if column.answer:
            date_column = column.key == "verification_date"
            styles.append(formats.answer_date if date_column else formats.answer)
        else:
            styles.append(formats.text if column.key in TEXT_COLUMNS else formats.fact)
    text_positions = {COLUMN_INDEX[key] for key in TEXT_COLUMNS}
    answers = {index for index, column in enumerate(WORKSHEET_COLUMNS) if column.answer}
    for offset, values in enumerate(rows):
        row = _FIRST + offset
        for index, (value, style) in enumerate(zip(values, styles, strict=True)):
            if index in answers:
                value = None  # answers are left for the field team
            elif index in text_positions and value is not None:
                value = str(value)  # identities stay text (an ID number keeps every digit)
            status = _write_value(sheet, row, index, value, style)
            if status:
                _checked(status, f"cell of row {row + 1}, column {index + 1}", sheet.name)


def _validations(audit_start: date) -> list[tuple[str, dict[str, Any]]]:
    """The drop-down / validation of each answer column (XlsxWriter options)."""
    entries = len(error_type_entries())
    return [
        (
            "status",
            {
                "validate": "list",
                "source": f"={CODES_SHEET}!$B$2:$B${len(STATUS_CHOICES) + 1}",
                "error_title": "核查状态",
                "error_message": "请选择 " + " / ".join(STATUS_CHOICES) + " (空白视为已核查)",
            },
        ),
        (
            "eligible",
            {
                "validate": "list",
                "source": list(ELIGIBLE_CHOICES),
                "error_title": "是否符合条件",
                "error_message": "请选择 是 或 否 (yes/no)",
            },
        ),
        (
            "error_type",
            {
                "validate": "list",
                "source": f"={CODES_SHEET}!$A$2:$A${entries + 1}",
                "error_title": "不符合情形",
                "error_message": "请从清退情形列表中选择",
            },
        ),
        (
            "correct_benefit",
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": 100000,
                "error_title": "核定保障金额",
                "error_message": "请输入 0 到 100000 之间的金额(元/月)",
            },
        ),
        (
            "payment_anomaly",
            {
                "validate": "list",
                "source": list(ELIGIBLE_CHOICES),
                "error_title": "发放异常",
                "error_message": "请选择 是 或 否 (yes/no); 未核对发放情况时留空",
            },
        ),
        (
            "verifier",
            {
                "validate": "length",
                "criteria": "between",
                "minimum": 1,
                "maximum": 50,
                "error_title": "核查人",
                "error_message": "请填写核查人姓名",
            },
        ),
        (
            "verification_date",
            {
                "validate": "date",
                "criteria": "between",
                "minimum": (f"=DATE({audit_start.year},{audit_start.month},{audit_start.day})"),
                "maximum": "=DATE(2099,12,31)",
                "error_title": "核查日期",
                "error_message": f"请输入 {audit_start.isoformat()} 之后的日期",
            },
        ),
    ]


def _write_sheet(
    sheet: Worksheet, township: TownshipSheet, formats: _Formats, audit_start: date
) -> None:
    name = township.name
    _checked(
        sheet.merge_range(0, 0, 0, _LAST_COLUMN, township.title, formats.title),
        "title row",
        name,
    )
    for index, column in enumerate(WORKSHEET_COLUMNS):
        style = formats.header_answer if column.answer else formats.header
        sheet.write_string(_HEADER, index, f"{column.label_zh}\n{column.key}", style)
        sheet.set_column(index, index, column.width)
    sheet.set_row(_HEADER, 40)
    _write_rows(sheet, township.rows, formats)
    last_row = max(_FIRST + len(township.rows) - 1, _FIRST)
    for key, options in _validations(audit_start):
        position = COLUMN_INDEX[key]
        status = sheet.data_validation(_FIRST, position, last_row, position, options)
        _checked(status, f"drop-down of column {key}", name)
    sheet.freeze_panes(_FIRST, 2)
    sheet.repeat_rows(0, _HEADER)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4 in the OOXML paper-size table
    sheet.fit_to_pages(1, 0)  # all columns on the page width, as many pages down as needed
    sheet.set_margins(left=0.4, right=0.4)
    sheet.set_footer(FOOTER)
    # Sheet protection without password; answers are unlocked by their format. Formatting
    # rows and columns, sorting and filtering stay allowed.
    sheet.protect(
        "", {"format_columns": True, "format_rows": True, "sort": True, "autofilter": True}
    )


def _codes_sheet(workbook: Workbook) -> None:
    sheet = workbook.add_worksheet(CODES_SHEET)
    sheet.write_string(0, 0, "不符合情形 error_type")
    for offset, entry in enumerate(error_type_entries(), start=1):
        sheet.write_string(offset, 0, entry)
    sheet.write_string(0, 1, "核查状态 status")
    for offset, label in enumerate(STATUS_CHOICES, start=1):
        sheet.write_string(offset, 1, label)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 16)
    sheet.hide()


def write_workbook(
    path: str | Path, sheets: Sequence[TownshipSheet], audit_start: date, created: datetime
) -> None:
    """Write one workbook: a sheet per township, then the hidden ``codes`` sheet.

    Parameters
    ----------
    path : str or pathlib.Path
        The xlsx file to write (the caller makes the write atomic).
    sheets : sequence of TownshipSheet
        The township sheets, in order; at least one.
    audit_start : datetime.date
        First day of the audit period: the earliest verification date accepted.
    created : datetime.datetime
        Creation time recorded in the document properties (fixed, so that the same sample
        gives the same bytes).
    """
    if not sheets:
        raise FieldworkError(f"no township sheet to write into {Path(path).name}; expected ≥ 1")
    options = {
        "in_memory": True,  # no temporary files; every zip member dated 1980-01-01
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": True,  # a non-finite number becomes #NUM!, not an exception
    }
    workbook = Workbook(str(path), options)
    workbook.set_properties({"created": created})
    formats = _formats(workbook)
    for township in sheets:
        _write_sheet(workbook.add_worksheet(township.name), township, formats, audit_start)
    _codes_sheet(workbook)
    workbook.close()  # in memory until here: an exception above leaves no file behind
