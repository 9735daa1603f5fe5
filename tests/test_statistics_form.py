"""The statistics form (工作情况统计表) prints readably and lists townships in the report's order.

An auditor found the form printed at 3–4 pt on one page, its townships ordered by name while
the report orders them by code. These tests read the written workbook back (openpyxl) and,
where LibreOffice is installed, print it to PDF and read the pages.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from auditlib.errors import ReportError
from auditlib.report.forms import MIN_PRINTED_FONT_SIZE, form_counts, write_statistics_form
from auditlib.report.township_order import sort_by_township, township_order

COUNTY = "示例县"
# Names in an order unlike their codes (codes 101.. are towns 镇, 201.. townships 乡), and one
# long name that has to wrap.
NAMES = ["双岭镇", "竹塘镇", "岭坎镇", "松头镇", "银泉镇", "龙江镇", "水口镇", "石洞镇"]
NAMES += ["杨寨镇", "竹寨乡", "青庄乡", "团岭土家族苗族自治乡"]


def verified_households(townships: int = 12, per_township: int = 6) -> pd.DataFrame:
    """Verified households of ``townships`` townships, rows shuffled out of code order."""
    rows = []
    for index in range(townships):
        code = f"410101{101 + index if index < 9 else 201 + index - 9:03d}"
        name = NAMES[index] if index < len(NAMES) else f"第{index + 1}镇"
        for number in range(per_township):
            recipient = number != 0
            rows.append(
                {
                    "household_id": f"{code}-{number}",
                    "township_code": code,
                    "township": name,
                    "recipient": recipient,
                    "eligible": "no" if recipient and number % 3 == 1 else "yes",
                    "error_type": "car_owner" if recipient and number % 3 == 1 else None,
                }
            )
    table = pd.DataFrame(rows)
    return table.sample(frac=1.0, random_state=3).reset_index(drop=True)


def write_form(table: pd.DataFrame, path: Path) -> Path:
    rows = form_counts(table, COUNTY)
    write_statistics_form(
        rows, path, county=COUNTY, province="测试省", period="2024-01-01 至 2024-12-31", seed=7
    )
    return path


@pytest.fixture
def sheet(tmp_path: Path) -> openpyxl.worksheet.worksheet.Worksheet:
    book = openpyxl.load_workbook(write_form(verified_households(), tmp_path / "form.xlsx"))
    return book.active


def test_prints_on_a4_landscape_one_page_wide_with_repeated_headers(sheet) -> None:
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert str(setup.paperSize) == "9"  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1) == 1  # absent means 1 (OOXML default): one page wide
    assert setup.fitToHeight == 0  # as many pages tall as needed, not all on one page
    assert sheet.print_title_rows == "$4:$4"  # the column headers on every page
    assert sheet.cell(4, 1).value == "乡镇(街道)"
    assert all(sheet.cell(4, column).alignment.wrap_text for column in range(1, 23))
    assert COUNTY in sheet.oddHeader.left.text
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert sheet.print_area.endswith("$A$1:$V$22")  # 12 townships, total, blank, 4 notes
    assert sheet.page_margins.left >= 0.25 and sheet.page_margins.right >= 0.25


def _column_points(sheet) -> float:
    """Printed width of all columns at 100 % (OOXML: pixels = trunc((256·w + trunc(128/7))
    / 256 · 7) for a maximum digit width of 7 px, the default font Arial 10; 0.75 pt a px)."""
    total = 0.0
    for dimension in sheet.column_dimensions.values():
        pixels = math.trunc((256 * dimension.width + math.trunc(128 / 7)) / 256 * 7)
        total += pixels * 0.75 * (dimension.max - dimension.min + 1)
    return total


def test_fitted_to_the_width_every_font_stays_at_least_8_pt(sheet) -> None:
    default = sheet.parent._fonts[0]
    assert (default.name, default.sz) == ("Arial", 10)  # the 7 px digit the widths count
    printable = 297 / 25.4 * 72 - 72 * (sheet.page_margins.left + sheet.page_margins.right)
    # township 16 + 21 counts × 7 characters = 117 + 21 × 54 px = 938.25 pt; printable 798.7 pt
    assert _column_points(sheet) == pytest.approx(938.25)
    scale = min(1.0, math.floor(100 * printable / _column_points(sheet)) / 100)
    assert scale == 0.85  # LibreOffice, whose digits are 7.4 px, prints at 80 % (slow test)
    sizes = {cell.font.sz for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert min(sizes) * scale >= MIN_PRINTED_FONT_SIZE, (sorted(sizes), scale)


def test_townships_in_the_report_order(sheet) -> None:
    table = verified_households()
    order = township_order(table)
    assert [code for code, _ in order] == sorted(table["township_code"].unique())
    assert [row.area for row in form_counts(table, COUNTY)] == [
        *(name for _, name in order),
        COUNTY,
    ]
    printed = [sheet.cell(row, 1).value for row in range(5, 5 + len(order))]
    assert printed == [name for _, name in order]
    assert printed != sorted(printed), "the names' own order differs: the test can tell"
    assert sort_by_township(table)["township_code"].is_monotonic_increasing


def test_township_code_is_required() -> None:
    table = verified_households().drop(columns="township_code")
    with pytest.raises(ReportError, match="township_code"):
        form_counts(table, COUNTY)


def _pdf(xlsx: Path, folder: Path) -> Path:
    profile = (folder / "lo-profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(folder), str(xlsx)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return folder / f"{xlsx.stem}.pdf"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_printed_with_libreoffice_headers_on_every_page(tmp_path: Path) -> None:
    from pypdf import PdfReader

    table = verified_households(townships=40)  # a district of 40 townships: several pages
    pdf = _pdf(write_form(table, tmp_path / "form.xlsx"), tmp_path)
    # pypdf spaces CJK text its own way: compare without whitespace
    pages = ["".join(page.extract_text().split()) for page in PdfReader(pdf).pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "乡镇(街道)" in text, f"page {number} lacks the column headers"
        assert f"测试省{COUNTY}" in text, f"page {number} lacks the county in its header"
        assert f"第{number}页，共{len(pages)}页" in text
    printed = "".join(pages)
    names = [name for _, name in township_order(table)]
    positions = [printed.index(name) for name in names[:9]]  # unique names, codes 101..109
    assert positions == sorted(positions)
    if shutil.which("pdftotext"):  # glyph sizes: a CJK character is 1 em wide
        boxes = subprocess.run(
            ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for name in ("双岭镇", "竹塘镇"):
            line = next(line for line in boxes.splitlines() if f">{name}<" in line)
            left = float(line.split('xMin="')[1].split('"')[0])
            right = float(line.split('xMax="')[1].split('"')[0])
            assert (right - left) / len(name) >= MIN_PRINTED_FONT_SIZE, line
