"""Fieldwork worksheets (入户核查表): one xlsx per township or team, printable on A4.

Each sheet lists the selected households of one township with the facts to verify and the
answer columns, every coded answer with a drop-down (Excel/LibreOffice data validation):
eligible 是/否, error type from the official removal list (schema.ERROR_TYPES), correct benefit
(a number ≥ 0), verifier (text), verification date (a date), notes. Identity cells are locked
(sheet protection without password) so that they are not changed by accident; answers are
unlocked.

Worksheets hold full names and ID numbers, so they are written only into a *restricted*
folder; ``issued.json`` beside them records, for each household, the file, sheet and row it
was issued in and a SHA-256 digest of its identity cells, so that an import can detect
deleted rows and changed identities (:mod:`auditlib.fieldwork_import`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditlib.bundle import CountyData
from auditlib.errors import FieldworkError
from auditlib.io import atomic_write_text, write_with
from auditlib.sampling import Sample, table_sha256
from auditlib.schema import ERROR_TYPES, PROGRAMMES

__all__ = [
    "ANSWER_COLUMNS",
    "CODES_SHEET",
    "HEADER_ROW",
    "IDENTITY_COLUMNS",
    "ISSUED_FILE",
    "WORKSHEET_COLUMNS",
    "WorksheetColumn",
    "WorksheetSet",
    "error_type_entries",
    "identity_digest",
    "write_worksheets",
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


def error_type_entries() -> list[str]:
    """Drop-down entries of the error type: ``"<code> <中文>"`` for each code of ERROR_TYPES."""
    return [f"{code} {label}" for code, label in ERROR_TYPES.items()]


def identity_digest(household_id: str, head_name: str, head_id_number: str) -> str:
    """SHA-256 (hex) of the identity cells ``household_id␟head_name␟head_id_number``."""
    text = "\x1f".join((household_id, head_name, head_id_number))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WorksheetSet:
    """Worksheets written: the xlsx files and the issued manifest."""

    folder: Path
    files: tuple[Path, ...]
    manifest: Path
    households: int


def _groups(
    townships: Sequence[str], teams: Mapping[str, Sequence[str]] | None
) -> dict[str, list[str]]:
    if not teams:
        return {code: [code] for code in townships}
    groups: dict[str, list[str]] = {}
    assigned: dict[str, str] = {}
    for team, members in teams.items():
        for code in members:
            if code in assigned:
                raise FieldworkError(
                    f"township {code} is in two teams ({assigned[code]!r} and {team!r}); "
                    "each township must be in exactly one team"
                )
            assigned[code] = team
    for code in townships:
        owner = assigned.get(code)
        if owner is None:
            raise FieldworkError(
                f"township {code} has sampled households but is in no team of "
                f"sampling.teams; teams cover {sorted(assigned)}"
            )
        groups.setdefault(owner, []).append(code)
    return groups


def _safe_file_stem(name: str) -> str:
    kept = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return kept or "team"


def _cell_value(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if key == "programme":
        return PROGRAMMES.get(str(value), str(value))
    if key == "selection_reason":
        return REASONS_ZH.get(str(value), str(value))
    if hasattr(value, "item"):
        return value.item()
    return value


def _add_validations(sheet: Worksheet, last_row: int, start: date) -> None:
    columns = {c.key: get_column_letter(i + 1) for i, c in enumerate(WORKSHEET_COLUMNS)}
    entries = len(ERROR_TYPES)

    def area(key: str) -> str:
        return f"{columns[key]}{FIRST_DATA_ROW}:{columns[key]}{max(last_row, FIRST_DATA_ROW)}"

    eligible = DataValidation(
        type="list", formula1='"' + ",".join(ELIGIBLE_CHOICES) + '"', allow_blank=True
    )
    eligible.error, eligible.errorTitle = "请选择 是 或 否 (yes/no)", "是否符合条件"
    error_type = DataValidation(
        type="list", formula1=f"{CODES_SHEET}!$A$2:$A${entries + 1}", allow_blank=True
    )
    error_type.error, error_type.errorTitle = "请从清退情形列表中选择", "不符合情形"
    benefit = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100000", allow_blank=True
    )
    benefit.error, benefit.errorTitle = "请输入 0 到 100000 之间的金额(元/月)", "核定保障金额"
    verifier = DataValidation(
        type="textLength", operator="between", formula1="1", formula2="50", allow_blank=True
    )
    verifier.error, verifier.errorTitle = "请填写核查人姓名", "核查人"
    when = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({start.year},{start.month},{start.day})",
        formula2="DATE(2099,12,31)",
        allow_blank=True,
    )
    when.error, when.errorTitle = f"请输入 {start.isoformat()} 之后的日期", "核查日期"
    for validation, key in (
        (eligible, "eligible"),
        (error_type, "error_type"),
        (benefit, "correct_benefit"),
        (verifier, "verifier"),
        (when, "verification_date"),
    ):
        validation.showErrorMessage = True
        validation.add(area(key))
        sheet.add_data_validation(validation)


def _write_sheet(
    sheet: Worksheet, title: str, rows: list[dict[str, Any]], audit_start: date
) -> None:
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=12)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(WORKSHEET_COLUMNS))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    answer_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(WORKSHEET_COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=f"{column.label_zh}\n{column.key}")
        cell.font = Font(bold=True, size=9)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.fill = answer_fill if column.answer else header_fill
        cell.border = border
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[HEADER_ROW].height = 40
    for offset, row in enumerate(rows):
        excel_row = FIRST_DATA_ROW + offset
        for index, column in enumerate(WORKSHEET_COLUMNS, start=1):
            value = offset + 1 if column.key == "row_number" else _cell_value(row, column.key)
            cell = sheet.cell(row=excel_row, column=index, value=None if column.answer else value)
            cell.border = border
            cell.font = Font(size=9)
            if column.answer:
                cell.protection = Protection(locked=False)
            if column.key == "head_id_number":
                cell.number_format = "@"
            if column.key == "verification_date":
                cell.number_format = "yyyy-mm-dd"
    last_row = FIRST_DATA_ROW + len(rows) - 1
    _add_validations(sheet, last_row, audit_start)
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=3)
    sheet.print_title_rows = f"1:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.print_options.gridLines = False
    sheet.oddFooter.center.text = "第 &P 页 / 共 &N 页  (内部资料 含个人信息 严禁外传)"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False


def _codes_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(CODES_SHEET)
    sheet["A1"] = "不符合情形 error_type"
    for offset, entry in enumerate(error_type_entries(), start=2):
        sheet.cell(row=offset, column=1, value=entry)
    sheet.column_dimensions["A"].width = 40
    sheet.sheet_state = "hidden"


def write_worksheets(
    sample: Sample,
    data: CountyData,
    folder: str | Path,
    *,
    teams: Mapping[str, Sequence[str]] | None = None,
) -> WorksheetSet:
    """Write the fieldwork worksheets of a sample into a restricted folder.

    Parameters
    ----------
    sample : Sample
        The drawn sample.
    data : CountyData
        The county's tables (identities and facts to verify come from ``households``).
    folder : str or pathlib.Path
        Restricted folder (created with permissions 0700); full identities live only there.
    teams : mapping of team name to township codes, optional
        One workbook per team (one sheet per township) instead of one per township.

    Returns
    -------
    WorksheetSet
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    households = data.households.copy()
    households["household_id"] = households["household_id"].astype(str)
    facts = households.set_index("household_id")
    table = sample.table
    missing = sorted(set(table["household_id"].astype(str)) - set(facts.index))
    if missing:
        raise FieldworkError(
            f"{len(missing)} sampled household(s) are not in the households table "
            f"(first: {missing[0]!r}); draw the sample from these data"
        )
    townships = sorted(table["township_code"].astype(str).unique())
    names = households.drop_duplicates("township_code").set_index("township_code")["township"]
    issued: dict[str, dict[str, Any]] = {}
    files: list[Path] = []
    audit_start = data.info.audit_period_start
    for group, codes in _groups(townships, teams).items():
        workbook = Workbook()
        workbook.remove(workbook.worksheets[0])
        path = folder / f"worksheet_{_safe_file_stem(group)}.xlsx"
        for code in codes:
            selected = table[table["township_code"].astype(str) == code]
            rows = []
            for record in selected.to_dict(orient="records"):
                fact = facts.loc[str(record["household_id"])]
                rows.append({**fact.to_dict(), **record})
            rows.sort(key=lambda r: (str(r["village_code"]), str(r["household_id"])))
            sheet = workbook.create_sheet(code)
            title = (
                f"{data.info.county} {names.get(code, code)} 入户核查表 — 抽样种子 {sample.seed}, "
                f"样本 {table_sha256(table)[:12]}  (内部资料, 含个人身份信息)"
            )
            _write_sheet(sheet, title, rows, audit_start)
            for offset, row in enumerate(rows):
                household_id = str(row["household_id"])
                issued[household_id] = {
                    "file": path.name,
                    "sheet": code,
                    "row": FIRST_DATA_ROW + offset,
                    "identity_sha256": identity_digest(
                        household_id, str(row["head_name"]), str(row["head_id_number"])
                    ),
                }
        _codes_sheet(workbook)
        write_with(path, workbook.save)
        files.append(path)
    manifest = {
        "format": "auditlib-worksheets/1",
        "county_code": sample.county_code,
        "seed": sample.seed,
        "sample_table_sha256": table_sha256(table),
        "frame_hash": sample.frame_hash,
        "audit_period_start": audit_start.isoformat(),
        "households": dict(sorted(issued.items())),
    }
    manifest_path = folder / ISSUED_FILE
    atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    atomic_write_text(
        folder / "README.txt",
        "本文件夹含个人身份信息(姓名、身份证号),仅限核查人员使用,严禁外传。\n"
        "This folder holds full identities (names, ID numbers): restricted to field teams.\n",
    )
    return WorksheetSet(
        folder=folder, files=tuple(files), manifest=manifest_path, households=len(issued)
    )
