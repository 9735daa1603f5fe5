"""The official statistics form (工作情况统计表) as an xlsx filled from verification results.

The notices ask each county to report: leads received (受理问题线索), leads found in its own
checks (自查发现问题线索), cases opened (立案), officials held accountable (问责人数); households
removed by reason (清退), newly enrolled (新纳入) and deaths removed (死亡注销). What the
verification results can say is filled in: problems found, households to be removed by reason
(the official removal list), deaths removed and households to be newly enrolled, per township and
for the county. What only the bureau knows (leads received from the public, cases opened,
officials held accountable) is left empty and marked for manual entry — never invented.

The file's bytes are reproducible: fixed document timestamps and zip entry dates.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from auditlib.data.codes import ERROR_TYPES
from auditlib.errors import ReportError

__all__ = [
    "FormCounts",
    "form_counts",
    "write_statistics_form",
]

#: Creation time written into every xlsx auditlib makes (with XlsxWriter's in-memory mode,
#: which dates every zip member 1980-01-01, the same content gives the same bytes).
FIXED_CREATION_TIME = datetime(2000, 1, 1, 0, 0, 0)
_REQUIRED = ("household_id", "township", "recipient", "eligible", "error_type")


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
        One row per verified household with columns ``household_id, township, recipient
        (bool), eligible ("yes"/"no"), error_type`` (a code of ``schema.ERROR_TYPES`` or empty).
    county : str
        County name (label of the total row).

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
    rows = [
        _counts(str(township), group) for township, group in verified.groupby("township", sort=True)
    ]
    rows.append(_counts(county, verified))
    return rows


_MANUAL = "（由县民政局填报）"


def write_statistics_form(
    rows: list[FormCounts],
    path: Path,
    *,
    county: str,
    province: str,
    period: str,
    seed: int,
) -> None:
    """Write the 工作情况统计表 xlsx (reproducible bytes).

    Parameters
    ----------
    rows : list of FormCounts
        From :func:`form_counts` (townships, then the county total last).
    path : pathlib.Path
        File to write.
    county, province, period : str
        Header facts (period as text, e.g. ``"2024-01-01 至 2024-12-31"``).
    seed : int
        Seed of the sample the verification belongs to (printed in the note).
    """
    from xlsxwriter import Workbook

    headers = [
        "乡镇(街道)",
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
    buffer = io.BytesIO()
    # In memory, every zip member is dated 1980-01-01; with the fixed creation time the bytes
    # are reproducible.
    workbook = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    workbook.set_properties({"author": "auditlib", "created": FIXED_CREATION_TIME})
    border = {"border": 1, "border_color": "#888888"}
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
    body = workbook.add_format(border)
    total = workbook.add_format({**border, "bold": True})
    sheet = workbook.add_worksheet("工作情况统计表")
    sheet.write_string(
        0,
        0,
        f"{province}{county} 低保专项治理工作情况统计表",
        workbook.add_format({"bold": True, "font_size": 14}),
    )
    sheet.write_string(1, 0, f"统计期间：{period}")
    sheet.write_row(3, 0, headers, header)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(headers) - 1, 14)
    sheet.set_row(3, 60)
    for offset, row in enumerate(rows):
        last = offset == len(rows) - 1
        values: list[object] = [
            f"合计（{row.area}）" if last else row.area,
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
        style = total if last else body
        for column, value in enumerate(values):
            if value is None:  # left for the bureau to fill in
                sheet.write_blank(4 + offset, column, None, style)
            else:
                sheet.write(4 + offset, column, value, style)
    notes = [
        "说明：",
        "1. 核查、清退与新纳入户数为本次入户核查样本中的户数（随机抽样种子 "
        f"{seed}），不是全县总户数；全县估计及其置信区间见核查报告。",
        f"2. 受理问题线索、立案和问责人数无法由核查结果得出，{_MANUAL}。",
        "3. 自查发现问题线索 = 核查认定不符合条件的低保户 + 核查认定符合条件的未纳入户。",
    ]
    for index, text in enumerate(notes):
        sheet.write_string(5 + len(rows) + index, 0, text)
    sheet.freeze_panes(4, 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    workbook.close()
    try:
        path.write_bytes(buffer.getvalue())
    except OSError as error:
        raise ReportError(f"cannot write the statistics form {path}: {error}") from error
