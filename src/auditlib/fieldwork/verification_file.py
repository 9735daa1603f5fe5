"""Checking a verification table supplied as a file (CSV or xlsx) instead of worksheets.

The file is read by the project's loader (:func:`auditlib.data.io.read_raw_table`: encodings,
title rows, Chinese or English headers) and its structure checked by
:func:`auditlib.data.validation.check_table` (missing or doubled columns, truncated rows, empty
or duplicate household ids); every answer is then parsed by the same
:func:`auditlib.fieldwork.answers.parse_answer` as a worksheet row, so a file and a worksheet
accept and refuse exactly the same answers. :func:`auditlib.fieldwork.importing.read_verification`
raises the problems found here as one :class:`~auditlib.errors.FieldworkError`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.contract import VERIFICATION
from auditlib.data.io import read_raw_table
from auditlib.data.policy import ValidationPolicy
from auditlib.data.validation import check_table
from auditlib.errors import DataError, Problem
from auditlib.fieldwork.answers import ANSWER_KEYS, cell_text, formula_like, parse_answer
from auditlib.fieldwork.verification_table import SOURCE_COLUMNS, typed_answers
from auditlib.sampling.sample import Sample

__all__ = ["check_verification_file"]

#: The contract with every answer column read as text: the loader checks the structure and
#: the household ids, :func:`parse_answer` every answer (one parser for files and worksheets).
_STRUCTURE = replace(
    VERIFICATION,
    columns=tuple(
        column
        if column.name == "household_id"
        else replace(
            column,
            kind="string",
            nullable=True,
            values=(),
            value_labels_zh={},
            minimum=None,
            maximum=None,
        )
        for column in VERIFICATION.columns
    ),
)
#: Every structural problem is fatal; an unknown extra column only warns (it is ignored).
_POLICY = ValidationPolicy(
    actions={
        code: "error"
        for code in ("missing_value", "duplicate_key", "missing_column", "dup_col", "short_row")
    }
)


def check_verification_file(
    path: Path,
    *,
    sample: Sample | None = None,
    period_start: date | None = None,
    today: date | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a verification CSV/xlsx and check every row as the worksheet reader would.

    Parameters
    ----------
    path : pathlib.Path
        The file (CSV, xlsx or parquet; headers English or Chinese, as the data contract).
    sample : Sample, optional
        The drawn sample: households not drawn are refused, and a recipient found not eligible
        needs its reason (without the sample, recipients cannot be told apart).
    period_start : datetime.date, optional
        Earliest visit date accepted (the audit period's start).
    today : datetime.date, optional
        Latest visit date accepted (default: the current date).

    Returns
    -------
    answers : pandas.DataFrame
        The accepted answers (:func:`~auditlib.fieldwork.verification_table.typed_answers`:
        the verification columns plus the source file and row); rows with no answer at all are
        left out (not answered yet).
    problems : list of Problem
        Every problem (severity ``error``), each naming the file, row, column, value (masked
        where personal) and expectation.
    """
    try:
        raw = read_raw_table(path, VERIFICATION.alias_map())
    except DataError as error:
        problems = list(error.problems) or [
            Problem(path.name, None, None, error.message, "a readable table", "error", "file")
        ]
        return typed_answers(pd.DataFrame({"household_id": []})), problems
    checked = check_table(raw, _STRUCTURE, _POLICY)
    problems = [p for p in checked.problems if p.severity == "error"]
    sampled: set[str] | None = None
    recipients: set[str] = set()
    if sample is not None:
        sampled = set(sample.table["household_id"].astype(str))
        recipients = set(sample.table.loc[sample.table["recipient"], "household_id"].astype(str))
    kept: list[dict[str, Any]] = []
    records = checked.frame.to_dict(orient="records")
    for record, row in zip(records, checked.row_numbers.tolist(), strict=True):
        household = cell_text(record["household_id"])
        if household == "":
            continue  # reported by the structure check (missing_value)
        if formula_like(household):
            problems.append(
                Problem(
                    path.name,
                    row,
                    "household_id",
                    household if len(household) <= 40 else household[:39] + "…",
                    "a household id, not text a spreadsheet would run as a formula",
                    "error",
                    "answer_formula",
                )
            )
            continue
        if sampled is not None and household not in sampled:
            problems.append(
                Problem(
                    path.name,
                    row,
                    "household_id",
                    household,
                    "a household of the drawn sample (this one was not drawn)",
                    "error",
                    "household_not_sampled",
                )
            )
            continue
        answer, issues = parse_answer(
            {key: record.get(key) for key in ANSWER_KEYS},
            recipient=None if sampled is None else household in recipients,
            period_start=period_start,
            today=today,
        )
        problems += [
            Problem(path.name, row, i.column, i.value, i.expected, "error", i.code) for i in issues
        ]
        if answer is not None:
            source = dict(zip(SOURCE_COLUMNS, (path.name, None, row), strict=True))
            kept.append({"household_id": household, **answer, **source})
    duplicated = {p.value for p in problems if p.code == "duplicate_key"}
    kept = [answer for answer in kept if answer["household_id"] not in duplicated]
    columns = ["household_id", *ANSWER_KEYS, *SOURCE_COLUMNS]
    problems.sort(key=lambda p: (p.row is not None, p.row or 0))  # file problems, then by row
    return typed_answers(pd.DataFrame(kept, columns=columns)), problems
