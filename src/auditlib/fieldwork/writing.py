"""Writing the fieldwork worksheets: one xlsx per township or team, printable on A4.

Identity cells are locked (sheet protection without password) so that they are not changed by
accident; answer cells are unlocked and shaded. This module prepares the rows and the issued
manifest; :mod:`auditlib.fieldwork.xlsx` lays the workbooks out with XlsxWriter (shared cell
formats, byte-reproducible output); filled workbooks are read back with openpyxl.

Worksheets hold full names and ID numbers, so they are written only into a *restricted*
folder; ``issued.json`` beside them records, for each household, the file, sheet and row it
was issued in and a SHA-256 digest of its identity cells, so that an import can detect
deleted rows and changed identities (:mod:`auditlib.fieldwork.importing`). Each sheet's title
row names the seed and the first 12 hex digits of the sample table's SHA-256, both also in
``issued.json``: a worksheet of another draw is refused on import.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.atomic import atomic_write_text, write_with
from auditlib.data.bundle import CountyData
from auditlib.data.codes import PROGRAMMES
from auditlib.errors import FieldworkError
from auditlib.fieldwork.layout import (
    COLUMN_INDEX,
    FIRST_DATA_ROW,
    IDENTITY_COLUMNS,
    ISSUED_FILE,
    REASONS_ZH,
    WORKSHEET_COLUMNS,
    identity_digest,
    worksheet_title,
)
from auditlib.fieldwork.xlsx import TownshipSheet, write_workbook
from auditlib.sampling.sample import Sample, table_sha256


@dataclass(frozen=True)
class WorksheetSet:
    """Worksheets written: the xlsx files and the issued manifest."""

    folder: Path
    files: tuple[Path, ...]
    manifest: Path
    households: int


def _groups(
    townships: Sequence[str], teams: Mapping[str, Sequence[str]] | None
) -> dict[str, list[str]]:
    if not teams:
        return {code: [code] for code in townships}
    groups: dict[str, list[str]] = {}
    assigned: dict[str, str] = {}
    for team, members in teams.items():
        for code in members:
            if code in assigned:
                raise FieldworkError(
                    f"township {code} is in two teams ({assigned[code]!r} and {team!r}); "
                    "each township must be in exactly one team"
                )
            assigned[code] = team
    for code in townships:
        owner = assigned.get(code)
        if owner is None:
            raise FieldworkError(
                f"township {code} has sampled households but is in no team of "
                f"sampling.teams; teams cover {sorted(assigned)}"
            )
        groups.setdefault(owner, []).append(code)
    return groups


def _safe_file_stem(name: str) -> str:
    kept = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return kept or "team"


def _cell_value(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if key == "programme":
        return PROGRAMMES.get(str(value), str(value))
    if key == "selection_reason":
        return REASONS_ZH.get(str(value), str(value))
    if hasattr(value, "item"):
        return value.item()
    return value


def _township_rows(
    table: pd.DataFrame, households: pd.DataFrame
) -> dict[str, list[dict[str, Any]]]:
    """Sampled households with their facts, per township, sorted by village then household.

    The sample's columns take precedence over the household table's (one merge instead of a
    look-up per household). Raises FieldworkError when a sampled household is not in
    ``households``.
    """
    facts = [column for column in households.columns if column not in table.columns]
    merged = table.assign(household_id=table["household_id"].astype(str)).merge(
        households[["household_id", *facts]].drop_duplicates("household_id"),
        on="household_id",
        how="left",
        sort=False,
        indicator="_found",
    )
    missing = sorted(set(merged.loc[merged["_found"] == "left_only", "household_id"].tolist()))
    if missing:
        raise FieldworkError(
            f"{len(missing)} sampled household(s) are not in the households table "
            f"(first: {missing[0]!r}); draw the sample from these data"
        )
    by_township: dict[str, list[dict[str, Any]]] = {}
    for record in merged.drop(columns="_found").to_dict(orient="records"):
        by_township.setdefault(str(record["township_code"]), []).append(record)
    for rows in by_township.values():
        rows.sort(key=lambda row: (str(row["village_code"]), str(row["household_id"])))
    return by_township


def _sheet_values(rows: Sequence[Mapping[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    """The cell values of each row in column order; answer columns empty."""
    return tuple(
        tuple(
            offset
            if column.key == "row_number"
            else None
            if column.answer
            else _cell_value(row, column.key)
            for column in WORKSHEET_COLUMNS
        )
        for offset, row in enumerate(rows, start=1)
    )


def write_worksheets(
    sample: Sample,
    data: CountyData,
    folder: str | Path,
    *,
    teams: Mapping[str, Sequence[str]] | None = None,
) -> WorksheetSet:
    """Write the fieldwork worksheets of a sample into a restricted folder.

    Parameters
    ----------
    sample : Sample
        The drawn sample.
    data : CountyData
        The county's tables (identities and facts to verify come from ``households``).
    folder : str or pathlib.Path
        Restricted folder (created with permissions 0700); full identities live only there.
    teams : mapping of team name to township codes, optional
        One workbook per team (one sheet per township) instead of one per township.

    Returns
    -------
    WorksheetSet
    """

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    households = data.households.assign(household_id=data.households["household_id"].astype(str))
    table = sample.table
    by_township = _township_rows(table, households)
    names = households.drop_duplicates("township_code").set_index("township_code")["township"]
    sample_digest = table_sha256(table)
    issued: dict[str, dict[str, Any]] = {}
    files: list[Path] = []
    audit_start = data.info.audit_period_start
    created = datetime.combine(data.info.reference_date, time())
    identity = [COLUMN_INDEX[key] for key in IDENTITY_COLUMNS]
    for group, codes in _groups(sorted(by_township), teams).items():
        path = folder / f"worksheet_{_safe_file_stem(group)}.xlsx"
        sheets = []
        for code in codes:
            values = _sheet_values(by_township[code])
            title = worksheet_title(
                data.info.county, str(names.get(code, code)), sample.seed, sample_digest
            )
            sheets.append(TownshipSheet(name=code, title=title, rows=values))
            for offset, row in enumerate(values):
                # the digest covers the identity cells as written (and as the import reads them)
                household_id, head_name, head_id_number = (
                    "" if row[index] is None else str(row[index]) for index in identity
                )
                issued[household_id] = {
                    "file": path.name,
                    "sheet": code,
                    "row": FIRST_DATA_ROW + offset,
                    "identity_sha256": identity_digest(household_id, head_name, head_id_number),
                }
        write_with(
            path,
            partial(write_workbook, sheets=sheets, audit_start=audit_start, created=created),
        )
        files.append(path)
    manifest = {
        "format": "auditlib-worksheets/1",
        "county_code": sample.county_code,
        "seed": sample.seed,
        "sample_table_sha256": sample_digest,
        "frame_hash": sample.frame_hash,
        "audit_period_start": audit_start.isoformat(),
        "households": dict(sorted(issued.items())),
    }
    manifest_path = folder / ISSUED_FILE
    atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    atomic_write_text(
        folder / "README.txt",
        "本文件夹含个人身份信息(姓名、身份证号),仅限核查人员使用,严禁外传。\n"
        "This folder holds full identities (names, ID numbers): restricted to field teams.\n",
    )
    return WorksheetSet(
        folder=folder, files=tuple(files), manifest=manifest_path, households=len(issued)
    )
