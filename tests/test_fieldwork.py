"""Fieldwork worksheets: layout, drop-downs, print setup, import, reconciliation, merging."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditlib.data.codes import ERROR_TYPES
from auditlib.errors import FieldworkError
from auditlib.fieldwork.importing import (
    VERIFICATION_COLUMNS,
    import_worksheets,
    read_issued,
    read_verification,
)
from auditlib.fieldwork.layout import (
    ANSWER_COLUMNS,
    CODES_SHEET,
    HEADER_ROW,
    WORKSHEET_COLUMNS,
    error_type_entries,
    identity_digest,
)
from auditlib.fieldwork.writing import write_worksheets
from auditlib.sampling.sample import draw_sample
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
    assert kinds == ["date", "decimal", "list", "list", "textLength"]
    lists = [v.formula1 for v in validations.values() if v.type == "list"]
    assert '"是,否"' in lists
    assert f"{CODES_SHEET}!$A$2:$A${len(ERROR_TYPES) + 1}" in lists
    codes = book[CODES_SHEET]
    assert [codes.cell(r, 1).value for r in range(2, len(ERROR_TYPES) + 2)] == (
        error_type_entries()
    )
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
    letter = {key: chr(ord("A") + COLUMN[key] - 1) for key in ANSWER_COLUMNS}
    assert areas['list"是,否"'] == f"{letter['eligible']}{FIRST}:{letter['eligible']}{last}"
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
    assert kinds.count("list") == 2 and "date" in kinds
