"""Reading filled worksheets: one pass over the files, collecting answers and problems.

Used by :func:`auditlib.fieldwork.importing.import_worksheets`; every problem names the file and
sheet, the row, the column, the value found and what was expected.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from auditlib.data.codes import ERROR_TYPES
from auditlib.data.idcard import mask_id_number
from auditlib.data.schema import BOOL_FALSE, BOOL_TRUE
from auditlib.errors import Problem
from auditlib.fieldwork.layout import (
    ANSWER_COLUMNS,
    CODES_SHEET,
    HEADER_ROW,
    WORKSHEET_COLUMNS,
    identity_digest,
)
from auditlib.sampling.sample import Sample

__all__ = ["WorksheetReader"]

_ELIGIBLE = {
    **dict.fromkeys(BOOL_TRUE | {"符合"}, "yes"),
    **dict.fromkeys(BOOL_FALSE | {"不符合"}, "no"),
}
_ERROR_TYPES: dict[str, str] = {}
for _code, _label in ERROR_TYPES.items():
    for _spelling in (_code, _label, f"{_code} {_label}"):
        _ERROR_TYPES[_spelling.lower()] = _code


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for form in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


class WorksheetReader:
    """Collects answers and problems from the files of one import."""

    def __init__(self, sample: Sample, issued: Mapping[str, Any]) -> None:
        self.sampled = set(sample.table["household_id"].astype(str))
        recipients = sample.table.loc[sample.table["recipient"], "household_id"]
        self.recipients = set(recipients.astype(str))
        self.issued: Mapping[str, Any] = issued["households"]
        self.start = date.fromisoformat(str(issued["audit_period_start"]))
        self.problems: list[Problem] = []
        self.answers: dict[str, dict[str, Any]] = {}
        self.where: dict[str, tuple[str, int]] = {}
        self.conflicted: set[str] = set()
        # sheet title (a township code, unique across workbooks) -> (file, households seen)
        self.seen: dict[str, tuple[str, set[str]]] = {}

    def problem(
        self,
        place: str,
        row: int | None,
        column: str | None,
        value: str,
        expected: str,
        code: str,
        severity: str = "error",
    ) -> None:
        self.problems.append(Problem(place, row, column, value, expected, severity, code))

    def read_file(self, path: Path) -> None:
        name = str(path)
        if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
            self.problem(
                name,
                None,
                None,
                path.suffix,
                "the .xlsx worksheet as issued: this file was saved as CSV, which drops the "
                "sheets, the drop-down lists and the identity checks; import the xlsx (or copy "
                "the answers back into the issued xlsx)",
                "worksheet_csv",
            )
            return
        if not path.is_file():
            self.problem(name, None, None, name, "an existing worksheet file", "worksheet_missing")
            return
        if not zipfile.is_zipfile(path):
            self.problem(
                name,
                None,
                None,
                path.suffix,
                "an .xlsx workbook (this file is not one; was it saved as CSV or another format "
                "and renamed?)",
                "worksheet_not_xlsx",
            )
            return
        try:
            workbook = load_workbook(path, data_only=True)
        except Exception as error:  # openpyxl raises many types for damaged files
            self.problem(
                name,
                None,
                None,
                type(error).__name__,
                "a readable .xlsx workbook",
                "worksheet_unreadable",
            )
            return
        for sheet in workbook.worksheets:
            if sheet.title == CODES_SHEET:
                continue
            self.read_sheet(path, sheet)

    def read_sheet(self, path: Path, sheet: Any) -> None:
        place = f"{path.name}[{sheet.title}]"
        headers = [_text(cell.value) for cell in sheet[HEADER_ROW]]
        position: dict[str, int] = {}
        for index, header in enumerate(headers):
            key = header.split("\n")[-1].strip()
            position[key] = index
        needed = [c.key for c in WORKSHEET_COLUMNS if c.key != "row_number"]
        absent = [key for key in needed if key not in position]
        if absent:
            self.problem(
                place,
                HEADER_ROW,
                absent[0],
                ", ".join(absent),
                "the header row of the issued worksheet (columns were deleted or renamed)",
                "worksheet_header",
            )
            return
        self.seen.setdefault(sheet.title, (path.name, set()))
        for row_number, cells in enumerate(
            sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True), start=HEADER_ROW + 1
        ):
            values = {
                key: cells[index] if index < len(cells) else None for key, index in position.items()
            }
            if all(_text(v) == "" for v in values.values()):
                continue
            self.read_row(place, path.name, sheet.title, row_number, values)

    def read_row(
        self, place: str, file: str, sheet: str, row: int, values: Mapping[str, Any]
    ) -> None:
        household = _text(values["household_id"])
        if household == "":
            self.problem(
                place, row, "household_id", "", "the household id as issued", "worksheet_no_id"
            )
            return
        if household not in self.sampled:
            self.problem(
                place,
                row,
                "household_id",
                household,
                "a household of the drawn sample (this one was not drawn)",
                "household_not_sampled",
            )
            return
        self.seen[sheet][1].add(household)
        issued = self.issued.get(household)
        digest = identity_digest(
            household, _text(values["head_name"]), _text(values["head_id_number"])
        )
        if issued is not None and digest != issued["identity_sha256"]:
            shown = mask_id_number(_text(values["head_id_number"]))
            self.problem(
                place,
                row,
                "head_name/head_id_number",
                shown,
                "the identity cells as issued (name or ID number was changed); "
                "correct the household register, not the worksheet",
                "identity_changed",
            )
            return
        answer, ok = self.parse_answer(place, row, values, household in self.recipients)
        if not ok or answer is None:
            return
        if household in self.answers:
            first_place, first_row = self.where[household]
            if answer == self.answers[household]:
                self.problem(
                    place,
                    row,
                    "household_id",
                    household,
                    f"each household once (also at {first_place} row {first_row}; "
                    "same answer, kept once)",
                    "duplicate_household",
                    "warning",
                )
            else:
                self.problem(
                    place,
                    row,
                    "household_id",
                    household,
                    f"each household once (also at {first_place} row {first_row} "
                    "with a different answer; neither imported)",
                    "duplicate_household",
                )
                self.conflicted.add(household)
            return
        self.answers[household] = answer
        self.where[household] = (place, row)

    def parse_answer(
        self, place: str, row: int, values: Mapping[str, Any], recipient: bool
    ) -> tuple[dict[str, Any] | None, bool]:
        raw = {key: values[key] for key in ANSWER_COLUMNS}
        if all(_text(v) == "" for v in raw.values()):
            return None, True
        before = len(self.problems)
        eligible = _ELIGIBLE.get(_text(raw["eligible"]).lower())
        if eligible is None:
            self.problem(
                place, row, "eligible", _text(raw["eligible"]), "是 or 否 (yes/no)", "answer_code"
            )
        error_text = _text(raw["error_type"])
        error_type = _ERROR_TYPES.get(error_text.lower()) if error_text else None
        if error_text and error_type is None:
            self.problem(
                place,
                row,
                "error_type",
                error_text,
                "an entry of the drop-down list (schema.ERROR_TYPES)",
                "answer_code",
            )
        if eligible == "no" and recipient and not error_text:
            self.problem(
                place,
                row,
                "error_type",
                "",
                "the reason this recipient household is not eligible",
                "answer_missing",
            )
        if eligible == "yes" and error_text:
            self.problem(
                place,
                row,
                "error_type",
                error_text,
                "empty when the household is eligible",
                "answer_inconsistent",
            )
        benefit: float | None = None
        if _text(raw["correct_benefit"]) != "":
            try:
                benefit = float(_text(raw["correct_benefit"]))
            except ValueError:
                benefit = None
            if benefit is None or not 0 <= benefit <= 100_000:
                self.problem(
                    place,
                    row,
                    "correct_benefit",
                    _text(raw["correct_benefit"]),
                    "a number of yuan per month between 0 and 100000",
                    "answer_number",
                )
        verifier = _text(raw["verifier"])
        if verifier == "":
            self.problem(place, row, "verifier", "", "the name of who verified", "answer_missing")
        when = _as_date(raw["verification_date"])
        if when is None or when < self.start or when > date.today():
            self.problem(
                place,
                row,
                "verification_date",
                _text(raw["verification_date"]),
                f"a date between {self.start.isoformat()} and today",
                "answer_date",
            )
        if len(self.problems) > before:
            return None, False
        notes = _text(raw["notes"])
        return {
            "eligible": eligible,
            "error_type": error_type,
            "correct_benefit": benefit,
            "verifier": verifier,
            "verification_date": pd.Timestamp(when),
            "notes": notes or None,
        }, True
