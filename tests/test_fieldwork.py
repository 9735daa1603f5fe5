"""Fieldwork worksheets: layout, drop-downs, print setup, import, reconciliation, merging."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from auditlib.data.codes import ERROR_TYPES, FIELD_STATUSES
from auditlib.errors import FieldworkError
from auditlib.fieldwork.importing import import_worksheets, read_issued, read_verification
from auditlib.fieldwork.layout import (
    ANSWER_COLUMNS,
    CODES_SHEET,
    HEADER_ROW,
    STATUS_CHOICES,
    WORKSHEET_COLUMNS,
    error_type_entries,
    identity_digest,
    title_sample,
)
from auditlib.fieldwork.verification_table import VERIFICATION_COLUMNS
from auditlib.fieldwork.writing import write_worksheets
from auditlib.sampling.sample import draw_sample, table_sha256
from tests.sampling_fixtures import make_county

COLUMN = {column.key: index + 1 for index, column in enumerate(WORKSHEET_COLUMNS)}
FIRST = HEADER_ROW + 1


@pytest.fixture()
def issued(tmp_path: Path):  # type: ignore[no-untyped-def]
    data = make_county()
    sample = draw_sample(data, "notice-2021", seed=42)
    sheets = write_worksheets(sample, data, tmp_path / "restricted")
    return data, sample, sheets


def _fill(path: Path, out: Path, rows: dict[int, dict[str, object]] | None = None) -> None:
    """Answer every row of every sheet 'eligible', then apply per-row changes."""
    book = load_workbook(path)
    for sheet in book.worksheets:
        if sheet.title == CODES_SHEET:
            continue
        for row in range(FIRST, sheet.max_row + 1):
            if sheet.cell(row, COLUMN["household_id"]).value is None:
                continue
            sheet.cell(row, COLUMN["eligible"]).value = "是"
            sheet.cell(row, COLUMN["correct_benefit"]).value = 300
            sheet.cell(row, COLUMN["verifier"]).value = "王核查"
            sheet.cell(row, COLUMN["verification_date"]).value = date(2021, 3, 1)
        for row, changes in (rows or {}).items():
            for key, value in changes.items():
                sheet.cell(row, COLUMN[key]).value = value
        break  # changes apply to the first township sheet only
    book.save(out)


def test_layout_dropdowns_and_print_setup(issued) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    assert len(sheets.files) == 3  # one workbook per township of make_county((4, 12, 6))
    assert sheets.households == len(sample.table)
    assert oct(sheets.folder.stat().st_mode & 0o777) == "0o700"
    book = load_workbook(sheets.files[0])
    sheet = book.worksheets[0]
    assert sheet.cell(HEADER_ROW, COLUMN["eligible"]).value == "是否符合条件\neligible"
    validations = {str(v.sqref).split(":")[0][:1]: v for v in sheet.data_validations.dataValidation}
    kinds = sorted(v.type for v in sheet.data_validations.dataValidation)
    assert kinds == ["date", "decimal", "list", "list", "list", "list", "textLength"]
    lists = [v.formula1 for v in validations.values() if v.type == "list"]
    assert '"是,否"' in lists
    # the optional payment-anomaly answer (发放异常) follows correct_benefit, with a 是/否 list
    assert COLUMN["payment_anomaly"] == COLUMN["correct_benefit"] + 1
    assert sheet.cell(HEADER_ROW, COLUMN["payment_anomaly"]).value == "发放异常\npayment_anomaly"
    anomaly_letter = get_column_letter(COLUMN["payment_anomaly"])
    assert validations[anomaly_letter].formula1 == '"是,否"'
    assert f"{CODES_SHEET}!$A$2:$A${len(ERROR_TYPES) + 1}" in lists
    assert f"{CODES_SHEET}!$B$2:$B${len(FIELD_STATUSES) + 1}" in lists
    codes = book[CODES_SHEET]
    assert [codes.cell(r, 1).value for r in range(2, len(ERROR_TYPES) + 2)] == (
        error_type_entries()
    )
    assert [codes.cell(r, 2).value for r in range(2, len(FIELD_STATUSES) + 2)] == list(
        STATUS_CHOICES
    )
    assert STATUS_CHOICES == ("已核查", "未找到", "已迁出", "拒绝配合")
    # the status answer comes before eligible, with its Chinese header
    assert COLUMN["status"] == COLUMN["eligible"] - 1
    assert sheet.cell(HEADER_ROW, COLUMN["status"]).value == "核查状态\nstatus"
    assert codes.sheet_state == "hidden"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4 in the OOXML paper-size table
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # fit to 1 page wide, any number of pages high; an absent fitToWidth means 1 (ECMA-376
    # Part 1, 18.3.1.64 pageSetup: fitToWidth default "1"), which is how XlsxWriter writes it
    assert (sheet.page_setup.fitToWidth or 1) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.protection.sheet
    assert not sheet.cell(FIRST, COLUMN["eligible"]).protection.locked
    assert sheet.cell(FIRST, COLUMN["head_id_number"]).protection.locked
    last = sheet.max_row
    for key in ANSWER_COLUMNS:  # every answer cell of every row: unlocked and shaded
        for row in (FIRST, last):
            cell = sheet.cell(row, COLUMN[key])
            assert cell.value is None and not cell.protection.locked, (key, row)
            assert cell.fill.fgColor.rgb.endswith("FFF2CC"), (key, row)
    for key in ("household_id", "head_name", "head_id_number", "village", "members"):
        assert sheet.cell(last, COLUMN[key]).protection.locked, key
    id_cell = sheet.cell(FIRST, COLUMN["head_id_number"])
    assert id_cell.number_format == "@" and isinstance(id_cell.value, str)
    assert sheet.cell(FIRST, COLUMN["verification_date"]).number_format == "yyyy-mm-dd"
    assert sheet.cell(FIRST, COLUMN["row_number"]).value == 1
    # every validation covers the data rows, from the first to the last household
    areas = {v.type + str(v.formula1): str(v.sqref) for v in sheet.data_validations.dataValidation}
    yes_no = sorted(
        str(v.sqref) for v in sheet.data_validations.dataValidation if v.formula1 == '"是,否"'
    )
    letter = {key: chr(ord("A") + COLUMN[key] - 1) for key in ANSWER_COLUMNS}
    assert yes_no == [
        f"{letter[key]}{FIRST}:{letter[key]}{last}" for key in ("eligible", "payment_anomaly")
    ]
    assert (
        areas["decimal0"] == f"{letter['correct_benefit']}{FIRST}:{letter['correct_benefit']}{last}"
    )
    date_rule = next(v for v in sheet.data_validations.dataValidation if v.type == "date")
    assert date_rule.formula1 == "DATE(2020,1,1)"  # audit_period_start of make_county()
    assert all(v.showErrorMessage and v.allow_blank for v in sheet.data_validations.dataValidation)
    assert sheet.freeze_panes == "C3"
    assert "&P" in sheet.oddFooter.center.text and "严禁外传" in sheet.oddFooter.center.text
    assert [r.coord for r in sheet.merged_cells.ranges] == [
        f"A1:{chr(ord('A') + len(COLUMN) - 1)}1"
    ]
    assert sheet.cell(1, 1).font.b and sheet.cell(HEADER_ROW, 1).font.b


def test_same_sample_same_bytes(tmp_path: Path) -> None:
    data = make_county()
    sample = draw_sample(data, "notice-2021", seed=42)
    first = write_worksheets(sample, data, tmp_path / "one")
    second = write_worksheets(sample, data, tmp_path / "two")
    for one, two in zip(first.files, second.files, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    assert first.manifest.read_bytes() == second.manifest.read_bytes()
    # the document's creation time is the reference date, not the time of writing
    created = load_workbook(first.files[0]).properties.created
    assert created is not None and created.date() == data.info.reference_date
    # only the worksheets, the manifest and the README; no temporary file left behind
    assert sorted(p.name for p in first.folder.iterdir()) == sorted(
        [*(p.name for p in first.files), "issued.json", "README.txt"]
    )


def test_clean_import(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    filled = []
    for index, path in enumerate(sheets.files):
        out = tmp_path / f"filled{index}.xlsx"
        _fill(path, out)
        filled.append(out)
    result = import_worksheets(filled, sample, read_issued(sheets.folder))
    assert result.errors == ()
    assert result.imported == len(sample.table)
    assert result.unanswered == ()
    table = result.verification
    assert tuple(table.columns) == VERIFICATION_COLUMNS
    assert (table["eligible"] == "yes").all()
    assert table["verification_date"].dtype == "datetime64[ns]"


def test_bad_worksheets_each_reported_nothing_lost(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, sample, sheets = issued
    path = sheets.files[0]
    first_sheet = load_workbook(path).worksheets[0]
    households = [
        first_sheet.cell(r, COLUMN["household_id"]).value
        for r in range(FIRST, first_sheet.max_row + 1)
    ]
    good = tmp_path / "good.xlsx"
    _fill(path, good)
    first = import_worksheets([good], sample, read_issued(sheets.folder))
    assert first.errors == ()
    not_sampled = sorted(set(data.households["household_id"]) - set(sample.table["household_id"]))
    bad = tmp_path / "bad.xlsx"
    _fill(
        path,
        bad,
        {
            FIRST: {"error_type": "not_a_code", "eligible": "否"},  # outside the code list
            FIRST + 1: {"household_id": not_sampled[0]},  # household not in the sample
            FIRST + 2: {"head_id_number": "430522199001011234"},  # changed ID number
            FIRST + 5: {"eligible": "maybe"},
        },
    )
    book = load_workbook(bad)
    sheet = book.worksheets[0]
    copied = [cell.value for cell in sheet[FIRST + 4]]  # the same household twice,
    copied[COLUMN["eligible"] - 1] = "否"  # the second time with another answer
    copied[COLUMN["error_type"] - 1] = "car_owner 拥有机动车辆"
    sheet.append(copied)
    sheet.delete_rows(FIRST + 6)  # a deleted row
    book.save(bad)
    result = import_worksheets([bad], sample, read_issued(sheets.folder), first.verification)
    codes = {(p.code, p.row) for p in result.errors}
    assert ("answer_code", FIRST) in codes
    assert ("household_not_sampled", FIRST + 1) in codes
    assert ("identity_changed", FIRST + 2) in codes
    # the appended copy: last row, one up after the deletion
    assert ("duplicate_household", FIRST + len(households) - 1) in codes
    assert ("answer_code", FIRST + 5) in codes
    assert ("household_missing", FIRST + 6) in codes  # reported at the row it was issued in
    changed = next(p for p in result.errors if p.code == "identity_changed")
    assert "1234" in changed.value and "19900101" not in changed.value  # masked
    assert all(p.file.startswith("bad.xlsx[") for p in result.errors)
    # nothing imported before is lost or overwritten
    pd.testing.assert_frame_equal(result.verification, first.verification)


def test_conflicting_second_answer_reported_not_overwritten(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    path = sheets.files[0]
    first_file = tmp_path / "first.xlsx"
    _fill(path, first_file)
    first = import_worksheets([first_file], sample, read_issued(sheets.folder))
    second_file = tmp_path / "second.xlsx"
    _fill(path, second_file, {FIRST: {"eligible": "否", "error_type": "car_owner"}})
    second = import_worksheets(
        [second_file], sample, read_issued(sheets.folder), first.verification
    )
    conflicts = [p for p in second.errors if p.code == "answer_conflict"]
    assert len(conflicts) == 1 and conflicts[0].row == FIRST
    assert second.imported == 0
    pd.testing.assert_frame_equal(second.verification, first.verification)
    # repeating the identical import adds nothing and reports nothing
    again = import_worksheets([first_file], sample, read_issued(sheets.folder), first.verification)
    assert again.errors == () and again.imported == 0


def test_partial_then_complete_import_merges(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    answered = [tmp_path / "a.xlsx"]
    _fill(sheets.files[0], answered[0])
    first = import_worksheets(answered, sample, read_issued(sheets.folder))
    rest = []
    for index, path in enumerate(sheets.files[1:]):
        out = tmp_path / f"r{index}.xlsx"
        _fill(path, out)
        rest.append(out)
    merged = import_worksheets(rest, sample, read_issued(sheets.folder), first.verification)
    assert merged.errors == ()
    assert len(merged.verification) == len(sample.table)
    assert set(first.verification["household_id"]) <= set(merged.verification["household_id"])
    assert merged.unanswered == ()


def test_csv_instead_of_xlsx(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    csv_file = tmp_path / "worksheet.csv"
    pd.read_excel(sheets.files[0], header=1).to_csv(csv_file, index=False)
    result = import_worksheets([csv_file], sample, read_issued(sheets.folder))
    assert [p.code for p in result.errors] == ["worksheet_csv"]
    assert "saved as CSV" in result.errors[0].expected
    renamed = tmp_path / "renamed.xlsx"
    shutil.copy(csv_file, renamed)
    result = import_worksheets([renamed], sample, read_issued(sheets.folder))
    assert [p.code for p in result.errors] == ["worksheet_not_xlsx"]


def test_worksheets_of_another_sample_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, _sample, sheets = issued
    other = draw_sample(data, "notice-2021", seed=43)
    with pytest.raises(FieldworkError, match="different sample"):
        import_worksheets(sheets.files, other, read_issued(sheets.folder))


def test_verification_csv_round_trip(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    filled = tmp_path / "f.xlsx"
    _fill(
        sheets.files[0],
        filled,
        {
            FIRST: {
                "eligible": "否",
                "error_type": "村干部家庭",
                "correct_benefit": 0,
                "notes": "见村委名册",
            }
        },
    )
    result = import_worksheets([filled], sample, read_issued(sheets.folder))
    assert result.errors == ()
    table = result.verification.copy()
    table["verification_date"] = table["verification_date"].dt.strftime("%Y-%m-%d")
    target = tmp_path / "verification.csv"
    table.to_csv(target, index=False)
    back = read_verification(target)
    pd.testing.assert_frame_equal(back, result.verification)
    assert "village_cadre" in set(back["error_type"].dropna())
    # the file goes through the same checks as the worksheet: with the sample and the audit
    # period it is accepted as it is, and gives the same table
    checked = read_verification(target, sample=sample, period_start=date(2020, 1, 1))
    pd.testing.assert_frame_equal(checked, result.verification)
    # a table written before the status column existed still loads: every answer verified
    table.drop(columns="status").to_csv(target, index=False)
    old = read_verification(target, sample=sample)
    assert (old["status"] == "verified").all()
    pd.testing.assert_frame_equal(old, result.verification)


def test_household_missing_from_the_data_refused(tmp_path: Path) -> None:
    data = make_county()
    sample = draw_sample(data, "notice-2021", seed=42)
    gone = str(sample.table["household_id"].iloc[0])
    fewer = replace(data, households=data.households[data.households["household_id"] != gone])
    with pytest.raises(FieldworkError, match=f"1 sampled household.*'{gone}'"):
        write_worksheets(sample, fewer, tmp_path / "r")
    assert not list((tmp_path / "r").glob("*.xlsx"))


def test_empty_name_cell_still_imports(tmp_path: Path) -> None:
    # the issued digest covers the cells as written: a missing head name is an empty cell
    data = make_county()
    sample = draw_sample(data, "notice-2021", seed=42)
    first = str(sample.table["household_id"].iloc[0])
    households = data.households.copy()
    households.loc[households["household_id"] == first, "head_name"] = None
    sheets = write_worksheets(sample, replace(data, households=households), tmp_path / "r")
    issued = read_issued(sheets.folder)
    assert issued["households"][first]["identity_sha256"] == identity_digest(
        first,
        "",
        str(households.loc[households["household_id"] == first, "head_id_number"].iloc[0]),
    )
    filled = []
    for index, path in enumerate(sheets.files):
        filled.append(tmp_path / f"f{index}.xlsx")
        _fill(path, filled[-1])
    result = import_worksheets(filled, sample, issued)
    assert result.errors == () and result.imported == len(sample.table)


def test_teams(tmp_path: Path) -> None:
    data = make_county()
    sample = draw_sample(data, "notice-2019", seed=1)
    teams = {"东片": ["430522101", "430522102"], "西片": ["430522103"]}
    sheets = write_worksheets(sample, data, tmp_path / "r", teams=teams)
    assert sorted(p.name for p in sheets.files) == ["worksheet_东片.xlsx", "worksheet_西片.xlsx"]
    with pytest.raises(FieldworkError, match="in no team"):
        write_worksheets(sample, data, tmp_path / "s", teams={"东片": ["430522101"]})


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice not installed")
def test_libreoffice_renders_and_keeps_dropdowns(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, _sample, sheets = issued
    source = sheets.files[0]
    for target in ("pdf", "xlsx"):
        subprocess.run(
            [
                "libreoffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path / target),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    pdf = tmp_path / "pdf" / (source.stem + ".pdf")
    assert pdf.stat().st_size > 1000
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    # A4 landscape: 841.89 x 595.28 points (width > height)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info.stdout)
    assert size is not None, info.stdout
    assert float(size.group(1)) > float(size.group(2))
    resaved = load_workbook(tmp_path / "xlsx" / source.name)
    kinds = sorted(v.type for v in resaved.worksheets[0].data_validations.dataValidation)
    assert kinds.count("list") == 4 and "date" in kinds


# --------------------------------------------------------------------------- statuses, pending


def _first_sheet(path: Path) -> tuple[str, list[str]]:
    """Title and household ids (in row order) of the first township sheet of a workbook."""
    sheet = load_workbook(path).worksheets[0]
    rows = range(FIRST, sheet.max_row + 1)
    return sheet.title, [sheet.cell(r, COLUMN["household_id"]).value for r in rows]


def _edit(path: Path, out: Path, edit: Callable[[Any], None]) -> Path:
    """Apply ``edit`` to the first township sheet of ``path`` and save the book as ``out``."""
    book = load_workbook(path)
    edit(book.worksheets[0])
    book.save(out)
    return out


NO_FINDING: dict[str, object] = {"eligible": None, "correct_benefit": None}


def test_title_row_names_the_seed_and_the_sample(issued) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    title = load_workbook(sheets.files[0]).worksheets[0].cell(1, 1).value
    assert title_sample(title) == (str(sample.seed), table_sha256(sample.table)[:12])
    manifest = read_issued(sheets.folder)
    assert manifest["sample_table_sha256"].startswith(title_sample(title)[1])


def test_field_statuses(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    _title, households = _first_sheet(sheets.files[0])
    out = tmp_path / "statuses.xlsx"
    gone = {**NO_FINDING, "verifier": None, "verification_date": None}
    _fill(
        sheets.files[0],
        out,
        {
            FIRST: {"status": "未找到", **gone},  # the Chinese label, nothing else needed
            FIRST + 1: {"status": "moved 已迁出", **NO_FINDING},  # "code label"; who and when kept
            FIRST + 2: {"status": "refused", **NO_FINDING},  # the code
            FIRST + 3: {"status": "已核查"},  # verified, as an empty status
            FIRST + 4: {"status": "未找到"},  # not found, yet eligible 是 and a benefit
            FIRST + 5: {"status": "lost"},
            FIRST + 6: {"status": "已核查", "eligible": None},  # verified without a finding
            FIRST + 7: {"verifier": None, "verification_date": None},  # verified by nobody
        },
    )
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    table = result.verification.set_index("household_id")
    assert list(table.loc[households[:4], "status"]) == [
        "not_found",
        "moved",
        "refused",
        "verified",
    ]
    assert table.loc[households[:3], "eligible"].isna().all()
    assert table.loc[households[0], "verifier"] is pd.NA
    assert table.loc[households[1], "verification_date"] == pd.Timestamp(2021, 3, 1)
    assert (table.drop(index=households[:3])["status"] == "verified").all()
    assert set(result.verification["status"]) <= set(FIELD_STATUSES)
    found = {(p.row, p.column, p.code) for p in result.errors}
    assert found == {
        (FIRST + 4, "eligible", "answer_inconsistent"),
        (FIRST + 4, "correct_benefit", "answer_inconsistent"),
        (FIRST + 5, "status", "answer_code"),
        (FIRST + 6, "eligible", "answer_missing"),
        (FIRST + 7, "verifier", "answer_missing"),
        (FIRST + 7, "verification_date", "answer_missing"),
    }
    status = next(p for p in result.errors if p.column == "status")
    assert "已核查 / 未找到 / 已迁出 / 拒绝配合" in status.expected
    assert not set(households[4:8]) & set(result.verification["household_id"])


def test_ineligible_recipient_needs_a_reason(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    _title, households = _first_sheet(sheets.files[0])
    recipients = set(sample.table.loc[sample.table["recipient"], "household_id"])
    recipient = next(i for i, h in enumerate(households) if h in recipients)
    other = next(i for i, h in enumerate(households) if h not in recipients)
    out = tmp_path / "reasons.xlsx"
    no = {"eligible": "否", "correct_benefit": 0}
    _fill(sheets.files[0], out, {FIRST + recipient: no, FIRST + other: no})
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    assert [(p.row, p.column, p.code) for p in result.errors] == [
        (FIRST + recipient, "error_type", "answer_missing")
    ]
    assert "recipient household is not eligible" in result.errors[0].expected
    # a non-recipient found not eligible is simply not omitted: no reason needed
    table = result.verification.set_index("household_id")
    assert table.loc[households[other], "eligible"] == "no"
    assert households[recipient] in result.unanswered


def test_pending_households_listed_with_file_sheet_and_row(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    title, households = _first_sheet(sheets.files[0])
    out = tmp_path / "partial.xlsx"
    empty = dict.fromkeys(ANSWER_COLUMNS)
    _fill(sheets.files[0], out, {FIRST + 1: empty, FIRST + 3: empty})
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    assert result.errors == ()
    assert tuple(sorted(p.household_id for p in result.pending)) == result.unanswered
    assert len(result.pending) == len(sample.table) - len(households) + 2
    here = [p for p in result.pending if p.sheet == title]
    assert [(p.household_id, p.file, p.row) for p in here] == [
        (households[1], sheets.files[0].name, FIRST + 1),
        (households[3], sheets.files[0].name, FIRST + 3),
    ]
    assert here[0].describe() == (
        f"file {sheets.files[0].name}, sheet {title}, row {FIRST + 1}: "
        f"household {households[1]} not returned"
    )
    manifest = read_issued(sheets.folder)["households"]
    for pending in result.pending:  # every one at the place it was issued, in that order
        where = manifest[pending.household_id]
        assert (pending.file, pending.sheet, pending.row) == (
            where["file"],
            where["sheet"],
            where["row"],
        )
    places = [(p.file, p.sheet, p.row) for p in result.pending]
    assert places == sorted(places)  # type: ignore[type-var]


def test_correction_with_a_later_date_supersedes(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    _title, households = _first_sheet(sheets.files[0])
    manifest = read_issued(sheets.folder)
    first_file = tmp_path / "first.xlsx"
    _fill(sheets.files[0], first_file)
    first = import_worksheets([first_file], sample, manifest)
    corrected = {"eligible": "否", "error_type": "car_owner", "correct_benefit": 0}
    later = tmp_path / "later.xlsx"
    _fill(sheets.files[0], later, {FIRST: {**corrected, "verification_date": date(2021, 4, 1)}})
    second = import_worksheets([later], sample, manifest, first.verification)
    assert second.errors == ()
    assert (second.imported, second.superseded) == (1, (households[0],))
    assert list(second.answers["household_id"]) == [households[0]]
    assert list(second.answers["source_row"]) == [FIRST]
    table = second.verification.set_index("household_id")
    assert (table.loc[households[0], "eligible"], table.loc[households[0], "error_type"]) == (
        "no",
        "car_owner",
    )
    assert len(second.verification) == len(first.verification)
    # a different answer dated before the current one is a conflict; the current one stays
    earlier = tmp_path / "earlier.xlsx"
    _fill(sheets.files[0], earlier, {FIRST: {"verification_date": date(2021, 3, 15)}})
    third = import_worksheets([earlier], sample, manifest, second.verification)
    assert [(p.row, p.code) for p in third.errors] == [(FIRST, "answer_conflict")]
    assert "dated 2021-04-01" in third.errors[0].expected
    assert third.imported == 0 and third.superseded == ()
    pd.testing.assert_frame_equal(third.verification, second.verification)


# --------------------------------------------------------------------------- refused worksheets


def test_renamed_sheet_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    title, households = _first_sheet(sheets.files[0])
    filled = tmp_path / "filled.xlsx"
    _fill(sheets.files[0], filled)

    def rename(sheet: Any) -> None:
        sheet.title = "乡镇一"

    out = _edit(filled, tmp_path / "renamed.xlsx", rename)
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    assert [(p.file, p.code, p.value) for p in result.errors] == [
        ("renamed.xlsx[乡镇一]", "worksheet_sheet_renamed", "乡镇一")
    ]
    assert f"issued in sheet {title}: rename it back" in result.errors[0].expected
    assert result.imported == 0
    assert set(households) <= set(result.unanswered)
    # an empty sheet added beside the township sheet is ignored with a warning
    book = load_workbook(filled)
    book.create_sheet("Sheet1")
    book.save(out)
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    assert result.errors == () and result.imported == len(households)
    assert [p.code for p in result.problems] == ["worksheet_extra_sheet"]


def test_formula_without_a_calculated_value_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    _title, households = _first_sheet(sheets.files[0])
    out = tmp_path / "formulas.xlsx"
    _fill(
        sheets.files[0],
        out,
        {
            FIRST: {"verification_date": "=DATE(2021,3,1)"},  # openpyxl never calculates
            FIRST + 1: {"verifier": '=HYPERLINK("http://example.org","王核查")'},
        },
    )
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    assert [(p.row, p.column, p.code) for p in result.errors] == [
        (FIRST, "verification_date", "worksheet_formula"),
        (FIRST + 1, "verifier", "worksheet_formula"),
    ]
    assert result.errors[0].value == "=DATE(2021,3,1)"
    assert result.errors[1].value == "=…"  # the verifier's name is personal
    assert "open and save it in Excel, WPS or LibreOffice" in result.errors[0].expected
    assert result.imported == len(households) - 2
    assert set(households[:2]) <= set(result.unanswered)
    assert not [p for p in result.errors if p.code == "household_missing"]


def test_error_values_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    out = tmp_path / "errors.xlsx"
    _fill(
        sheets.files[0],
        out,
        {
            FIRST: {"correct_benefit": "#VALUE!"},
            FIRST + 1: {"verification_date": "#N/A"},
            FIRST + 2: {"eligible": "#REF!"},
        },
    )
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    assert [(p.row, p.column, p.value, p.code) for p in result.errors] == [
        (FIRST, "correct_benefit", "#VALUE!", "worksheet_error_value"),
        (FIRST + 1, "verification_date", "#N/A", "worksheet_error_value"),
        (FIRST + 2, "eligible", "#REF!", "worksheet_error_value"),
    ]


def test_worksheet_of_another_draw_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, sample, sheets = issued
    other = write_worksheets(draw_sample(data, "notice-2021", seed=43), data, tmp_path / "o")
    same_township = next(p for p in other.files if p.name == sheets.files[0].name)
    out = tmp_path / "other.xlsx"
    _fill(same_township, out)
    manifest = read_issued(sheets.folder)
    result = import_worksheets([out], sample, manifest)
    problem = result.errors[0]
    assert [(p.row, p.code) for p in result.errors] == [(1, "worksheet_other_sample")]
    assert problem.value.startswith("抽样种子 43, 样本 ")
    assert f"抽样种子 42, 样本 {manifest['sample_table_sha256'][:12]}" in problem.expected
    assert result.imported == 0

    def retitle(sheet: Any) -> None:
        sheet.cell(1, 1).value = "入户核查表"

    result = import_worksheets([_edit(out, tmp_path / "t.xlsx", retitle)], sample, manifest)
    assert [(p.row, p.code, p.value) for p in result.errors] == [
        (1, "worksheet_title", "入户核查表")
    ]


def test_dates_as_serial_numbers_and_spelled_codes(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    _title, households = _first_sheet(sheets.files[0])
    out = tmp_path / "spelled.xlsx"
    _fill(
        sheets.files[0],
        out,
        {
            FIRST: {"verification_date": 44256},  # the serial number of 2021-03-01
            FIRST + 1: {"verification_date": "2021年3月1日", "status": "verified 已核查"},
            FIRST + 2: {"eligible": "否", "error_type": "拥有机动车辆", "correct_benefit": 0},
        },
    )
    result = import_worksheets([out], sample, read_issued(sheets.folder))
    assert result.errors == ()
    table = result.verification.set_index("household_id")
    assert (table.loc[households[:2], "verification_date"] == pd.Timestamp(2021, 3, 1)).all()
    assert table.loc[households[2], "error_type"] == "car_owner"


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("libreoffice") or shutil.which("soffice")), reason="LibreOffice not installed"
)
def test_workbook_resaved_by_libreoffice_imports(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    _title, households = _first_sheet(sheets.files[0])
    filled = tmp_path / "filled" / sheets.files[0].name
    filled.parent.mkdir()
    _fill(
        sheets.files[0],
        filled,
        {
            FIRST: {"status": "未找到", **NO_FINDING, "verifier": None, "verification_date": None},
            FIRST + 1: {
                "eligible": "否",
                "error_type": error_type_entries()[3],
                "correct_benefit": 0,
            },
            FIRST + 2: {"verification_date": "=DATE(2021,3,2)"},  # calculated on re-saving
            FIRST + 3: {"correct_benefit": "=1/0"},  # calculated as #DIV/0!
        },
    )
    program = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run(
        [
            str(program),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "resaved"),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    manifest = read_issued(sheets.folder)
    before = import_worksheets([filled], sample, manifest)
    assert {(p.row, p.code) for p in before.errors} == {
        (FIRST + 2, "worksheet_formula"),
        (FIRST + 3, "worksheet_formula"),
    }
    after = import_worksheets([tmp_path / "resaved" / filled.name], sample, manifest)
    assert [(p.row, p.column, p.value, p.code) for p in after.errors] == [
        (FIRST + 3, "correct_benefit", "#DIV/0!", "worksheet_error_value")
    ]
    table = after.verification.set_index("household_id")
    assert table.loc[households[0], "status"] == "not_found"
    assert table.loc[households[1], "error_type"] == "car_owner"
    assert table.loc[households[2], "verification_date"] == pd.Timestamp(2021, 3, 2)
    expected = before.verification.set_index("household_id")
    same = expected.index  # everything imported before the re-save is imported alike after it
    pd.testing.assert_frame_equal(table.loc[same], expected)


# --------------------------------------------------------------------------- verification files

HEADER_ZH = [
    "户编号",
    "核查状态",
    "是否符合条件",
    "不符合情形",
    "核定保障金额",
    "核查人",
    "核查日期",
    "备注",
]


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    return path


def test_verification_file_bad_values_refused_all_at_once(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, sample, _sheets = issued
    table = sample.table
    recipients = list(table.loc[table["recipient"], "household_id"])
    not_sampled = sorted(set(data.households["household_id"]) - set(table["household_id"]))
    ok = ["是", "", 300, "王核查", "2021-03-01", ""]
    rows: list[list[object]] = [
        [recipients[0], "", "是", "", -5, "王核查", "2021-03-01", ""],  # negative benefit
        [recipients[1], "", "是", "", 300, "王核查", "2099-01-01", ""],  # a date in 2099
        [recipients[2], "", "是", "", 300, '=HYPERLINK("http://x","王核查")', "2021-03-01", ""],
        [recipients[3], "", "否", "", 0, "王核查", "2021-03-01", ""],  # ineligible, no reason
        [recipients[4], "", "是", "", 100_001, "王核查", "2021-03-01", ""],
        [recipients[5], "", "是", "", 300, "王核查", "2019-12-31", ""],  # before the period
        [recipients[6], "", "是", "", 300, "王核查", "2021-02-30", ""],
        [recipients[7], "lost", "maybe", "no_such_reason", 300, "王核查", "2021-03-01", ""],
        [recipients[8], "", *ok[:-1], "@SUM(A1)"],
        [recipients[9], "未找到", *ok],  # not found, yet a finding
        [recipients[10], "", "", "", "", "", "", ""],  # no answer at all: left out, not refused
        [not_sampled[0], "", *ok],
        [recipients[11], "", *ok],
        [recipients[11], "", *ok],  # the same household twice
        ["", "", *ok],
    ]
    path = _write_csv(tmp_path / "verification.csv", HEADER_ZH, rows)
    with pytest.raises(FieldworkError, match="problem") as caught:
        read_verification(path, sample=sample, period_start=date(2020, 1, 1))
    found = [(p.file, p.row, p.column, p.code) for p in caught.value.problems]
    name = "verification.csv"
    assert found == [
        (name, 2, "correct_benefit", "answer_number"),
        (name, 3, "verification_date", "answer_date"),
        (name, 4, "verifier", "answer_formula"),
        (name, 5, "error_type", "answer_missing"),
        (name, 6, "correct_benefit", "answer_number"),
        (name, 7, "verification_date", "answer_date"),
        (name, 8, "verification_date", "answer_date"),
        (name, 9, "status", "answer_code"),
        (name, 9, "eligible", "answer_code"),
        (name, 9, "error_type", "answer_code"),
        (name, 10, "notes", "answer_formula"),
        (name, 11, "eligible", "answer_inconsistent"),
        (name, 11, "correct_benefit", "answer_inconsistent"),
        (name, 13, "household_id", "household_not_sampled"),
        (name, 15, "household_id", "duplicate_key"),
        (name, 16, "household_id", "missing_value"),
    ]
    problems = {(p.row, p.column): p for p in caught.value.problems}
    assert "王" not in problems[4, "verifier"].value  # the verifier's name is masked
    assert problems[2, "correct_benefit"].expected.endswith("between 0 and 100000")
    assert "2020-01-01 and today" in problems[3, "verification_date"].expected
    assert all(p.severity == "error" for p in caught.value.problems)
    # without the sample nothing tells a recipient from a non-recipient, nor a drawn household
    with pytest.raises(FieldworkError) as caught:
        read_verification(path)
    codes = {(p.row, p.code) for p in caught.value.problems}
    assert (5, "answer_missing") not in codes and (13, "household_not_sampled") not in codes
    assert (7, "answer_date") not in codes and (3, "answer_date") in codes


def test_verification_file_in_chinese_csv_or_xlsx(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, _sheets = issued
    table = sample.table
    recipients = list(table.loc[table["recipient"], "household_id"])
    others = list(table.loc[~table["recipient"], "household_id"])
    rows: list[list[object]] = [
        [recipients[0], "已核查", "符合", "", "1,200", "王核查", "2021/03/01", "备注"],
        [recipients[1], "", "不符合", "car_owner 拥有机动车辆", 0, "王核查", "20210301", ""],
        [recipients[2], "moved", "", "", "", "", "", "迁往县城"],
        [others[0], "", "否", "", 0, "李核查", "2021-03-02", ""],  # not omitted: no reason needed
    ]
    path = _write_csv(tmp_path / "核查结果.csv", HEADER_ZH, rows)
    read = read_verification(path, sample=sample, period_start=date(2020, 1, 1))
    assert list(read.columns) == list(VERIFICATION_COLUMNS)
    by_id = read.set_index("household_id")
    assert list(by_id.loc[recipients[:3], "status"]) == ["verified", "verified", "moved"]
    assert by_id.loc[recipients[0], "correct_benefit"] == 1200.0
    assert by_id.loc[recipients[1], "error_type"] == "car_owner"
    assert by_id.loc[others[0], "eligible"] == "no"
    # the same table as an xlsx with a title row above the header
    book = Workbook()
    sheet = book.active
    sheet.append(["新邵县入户核查结果"])
    sheet.append(HEADER_ZH)
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "核查结果.xlsx")
    from_xlsx = read_verification(tmp_path / "核查结果.xlsx", sample=sample)
    pd.testing.assert_frame_equal(from_xlsx, read)
    sourced = read_verification(path, sample=sample, with_source=True)
    rows_of = dict(zip(sourced["household_id"], sourced["source_row"], strict=True))
    assert rows_of == {row[0]: number for number, row in enumerate(rows, start=2)}
    assert set(sourced["source_file"]) == {"核查结果.csv"}
    assert read_verification(tmp_path / "absent.csv").empty


def test_worksheet_issued_before_the_status_column_imports(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _data, sample, sheets = issued
    _title, households = _first_sheet(sheets.files[0])
    filled = tmp_path / "filled.xlsx"
    _fill(sheets.files[0], filled)

    def drop_status(sheet: Any) -> None:
        sheet.delete_cols(COLUMN["status"])

    old = _edit(filled, tmp_path / "old.xlsx", drop_status)
    result = import_worksheets([old], sample, read_issued(sheets.folder))
    assert result.errors == () and result.imported == len(households)
    assert (result.verification["status"] == "verified").all()
