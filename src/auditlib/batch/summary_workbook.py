"""``summary.xlsx``: every county's estimates of a batch, laid out for people and for print.

One sheet per estimand family (错保率; 不当支付 in 元 and as rates; 漏保率), each with Chinese and
English headers (two header rows, frozen and repeated on every printed page), per county its code
and name, status in this run, households sampled and verified, sampling plan and seed, and per
estimate the estimate, lower and upper limit and the reliability flag of its ``estimates.json``;
number formats for rates (%), yuan (元, thousands separators) and counts; landscape A4, fit to
the page width. A ``说明 About`` sheet says what the workbook is and how to reproduce it; a
hidden ``_data`` sheet keeps the table as numbers, so that the next batch can keep a county's
last good row (:mod:`auditlib.batch.summary`) and can tell its own workbook from a file it did
not write (which it never overwrites: it writes beside it instead).

The bytes are reproducible for the same table, date and command (fixed document time, XlsxWriter
in memory).
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.batch.summary_columns import (
    COUNT_FORMAT,
    FAMILIES,
    IDENTITY,
    PARTS,
    RATE_FORMAT,
    SEED_FORMAT,
    YUAN_FORMAT,
    Family,
    status_label,
)
from auditlib.data.atomic import atomic_write_bytes
from auditlib.errors import ReportError
from auditlib.report.forms import FIXED_CREATION_TIME

__all__ = [
    "SUMMARY_FILE",
    "SummaryFile",
    "read_summary_table",
    "summary_layout",
    "summary_path",
    "write_summary",
]

SUMMARY_FILE = "summary.xlsx"
#: Written instead when ``summary.xlsx`` is a file auditlib did not write.
BESIDE_FILE = "summary-auditlib.xlsx"
DATA_SHEET = "_data"
_MARKER = "auditlib batch summary"
_FORMAT = 1
_TITLE_ROWS = 3  # title, estimand names, parts
#: Widest a column may grow (characters) before its text wraps; others stop at 30.
_WIDEST = {"status": 24, "plan": 24, "note": 48}


@dataclass(frozen=True)
class SummaryFile:
    """Where the summary was written and, when not at ``summary.xlsx``, why (``note``)."""

    path: Path
    note: str = ""


def summary_layout(path: Path) -> str:
    """``"absent"``, ``"ours"`` (this layout), ``"old"`` (auditlib's earlier one-sheet
    layout) or ``"foreign"`` (anything else, including unreadable files)."""
    if not path.exists():
        return "absent"
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return "foreign"
    try:
        if DATA_SHEET in book.sheetnames:
            marker = next(book[DATA_SHEET].iter_rows(max_row=1, values_only=True), ())
            if tuple(marker[:2]) == (_MARKER, _FORMAT):
                return "ours"
        if book.sheetnames == ["summary"] and book.properties.creator == "auditlib":
            first = next(book["summary"].iter_rows(max_row=1, max_col=1, values_only=True), ())
            if first and first[0] == "county_code":
                return "old"
        return "foreign"
    finally:
        book.close()


def summary_path(output_root: Path) -> SummaryFile:
    """The file this batch's summary goes to: ``summary.xlsx`` unless a file auditlib did not
    write stands there (then ``summary-auditlib.xlsx`` beside it, with a note)."""
    target = Path(output_root) / SUMMARY_FILE
    if summary_layout(target) != "foreign":
        return SummaryFile(target)
    beside = target.with_name(BESIDE_FILE)
    if summary_layout(beside) == "foreign":
        raise ReportError(
            f"{target} and {beside} were not written by auditlib; neither is overwritten. "
            "Move one of them away and rerun the batch"
        )
    note = (
        f"{target} was not written by auditlib (unrecognised layout) and is left as it is; "
        f"the summary was written to {beside}"
    )
    return SummaryFile(beside, note)


def read_summary_table(path: Path) -> pd.DataFrame | None:
    """The table kept in a summary's ``_data`` sheet (``None`` unless the file is ours)."""
    if summary_layout(path) != "ours":
        return None
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(book[DATA_SHEET].iter_rows(min_row=2, values_only=True))
    finally:
        book.close()
    if not rows:
        return None
    columns = [str(name) for name in rows[0]]
    table = pd.DataFrame([list(row) for row in rows[1:]], columns=columns, dtype=object)
    table["county_code"] = table["county_code"].astype(str)
    return table


def _width(value: Any) -> int:
    """Display width of a cell's text (CJK characters count two)."""
    lines = str(value).split("\n")
    return max(
        sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in lines
    )


def _shown(value: Any, number_format: str | None) -> str:
    """Roughly the text Excel shows for ``value`` (for column widths)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if number_format == RATE_FORMAT:
        return f"{float(value):.2%}"
    if number_format == YUAN_FORMAT:
        return f"{float(value):,.0f} 元"
    if number_format == COUNT_FORMAT:
        return f"{float(value):,.0f}"
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _columns(family: Family) -> list[tuple[str, str, str, str | None, str]]:
    """(table column, Chinese, English, number format, group header) of a family sheet."""
    columns: list[tuple[str, str, str, str | None, str]] = [
        (name, chinese, english, number_format, "")
        for name, chinese, english, number_format in IDENTITY
    ]
    for estimand in family.estimands:
        number_format = RATE_FORMAT if estimand.unit == "rate" else YUAN_FORMAT
        if not estimand.interval:
            columns.append((estimand.name, estimand.chinese, estimand.english, number_format, ""))
            continue
        group = f"{estimand.chinese}\n{estimand.english}"
        for part, chinese, english in PARTS:
            shown = None if part == "reliable" else number_format
            columns.append((f"{estimand.name}_{part}", chinese, english, shown, group))
    columns.append(("note", "说明", "note", None, ""))
    return columns


def _cell(row: pd.Series, column: str) -> Any:
    if column == "status":
        return status_label(str(row["status"]), bool(row["kept"]))
    value = row.get(column)
    if _blank(value):
        return None
    if column.endswith("_reliable"):
        return "可靠 / reliable" if bool(value) else "不可靠 / unreliable"
    if column == "note":
        return str(value)
    return value


def _header_width(chinese: str, english: str) -> int:
    """Width a wrapped header needs: its Chinese (wrapped after 14), the longest English word."""
    return max(min(_width(chinese), 14), *(_width(word) for word in english.split()))


def _lines(text: str, width: float) -> int:
    """Printed lines of wrapped ``text`` in a column ``width`` characters wide."""
    room = max(width - 1, 1)
    return sum(max(1, math.ceil(_width(line) / room)) for line in text.split("\n"))


def _family_sheet(book: Any, family: Family, table: pd.DataFrame, styles: dict[str, Any]) -> None:
    sheet = book.add_worksheet(family.sheet)
    columns = _columns(family)
    cells = [[_cell(row, c[0]) for c in columns] for _, row in table.iterrows()]
    widths: list[float] = []
    for position, (name, chinese, english, number_format, _) in enumerate(columns):
        shown = [_width(_shown(row[position], number_format)) for row in cells]
        width = max([_header_width(chinese, english), *shown]) + 2
        widths.append(min(max(width, 7), _WIDEST.get(name, 30)))
        sheet.set_column(position, position, widths[-1])
    sheet.write_string(0, 0, f"各县估计汇总：{family.chinese} / County estimates: {family.english}")
    sheet.set_row(0, 20, styles["title"])
    position = 0
    while position < len(columns):
        name, chinese, english, _, group = columns[position]
        if not group:
            sheet.merge_range(1, position, 2, position, f"{chinese}\n{english}", styles["head"])
            position += 1
            continue
        span = sum(1 for c in columns[position:] if c[4] == group)
        sheet.merge_range(1, position, 1, position + span - 1, group, styles["head"])
        for offset in range(span):
            _, part_chinese, part_english, _, _ = columns[position + offset]
            sheet.write_string(
                2, position + offset, f"{part_chinese}\n{part_english}", styles["head"]
            )
        position += span
    sheet.set_row(1, 45)  # three lines each: wrapped Chinese and English headers
    sheet.set_row(2, 45)
    for offset, values in enumerate(cells):
        line = _TITLE_ROWS + offset
        lines = 1
        for position, value in enumerate(values):
            style = styles.get(columns[position][3] or "text")
            if value is None:
                sheet.write_blank(line, position, None, style)
            elif isinstance(value, str):
                sheet.write_string(line, position, value, style)
                lines = max(lines, _lines(value, widths[position]))
            else:
                sheet.write_number(line, position, float(value), style)
        sheet.set_row(line, 15 * lines)
    sheet.freeze_panes(_TITLE_ROWS, 2)
    sheet.repeat_rows(0, _TITLE_ROWS - 1)
    _page_setup(sheet, landscape=True)


def _page_setup(sheet: Any, *, landscape: bool) -> None:
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C&P / &N")


def _about_sheet(
    book: Any, table: pd.DataFrame, run_date: date, command: str, styles: dict[str, Any]
) -> None:
    sheet = book.add_worksheet("说明 About")
    counts = table["status"].value_counts()
    kept = int(table["kept"].astype(bool).sum())
    rows = [
        (
            "内容 / What",
            "低保专项治理：各县核查估计汇总（auditlib batch）\n"
            "Dibao special audit: every county's estimates (auditlib batch)",
        ),
        ("日期 / Date", run_date.isoformat()),
        ("auditlib 版本 / version", metadata.version("auditlib")),
        (
            "县数 / Counties",
            f"{len(table)}："
            + "，".join(f"{status} {int(count)}" for status, count in sorted(counts.items()))
            + f"（保留上次结果 / last good kept: {kept}）",
        ),
        ("工作表 / Sheets", "\n".join(f"{f.sheet}：{f.english}" for f in FAMILIES)),
        (
            "数值 / Values",
            "估计值、置信区间上下限与可靠性取自各县报告文件夹中的 estimates.json"
            "（可靠性：NCHS 呈现标准；置信水平见各县参数，默认 95%）。\nEstimates, confidence "
            "limits and reliability (NCHS presentation standard) as in each county's "
            "estimates.json (confidence level from the county's parameters, default 95 %).",
        ),
        (
            "失败的县 / Failed counties",
            "本次失败的县保留其上次发布的报告（或上次汇总）中的结果，"
            "并在状态栏注明。\nA county that failed in this run keeps its last good result "
            "(its last published report, or the previous summary), marked in the status column.",
        ),
        ("重现 / Reproduce", command or "auditlib batch params/*.yaml --out reports"),
        ("核对一个县 / Check a county", "auditlib verify <输出文件夹 output folder>/<县代码 code>"),
    ]
    sheet.write_string(0, 0, "说明 / About this workbook", styles["title"])
    for offset, (label, value) in enumerate(rows):
        sheet.write_string(2 + offset, 0, label, styles["head"])
        sheet.write_string(2 + offset, 1, value, styles["text"])
        sheet.set_row(2 + offset, 15 * (value.count("\n") + 1))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 100)
    _page_setup(sheet, landscape=True)


def _data_sheet(book: Any, table: pd.DataFrame) -> None:
    sheet = book.add_worksheet(DATA_SHEET)
    sheet.write_row(0, 0, [_MARKER, _FORMAT])
    sheet.write_row(1, 0, list(table.columns))
    for offset, row in enumerate(table.itertuples(index=False)):
        for position, item in enumerate(row):
            value = item.item() if hasattr(item, "item") else item  # numpy scalar → Python
            if _blank(value):
                continue
            if isinstance(value, bool):
                sheet.write_boolean(2 + offset, position, value)
            elif isinstance(value, int | float):
                sheet.write_number(2 + offset, position, float(value))
            else:
                sheet.write_string(2 + offset, position, str(value))
    sheet.hide()


def workbook_bytes(table: pd.DataFrame, *, run_date: date, command: str = "") -> bytes:
    """The summary workbook of ``table`` (see :func:`auditlib.batch.summary.summary_table`)."""
    from xlsxwriter import Workbook

    buffer = io.BytesIO()
    book = Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"author": "auditlib", "created": FIXED_CREATION_TIME})
    border = {"border": 1, "border_color": "#888888", "valign": "top"}
    styles: dict[str, Any] = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "head": book.add_format(
            {**border, "bold": True, "bg_color": "#DDE6F0", "text_wrap": True, "align": "center"}
        ),
        "text": book.add_format({**border, "text_wrap": True}),
    }
    for number_format in (RATE_FORMAT, YUAN_FORMAT, COUNT_FORMAT, SEED_FORMAT):
        styles[number_format] = book.add_format({**border, "num_format": number_format})
    for family in FAMILIES:
        _family_sheet(book, family, table, styles)
    _about_sheet(book, table, run_date, command, styles)
    _data_sheet(book, table)
    book.close()
    return buffer.getvalue()


def write_summary(
    table: pd.DataFrame,
    output_root: str | Path,
    *,
    run_date: date | None = None,
    params_files: Sequence[str | Path] = (),
) -> SummaryFile:
    """Write the summary workbook of ``table`` into ``output_root``, atomically.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`auditlib.batch.summary.summary_table`.
    output_root : str or pathlib.Path
        The batch's output folder.
    run_date : datetime.date, optional
        Date printed on the ``说明 About`` sheet (default: today).
    params_files : sequence of path
        The batch's parameter files (for the command that reproduces it).

    Returns
    -------
    SummaryFile
        ``summary.xlsx``, or ``summary-auditlib.xlsx`` with a note when ``summary.xlsx`` is a
        file auditlib did not write (it is never overwritten).
    """
    root = Path(output_root)
    target = summary_path(root)
    files = " ".join(json.dumps(str(path), ensure_ascii=False) for path in params_files)
    command = f"auditlib batch {files} --out {json.dumps(str(root), ensure_ascii=False)}"
    data = workbook_bytes(
        table, run_date=run_date or date.today(), command=command if params_files else ""
    )
    atomic_write_bytes(target.path, data)
    return target
