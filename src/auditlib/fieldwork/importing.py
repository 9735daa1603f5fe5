"""Importing verification results: filled fieldwork worksheets, or a verification file.

:func:`import_worksheets` reads filled xlsx worksheets, validates every answer (each problem
names the file, sheet, row and column), reconciles them with the drawn sample and the issued
manifest (households missing from a sheet, households not drawn, the same household twice,
changed identity cells, renamed sheets, worksheets of another draw), and merges the answers
into the verification table of earlier imports by the rule of
:func:`~auditlib.fieldwork.verification_table.answer_change`: the same answer again adds
nothing; a different answer dated later than the one imported before supersedes it (a
correction is a new, dated answer); a different answer with the same or an earlier date is a
conflict (``answer_conflict``) and the earlier answer stays. Rows with a problem are not
imported; everything else is.

With the append-only results log (:mod:`auditlib.fieldwork.results`) an import round is::

    log = read_results_log(log_path)
    result = import_worksheets(files, sample, issued, existing=current_results(log))
    update = append_results(log_path, result.answers, imported_at=now)

``result.answers`` holds the answers this import added, with the file, sheet and row each
came from; the log applies the same rule, so ``current_results(update.log)`` equals
``result.verification``. ``result.pending`` lists every sampled household still without an
answer, with the file, sheet and row it was issued in.

:func:`read_verification` reads a verification table supplied as a CSV or xlsx file through
the same checks (:mod:`auditlib.fieldwork.verification_file`) and refuses it whole, listing
every problem, when any answer breaks the contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.errors import FieldworkError, Problem
from auditlib.fieldwork.answers import ANSWER_KEYS
from auditlib.fieldwork.layout import ISSUED_FILE
from auditlib.fieldwork.reading import WorksheetReader
from auditlib.fieldwork.verification_file import check_verification_file
from auditlib.fieldwork.verification_table import (
    SOURCE_COLUMNS,
    VERIFICATION_COLUMNS,
    answer_change,
    empty_verification,
    typed_answers,
    typed_verification,
)
from auditlib.sampling.sample import Sample, table_sha256

__all__ = [
    "ImportResult",
    "PendingHousehold",
    "import_worksheets",
    "pending_households",
    "read_issued",
    "read_verification",
]


@dataclass(frozen=True)
class PendingHousehold:
    """A sampled household without an answer yet, and where its worksheet row was issued."""

    household_id: str
    file: str | None
    sheet: str | None
    row: int | None

    def describe(self) -> str:
        """One line for a coordinator: where the row is and which household it holds."""
        if self.file is None:
            return f"household {self.household_id} not returned (not in issued.json)"
        return (
            f"file {self.file}, sheet {self.sheet}, row {self.row}: "
            f"household {self.household_id} not returned"
        )


@dataclass(frozen=True)
class ImportResult:
    """Outcome of an import.

    Attributes
    ----------
    verification : pandas.DataFrame
        The merged verification table (earlier answers, new ones, later-dated corrections in
        place of what they supersede), schema VERIFICATION.
    problems : tuple of Problem
        Every problem found (severity ``error``: the row was not imported; ``warning``:
        informational, e.g. an identical repeated answer).
    imported : int
        Answers added by this import (new households and corrections).
    unanswered : tuple of str
        Sampled households still without an answer after the merge (kept for compatibility;
        ``pending`` says where each was issued).
    pending : tuple of PendingHousehold
        The same households with the file, sheet and row they were issued in, in that order.
    superseded : tuple of str
        Households whose earlier answer was replaced by a later-dated one.
    answers : pandas.DataFrame
        The answers this import added (``imported`` rows), with ``source_file``,
        ``source_sheet`` and ``source_row``: what :func:`auditlib.fieldwork.results.append_results`
        takes.
    """

    verification: pd.DataFrame
    problems: tuple[Problem, ...]
    imported: int
    unanswered: tuple[str, ...]
    pending: tuple[PendingHousehold, ...]
    superseded: tuple[str, ...]
    answers: pd.DataFrame

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems with severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")


def read_verification(
    path: str | Path,
    *,
    sample: Sample | None = None,
    period_start: date | None = None,
    today: date | None = None,
    with_source: bool = False,
) -> pd.DataFrame:
    """Read a verification table from a CSV or xlsx file, checked like a worksheet; empty if absent.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; headers English or Chinese (docs/data-contract.md), codes as code or label.
    sample : Sample, optional
        The drawn sample. Given it, households not drawn are refused and a recipient found not
        eligible must name its reason; pass it whenever it is at hand.
    period_start : datetime.date, optional
        Earliest visit date accepted (the audit period's start); without it only dates after
        today are refused.
    today : datetime.date, optional
        Latest visit date accepted (default: the current date).
    with_source : bool
        Add ``source_file``, ``source_sheet`` (empty) and ``source_row`` (the spreadsheet row,
        header = row 1) to each answer, as :func:`auditlib.fieldwork.results.append_results`
        records them.

    Returns
    -------
    pandas.DataFrame
        Schema VERIFICATION, one row per answered household, ``status`` filled.

    Raises
    ------
    FieldworkError
        Listing every problem of the file (file, row, column, value masked where personal,
        expectation): unreadable file, missing columns, codes outside the lists, numbers out of
        range, unparseable or future dates, dates before ``period_start``, text starting like a
        formula, a verified answer without eligibility, verifier or date, an ineligible
        recipient without reason, empty, duplicate or (given the sample) not sampled household
        ids.
    """
    path = Path(path)
    if not path.exists():
        empty = empty_verification()
        return typed_answers(empty) if with_source else empty
    answers, problems = check_verification_file(
        path, sample=sample, period_start=period_start, today=today
    )
    if problems:
        raise FieldworkError(
            f"{path.name}: {len(problems)} problem(s) in the verification table, nothing was "
            f"read; the first: {problems[0].describe()}",
            problems,
        )
    return answers if with_source else answers[list(VERIFICATION_COLUMNS)]


def read_issued(folder: str | Path) -> dict[str, Any]:
    """Read ``issued.json`` of a worksheet folder."""
    path = Path(folder) / ISSUED_FILE
    try:
        content: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FieldworkError(
            f"{path}: manifest of issued worksheets not found; import needs the folder the "
            "worksheets were written to"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where = getattr(error, "lineno", None)
        raise FieldworkError(
            f"{path}: the manifest of issued worksheets is damaged ({error}); restore the "
            "issued.json written with the worksheets",
            [Problem(str(path), where, None, type(error).__name__, "the JSON phase 1 wrote")],
        ) from None
    if not isinstance(content, dict) or not isinstance(content.get("households"), dict):
        raise FieldworkError(
            f"{path}: not a manifest of issued worksheets (no 'households' mapping); restore "
            "the issued.json written with the worksheets",
            [Problem(str(path), None, "households", "", "the JSON phase 1 wrote")],
        )
    return content


def import_worksheets(
    paths: Iterable[str | Path],
    sample: Sample,
    issued: Mapping[str, Any],
    existing: pd.DataFrame | None = None,
    *,
    today: date | None = None,
) -> ImportResult:
    """Validate filled worksheets, reconcile them with the sample and merge the answers.

    Parameters
    ----------
    paths : iterable of path
        Filled worksheets (.xlsx as issued).
    sample : Sample
        The drawn sample (:func:`auditlib.sampling.sample.read_sample`).
    issued : mapping
        The issued manifest (:func:`read_issued`).
    existing : pandas.DataFrame, optional
        Verification table of earlier imports (e.g. ``current_results(log)``); an answer in it
        is replaced only by a different answer with a later ``verification_date``.
    today : datetime.date, optional
        Latest visit date accepted (default: the current date).

    Returns
    -------
    ImportResult

    Raises
    ------
    FieldworkError
        The worksheets were issued for a different sample.
    """
    if issued.get("sample_table_sha256") != table_sha256(sample.table):
        raise FieldworkError(
            "the worksheets were issued for a different sample (sample hash in issued.json "
            f"{str(issued.get('sample_table_sha256'))[:12]}…, this sample "
            f"{table_sha256(sample.table)[:12]}…)"
        )
    reader = WorksheetReader(sample, issued, today=today)
    for path in paths:
        reader.read_file(Path(path))
    _report_missing_rows(reader)
    merged = empty_verification() if existing is None else typed_verification(existing)
    known = {str(r["household_id"]): r for r in merged.to_dict(orient="records")}
    added: list[dict[str, Any]] = []
    superseded: list[str] = []
    for household, answer in sorted(reader.answers.items()):
        if household in reader.conflicted:
            continue
        file, sheet, row = reader.where[household]
        record = {"household_id": household, **answer}
        if household in known:
            change = answer_change(known[household], record)
            if change == "same":
                continue
            if change == "conflict":
                earlier = known[household]["verification_date"]
                dated = "undated" if pd.isna(earlier) else f"dated {pd.Timestamp(earlier).date()}"
                reader.problem(
                    f"{file}[{sheet}]",
                    row,
                    "household_id",
                    household,
                    f"the answer imported before ({dated}), or a correction with a later "
                    "verification_date; this different answer is not dated later, so it is not "
                    "imported and the earlier answer is kept",
                    "answer_conflict",
                )
                continue
            superseded.append(household)
        added.append({**record, **dict(zip(SOURCE_COLUMNS, (file, sheet, row), strict=True))})
    answers = typed_answers(
        pd.DataFrame(added, columns=["household_id", *ANSWER_KEYS, *SOURCE_COLUMNS])
    )
    if added:
        kept = merged[~merged["household_id"].isin(superseded)]
        new = answers[list(VERIFICATION_COLUMNS)]
        merged = typed_verification(pd.concat([f for f in (kept, new) if len(f)]))
    answered = set(merged["household_id"].astype(str))
    unanswered = tuple(sorted(reader.sampled - answered))
    return ImportResult(
        verification=merged,
        problems=tuple(reader.problems),
        imported=len(added),
        unanswered=unanswered,
        pending=pending_households(unanswered, reader.issued),
        superseded=tuple(superseded),
        answers=answers,
    )


def _report_missing_rows(reader: WorksheetReader) -> None:
    """A household issued in a sheet that was read, but not found in it: a deleted row."""
    for sheet, (file, seen) in reader.seen.items():
        for household, where in reader.issued.items():
            if where["sheet"] == sheet and household not in seen:
                reader.problem(
                    f"{file}[{sheet}]",
                    int(where["row"]),
                    "household_id",
                    household,
                    "this sampled household's row (it was issued here and is missing "
                    "now: was the row deleted?)",
                    "household_missing",
                )


def pending_households(
    unanswered: Iterable[str], issued: Mapping[str, Any]
) -> tuple[PendingHousehold, ...]:
    """Households without an answer, each with the place it was issued in (by place)."""
    pending = []
    for household in unanswered:
        where = issued.get(household) or {}
        row = where.get("row")
        pending.append(
            PendingHousehold(
                household,
                None if where.get("file") is None else str(where["file"]),
                None if where.get("sheet") is None else str(where["sheet"]),
                None if row is None else int(row),
            )
        )
    return tuple(
        sorted(pending, key=lambda p: (p.file is None, p.file or "", p.sheet or "", p.row or 0))
    )
