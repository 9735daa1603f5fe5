"""The batch summary workbook: headers, number formats, print setup, values from each county's
``estimates.json``, last good rows kept for failed counties, foreign files left alone.

County report folders are built directly (``manifest.json`` + ``estimates.json`` in the layout of
:func:`auditlib.report.outputs.save_outputs` and :func:`auditlib.report.produce.produce_report`),
so no report is run; the expected values are the ones written into those files.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from auditlib.batch.runner import CountyOutcome
from auditlib.batch.summary import summary_table
from auditlib.batch.summary_columns import FAMILIES
from auditlib.batch.summary_workbook import write_summary
from auditlib.errors import ReportError

DAY = date(2026, 12, 1)
_INTERVALS = [e for f in FAMILIES for e in f.estimands if e.interval]


def _publish(root: Path, code: str, county: str, scale: float) -> dict[str, Any]:
    """Write a county's published report folder; return its estimates.json content."""
    details: dict[str, Any] = {}
    figures: dict[str, Any] = {}
    for index, estimand in enumerate(_INTERVALS):
        base = (123_456.7 if estimand.unit == "yuan" else 0.0892) * scale * (1 + index / 10)
        details[estimand.name] = {
            "estimate": base,
            "lower": base * 0.7,
            "upper": base * 1.4,
            "reliable": index % 2 == 0,
            "n": 150,
        }
        if estimand.name not in ("overpayment_rate", "underpayment_rate"):
            for part in ("estimate", "lower", "upper"):
                figures[f"{estimand.name}_{part}"] = details[estimand.name][part]
    figures.update(
        response_rate=0.95, error_rate_lower_bound=0.08 * scale, error_rate_upper_bound=0.13
    )
    content = {
        "county_code": code,
        "county": county,
        "seed": 20190601,
        "estimates": figures,
        "details": details,
        "response_rates": [
            {"level": "county", "code": "county", "sampled": 1520, "respondents": 1444},
            {"level": "township", "code": "t1", "sampled": 700, "respondents": 690},
        ],
        "sample": {"households": 1520},
    }
    folder = root / code
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "estimates.json").write_text(json.dumps(content, ensure_ascii=False), "utf-8")
    manifest = {
        "format": 1,
        "county_code": code,
        "seed": 20190601,
        "parameters": {
            "sampling": {"plan": "notice-2019", "overrides": {"households_per_village": 6}}
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    return content


def _columns(sheet: Any) -> dict[tuple[str, str], int]:
    """(group header, part header) → column number, from the two header rows (2 and 3)."""
    found: dict[tuple[str, str], int] = {}
    group = ""
    for column in range(1, sheet.max_column + 1):
        top = sheet.cell(row=2, column=column).value
        if top is not None:
            group = str(top)
        part = sheet.cell(row=3, column=column).value
        found[(group, str(part) if part is not None else "")] = column
    return found


def _row(sheet: Any, code: str) -> int:
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == code:
            return row
    raise AssertionError(f"{code} not in {sheet.title}")


def _cell(sheet: Any, code: str, chinese: str, part: str) -> Any:
    columns = _columns(sheet)
    matches = [c for (g, p), c in columns.items() if g.startswith(chinese) and p.startswith(part)]
    assert len(matches) == 1, (chinese, part, columns)
    return sheet.cell(row=_row(sheet, code), column=matches[0])


@pytest.fixture
def two_counties(tmp_path: Path) -> tuple[Path, dict[str, dict[str, Any]]]:
    root = tmp_path / "reports"
    contents = {
        "410101": _publish(root, "410101", "测试一县", 1.0),
        "410102": _publish(root, "410102", "测试二县", 2.0),
    }
    return root, contents


def _done(*codes: str, status: str = "done", message: str = "") -> list[CountyOutcome]:
    return [CountyOutcome(f"params/{code}.yaml", code, status, message) for code in codes]


def test_workbook_layout_formats_and_print_setup(two_counties: tuple[Path, dict]) -> None:
    root, _ = two_counties
    written = write_summary(summary_table(_done("410101", "410102"), root), root, run_date=DAY)
    assert written.path == root / "summary.xlsx" and written.note == ""
    book = openpyxl.load_workbook(written.path)
    assert book.sheetnames == [*(f.sheet for f in FAMILIES), "说明 About", "_data"]
    assert book["_data"].sheet_state == "hidden"
    for family in FAMILIES:
        sheet = book[family.sheet]
        assert sheet.freeze_panes == "C4"
        assert sheet.print_title_rows == "$1:$3"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth absent means 1 (the OOXML default); fitToHeight 0: as many pages as needed
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet["A2"].value == "县代码\ncounty code"
        assert sheet["D2"].value == "抽样户数\nhouseholds sampled"
        assert sheet.column_dimensions["C"].width >= 10  # fitted to the status text
        row = _row(sheet, "410101")
        assert sheet.cell(row=row, column=2).value == "测试一县"
        assert sheet.cell(row=row, column=3).value == "本次完成\ndone in this run"
        assert [sheet.cell(row=row, column=c).value for c in (4, 5, 6, 7)] == [
            1520,
            1444,
            "notice-2019 (households_per_village=6)",
            20190601,
        ]
        assert sheet.cell(row=row, column=4).number_format == "#,##0"
    rates = book["错保率"]
    assert _cell(rates, "410101", "低保错保率", "估计值").number_format == "0.00%"
    assert _cell(rates, "410101", "低保错保率", "下限\nlower").number_format == "0.00%"
    assert _cell(rates, "410101", "核查完成率", "").number_format == "0.00%"
    money = _cell(book["不当支付金额"], "410102", "不当支付金额", "上限")
    assert money.number_format == '#,##0" 元"'
    assert "auditlib" in str(book["说明 About"]["B3"].value)
    assert book["说明 About"]["B4"].value == "2026-12-01"


def test_values_equal_the_counties_estimates_json(two_counties: tuple[Path, dict]) -> None:
    root, contents = two_counties
    path = write_summary(summary_table(_done("410101", "410102"), root), root, run_date=DAY).path
    book = openpyxl.load_workbook(path)
    for family in FAMILIES:
        for estimand in family.estimands:
            for code, content in contents.items():
                sheet = book[family.sheet]
                if not estimand.interval:
                    value = _cell(sheet, code, estimand.chinese, "").value
                    assert value == pytest.approx(content["estimates"][estimand.name], rel=1e-15)
                    continue
                detail = content["details"][estimand.name]
                for part in ("估计值", "下限", "上限"):
                    key = {"估计值": "estimate", "下限": "lower", "上限": "upper"}[part]
                    cell = _cell(sheet, code, estimand.chinese, part)
                    assert cell.value == pytest.approx(detail[key], rel=1e-15), (code, key)
                flag = _cell(sheet, code, estimand.chinese, "可靠性").value
                assert flag == ("可靠 / reliable" if detail["reliable"] else "不可靠 / unreliable")


def test_a_failed_county_keeps_its_last_good_values(two_counties: tuple[Path, dict]) -> None:
    root, contents = two_counties
    write_summary(summary_table(_done("410101", "410102"), root), root, run_date=DAY)
    # rerun: 410102 fails and its report folder is gone (only the previous summary has it);
    # 410101 fails with its last published report in place; 410103 never succeeded
    shutil.rmtree(root / "410102")
    outcomes = [
        *_done("410101", "410102", status="failed", message="ReportError: households.csv bad"),
        *_done("410103", status="timeout", message="exceeded the per-county timeout"),
    ]
    table = summary_table(outcomes, root)
    assert list(table["kept"]) == [True, True, False]
    assert list(table["source"]) == ["report", "previous summary", ""]
    path = write_summary(table, root, run_date=DAY).path
    sheet = openpyxl.load_workbook(path)["错保率"]
    for code in ("410101", "410102"):
        status = _cell(sheet, code, "县代码", "").offset(column=2).value
        assert status == "本次失败，保留上次结果\nfailed this run, last good result kept"
        value = _cell(sheet, code, "低保错保率", "估计值").value
        assert value == pytest.approx(contents[code]["details"]["error_rate"]["estimate"])
        note = _cell(sheet, code, "说明", "").value
        assert "households.csv bad" in note
    assert "previous summary" in _cell(sheet, "410102", "说明", "").value
    assert _cell(sheet, "410103", "本次状态", "").value == "超时，无结果\ntimed out, no result"
    assert _cell(sheet, "410103", "低保错保率", "估计值").value is None
    # a further run of 410101 alone keeps the others' rows, marked as not run
    table = summary_table(_done("410101"), root)
    assert list(table["status"]) == ["done", "not_run", "not_run"]
    assert table.loc[1, "error_rate_estimate"] == pytest.approx(
        contents["410102"]["details"]["error_rate"]["estimate"]
    )
    assert table.loc[1, "kept"] and not table.loc[2, "kept"]


def test_a_file_auditlib_did_not_write_is_never_overwritten(
    two_counties: tuple[Path, dict],
) -> None:
    root, _ = two_counties
    foreign = openpyxl.Workbook()
    foreign.active["A1"] = "the bureau's own summary"
    foreign.save(root / "summary.xlsx")
    before = (root / "summary.xlsx").read_bytes()
    table = summary_table(_done("410101", "410102"), root)
    written = write_summary(table, root, run_date=DAY)
    assert (root / "summary.xlsx").read_bytes() == before
    assert written.path == root / "summary-auditlib.xlsx"
    assert "not written by auditlib" in written.note and str(written.path) in written.note
    assert "错保率" in openpyxl.load_workbook(written.path).sheetnames
    # the next batch reads its own workbook beside the foreign one, and rewrites only that
    assert write_summary(table, root, run_date=DAY).path == written.path
    (root / "summary-auditlib.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ReportError, match="neither is overwritten"):
        write_summary(table, root, run_date=DAY)


def test_the_earlier_one_sheet_layout_is_recognised_as_auditlib_s(tmp_path: Path) -> None:
    old = openpyxl.Workbook()
    old.active.title = "summary"
    old.active["A1"] = "county_code"
    old.properties.creator = "auditlib"
    old.save(tmp_path / "summary.xlsx")
    written = write_summary(summary_table([], tmp_path), tmp_path, run_date=DAY)
    assert written.path == tmp_path / "summary.xlsx" and written.note == ""


def test_summary_bytes_are_reproducible(two_counties: tuple[Path, dict]) -> None:
    root, _ = two_counties
    table = summary_table(_done("410101", "410102"), root)
    first = write_summary(table, root, run_date=DAY).path.read_bytes()
    second = write_summary(table, root, run_date=DAY).path.read_bytes()
    assert first == second
    for info in zipfile.ZipFile(root / "summary.xlsx").infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_the_batch_command_says_where_the_summary_went(
    two_counties: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    from auditlib.cli.batch import print_summary

    root, _ = two_counties
    (root / "summary.xlsx").write_text("someone else's file", encoding="utf-8")
    outcomes = [*_done("410101"), *_done("410102", status="failed", message="boom")]
    assert print_summary(outcomes, root) is False
    shown = capsys.readouterr().out
    assert f"summary: {root / 'summary-auditlib.xlsx'}" in shown
    assert "not written by auditlib" in shown
    assert "failed (last good result kept): boom" in shown
