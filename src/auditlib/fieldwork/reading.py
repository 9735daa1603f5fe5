"""Reading filled worksheets: one pass over the files, collecting answers and problems.

Used by :func:`auditlib.fieldwork.importing.import_worksheets`; every problem names the file and
sheet, the row, the column, the value found and what was expected. Refused before any of its
rows is read: a file that is not an xlsx workbook, a sheet whose name is not a township code of
``issued.json`` (a renamed sheet), a sheet whose header row was changed, a sheet whose title row
names another seed or sample. Refused row by row: a formula never calculated (no cached value:
the file was written by a program that does not calculate), an error value (``#VALUE!``,
``#N/A``, ...), a household not drawn or with changed identity cells, and every answer problem
found by :func:`auditlib.fieldwork.answers.parse_answer`.

A workbook is opened once as written (formulas as formulas) and, only when it holds formulas,
a second time for the values its spreadsheet program cached.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES

from auditlib.data.idcard import mask_id_number
from auditlib.errors import Problem
from auditlib.fieldwork.answers import cell_text, parse_answer
from auditlib.fieldwork.layout import (
    ANSWER_COLUMNS,
    CODES_SHEET,
    HEADER_ROW,
    IDENTITY_COLUMNS,
    TITLE_ROW,
    WORKSHEET_COLUMNS,
    identity_digest,
    title_sample,
)
from auditlib.sampling.sample import Sample

__all__ = ["WorksheetReader"]

#: Columns a worksheet may lack, added after the first worksheets were issued: ``status``
#: (absent means every answer of the sheet is ``verified``) and ``payment_anomaly`` (absent
#: means the payments were not checked: empty). Columns are found by their header key, not by
#: position, so a worksheet of an older layout still imports.
OPTIONAL_COLUMNS = frozenset({"row_number", "status", "payment_anomaly"})
_PERSONAL = frozenset({*IDENTITY_COLUMNS[1:], "verifier"})
_KEYS = frozenset(column.key for column in WORKSHEET_COLUMNS)


def _listed(names: set[str], shown: int = 10) -> str:
    ordered = sorted(names)
    more = f", … ({len(ordered)} in all)" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more


class WorksheetReader:
    """Collects answers and problems from the files of one import.

    Parameters
    ----------
    sample : Sample
        The drawn sample.
    issued : mapping
        The issued manifest (``issued.json``).
    today : datetime.date, optional
        Latest visit date accepted (default: the current date).
    """

    def __init__(
        self, sample: Sample, issued: Mapping[str, Any], *, today: date | None = None
    ) -> None:
        self.sampled = set(sample.table["household_id"].astype(str))
        recipients = sample.table.loc[sample.table["recipient"], "household_id"]
        self.recipients = set(recipients.astype(str))
        self.issued: Mapping[str, Any] = issued["households"]
        self.sheets = {str(where["sheet"]) for where in self.issued.values()}
        self.seed = str(issued.get("seed", ""))
        self.sample_sha256 = str(issued.get("sample_table_sha256", ""))
        self.start = date.fromisoformat(str(issued["audit_period_start"]))
        self.today = today
        self.problems: list[Problem] = []
        self.answers: dict[str, dict[str, Any]] = {}
        # household -> (file name, sheet title, row) of its answer
        self.where: dict[str, tuple[str, str, int]] = {}
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
        """Read every township sheet of one workbook."""
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
            workbook = load_workbook(path)  # as written: a formula cell holds its formula
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
        calculated: dict[str, Any] = {}

        def cached(title: str) -> Any:
            """The sheet as its spreadsheet program last calculated it (loaded on demand)."""
            if not calculated:
                calculated["book"] = load_workbook(path, data_only=True)
            return calculated["book"][title]

        for sheet in workbook.worksheets:
            if sheet.title != CODES_SHEET:
                self.read_sheet(path, sheet, cached)

    def read_sheet(self, path: Path, sheet: Any, cached: Callable[[str], Any]) -> None:
        """Check a sheet's name, header and title row, then read its rows."""
        place = f"{path.name}[{sheet.title}]"
        rows = [tuple(row) for row in sheet.iter_rows()]
        headers = [cell_text(cell.value) for cell in rows[HEADER_ROW - 1]] if rows[1:] else []
        keys = (header.split("\n")[-1].strip() for header in headers)
        position = {key: i for i, key in enumerate(keys) if key in _KEYS}
        if sheet.title not in self.sheets:
            if any(cell.value is not None for row in rows for cell in row):
                self.renamed_sheet(place, sheet.title, rows, position.get("household_id"))
            else:
                self.problem(
                    place,
                    None,
                    None,
                    sheet.title,
                    "only the township sheets as issued (this empty sheet was added; ignored)",
                    "worksheet_extra_sheet",
                    "warning",
                )
            return
        needed = [c.key for c in WORKSHEET_COLUMNS if c.key not in OPTIONAL_COLUMNS]
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
        if not self.title_matches(place, rows):
            return
        if any(cell.data_type == "f" for row in rows for cell in row):
            values = [tuple(cell.value for cell in row) for row in cached(sheet.title).iter_rows()]
        else:
            values = [tuple(cell.value for cell in row) for row in rows]
        self.seen.setdefault(sheet.title, (path.name, set()))
        for row_number in range(HEADER_ROW + 1, len(rows) + 1):
            cells = rows[row_number - 1]
            row_values = values[row_number - 1] if row_number <= len(values) else ()
            by_key = {
                key: row_values[index] if index < len(row_values) else None
                for key, index in position.items()
            }
            if all(cell_text(value) == "" for value in by_key.values()) and not any(
                index < len(cells) and cells[index].data_type == "f" for index in position.values()
            ):
                continue
            if self.cells_usable(place, sheet.title, row_number, cells, by_key, position):
                self.read_row(path.name, sheet.title, row_number, by_key)

    def renamed_sheet(
        self, place: str, title: str, rows: list[tuple[Any, ...]], household_column: int | None
    ) -> None:
        """Refuse a sheet whose name is not a township code of issued.json; say which it was."""
        issued_as = set()
        if household_column is not None:
            for row in rows[HEADER_ROW:]:
                if household_column < len(row):
                    where = self.issued.get(cell_text(row[household_column].value))
                    if where is not None:
                        issued_as.add(str(where["sheet"]))
        hint = (
            f"; its households were issued in sheet {', '.join(sorted(issued_as))}: rename it back"
            if issued_as
            else ""
        )
        self.problem(
            place,
            None,
            None,
            title,
            "a sheet named after the township code it was issued with (issued.json has "
            f"{_listed(self.sheets)}){hint}; nothing of this sheet was imported",
            "worksheet_sheet_renamed",
        )

    def title_matches(self, place: str, rows: list[tuple[Any, ...]]) -> bool:
        """Whether the title row names the seed and sample of issued.json (problem if not)."""
        title = " ".join(filter(None, (cell_text(cell.value) for cell in rows[TITLE_ROW - 1])))
        found = title_sample(title)
        issued_text = f"抽样种子 {self.seed}, 样本 {self.sample_sha256[:12]}"
        if found is None:
            self.problem(
                place,
                TITLE_ROW,
                None,
                title if len(title) <= 60 else title[:59] + "…",
                f"the title row as issued, naming the draw ({issued_text}); nothing of this "
                "sheet was imported",
                "worksheet_title",
            )
            return False
        seed, prefix = found
        if seed != self.seed or not self.sample_sha256.startswith(prefix):
            self.problem(
                place,
                TITLE_ROW,
                None,
                f"抽样种子 {seed}, 样本 {prefix}",
                f"a worksheet of this sample ({issued_text}): this sheet was issued for another "
                "draw; import the worksheets issued with this sample (nothing of this sheet "
                "was imported)",
                "worksheet_other_sample",
            )
            return False
        return True

    def cells_usable(
        self,
        place: str,
        sheet: str,
        row: int,
        cells: tuple[Any, ...],
        values: Mapping[str, Any],
        position: Mapping[str, int],
    ) -> bool:
        """Refuse a row holding an uncalculated formula or an error value (``#N/A``, ...)."""
        usable = True
        for key, index in position.items():
            cell = cells[index] if index < len(cells) else None
            value = values.get(key)
            if cell is not None and cell.data_type == "f" and value is None:
                formula = str(cell.value)
                personal = key in _PERSONAL or len(formula) > 40  # a formula may hold a name
                shown = "=…" if personal else formula
                self.problem(
                    place,
                    row,
                    key,
                    shown,
                    "a value, not a formula without a calculated result (the file was saved by "
                    "a program that does not calculate): open and save it in Excel, WPS or "
                    "LibreOffice, or type the value",
                    "worksheet_formula",
                )
                usable = False
            elif (cell is not None and cell.data_type == "e") or value in ERROR_CODES:
                self.problem(
                    place,
                    row,
                    key,
                    str(value),
                    "a value, not a spreadsheet error (a formula failed, or a cell it refers to "
                    "was deleted): retype the cell",
                    "worksheet_error_value",
                )
                usable = False
        if not usable:
            household = cell_text(values.get("household_id"))
            if household in self.sampled:
                self.seen[sheet][1].add(household)  # present, though refused: not "missing"
        return usable

    def read_row(self, file: str, sheet: str, row: int, values: Mapping[str, Any]) -> None:
        """Check one household row and keep its answer."""
        place = f"{file}[{sheet}]"
        household = cell_text(values["household_id"])
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
            household, cell_text(values["head_name"]), cell_text(values["head_id_number"])
        )
        if issued is not None and digest != issued["identity_sha256"]:
            self.problem(
                place,
                row,
                "head_name/head_id_number",
                mask_id_number(cell_text(values["head_id_number"])),
                "the identity cells as issued (name or ID number was changed); "
                "correct the household register, not the worksheet",
                "identity_changed",
            )
            return
        answer, issues = parse_answer(
            {key: values.get(key) for key in ANSWER_COLUMNS},
            recipient=household in self.recipients,
            period_start=self.start,
            today=self.today,
        )
        for issue in issues:
            self.problem(place, row, issue.column, issue.value, issue.expected, issue.code)
        if answer is None:
            return
        self.keep(place, file, sheet, row, household, answer)

    def keep(
        self, place: str, file: str, sheet: str, row: int, household: str, answer: dict[str, Any]
    ) -> None:
        """Keep an answer, unless the household was answered already in this import."""
        if household in self.answers:
            first_file, first_sheet, first_row = self.where[household]
            also = f"also at {first_file}[{first_sheet}] row {first_row}"
            if answer == self.answers[household]:
                self.problem(
                    place,
                    row,
                    "household_id",
                    household,
                    f"each household once ({also}; same answer, kept once)",
                    "duplicate_household",
                    "warning",
                )
            else:
                self.problem(
                    place,
                    row,
                    "household_id",
                    household,
                    f"each household once ({also} with a different answer; neither imported)",
                    "duplicate_household",
                )
                self.conflicted.add(household)
            return
        self.answers[household] = answer
        self.where[household] = (file, sheet, row)
