"""The verification table as fieldwork returns it: its columns and types, and when a new answer
replaces an old one.

Every table of answers that :mod:`auditlib.fieldwork` returns conforms to
:data:`auditlib.data.contract.VERIFICATION`, one row per household sorted by ``household_id``,
with ``status`` always filled (an empty or absent status is ``verified``).

:func:`answer_change` is the one rule for a second answer of a household, used by
:func:`auditlib.fieldwork.importing.import_worksheets` and by the results log
(:mod:`auditlib.fieldwork.results`): the same answer again changes nothing; a different answer
replaces (*supersedes*) the earlier one only when it carries a later ``verification_date`` — a
correction is a new, dated answer; a different answer with the same or an earlier date (or none)
is a conflict, and the earlier answer stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

from auditlib.data.contract import VERIFICATION
from auditlib.errors import FieldworkError

__all__ = [
    "SOURCE_COLUMNS",
    "VERIFICATION_COLUMNS",
    "answer_change",
    "empty_verification",
    "typed_answers",
    "typed_verification",
]

VERIFICATION_COLUMNS: tuple[str, ...] = VERIFICATION.column_names
#: Where an answer came from: the file, the sheet (empty for a CSV) and the spreadsheet row.
SOURCE_COLUMNS: tuple[str, ...] = ("source_file", "source_sheet", "source_row")
_TEXT = ("household_id", "status", "eligible", "error_type", "payment_anomaly", "verifier", "notes")
#: Columns a table may lack (written before they existed, or optional): absent means empty.
_MAY_LACK = ("status", "payment_anomaly", "notes")


def empty_verification() -> pd.DataFrame:
    """An empty verification table with the contract's columns and dtypes."""
    return typed_verification(pd.DataFrame({column: [] for column in VERIFICATION_COLUMNS}))


def typed_verification(table: pd.DataFrame, *, sort: bool = True) -> pd.DataFrame:
    """The verification columns of ``table`` with the contract's dtypes, sorted by household.

    A missing or empty ``status`` becomes ``verified``, a missing ``payment_anomaly`` or
    ``notes`` is empty (tables written before these columns existed still load); every other
    column of the contract must be present. ``sort=False`` keeps the order of the rows (the
    results log).

    Raises
    ------
    FieldworkError
        A column of the contract (other than ``status``, ``payment_anomaly`` and ``notes``) is
        missing.
    """
    table = table.copy()
    for column in _MAY_LACK:
        if column not in table.columns:
            table[column] = None
    missing = [column for column in VERIFICATION_COLUMNS if column not in table.columns]
    if missing:
        raise FieldworkError(
            f"not a verification table: column(s) {', '.join(missing)} missing; expected the "
            f"columns {', '.join(VERIFICATION_COLUMNS)} (docs/data-contract.md)"
        )
    table = table[list(VERIFICATION_COLUMNS)]
    for column in _TEXT:
        text = table[column].astype("string").str.strip()
        table[column] = text.mask(text == "").astype("string")
    table["status"] = table["status"].fillna("verified")
    table["correct_benefit"] = pd.to_numeric(table["correct_benefit"]).astype("float64")
    table["verification_date"] = pd.to_datetime(table["verification_date"]).astype("datetime64[ns]")
    if sort:
        table = table.sort_values("household_id", kind="stable")
    return table.reset_index(drop=True)


def typed_answers(table: pd.DataFrame) -> pd.DataFrame:
    """Answers with their source: :func:`typed_verification` plus :data:`SOURCE_COLUMNS`.

    Absent source columns are empty; ``source_row`` is a nullable integer.
    """
    typed = typed_verification(table)
    sources = table.copy()
    for column in SOURCE_COLUMNS:
        if column not in sources.columns:
            sources[column] = None
    sources = sources[["household_id", *SOURCE_COLUMNS]].astype({"household_id": "string"})
    sources["household_id"] = sources["household_id"].str.strip()
    typed = typed.merge(sources, on="household_id", how="left", validate="one_to_one")
    for column in SOURCE_COLUMNS[:2]:
        typed[column] = typed[column].astype("string")
    typed["source_row"] = pd.to_numeric(typed["source_row"]).astype("Int64")
    return typed


def _normal(column: str, value: Any) -> Any:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return "verified" if column == "status" else None
    if isinstance(value, str) and value.strip() == "":
        return "verified" if column == "status" else None
    if column == "correct_benefit":
        return round(float(value), 9)
    if column == "verification_date":
        return pd.Timestamp(value).normalize()
    return str(value).strip()


def answer_change(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> Literal["same", "later", "conflict"]:
    """How a new answer of a household relates to the one it already has.

    Returns
    -------
    str
        ``"same"`` (every verification column equal), ``"later"`` (different, with a
        ``verification_date`` after the old one's, or the old one had none: it supersedes the
        old answer) or ``"conflict"`` (different, not dated later: the old answer stays).
    """
    columns = [column for column in VERIFICATION_COLUMNS if column != "household_id"]
    if all(_normal(c, old.get(c)) == _normal(c, new.get(c)) for c in columns):
        return "same"
    new_date = _normal("verification_date", new.get("verification_date"))
    old_date = _normal("verification_date", old.get("verification_date"))
    if new_date is not None and (old_date is None or new_date > old_date):
        return "later"
    return "conflict"
