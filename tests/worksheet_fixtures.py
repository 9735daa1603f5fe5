"""Filling issued worksheets in tests, as a field team would (openpyxl, labels as typed)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from auditlib.data.codes import ERROR_TYPES, FIELD_STATUSES
from auditlib.fieldwork.layout import CODES_SHEET, HEADER_ROW, WORKSHEET_COLUMNS


def fill_worksheet(
    path: Path, answers: pd.DataFrame, statuses: Mapping[str, str] | None = None
) -> int:
    """Type answers into an issued workbook as a field team would; return rows filled."""
    column = {c.key: i + 1 for i, c in enumerate(WORKSHEET_COLUMNS)}
    table = answers.set_index("household_id")
    book = load_workbook(path)
    filled = 0
    for sheet in book.worksheets:
        if sheet.title == CODES_SHEET:
            continue
        for row in range(HEADER_ROW + 1, sheet.max_row + 1):
            household = sheet.cell(row, column["household_id"]).value
            if household is None or household not in table.index:
                continue
            status = (statuses or {}).get(household, "verified")
            sheet.cell(row, column["status"]).value = FIELD_STATUSES[status]
            filled += 1
            if status != "verified":
                sheet.cell(row, column["notes"]).value = "三次上门未见"
                continue
            answer = table.loc[household]
            sheet.cell(row, column["eligible"]).value = (
                "是" if answer["eligible"] == "yes" else "否"
            )
            if not pd.isna(answer["error_type"]):
                code = answer["error_type"]
                sheet.cell(row, column["error_type"]).value = f"{code} {ERROR_TYPES[code]}"
            if not pd.isna(answer["correct_benefit"]):
                sheet.cell(row, column["correct_benefit"]).value = float(answer["correct_benefit"])
            anomaly = answer.get("payment_anomaly")
            if anomaly is not None and not pd.isna(anomaly):
                sheet.cell(row, column["payment_anomaly"]).value = (
                    "是" if anomaly == "yes" else "否"
                )
            sheet.cell(row, column["verifier"]).value = answer["verifier"]
            sheet.cell(row, column["verification_date"]).value = answer["verification_date"].date()
    book.save(path)
    return filled
