"""Typing answers into issued worksheets as a field team would (training and tests).

:func:`fill_worksheet` writes each household's answer into the row it was issued in, with the
labels a person would choose from the worksheet's drop-down lists (``是``/``否``, ``code label``
for an error type, the status label). It is how simulated returns for the example counties are
made (``auditlib fieldwork simulate``); real returns come from the field teams.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from auditlib.data.codes import ERROR_TYPES, FIELD_STATUSES
from auditlib.fieldwork.layout import CODES_SHEET, HEADER_ROW, WORKSHEET_COLUMNS

__all__ = ["fill_worksheet"]

#: Note typed for a household that was not verified, when the answers carry none.
ABSENT_NOTE = "三次上门未见"


def fill_worksheet(
    path: Path, answers: pd.DataFrame, statuses: Mapping[str, str] | None = None
) -> int:
    """Type answers into an issued workbook in place; return the number of rows filled.

    Parameters
    ----------
    path : pathlib.Path
        A worksheet workbook as issued by phase 1 (or a copy of it).
    answers : pandas.DataFrame
        Columns of the verification contract (``household_id``, ``eligible``, ``error_type``,
        ``correct_benefit``, ``payment_anomaly``, ``verifier``, ``verification_date`` and
        optionally ``status`` and ``notes``). Households of the workbook not in ``answers``
        are left blank (pending).
    statuses : mapping, optional
        Status code per household, overriding the ``status`` column (default ``verified``).

    Returns
    -------
    int
        Rows filled.
    """
    column = {c.key: i + 1 for i, c in enumerate(WORKSHEET_COLUMNS)}
    table = answers.set_index(answers["household_id"].astype(str))
    book = load_workbook(path)
    filled = 0
    for sheet in book.worksheets:
        if sheet.title == CODES_SHEET:
            continue
        for row in range(HEADER_ROW + 1, sheet.max_row + 1):
            household = sheet.cell(row, column["household_id"]).value
            if household is None or str(household) not in table.index:
                continue
            answer = table.loc[str(household)]
            status = _status(answer, str(household), statuses)
            sheet.cell(row, column["status"]).value = FIELD_STATUSES[status]
            filled += 1
            if status != "verified":
                note = answer.get("notes")
                absent = ABSENT_NOTE if note is None or pd.isna(note) else str(note)
                sheet.cell(row, column["notes"]).value = absent
                continue
            _type_verdict(sheet, row, column, answer)
    book.save(path)
    return filled


def _status(answer: pd.Series, household: str, statuses: Mapping[str, str] | None) -> str:
    if statuses is not None and household in statuses:
        return statuses[household]
    status = answer.get("status")
    return "verified" if status is None or pd.isna(status) else str(status)


def _type_verdict(sheet: Worksheet, row: int, column: Mapping[str, int], answer: pd.Series) -> None:
    """The verdict columns of one verified household."""
    cell = sheet.cell
    cell(row, column["eligible"]).value = "是" if answer["eligible"] == "yes" else "否"
    if not pd.isna(answer["error_type"]):
        code = answer["error_type"]
        cell(row, column["error_type"]).value = f"{code} {ERROR_TYPES[code]}"
    if not pd.isna(answer["correct_benefit"]):
        cell(row, column["correct_benefit"]).value = float(answer["correct_benefit"])
    anomaly = answer.get("payment_anomaly")
    if anomaly is not None and not pd.isna(anomaly):
        cell(row, column["payment_anomaly"]).value = "是" if anomaly == "yes" else "否"
    cell(row, column["verifier"]).value = answer["verifier"]
    cell(row, column["verification_date"]).value = pd.Timestamp(answer["verification_date"]).date()
