"""The append-only results log: every answer ever imported, its import round and its source.

One CSV file (:data:`RESULTS_LOG_FILE`, UTF-8, ``\\n`` line ends) with the columns
:data:`LOG_COLUMNS`: the import ``round`` (1, 2, ...), ``imported_at`` (ISO 8601, given by the
caller), where the answer came from (``source_file``, ``source_sheet`` — empty for a CSV —,
``source_row``: the spreadsheet row, header = row 1) and every column of the verification
contract. Rows are only ever appended: the bytes already written never change, and the file
is replaced atomically (:mod:`auditlib.data.atomic`), so a crash leaves the previous log. A log
written before a column was added to the contract (``payment_anomaly``, 发放异常) still reads
(the column empty) and is appended to in its own layout, its bytes untouched; an answer in a
column such a log cannot hold is refused (naming the log, the column and the households), never
dropped and never made room for by rewriting the log.

:func:`append_results` applies the rule of
:func:`~auditlib.fieldwork.verification_table.answer_change` against each household's current
answer: the same answer again adds nothing (``unchanged``); a different answer with a later
``verification_date`` is appended and *supersedes* the earlier one, which stays in the log
(:func:`superseded_results`); a different answer with the same or an earlier date is a
conflict (a :class:`~auditlib.errors.Problem`) and nothing is added for that household. So the
last row of a household is always its latest answer, and :func:`current_results` is the
verification table the estimates use.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.atomic import atomic_write_bytes
from auditlib.data.contract import VERIFICATION
from auditlib.data.io import read_raw_table
from auditlib.data.policy import ValidationPolicy
from auditlib.data.schema import ColumnSpec, TableSpec, text_spec
from auditlib.data.validation import check_table
from auditlib.errors import DataError, FieldworkError, Problem
from auditlib.fieldwork.verification_table import (
    SOURCE_COLUMNS,
    VERIFICATION_COLUMNS,
    answer_change,
    typed_verification,
)

__all__ = [
    "LOG_COLUMNS",
    "RESULTS_LOG_FILE",
    "ResultsUpdate",
    "append_results",
    "current_results",
    "read_results_log",
    "superseded_results",
]

RESULTS_LOG_FILE = "results_log.csv"
LOG_COLUMNS: tuple[str, ...] = ("round", "imported_at", *SOURCE_COLUMNS, *VERIFICATION_COLUMNS)
_LOG = TableSpec(
    name="results_log",
    label_zh="核查结果导入记录",
    description="Every imported verification answer, in the order imported.",
    columns=(
        ColumnSpec("round", "导入批次", "int", "Import round, from 1.", minimum=1),
        text_spec("imported_at", "导入时间", "When the round was imported (ISO 8601)."),
        text_spec("source_file", "来源文件", "File the answer came from.", nullable=True),
        text_spec("source_sheet", "来源工作表", "Sheet (empty for a CSV).", nullable=True),
        ColumnSpec("source_row", "来源行号", "int", "Spreadsheet row.", minimum=1, nullable=True),
        *(replace(column, unique=False) for column in VERIFICATION.columns),
    ),
)
_POLICY = ValidationPolicy(
    actions={
        code: "error"
        for code in (
            "missing_value",
            "bad_number",
            "bad_date",
            "bad_category",
            "out_of_range",
            "missing_column",
            "dup_col",
            "short_row",
        )
    }
)


@dataclass(frozen=True)
class ResultsUpdate:
    """What :func:`append_results` did.

    Attributes
    ----------
    log : pandas.DataFrame
        The whole log after the append (:data:`LOG_COLUMNS`).
    round : int or None
        The round number given to the appended rows (``None``: nothing was appended).
    added : tuple of str
        Households whose answer was appended: first answers and later-dated corrections.
    superseded : tuple of str
        The households of ``added`` whose earlier answer the new one supersedes.
    unchanged : tuple of str
        Households whose answer was already the current one (nothing appended).
    conflicts : tuple of Problem
        Different answers not dated after the current one (nothing appended for them).
    """

    log: pd.DataFrame
    round: int | None
    added: tuple[str, ...]
    superseded: tuple[str, ...]
    unchanged: tuple[str, ...]
    conflicts: tuple[Problem, ...]


def _empty_log() -> pd.DataFrame:
    return _typed_log(pd.DataFrame({column: [] for column in LOG_COLUMNS}))


def _typed_log(table: pd.DataFrame) -> pd.DataFrame:
    typed = typed_verification(table, sort=False)
    for column in ("imported_at", *SOURCE_COLUMNS[:2]):
        text = table[column].astype("string").str.strip()
        typed[column] = text.mask(text == "").reset_index(drop=True)
    typed["round"] = pd.to_numeric(table["round"]).astype("int64").to_numpy()
    typed["source_row"] = pd.array(pd.to_numeric(table["source_row"]), dtype="Int64")
    return typed[list(LOG_COLUMNS)]


def read_results_log(path: str | Path) -> pd.DataFrame:
    """Read and check the results log; an empty log if the file does not exist.

    Raises
    ------
    FieldworkError
        The file is not a results log or breaks it: every problem listed (file, row, column,
        value, expectation) — values outside the contract, an ``imported_at`` that is not a
        time, rounds out of order, or a household whose answers are not dated ever later.
    """
    path = Path(path)
    if not path.exists():
        return _empty_log()
    try:
        raw = read_raw_table(path, _LOG.alias_map())
    except DataError as error:
        raise FieldworkError(f"{path.name}: not a readable results log", error.problems) from None
    checked = check_table(raw, _LOG, _POLICY)
    problems = [p for p in checked.problems if p.severity == "error"]
    frame, rows = checked.frame, checked.row_numbers
    times = pd.to_datetime(frame["imported_at"], errors="coerce", format="ISO8601", utc=True)
    problems += [
        Problem(path.name, int(rows[i]), "imported_at", str(frame["imported_at"].iloc[i]),
                "an ISO 8601 time (YYYY-MM-DDTHH:MM:SS)", "error", "bad_date")
        for i in range(len(frame))
        if pd.isna(times.iloc[i])
    ]  # fmt: skip
    rounds = pd.to_numeric(frame["round"], errors="coerce")
    problems += [
        Problem(path.name, int(rows[i]), "round", str(rounds.iloc[i]),
                f"a round ≥ {rounds.iloc[i - 1]:g} (the round of the row above): rows are only "
                "appended, the log was edited", "error", "log_order")
        for i in range(1, len(frame))
        if rounds.iloc[i] < rounds.iloc[i - 1]
    ]  # fmt: skip
    dates = pd.to_datetime(frame["verification_date"])
    previous = dates.groupby(frame["household_id"]).shift()
    again = frame.groupby("household_id").cumcount() > 0
    unordered = again & (dates.isna() | (dates <= previous))
    problems += [
        Problem(path.name, int(rows[i]), "verification_date", str(dates.iloc[i]),
                "a date after the household's earlier answer in the log (an answer supersedes "
                "another only when dated later): the log was edited", "error", "log_order")
        for i in range(len(frame))
        if unordered.iloc[i]
    ]  # fmt: skip
    if problems:
        raise FieldworkError(
            f"{path.name}: {len(problems)} problem(s) in the results log; the first: "
            f"{problems[0].describe()}",
            problems,
        )
    return _typed_log(frame)


def current_results(log: pd.DataFrame) -> pd.DataFrame:
    """The latest answer of every household in the log: the verification table (contract).

    >>> current_results(read_results_log("no-such-log.csv")).empty
    True
    """
    latest = log.drop_duplicates("household_id", keep="last")
    return typed_verification(latest[list(VERIFICATION_COLUMNS)])


def superseded_results(log: pd.DataFrame) -> pd.DataFrame:
    """The answers of the log that a later-dated answer superseded (log columns, log order)."""
    return log[log.duplicated("household_id", keep="last")].reset_index(drop=True)


def _rows(table: pd.DataFrame, source_file: str | None) -> list[dict[str, Any]]:
    typed = typed_verification(table, sort=False)
    for column in SOURCE_COLUMNS:
        values = table[column] if column in table.columns else pd.Series([None] * len(table))
        typed[column] = values.to_numpy()
    if source_file is not None:
        typed["source_file"] = typed["source_file"].where(typed["source_file"].notna(), source_file)
    return [dict(record) for record in typed.to_dict(orient="records")]


def _place(row: dict[str, Any], path: Path) -> str:
    file = row.get("source_file")
    if file is None or pd.isna(file):
        return path.name
    sheet = row.get("source_sheet")
    return str(file) if sheet is None or pd.isna(sheet) else f"{file}[{sheet}]"


def _source_row(row: dict[str, Any]) -> int | None:
    value = row.get("source_row")
    return None if value is None or pd.isna(value) else int(value)


def append_results(
    path: str | Path,
    verification_rows: pd.DataFrame,
    *,
    imported_at: datetime,
    source_file: str | None = None,
) -> ResultsUpdate:
    """Append the answers of one import round to the results log.

    Parameters
    ----------
    path : str or pathlib.Path
        The log (created with its header if absent).
    verification_rows : pandas.DataFrame
        Answers (verification contract), optionally with ``source_file``, ``source_sheet`` and
        ``source_row`` (as ``ImportResult.answers`` or ``read_verification(...,
        with_source=True)`` give them).
    imported_at : datetime.datetime
        Time of the import, recorded on every appended row (given by the caller).
    source_file : str, optional
        Source file of rows without a ``source_file``.

    Returns
    -------
    ResultsUpdate
    """
    path = Path(path)
    log = read_results_log(path)
    current = {str(r["household_id"]): r for r in current_results(log).to_dict(orient="records")}
    rows = _rows(verification_rows, source_file)
    first: dict[str, dict[str, Any]] = {}
    doubled: set[str] = set()
    for row in rows:
        household = str(row["household_id"])
        if household in first and answer_change(first[household], row) != "same":
            doubled.add(household)
        first.setdefault(household, row)
    added, superseded, unchanged, appended = [], [], [], []
    conflicts = [
        _conflict(first[household], path, "one answer per household in a round (this round "
                  "holds different answers for it): nothing added for this household")
        for household in sorted(doubled)
    ]  # fmt: skip
    for row in (first[household] for household in first if household not in doubled):
        household = str(row["household_id"])
        if household in current:
            change = answer_change(current[household], row)
            if change == "same":
                unchanged.append(household)
                continue
            if change == "conflict":
                conflicts.append(_conflict(row, path, _earlier(log, household)))
                continue
            superseded.append(household)
        added.append(household)
        appended.append(row)
    if not appended:
        return ResultsUpdate(log, None, (), (), tuple(unchanged), tuple(conflicts))
    round_number = int(log["round"].max()) + 1 if len(log) else 1
    new = pd.DataFrame(appended)
    new["round"] = round_number
    new["imported_at"] = imported_at.isoformat(timespec="seconds")
    columns = _log_layout(path, new) if path.exists() else list(LOG_COLUMNS)
    new = new[columns].astype({"source_row": "Int64"})
    text = new.to_csv(
        index=False, header=not path.exists(), lineterminator="\n", date_format="%Y-%m-%d"
    )
    before = path.read_bytes() if path.exists() else b""
    if before and not before.endswith(b"\n"):
        before += b"\n"
    atomic_write_bytes(path, before + text.encode("utf-8"))
    return ResultsUpdate(
        log=read_results_log(path),
        round=round_number,
        added=tuple(added),
        superseded=tuple(superseded),
        unchanged=tuple(unchanged),
        conflicts=tuple(conflicts),
    )


def _log_layout(path: Path, new: pd.DataFrame) -> list[str]:
    """The columns of the existing log ``path``, in its order (an older layout is kept).

    Raises
    ------
    FieldworkError
        A new row answers a column the older log does not have.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = [name.strip() for name in next(csv.reader(handle), [])]
    if not header or header == list(LOG_COLUMNS) or not set(header) < set(LOG_COLUMNS):
        return list(LOG_COLUMNS)
    problems = [
        Problem(str(path), None, column, str(household), "empty: this results log predates it")
        for column in LOG_COLUMNS
        if column not in header
        for household, value in zip(new["household_id"], new[column], strict=True)
        if not pd.isna(value) and str(value).strip()
    ]
    if problems:
        raise FieldworkError(
            f"{path}: this results log was started before the column(s) "
            f"{', '.join(sorted({p.column for p in problems if p.column}))} existed and is only "
            "ever appended to, never rewritten; leave those answers empty, or import them into "
            "a new audit folder",
            problems,
        )
    return header


def _earlier(log: pd.DataFrame, household: str) -> str:
    last = log[log["household_id"] == household].iloc[-1]
    date = last["verification_date"]
    dated = "undated" if pd.isna(date) else f"dated {pd.Timestamp(date).date()}"
    return (
        f"the answer of round {int(last['round'])} ({dated}) again, or a correction with a "
        "later verification_date; this different answer is not dated later: nothing added for "
        "this household"
    )


def _conflict(row: dict[str, Any], path: Path, expected: str) -> Problem:
    household = str(row["household_id"])
    return Problem(
        _place(row, path),
        _source_row(row),
        "household_id",
        household,
        expected,
        "error",
        "answer_conflict",
    )
