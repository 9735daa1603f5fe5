"""The batch summary table: one row per county, read from its published report folder.

A county done or skipped in this run is read from its report folder (``estimates.json`` and
``manifest.json``). A county that failed or timed out keeps its last good result — from its last
published report folder (reports are published atomically, so a failed run leaves the previous
one in place) or, when that is gone, from the previous summary — and is marked as failed in
this run (``kept``). A county in the previous summary but not in this run keeps its row, marked
``not_run``. So a batch never replaces a summary with a worse one. The workbook itself is
written by :mod:`auditlib.batch.summary_workbook`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.batch.runner import CountyOutcome
from auditlib.batch.summary_columns import FAMILIES, PARTS
from auditlib.batch.summary_workbook import read_summary_table, summary_path
from auditlib.errors import ReportError
from auditlib.report.folder import ESTIMATES_FILE, output_name
from auditlib.report.manifest import MANIFEST_FILE

__all__ = ["TABLE_COLUMNS", "VALUE_COLUMNS", "county_record", "summary_table"]

#: Columns that hold a county's result (kept from an earlier run when this one failed).
VALUE_COLUMNS: tuple[str, ...] = (
    *("county", "sampled", "verified", "plan", "seed", "interim"),
    *(
        name
        for family in FAMILIES
        for estimand in family.estimands
        for name in (
            [f"{estimand.name}_{part}" for part, _, _ in PARTS]
            if estimand.interval
            else [estimand.name]
        )
    ),
)
#: Columns of :func:`summary_table`.
TABLE_COLUMNS: tuple[str, ...] = (
    *("county_code", "status", "message", "kept", "source", "note"),
    *VALUE_COLUMNS,
)
_SOURCE_NOTES = {
    "report": "数值取自上次发布的报告 / values from the last published report",
    "previous summary": "数值取自上次汇总 / values from the previous summary",
}


def _plan(manifest: Mapping[str, Any]) -> str:
    sampling = manifest.get("parameters", {}).get("sampling", {})
    plan = sampling.get("plan", "")
    text = plan if isinstance(plan, str) else json.dumps(plan, ensure_ascii=False, sort_keys=True)
    overrides = sampling.get("overrides") or {}
    if overrides:
        changes = ", ".join(f"{key}={value}" for key, value in sorted(overrides.items()))
        text = f"{text} ({changes})"
    return str(text)


def county_record(folder: Path) -> dict[str, Any] | None:
    """The values of one county's published report folder (``None`` when there is none).

    A folder counts as published when it holds ``manifest.json`` (written last) and
    ``estimates.json``; an interim report (``manifest-interim.json``) is read when there is
    no final one.

    Parameters
    ----------
    folder : pathlib.Path
        ``<output_root>/<county_code>``.

    Returns
    -------
    dict or None
        The :data:`VALUE_COLUMNS` of the county (``None`` for values the report does not have).
    """
    for interim in (False, True):
        manifest_path = folder / output_name(MANIFEST_FILE, interim=interim)
        estimates_path = folder / output_name(ESTIMATES_FILE, interim=interim)
        if not (manifest_path.is_file() and estimates_path.is_file()):
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            content = json.loads(estimates_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(manifest, dict) or not isinstance(content, dict):
            return None
        return _values(content, manifest, interim)
    return None


def _values(
    content: Mapping[str, Any], manifest: Mapping[str, Any], interim: bool
) -> dict[str, Any]:
    figures = content.get("estimates") or {}
    details = content.get("details") or {}
    county = [r for r in content.get("response_rates") or [] if r.get("level") == "county"]
    sampled = (
        county[0].get("sampled") if county else (content.get("sample") or {}).get("households")
    )
    record: dict[str, Any] = {
        "county": content.get("county", ""),
        "sampled": sampled,
        "verified": county[0].get("respondents") if county else None,
        "plan": _plan(manifest),
        "seed": content.get("seed", manifest.get("seed")),
        "interim": interim,
    }
    for family in FAMILIES:
        for estimand in family.estimands:
            if not estimand.interval:
                record[estimand.name] = figures.get(estimand.name)
                continue
            detail = details.get(estimand.name) or {}
            for part, _, _ in PARTS:
                key = f"{estimand.name}_{part}"
                record[key] = detail.get(part, figures.get(key))
    return record


def _previous(output_root: Path) -> dict[str, dict[str, Any]]:
    """Rows of the previous summary by county code (empty when there is none of ours)."""
    try:
        table = read_summary_table(summary_path(output_root).path)
    except ReportError:  # two foreign files: nothing of ours to keep (writing will refuse)
        return {}
    if table is None:
        return {}
    return {str(row["county_code"]): dict(row) for _, row in table.iterrows()}


def _row(
    code: str,
    status: str,
    message: str,
    output_root: Path,
    previous: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    row: dict[str, Any] = {"county_code": code, "status": status, "message": message}
    row.update(kept=False, source="")
    record = county_record(output_root / code)
    earlier = previous.get(code, {})
    if record is not None:
        row.update(record, source="report")
    elif status not in ("done", "skipped") and earlier.get("source"):
        row.update({key: earlier.get(key) for key in VALUE_COLUMNS}, source="previous summary")
    elif status == "not_run":
        row.update({key: earlier.get(key) for key in VALUE_COLUMNS}, county=earlier.get("county"))
        row["message"] = earlier.get("message") or ""
    if status in ("done", "skipped") and record is None:
        row["message"] = f"{output_root / code} holds no published estimates ({ESTIMATES_FILE})"
    row["kept"] = status not in ("done", "skipped") and bool(row["source"])
    notes = [_SOURCE_NOTES[row["source"]]] if row["kept"] else []
    if row.get("interim"):
        notes.append("中期报告 / interim report")
    if row["message"]:
        notes.append(str(row["message"]))
    row["note"] = "\n".join(notes)
    row["county"] = row.get("county") or ""
    return row


def summary_table(outcomes: Sequence[CountyOutcome], output_root: str | Path) -> pd.DataFrame:
    """Every county's estimates and status, one row per county (sorted by county code).

    Parameters
    ----------
    outcomes : sequence of CountyOutcome
        The counties of this run (from :func:`auditlib.batch.runner.run_batch`).
    output_root : str or pathlib.Path
        The batch's output folder (county report folders and the previous summary).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TABLE_COLUMNS`: ``status`` of this run (``done``, ``skipped``,
        ``failed``, ``timeout``, or ``not_run`` for a county only the previous summary has),
        ``kept`` (the values are a failed county's last good result) and ``source``
        (``"report"`` or ``"previous summary"``; empty without values).
    """
    root = Path(output_root)
    previous = _previous(root)
    rows = [
        _row(outcome.county_code, outcome.status, outcome.message, root, previous)
        for outcome in outcomes
    ]
    seen = {outcome.county_code for outcome in outcomes}
    rows += [_row(code, "not_run", "", root, previous) for code in previous if code not in seen]
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    return table.sort_values("county_code", kind="stable").reset_index(drop=True)
