"""The provincial statistics form (工作情况统计表): the county forms summed.

Each county report's ``statistics_form.xlsx`` ends with its total row (``合计（<county>）``);
the provincial form lists those rows, one per county, and their sum. Columns the bureaus fill
in by hand (leads received, cases opened, officials held accountable) stay empty, as on the
county forms. The bytes are reproducible (fixed creation time, in-memory zip).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from auditlib.data.atomic import atomic_write_bytes
from auditlib.data.codes import ERROR_TYPES
from auditlib.errors import DataError, Problem
from auditlib.report.forms import (
    FIXED_CREATION_TIME,
    FormCounts,
    form_count_headers,
    form_count_values,
)

__all__ = ["read_county_form", "sum_forms", "write_province_form"]

_TOTAL_PREFIX = "合计（"
_FIRST_REMOVAL_COLUMN = 8


def read_county_form(path: Path) -> tuple[FormCounts, str]:
    """The total row of a county's statistics form and its period text.

    Raises
    ------
    DataError
        When the file has no total row (``合计（…）``) of the form's shape.
    """
    from openpyxl import load_workbook  # heavy; only when a form is read

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise DataError(
            f"{path} cannot be read as a statistics form: {error}",
            [Problem(str(path), None, None, type(error).__name__, "an xlsx form")],
        ) from None
    period = next(
        (str(r[0]) for r in rows if r and isinstance(r[0], str) and r[0].startswith("统计期间")), ""
    )
    for row in rows:
        label = row[0] if row else None
        if isinstance(label, str) and label.startswith(_TOTAL_PREFIX):
            values = [int(v) if isinstance(v, int | float) else 0 for v in row[1:]]
            removals = dict(
                zip(
                    ERROR_TYPES,
                    values[
                        _FIRST_REMOVAL_COLUMN - 1 : _FIRST_REMOVAL_COLUMN - 1 + len(ERROR_TYPES)
                    ],
                    strict=True,
                )
            )
            return FormCounts(
                area=label.removeprefix(_TOTAL_PREFIX).removesuffix("）"),
                verified_recipients=values[0],
                verified_non_recipients=values[1],
                problems_found=values[3],
                removals=removals,
                deaths_removed=values[-2],
                newly_enrolled=values[-1],
            ), period.removeprefix("统计期间：")
    raise DataError(
        f"{path} has no total row (合计（…）) of a county statistics form",
        [Problem(str(path), None, "乡镇(街道)", "<no total row>", "a row 合计（<county>）")],
    )


def sum_forms(rows: Sequence[FormCounts], area: str) -> FormCounts:
    """The sum of form rows, labelled ``area``."""
    return FormCounts(
        area=area,
        verified_recipients=sum(r.verified_recipients for r in rows),
        verified_non_recipients=sum(r.verified_non_recipients for r in rows),
        problems_found=sum(r.problems_found for r in rows),
        removals={code: sum(r.removals[code] for r in rows) for code in ERROR_TYPES},
        deaths_removed=sum(r.deaths_removed for r in rows),
        newly_enrolled=sum(r.newly_enrolled for r in rows),
    )


def write_province_form(
    rows: Sequence[FormCounts], path: Path, *, province: str, period: str
) -> None:
    """Write the provincial form: one row per county, the sum last (``rows`` ends with it)."""
    from xlsxwriter import Workbook  # heavy; only when a form is written

    headers = ["县(市、区)", *form_count_headers()]
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    workbook.set_properties({"author": "auditlib", "created": FIXED_CREATION_TIME})
    bold = workbook.add_format({"bold": True, "border": 1})
    cell = workbook.add_format({"border": 1})
    sheet = workbook.add_worksheet("工作情况统计表")
    sheet.write_string(0, 0, f"{province} 低保专项治理工作情况统计表（各县汇总）", bold)
    sheet.write_string(1, 0, f"统计期间：{period}")
    sheet.write_row(3, 0, headers, bold)
    for offset, row in enumerate(rows):
        last = offset == len(rows) - 1
        style = bold if last else cell
        values = [f"合计（{row.area}）" if last else row.area, *form_count_values(row)]
        for column, value in enumerate(values):
            if value is None:
                sheet.write_blank(4 + offset, column, None, style)
            else:
                sheet.write(4 + offset, column, value, style)
    note = 5 + len(rows)
    sheet.write_string(
        note,
        0,
        "说明：各县核查样本中的户数之和（各县统计表合计行相加），不是全省总户数；全省估计及其"
        "置信区间见省级汇总报告。受理问题线索、立案和问责人数由各县民政局填报。",
    )
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(headers) - 1, 10)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    workbook.close()
    atomic_write_bytes(path, buffer.getvalue())
