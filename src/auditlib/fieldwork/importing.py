"""Importing filled fieldwork worksheets into a verification table.

:func:`import_worksheets` reads filled xlsx worksheets, validates every answer (each problem
names the file, sheet, row and column), reconciles them with the drawn sample and the issued
manifest (households missing from a sheet, households not drawn, the same household twice,
changed identity cells), and merges the answers into an existing verification table without
ever overwriting an answer already imported: a different second answer is reported as a
conflict and the first is kept. Rows with a problem are not imported; everything else is.
The result conforms to ``schema.VERIFICATION``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.contract import VERIFICATION
from auditlib.errors import FieldworkError, Problem
from auditlib.fieldwork.layout import ISSUED_FILE
from auditlib.fieldwork.reading import WorksheetReader
from auditlib.sampling.sample import Sample, table_sha256

__all__ = [
    "VERIFICATION_COLUMNS",
    "ImportResult",
    "empty_verification",
    "import_worksheets",
    "read_issued",
    "read_verification",
]

VERIFICATION_COLUMNS: tuple[str, ...] = VERIFICATION.column_names


@dataclass(frozen=True)
class ImportResult:
    """Outcome of an import.

    Attributes
    ----------
    verification : pandas.DataFrame
        The merged verification table (existing answers + new ones), schema VERIFICATION.
    problems : tuple of Problem
        Every problem found (severity ``error``: the row was not imported; ``warning``:
        informational, e.g. an identical repeated answer).
    imported : int
        New answers added by this import.
    unanswered : tuple of str
        Sampled households still without an answer after the merge.
    """

    verification: pd.DataFrame
    problems: tuple[Problem, ...]
    imported: int
    unanswered: tuple[str, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems with severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")


def empty_verification() -> pd.DataFrame:
    """An empty verification table with the contract's columns and dtypes."""
    return _typed(pd.DataFrame({column: [] for column in VERIFICATION_COLUMNS}))


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    table = table[list(VERIFICATION_COLUMNS)].copy()
    for column in ("household_id", "eligible", "error_type", "verifier", "notes"):
        table[column] = table[column].astype("string")
    table["correct_benefit"] = pd.to_numeric(table["correct_benefit"]).astype("float64")
    table["verification_date"] = pd.to_datetime(table["verification_date"]).astype("datetime64[ns]")
    return table.sort_values("household_id", kind="stable").reset_index(drop=True)


def read_verification(path: str | Path) -> pd.DataFrame:
    """Read a verification table written by an earlier import (CSV); empty if absent."""
    path = Path(path)
    if not path.exists():
        return empty_verification()
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in VERIFICATION_COLUMNS if c not in table.columns]
    if missing:
        raise FieldworkError(f"{path}: not a verification table (columns {missing} missing)")
    table = table.replace({"": None})
    return _typed(table)


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
    return content


def _same(existing: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    for key, value in new.items():
        old = existing.get(key)
        if (old is None or pd.isna(old)) and value is None:
            continue
        if old is None or (not isinstance(old, str) and pd.isna(old)) or value is None:
            return False
        if key == "correct_benefit":
            if abs(float(old) - float(value)) > 1e-9:
                return False
        elif key == "verification_date":
            if pd.Timestamp(old) != pd.Timestamp(value):
                return False
        elif str(old) != str(value):
            return False
    return True


def import_worksheets(
    paths: Iterable[str | Path],
    sample: Sample,
    issued: Mapping[str, Any],
    existing: pd.DataFrame | None = None,
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
        Verification table of earlier imports; its answers are never overwritten.

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
    reader = WorksheetReader(sample, issued)
    files = [Path(p) for p in paths]
    for path in files:
        reader.read_file(path)
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
    merged = empty_verification() if existing is None else _typed(existing)
    known = {str(r["household_id"]): r for r in merged.to_dict(orient="records")}
    added = []
    for household, answer in sorted(reader.answers.items()):
        if household in reader.conflicted:
            continue
        place, row = reader.where[household]
        if household in known:
            if not _same(known[household], answer):
                reader.problem(
                    place,
                    row,
                    "household_id",
                    household,
                    "the answer imported before (a different answer was already "
                    "imported; it is kept, this one is not)",
                    "answer_conflict",
                )
            continue
        added.append({"household_id": household, **answer})
    if added:
        merged = _typed(pd.concat([merged, pd.DataFrame(added)], ignore_index=True))
    answered = set(merged["household_id"].astype(str))
    unanswered = tuple(sorted(reader.sampled - answered))
    return ImportResult(
        verification=merged,
        problems=tuple(reader.problems),
        imported=len(added),
        unanswered=unanswered,
    )
