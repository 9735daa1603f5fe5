"""Checking one raw table against the data contract and coercing it to typed columns.

Every check is vectorised and every failure becomes a :class:`~auditlib.errors.Problem` naming
the file, the spreadsheet row, the column, the value and what was expected. What a failure
does is decided by a :class:`ValidationPolicy`:

``"error"``   fatal: loading raises :class:`~auditlib.errors.DataError` listing every problem;
``"reject"``  the row is not loaded and is listed in ``CountyData.rejected`` with its reason;
``"warning"`` the row is loaded as it is and the problem is reported.

A rule of thumb for the defaults: problems with the file's structure are fatal; a value that
cannot be used (missing, unparseable, out of range, a date in the future, a member of an unknown
household) rejects its row; a value that is suspicious but usable (an ID number whose check digit
is wrong, an unknown extra column, a household size that disagrees with its members) warns. If
more than ``max_rejected_share`` of a table's rows are rejected, that is fatal too: the file is
probably not what it claims to be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditlib.data.arrow import bool_mask, string_array
from auditlib.data.idcard import id_number_problems, mask_id_number
from auditlib.data.io import LOST_PRECISION_MARK, RawTable
from auditlib.data.parsing import parse_dates, parse_numbers, stored_as_number
from auditlib.data.policy import ValidationPolicy
from auditlib.data.schema import BOOL_FALSE, BOOL_TRUE, ColumnSpec, TableSpec, normalise_header
from auditlib.data.structure import dropped_rows, structure_problems
from auditlib.errors import Problem

__all__ = ["CheckedTable", "check_table"]

EARLIEST_DATE = np.datetime64("1890-01-01", "s")
LATEST_DATE = np.datetime64("2200-01-01", "s")


@dataclass
class CheckedTable:
    """Result of :func:`check_table`: typed frame, its row numbers, problems, rejected rows."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    problems: list[Problem]
    rejected: pd.DataFrame


@dataclass
class _Findings:
    """Problems of one table, accumulated column by column (vectorised)."""

    file: str
    policy: ValidationPolicy
    row_numbers: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    reject_mask: np.ndarray | None = None
    reject_reason: np.ndarray | None = None

    def table_problem(self, code: str, column: str | None, value: str, expected: str) -> None:
        self.problems.append(
            Problem(self.file, None, column, value, expected, self.policy.action(code), code)
        )

    def cell_problems(
        self,
        code: str,
        mask: np.ndarray,
        column: str,
        values: pd.Series,
        expected: str | pd.Series,
    ) -> None:
        """Record a problem for every row where ``mask`` holds."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        action = self.policy.action(code)
        shown = values.iloc[positions].astype(str).tolist()
        expectations = (
            [expected] * len(positions)
            if isinstance(expected, str)
            else expected.iloc[positions].astype(str).tolist()
        )
        rows = self.row_numbers[positions].tolist()
        self.problems.extend(
            Problem(self.file, row, column, value, text, action, code)
            for row, value, text in zip(rows, shown, expectations, strict=True)
        )
        if action == "reject":
            if self.reject_mask is None:
                self.reject_mask = np.zeros(len(self.row_numbers), dtype=bool)
                self.reject_reason = np.full(len(self.row_numbers), "", dtype=object)
            assert self.reject_reason is not None  # for mypy; set together above
            fresh = positions[~self.reject_mask[positions]]
            self.reject_reason[fresh] = [
                f"{column}: {expectations[0] if isinstance(expected, str) else 'invalid'} "
                f"(got {value!r})"
                for value in values.iloc[fresh].astype(str).tolist()
            ]
            self.reject_mask[positions] = True


def _rename_columns(raw: RawTable, spec: TableSpec, findings: _Findings) -> pd.DataFrame:
    aliases = spec.alias_map()
    renamed: dict[str, str] = {}
    for header in raw.frame.columns:
        english = aliases.get(normalise_header(str(header)))
        if english is None:
            findings.table_problem(
                "unknown_column",
                str(header),
                str(header),
                f"a column of table '{spec.name}' (see docs/data-contract.md); it is ignored",
            )
            continue
        if english in renamed.values():
            findings.table_problem(
                "dup_col", str(header), str(header), f"column '{english}' only once"
            )
            continue
        renamed[str(header)] = english
    frame = raw.frame[list(renamed)].rename(columns=renamed)
    for column in spec.columns:
        if column.name in frame.columns:
            continue
        if column.required:
            findings.table_problem(
                "missing_column",
                column.name,
                "(column absent)",
                f"a column '{column.name}' ({column.label_zh}): {column.description}",
            )
        frame[column.name] = ""
    return frame[list(spec.column_names)]


def _arrow_text(text: pd.Series) -> pa.Array:
    """Cells of a column as one Arrow string array, whitespace trimmed, never null."""
    return pc.utf8_trim_whitespace(string_array(text).fill_null(""))


def _string_series(array: pa.Array, empty: np.ndarray) -> pd.Series:
    values = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), array)
    return pd.Series(pd.arrays.ArrowStringArray(values), dtype="string[pyarrow]")


def _positions(array: pa.Array, keys: list[str]) -> np.ndarray:
    """Index of each cell in ``keys`` (-1 where absent), in one hashed pass."""
    found = pc.index_in(array, value_set=pa.array(keys, type=pa.string()))
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _coerce(
    array: pa.Array, column: ColumnSpec, findings: _Findings
) -> tuple[pd.Series, np.ndarray]:
    """Coerce one text column (trimmed Arrow text); return typed values and a mask of empty cells.

    All work runs on Arrow compute kernels: a column of millions of cells takes milliseconds.
    """
    empty = bool_mask(pc.equal(array, ""))
    shown = pd.Series(pd.arrays.ArrowStringArray(array), dtype="string[pyarrow]")
    if column.kind in ("string", "id_number"):
        if column.kind == "id_number" and pc.any(pc.match_substring(array, "x")).as_py():
            array = pc.utf8_upper(array)
        return _string_series(array, empty), empty
    if column.kind in ("int", "float"):
        numbers = parse_numbers(array, empty)
        bad = np.isnan(numbers) & ~empty
        number = f"a number ({column.kind}); thousands grouped only as in 1,234,567.89"
        findings.cell_problems("bad_number", bad, column.name, shown, number)
        if column.kind == "int":
            fractional = ~np.isnan(numbers) & (np.mod(numbers, 1) != 0)
            findings.cell_problems("bad_number", fractional, column.name, shown, "a whole number")
        low, high = column.minimum, column.maximum
        with np.errstate(invalid="ignore"):
            outside = np.zeros(len(numbers), dtype=bool)
            if low is not None:
                outside |= numbers < low
            if high is not None:
                outside |= numbers > high
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        findings.cell_problems("out_of_range", outside, column.name, shown, bounds)
        return pd.Series(numbers), empty
    if column.kind == "date":
        parsed = parse_dates(array, empty)
        seconds = parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]")
        with np.errstate(invalid="ignore"):
            implausible = (seconds < EARLIEST_DATE) | (seconds > LATEST_DATE)
        bad = (np.isnat(seconds) | implausible) & ~empty
        findings.cell_problems(
            "bad_date",
            bad,
            column.name,
            shown,
            "a real date YYYY-MM-DD (or YYYY/MM/DD, YYYYMMDD, YYYY年M月D日) between 1890 and 2200",
        )
        dates = np.where(implausible, np.datetime64("NaT"), seconds).astype("datetime64[ns]")
        latest = _latest_date(column, findings.policy)
        if latest is not None:
            future = ~np.isnat(dates) & (dates > np.datetime64(latest.isoformat(), "ns"))
            findings.cell_problems(
                "future_date",
                future,
                column.name,
                shown,
                f"a date on or before {latest.isoformat()} ({column.latest.replace('_', ' ')})",
            )
        return pd.Series(dates), empty
    if column.kind == "bool":
        keys = [*sorted(BOOL_TRUE), *sorted(BOOL_FALSE)]
        position = _positions(pc.utf8_lower(array), keys)
        bad = (position < 0) & ~empty
        findings.cell_problems("bad_bool", bad, column.name, shown, "yes/no (1/0, 是/否)")
        return pd.Series((position >= 0) & (position < len(BOOL_TRUE))), empty
    if column.kind == "category":
        spellings: dict[str, int] = {}
        for index, code in enumerate(column.values):
            spellings.update({code: index, code.lower(): index})
            spellings[column.value_labels_zh[code]] = index
        keys = list(spellings)
        targets = np.array([*spellings.values(), -1])
        position = _positions(array, keys)
        lowered = _positions(pc.utf8_lower(array), keys)
        code_index = targets[np.where(position >= 0, position, lowered)]
        bad = (code_index < 0) & ~empty
        allowed = ", ".join(column.values)
        findings.cell_problems("bad_category", bad, column.name, shown, f"one of: {allowed}")
        codes = pa.array(column.values, pa.string()).take(
            pa.array(code_index, mask=code_index < 0, type=pa.int64())
        )
        return pd.Series(pd.arrays.ArrowStringArray(codes), dtype="string[pyarrow]"), empty
    raise ValueError(f"unknown column kind {column.kind!r}")  # contract bug, not user input


def _latest_date(column: ColumnSpec, policy: ValidationPolicy) -> date | None:
    """Latest date a date column may hold under the policy (``None``: no limit)."""
    if policy.reference_date is None:
        return None
    if column.latest == "today":
        return max(policy.reference_date, date.today())
    return policy.reference_date


def check_table(raw: RawTable, spec: TableSpec, policy: ValidationPolicy) -> CheckedTable:
    """Validate and coerce one raw table against ``spec`` (all problems, one pass).

    Parameters
    ----------
    raw : RawTable
        Text cells as read by :func:`auditlib.data.io.read_raw_table`.
    spec : TableSpec
        The contract of the table.
    policy : ValidationPolicy
        What each problem does.

    Returns
    -------
    CheckedTable
        Typed rows that were kept, their row numbers, every problem, the rejected rows.
    """
    findings = _Findings(raw.path.name, policy, np.asarray(raw.row_numbers))
    findings.problems.extend(structure_problems(raw, policy))
    text = _rename_columns(raw, spec, findings)
    present = _present_columns(raw, spec)
    marked = {spec.alias_map().get(normalise_header(name)) for name in raw.marked_columns}
    typed: dict[str, pd.Series] = {}
    for column in spec.columns:
        array = _arrow_text(text[column.name])
        stored = np.zeros(len(array), dtype=bool)
        if column.kind == "id_number" or column.digit_code or column.name in marked:
            stored = _check_stored_as_number(array, column, findings)
        values, empty = _coerce(array, column, findings)
        if not column.nullable and column.name in present:
            findings.cell_problems(
                "missing_value",
                empty,
                column.name,
                text[column.name],
                f"a value ({column.description})",
            )
        if column.kind == "id_number":
            _check_id_numbers(values, empty | stored, column, findings)
        typed[column.name] = values
    frame = pd.DataFrame(typed)
    for column in spec.columns:
        if column.unique:
            _check_unique(frame[column.name], column, findings)
    return _finish(_integer_columns(frame, spec), findings)


def _integer_columns(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    for column in spec.columns:
        if column.kind == "int":
            frame[column.name] = frame[column.name].round().astype("Int64")
    return frame


def _present_columns(raw: RawTable, spec: TableSpec) -> set[str]:
    """English names of the contract columns present in the raw file."""
    aliases = spec.alias_map()
    return {aliases[key] for key in map(normalise_header, raw.frame.columns) if key in aliases}


def _check_stored_as_number(array: pa.Array, column: ColumnSpec, findings: _Findings) -> np.ndarray:
    """Refuse digit codes that went through a float (they lost digits); return their mask."""
    stored = stored_as_number(array) if column.kind in ("string", "id_number") else None
    if stored is None or not stored.any():
        return np.zeros(len(array), dtype=bool)
    positions = np.flatnonzero(stored)
    cells = [
        re.sub(re.escape(LOST_PRECISION_MARK) + "$", "", value, flags=re.IGNORECASE)
        for value in array.take(pa.array(positions)).to_pylist()
    ]
    shown = pd.Series("", index=range(len(array)), dtype=object)
    shown.iloc[positions] = [mask_id_number(value) for value in cells] if column.personal else cells
    if column.kind == "id_number":
        code, what = "id_lost_precision", "the ID number"
    else:
        code, what = "code_lost_precision", f"the {column.name.replace('_', ' ')}"
    findings.cell_problems(
        code,
        stored,
        column.name,
        shown,
        f"{what} stored as text, digit for digit (it was stored as a number, which keeps only "
        "15-17 digits and drops leading zeros; format the column as text and re-export)",
    )
    return stored


def _check_id_numbers(
    values: pd.Series, skip: np.ndarray, column: ColumnSpec, findings: _Findings
) -> None:
    """Check ID numbers (length, birth date, check digit) except where ``skip`` holds."""
    reference = findings.policy.reference_date
    reasons = id_number_problems(values, None if reference is None else str(reference))
    bad = ((reasons != "") & ~pd.Series(skip, index=reasons.index)).to_numpy()
    masked = pd.Series("", index=values.index, dtype=object)
    masked[bad] = [mask_id_number(value) for value in values[bad].fillna("")]
    findings.cell_problems(
        "id_invalid", bad, column.name, masked, "a valid resident ID number: " + reasons.astype(str)
    )


def _check_unique(values: pd.Series, column: ColumnSpec, findings: _Findings) -> None:
    if isinstance(values.dtype, pd.StringDtype):
        array = string_array(values)
        # one hashed pass settles the common case (unique() beats count_distinct() here)
        if len(pc.unique(array.drop_null())) == len(array) - array.null_count:
            return
    duplicated = values.duplicated(keep=False) & values.notna()
    if not duplicated.any():
        return
    first_row = (
        pd.Series(findings.row_numbers, index=values.index)[duplicated]
        .groupby(values[duplicated])
        .transform("min")
    )
    later = (values.duplicated(keep="first") & values.notna()).to_numpy()
    shown = values.map(mask_id_number) if column.personal else values
    expected = pd.Series("", index=values.index, dtype=object)
    expected[duplicated] = "a unique value (already used in row " + first_row.astype(str) + ")"
    findings.cell_problems("duplicate_key", later, column.name, shown, expected)


def _finish(frame: pd.DataFrame, findings: _Findings) -> CheckedTable:
    row_numbers = findings.row_numbers
    dropped = dropped_rows(findings.problems)
    if findings.reject_mask is None:
        rejected = dropped if len(dropped) else pd.DataFrame({"file": [], "row": [], "reason": []})
        for name in frame.columns:
            if str(frame[name].dtype) == "Int64" and not frame[name].isna().any():
                frame[name] = frame[name].astype("int64")
        return CheckedTable(frame, row_numbers, findings.problems, rejected)
    keep = ~findings.reject_mask
    rejected = pd.DataFrame(
        {
            "file": findings.file,
            "row": row_numbers[findings.reject_mask],
            "reason": findings.reject_reason[findings.reject_mask]
            if findings.reject_reason is not None
            else "",
        }
    )
    rejected = pd.concat([rejected, dropped], ignore_index=True) if len(dropped) else rejected
    kept = frame.loc[keep].reset_index(drop=True)
    for name in kept.columns:
        if str(kept[name].dtype) == "Int64" and not kept[name].isna().any():
            kept[name] = kept[name].astype("int64")
    return CheckedTable(kept, row_numbers[keep], findings.problems, rejected)
