"""Loading a county's tables from a folder, with validation against the data contract.

:func:`load_county` is the one entry point: it finds each table of the contract in the folder
(``households.csv`` or ``家庭户信息.xlsx`` or ``households.parquet`` ...), reads it
(:mod:`auditlib.data.io`), checks and coerces it (:mod:`auditlib.data.validation`), checks the keys
between tables, and returns a :class:`~auditlib.data.bundle.CountyData`. It collects *every* problem
of every file before deciding; if any is fatal under the policy it raises one
:class:`~auditlib.errors.DataError` listing them all.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import yaml

from auditlib.data.arrow import string_array
from auditlib.data.bundle import CountyData, CountyInfo
from auditlib.data.consistency import (
    county_code_problems,
    household_member_problems,
    period_problems,
    village_township_problems,
)
from auditlib.data.contract import CONTRACT
from auditlib.data.fingerprint import file_sha256
from auditlib.data.io import SUPPORTED_SUFFIXES, read_raw_table
from auditlib.data.masking import mask_problems, mask_text
from auditlib.data.policy import ValidationPolicy
from auditlib.data.schema import TableSpec
from auditlib.data.validation import CheckedTable, check_table
from auditlib.errors import DataError, Problem

__all__ = ["COUNTY_INFO_FILE", "load_county", "read_county_info"]

COUNTY_INFO_FILE = "county.yaml"
_INFO_KEYS = {
    "county_code": str,
    "county": str,
    "province": str,
    "rural_standard": float,
    "reference_date": date,
    "audit_period_start": date,
    "audit_period_end": date,
}
PROBLEM_COLUMNS = ["file", "row", "column", "value", "expected", "severity", "code"]


def read_county_info(folder: Path) -> CountyInfo:
    """Read and check ``county.yaml`` of a county folder."""
    path = Path(folder) / COUNTY_INFO_FILE
    if not path.is_file():
        raise DataError(
            f"{path}: file not found; expected {COUNTY_INFO_FILE} with the keys "
            + ", ".join(_INFO_KEYS)
        )
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDateLoader)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as error:
        raise DataError(f"{path}: not valid UTF-8 YAML ({mask_text(str(error))})") from None
    if not isinstance(content, dict):
        shown = mask_text(repr(content)[:80])
        raise DataError(f"{path}: expected a mapping of keys to values, got {shown}")
    problems = []
    values: dict[str, Any] = {}
    for key in sorted(set(content) - set(_INFO_KEYS)):
        problems.append(
            Problem(
                path.name,
                None,
                key,
                str(content[key]),
                "no such key; known keys: " + ", ".join(_INFO_KEYS),
                "error",
                "unknown_key",
            )
        )
    for key, kind in _INFO_KEYS.items():
        value = content.get(key)
        try:
            if value is None:
                raise ValueError("missing")
            if kind is date:
                values[key] = value if isinstance(value, date) else _yaml_date(str(value))
            elif kind is float:
                if isinstance(value, bool):
                    raise TypeError("a yes/no, not a number")
                values[key] = float(value)
                if not math.isfinite(values[key]) or values[key] <= 0:
                    raise ValueError("not a finite positive number")
            else:
                values[key] = str(value)
        except (TypeError, ValueError):
            expected = {
                date: "a date YYYY-MM-DD",
                float: "a finite positive number (not .nan or .inf)",
                str: "text",
            }[kind]
            problems.append(
                Problem(path.name, None, key, str(value), expected, "error", "bad_value")
            )
    if problems:
        raise DataError(
            f"{path}: {len(problems)} problem(s) in the county facts", mask_problems(problems)
        )
    return CountyInfo(**values)


def _yaml_date(text: str) -> date:
    """A date written ``YYYY-MM-DD`` (or ``YYYY-M-D``, as YAML allows); ``ValueError`` if not."""
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts) or len(parts[0]) != 4:
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


class _TextDateLoader(yaml.SafeLoader):
    """A safe YAML loader that leaves dates as text (checked by ``date.fromisoformat``).

    PyYAML's own timestamp conversion raises a bare ``ValueError`` on ``2025-13-45``; as text
    the value is reported as a problem of its key like any other bad value.
    """


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _find_file(folder: Path, spec: TableSpec) -> tuple[Path | None, list[Problem]]:
    candidates = [
        folder / f"{stem}{suffix}"
        for stem in (spec.name, spec.label_zh)
        for suffix in SUPPORTED_SUFFIXES
    ]
    found = [path for path in candidates if path.is_file()]
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        return None, [
            Problem(
                names,
                None,
                None,
                "several files for one table",
                f"exactly one file for table '{spec.name}'",
                "error",
                "file_ambiguous",
            )
        ]
    if not found:
        other = [
            p for p in folder.glob(f"{spec.name}.*") if p.suffix.lower() not in SUPPORTED_SUFFIXES
        ]
        if other:
            return None, [
                Problem(
                    other[0].name,
                    None,
                    None,
                    f"file type {other[0].suffix!r}",
                    "one of " + ", ".join(SUPPORTED_SUFFIXES),
                    "error",
                    "file_type",
                )
            ]
        return None, []
    return found[0], []


@dataclass
class _Load:
    policy: ValidationPolicy
    problems: list[Problem] = field(default_factory=list)
    rejected: list[pd.DataFrame] = field(default_factory=list)
    tables: dict[str, CheckedTable] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    files_read: list[str] = field(default_factory=list)

    def reject_orphans(self, table: str, column: str, known: pd.Series, parent: str) -> None:
        checked = self.tables.get(table)
        if checked is None:
            return
        values = checked.frame[column]
        found = pc.is_in(string_array(values), value_set=string_array(known))
        orphan = (
            ~np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
            & values.notna().to_numpy()
        )
        if not orphan.any():
            return
        file = self.file_of(table)
        action = self.policy.action("orphan_key")
        rows = checked.row_numbers[orphan]
        expected = f"a {column} present in {parent}"
        for row, value in zip(rows.tolist(), values[orphan].astype(str).tolist(), strict=True):
            self.problems.append(Problem(file, row, column, value, expected, action, "orphan_key"))
        if action == "reject":
            self.rejected.append(
                pd.DataFrame({"file": file, "row": rows, "reason": f"{column}: not in {parent}"})
            )
            keep = ~orphan
            checked.frame = checked.frame.loc[keep].reset_index(drop=True)
            checked.row_numbers = checked.row_numbers[keep]

    def file_of(self, table: str) -> str:
        return next((name for name in self.files_read if Path(name).stem in _stems(table)), table)


def _stems(table: str) -> set[str]:
    spec = next(spec for spec in CONTRACT if spec.name == table)
    return {spec.name, spec.label_zh}


def load_county(folder: str | Path, policy: ValidationPolicy | None = None) -> CountyData:
    """Load and validate every table of a county folder.

    Parameters
    ----------
    folder : str or pathlib.Path
        Folder holding ``county.yaml`` and one file per table of the contract.
    policy : ValidationPolicy, optional
        What each kind of problem does (default: :class:`ValidationPolicy` defaults).

    Returns
    -------
    CountyData
        Typed tables; ``problems`` lists every non-fatal problem, ``rejected`` every row that
        was not loaded.

    Raises
    ------
    DataError
        Listing every problem found, when any is fatal under the policy.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(
            f"{folder}: not a folder; expected a county folder with {COUNTY_INFO_FILE}"
            " and the tables of docs/data-contract.md"
        )
    info = read_county_info(folder)
    policy = (policy or ValidationPolicy()).with_reference_date(info.reference_date)
    load = _Load(policy)
    found = {spec.name: _find_file(folder, spec) for spec in CONTRACT}
    # hash the files on a second thread while they are parsed (hashlib releases the GIL)
    with ThreadPoolExecutor(max_workers=1) as hasher:
        hashes = {
            path.name: hasher.submit(file_sha256, path)
            for path, _ in found.values()
            if path is not None
        }
        _read_tables(load, found, policy)
        load.hashes = {name: future.result() for name, future in hashes.items()}
    _cross_checks(load, info)
    _rejected_share(load)
    return _result(folder, info, load)


def _read_tables(
    load: _Load,
    found: dict[str, tuple[Path | None, list[Problem]]],
    policy: ValidationPolicy,
) -> None:
    for spec in CONTRACT:
        path, problems = found[spec.name]
        load.problems.extend(problems)
        if path is None:
            if spec.required and not problems:
                load.problems.append(
                    Problem(
                        f"{spec.name}.csv",
                        None,
                        None,
                        "(file absent)",
                        f"a file for table '{spec.name}' ({spec.label_zh})",
                        policy.action("file_missing"),
                        "file_missing",
                    )
                )
            continue
        load.files_read.append(path.name)
        try:
            raw = read_raw_table(path, spec.alias_map())
        except DataError as error:
            load.problems.extend(
                error.problems
                or [Problem(path.name, None, None, str(error), "a readable file", "error", "file")]
            )
            continue
        checked = check_table(raw, spec, policy)
        load.problems.extend(checked.problems)
        if len(checked.rejected):
            load.rejected.append(checked.rejected)
        if spec.required and len(raw.frame) == 0 and not raw.short_rows:
            load.problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    "header only, no data rows",
                    f"at least one row of '{spec.name}'",
                    policy.action("file_empty"),
                    "file_empty",
                )
            )
        load.tables[spec.name] = checked


def _cross_checks(load: _Load, info: CountyInfo) -> None:
    load.problems.extend(period_problems(info, COUNTY_INFO_FILE, load.policy))
    for name, checked in load.tables.items():
        load.problems.extend(
            county_code_problems(
                checked.frame, checked.row_numbers, load.file_of(name), info, load.policy
            )
        )
    households = load.tables.get("households")
    if households is None:
        return
    file = load.file_of("households")
    load.problems.extend(
        village_township_problems(households.frame, households.row_numbers, file, load.policy)
    )
    known = households.frame["household_id"].dropna()
    for table in ("members", "payments", "verification"):
        load.reject_orphans(table, "household_id", known, "households")
    members = load.tables.get("members")
    if members is not None:
        load.problems.extend(
            household_member_problems(
                households.frame, households.row_numbers, members.frame, file, load.policy
            )
        )


def _rejected_share(load: _Load) -> None:
    if not load.rejected:
        return
    rejected = pd.concat(load.rejected, ignore_index=True)
    for file, count in rejected.groupby("file").size().items():
        table = next((t for t in load.tables if Path(str(file)).stem in _stems(t)), None)
        total = count + (len(load.tables[table].frame) if table else 0)
        if total and count / total > load.policy.max_rejected_share:
            load.problems.append(
                Problem(
                    str(file),
                    None,
                    None,
                    f"{count} of {total} rows rejected ({count / total:.1%})",
                    f"at most {load.policy.max_rejected_share:.1%} rejected rows "
                    "(see the problems above)",
                    load.policy.action("too_many_rejected"),
                    "too_many_rejected",
                )
            )


def _result(folder: Path, info: CountyInfo, load: _Load) -> CountyData:
    load.problems = mask_problems(load.problems)  # the one exit of every problem of the folder
    problems = pd.DataFrame([p.__dict__ for p in load.problems], columns=PROBLEM_COLUMNS)
    fatal = [p for p in load.problems if p.severity == "error"]
    if fatal:
        files = sorted({p.file for p in fatal})
        raise DataError(
            f"{folder}: {len(fatal)} fatal problem(s) in {', '.join(files)}; "
            f"{len(load.problems) - len(fatal)} other(s). Nothing was loaded.",
            load.problems,
        )
    rejected = (
        pd.concat(load.rejected, ignore_index=True)
        if load.rejected
        else pd.DataFrame(columns=["file", "row", "reason"])
    )
    rejected["reason"] = [mask_text(str(reason)) for reason in rejected["reason"]]
    registries = {
        name: checked.frame for name, checked in load.tables.items() if name.startswith("registry_")
    }
    verification = load.tables.get("verification")
    return CountyData(
        info=info,
        households=load.tables["households"].frame,
        members=load.tables["members"].frame,
        payments=load.tables["payments"].frame,
        registries=registries,
        verification=None if verification is None else verification.frame,
        problems=problems,
        rejected=rejected.astype({"row": np.int64}) if len(rejected) else rejected,
        source=folder,
        files=dict(sorted(load.hashes.items())),
    )
