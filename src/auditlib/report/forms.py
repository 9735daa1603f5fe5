"""The official statistics form (工作情况统计表) as an xlsx filled from verification results.

The notices ask each county to report: leads received (受理问题线索), leads found in its own
checks (自查发现问题线索), cases opened (立案), officials held accountable (问责人数); households
removed by reason (清退), newly enrolled (新纳入) and deaths removed (死亡注销). What the
verification results can say is filled in: problems found, households to be removed by reason
(the official removal list), deaths removed and households to be newly enrolled, per township and
for the county. What only the bureau knows (leads received from the public, cases opened,
officials held accountable) is left empty and marked for manual entry — never invented.

Townships come in the report's order (by township code,
:mod:`auditlib.report.township_order`). The sheet prints on A4 landscape, one page wide and as
many tall as needed, at 80–85 % (about 9 pt text); the column headers repeat on every page, the
page header names the county and the footer numbers the pages.

The file's bytes are reproducible: fixed document timestamps and zip entry dates.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from auditlib.data.codes import ERROR_TYPES
from auditlib.errors import ReportError
from auditlib.report.township_order import township_order

__all__ = [
    "FormCounts",
    "form_count_headers",
    "form_count_values",
    "form_counts",
    "write_statistics_form",
]

#: Creation time written into every xlsx auditlib makes (with XlsxWriter's in-memory mode,
#: which dates every zip member 1980-01-01, the same content gives the same bytes).
FIXED_CREATION_TIME = datetime(2000, 1, 1, 0, 0, 0)
_REQUIRED = ("household_id", "township_code", "township", "recipient", "eligible", "error_type")


@dataclass(frozen=True)
class FormCounts:
    """Counts of one row of the form (a township or the whole county).

    Attributes
    ----------
    area : str
        Township name, or the county name for the total row.
    verified_recipients, verified_non_recipients : int
        Households visited.
    problems_found : int
        Households with a problem found (ineligible recipients + eligible non-recipients).
    removals : dict of str to int
        Recipient households found ineligible, by error type code (ERROR_TYPES order).
    deaths_removed : int
        Of those, households removed because a counted member had died.
    newly_enrolled : int
        Non-recipient households found eligible (to be enrolled).
    """

    area: str
    verified_recipients: int
    verified_non_recipients: int
    problems_found: int
    removals: Mapping[str, int]
    deaths_removed: int
    newly_enrolled: int

    @property
    def removed_total(self) -> int:
        """Households to be removed, all reasons."""
        return int(sum(self.removals.values()))


def _counts(area: str, table: pd.DataFrame) -> FormCounts:
    recipients = table[table["recipient"].astype(bool)]
    non_recipients = table[~table["recipient"].astype(bool)]
    ineligible = recipients[recipients["eligible"] == "no"]
    types = ineligible["error_type"].astype("string").fillna("")
    removals = {code: int((types == code).sum()) for code in ERROR_TYPES}
    newly = int((non_recipients["eligible"] == "yes").sum())
    return FormCounts(
        area=area,
        verified_recipients=len(recipients),
        verified_non_recipients=len(non_recipients),
        problems_found=len(ineligible) + newly,
        removals=removals,
        deaths_removed=removals["deceased_member"],
        newly_enrolled=newly,
    )


def form_counts(verified: pd.DataFrame, county: str) -> list[FormCounts]:
    """Count the form's rows from verified households: one per township, then the county.

    Parameters
    ----------
    verified : pandas.DataFrame
        One row per verified household with columns ``household_id, township_code, township,
        recipient (bool), eligible ("yes"/"no"), error_type`` (a code of ``schema.ERROR_TYPES``
        or empty).
    county : str
        County name (label of the total row).

    Returns
    -------
    list of FormCounts
        One per township in the report's order (by township code,
        :func:`auditlib.report.township_order.township_order`), then the county.

    Raises
    ------
    ReportError
        When a column is missing or an ineligible household has an unknown error type.
    """
    missing = [column for column in _REQUIRED if column not in verified.columns]
    if missing:
        raise ReportError(
            f"verification results lack column(s) {', '.join(missing)} needed for the "
            f"statistics form; expected {', '.join(_REQUIRED)}"
        )
    ineligible_types = verified.loc[verified["eligible"] == "no", "error_type"].dropna()
    unknown = sorted(set(ineligible_types.astype(str)) - set(ERROR_TYPES))
    if unknown:
        raise ReportError(
            f"verification results have unknown error type(s) {unknown}; expected one of "
            f"{', '.join(ERROR_TYPES)}"
        )
    codes = verified["township_code"].astype(str)
    rows = [_counts(name, verified[codes == code]) for code, name in township_order(verified)]
    rows.append(_counts(county, verified))
    return rows


_MANUAL = "（由县民政局填报）"

# Print layout: A4 landscape, fitted to one page wide and as many pages tall as the townships
# need, never shrunk below a readable size. The scale the spreadsheet chooses to fit the width
# follows from the column widths, counted in digits of the default font (Arial 10, 7 px a
# digit; a width of w characters is trunc(7·w + 0.5) + 5 px, 0.75 pt a pixel):
#   printable width = 297 mm (841.9 pt) − 2 × 0.3 in margins (43.2 pt)   = 798.7 pt
#   columns = township 16 (117 px) + 21 counts × 7 (54 px) = 1,251 px    = 938.3 pt
#   scale = 798.7 / 938.3 = 0.851 → Excel prints at 85 %: 11 pt × 0.85 = 9.4 pt ≥ 8 pt.
# LibreOffice counts Liberation Sans digits unrounded (7.4 px), so its columns are ~6 % wider
# and it prints at 80 %: 8.8 pt (measured in the PDF by tests/test_statistics_form.py, which
# also recomputes the Excel figure from the written file). Each added column (a new removal
# reason in ERROR_TYPES) costs about 3 points of scale; below 8 pt that test fails, and the
# form should then go two pages wide with the township column repeated, not shrink further.
FONT_SIZE = 11.0
TITLE_FONT_SIZE = 14.0
#: Smallest font size (pt) the printed form may have after fitting to the page width.
MIN_PRINTED_FONT_SIZE = 8.0
AREA_WIDTH = 16.0
COUNT_WIDTH = 7.0
SIDE_MARGIN_INCHES = 0.3
_HEADER_ROW = 3
_LINE_HEIGHT = 16.0  # pt per wrapped line at 11 pt (CJK fonts are taller than Calibri)
_A4 = 9  # the paper code of A4 in OOXML
_DEFAULT_FONT = {"font_name": "Arial", "font_size": 10, "font_scheme": "none"}


def _text_lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide at 11 pt.

    A CJK character is about 15 px wide at 11 pt, a digit or Latin letter about 7 px; the cell
    keeps about 6 px of padding.
    """
    usable = int(7 * width + 0.5) + 5 - 6
    lines, used = 1, 0
    for character in text:
        size = 15 if unicodedata.east_asian_width(character) in "WF" else 7
        if used + size > usable:
            lines, used = lines + 1, 0
        used += size
    return lines


def _header_footer_text(text: str) -> str:
    """Text for a page header or footer (``&`` starts a code there)."""
    return text.replace("&", "&&")


def form_count_headers() -> list[str]:
    """The statistics form's count columns, after its first (area) column."""
    return [
        "核查低保户数",
        "核查未纳入户数",
        "受理问题线索(条)",
        "自查发现问题线索(条)",
        "立案(件)",
        "问责人数(人)",
        "应清退户数合计",
        *[f"清退:{label}" for label in ERROR_TYPES.values()],
        "其中死亡注销(户)",
        "应新纳入户数",
    ]


def form_count_values(row: FormCounts) -> list[object]:
    """One row's values under :func:`form_count_headers` (``None``: left for the bureau)."""
    return [
        row.verified_recipients,
        row.verified_non_recipients,
        None,
        row.problems_found,
        None,
        None,
        row.removed_total,
        *[row.removals[code] for code in ERROR_TYPES],
        row.deaths_removed,
        row.newly_enrolled,
    ]


def write_statistics_form(
    rows: list[FormCounts],
    path: Path,
    *,
    county: str,
    province: str,
    period: str,
    seed: int,
) -> None:
    """Write the 工作情况统计表 xlsx (reproducible bytes), set up to print on A4 landscape.

    The page is fitted to one page wide, as many tall as needed (at 85 %: 9.4 pt text, see the
    comment above ``FONT_SIZE``), the column headers repeat on every page, the page header names
    the county and the form, the footer numbers the pages (第 n 页，共 m 页).

    Parameters
    ----------
    rows : list of FormCounts
        From :func:`form_counts` (townships in report order, then the county total last).
    path : pathlib.Path
        File to write.
    county, province, period : str
        Header facts (period as text, e.g. ``"2024-01-01 至 2024-12-31"``).
    seed : int
        Seed of the sample the verification belongs to (printed in the note).

    Raises
    ------
    ReportError
        When the file cannot be written.
    """
    from xlsxwriter import Workbook

    headers = ["乡镇(街道)", *form_count_headers()]
    last_column = len(headers) - 1
    buffer = io.BytesIO()
    # In memory, every zip member is dated 1980-01-01; with the fixed creation time the bytes
    # are reproducible.
    workbook = Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            # Column widths count digits of the default font: Arial 10 (7 px a digit, as
            # Calibri 11) is Liberation Sans, same metrics, wherever LibreOffice runs, while a
            # Calibri missing there is replaced by a wider font and the page shrinks to 63 %.
            "default_format_properties": _DEFAULT_FONT,
        },
    )
    workbook.set_properties({"author": "auditlib", "created": FIXED_CREATION_TIME})
    border = {"border": 1, "border_color": "#888888", "font_size": FONT_SIZE}
    header = workbook.add_format(
        {
            **border,
            "bold": True,
            "bg_color": "#DDE6F0",
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
        }
    )
    body = workbook.add_format({**border, "valign": "vcenter"})
    area = workbook.add_format({**border, "text_wrap": True, "valign": "vcenter"})
    total = workbook.add_format({**border, "bold": True, "text_wrap": True, "valign": "vcenter"})
    plain = workbook.add_format({"font_size": FONT_SIZE, "text_wrap": True, "valign": "top"})
    title = f"{province}{county} 低保专项治理工作情况统计表"
    sheet = workbook.add_worksheet("工作情况统计表")
    sheet.merge_range(
        0,
        0,
        0,
        last_column,
        title,
        workbook.add_format({"bold": True, "font_size": TITLE_FONT_SIZE, "align": "center"}),
    )
    sheet.set_row(0, 24)
    sheet.merge_range(1, 0, 1, last_column, f"统计期间：{period}", plain)
    sheet.write_row(_HEADER_ROW, 0, headers, header)
    sheet.set_column(0, 0, AREA_WIDTH)
    sheet.set_column(1, last_column, COUNT_WIDTH)
    header_lines = max(
        _text_lines(text, AREA_WIDTH if index == 0 else COUNT_WIDTH)
        for index, text in enumerate(headers)
    )
    sheet.set_row(_HEADER_ROW, (header_lines + 0.5) * _LINE_HEIGHT)  # half a line to spare
    for offset, row in enumerate(rows):
        last = offset == len(rows) - 1
        label = f"合计（{row.area}）" if last else row.area
        values = form_count_values(row)
        line = _HEADER_ROW + 1 + offset
        sheet.write_string(line, 0, label, total if last else area)
        for column, value in enumerate(values, start=1):
            style = total if last else body
            if value is None:  # left for the bureau to fill in
                sheet.write_blank(line, column, None, style)
            else:
                sheet.write(line, column, value, style)
        # Taller than the default 15 pt: CJK fonts need it, and a long name wraps.
        sheet.set_row(line, _text_lines(label, AREA_WIDTH) * _LINE_HEIGHT + 2)
    notes = [
        "说明：",
        "1. 核查、清退与新纳入户数为本次入户核查样本中的户数（随机抽样种子 "
        f"{seed}），不是全县总户数；全县估计及其置信区间见核查报告。",
        f"2. 受理问题线索、立案和问责人数无法由核查结果得出，{_MANUAL}。",
        "3. 自查发现问题线索 = 核查认定不符合条件的低保户 + 核查认定符合条件的未纳入户。",
    ]
    table_width = AREA_WIDTH + COUNT_WIDTH * last_column
    first_note = _HEADER_ROW + 2 + len(rows)
    for index, text in enumerate(notes):
        line = first_note + index
        sheet.merge_range(line, 0, line, last_column, text, plain)
        sheet.set_row(line, _text_lines(text, table_width) * _LINE_HEIGHT + 2)
    last_row = first_note + len(notes) - 1
    sheet.freeze_panes(_HEADER_ROW + 1, 1)
    sheet.set_landscape()
    sheet.set_paper(_A4)
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(_HEADER_ROW)
    sheet.print_area(0, 0, last_row, last_column)
    sheet.set_margins(left=SIDE_MARGIN_INCHES, right=SIDE_MARGIN_INCHES, top=0.75, bottom=0.75)
    sheet.center_horizontally()
    sheet.set_header(
        f"&L{_header_footer_text(province + county)}&R{_header_footer_text('工作情况统计表')}",
        {"margin": 0.3, "scale_with_doc": False},
    )
    sheet.set_footer(
        f"&L{_header_footer_text(f'统计期间：{period}')}&C第 &P 页，共 &N 页",
        {"margin": 0.3, "scale_with_doc": False},
    )
    workbook.close()
    try:
        path.write_bytes(buffer.getvalue())
    except OSError as error:
        raise ReportError(f"cannot write the statistics form {path}: {error}") from error
