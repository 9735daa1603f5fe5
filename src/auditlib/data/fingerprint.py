"""Fingerprints of files and data folders, and what changed between two fingerprints.

A folder's fingerprint records, for every file below it (hidden files excepted), its SHA-256
and size and, for CSV files, the number of rows, a digest per column and a digest per block of
:data:`ROW_BLOCK` rows. Comparing two fingerprints then says *what* changed — rows added, a
column's values, which rows — without keeping a copy of the data: the report manifest uses it
to explain a failed ``verify``, the county workspace to refuse phase 2 on data that changed
since the sample was drawn.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ROW_BLOCK",
    "compare_folder_fingerprints",
    "describe_file_change",
    "file_sha256",
    "folder_fingerprint",
]

#: Rows per block digest of a CSV file.
ROW_BLOCK = 1000


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _short(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _csv_digests(path: Path) -> dict[str, Any] | None:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return None
    header, body = rows[0], rows[1:]
    columns: dict[str, str] = {}
    for index, name in enumerate(header):
        values = "\x1f".join(row[index] if index < len(row) else "" for row in body)
        columns[name] = _short(values)
    blocks = [
        _short("\x1e".join("\x1f".join(row) for row in body[start : start + ROW_BLOCK]))
        for start in range(0, len(body), ROW_BLOCK)
    ]
    return {"rows": len(body), "columns": columns, "row_blocks": blocks}


def folder_fingerprint(folder: Path) -> dict[str, dict[str, Any]]:
    """Digests of every file below ``folder`` (hidden files and folders excepted).

    Returns
    -------
    dict
        ``{relative posix path: {"sha256", "bytes"[, "rows", "columns", "row_blocks"]}}``.
    """
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        entry: dict[str, Any] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
        if path.suffix.lower() == ".csv":
            digests = _csv_digests(path)
            if digests is not None:
                entry.update(digests)
        found[relative.as_posix()] = entry
    return found


def describe_file_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """What changed in one file between two fingerprint entries, for people."""
    old_columns, new_columns = old.get("columns"), new.get("columns")
    if not isinstance(old_columns, dict) or not isinstance(new_columns, dict):
        return "content changed"
    parts: list[str] = []
    if old.get("rows") != new.get("rows"):
        parts.append(f"rows {old.get('rows')} -> {new.get('rows')}")
    added = sorted(set(new_columns) - set(old_columns))
    removed = sorted(set(old_columns) - set(new_columns))
    if added:
        parts.append("columns added: " + ", ".join(added))
    if removed:
        parts.append("columns removed: " + ", ".join(removed))
    changed = [c for c in old_columns if c in new_columns and old_columns[c] != new_columns[c]]
    if changed:
        parts.append("values changed in column(s) " + ", ".join(changed))
    old_blocks, new_blocks = old.get("row_blocks", []), new.get("row_blocks", [])
    if old.get("rows") == new.get("rows"):
        spans = [
            f"{index * ROW_BLOCK + 2}-{min((index + 1) * ROW_BLOCK, int(new['rows'])) + 1}"
            for index, (a, b) in enumerate(zip(old_blocks, new_blocks, strict=False))
            if a != b
        ]
        if spans:
            parts.append("in file rows " + ", ".join(spans))
    return "; ".join(parts) or "bytes changed (same cell values: encoding or line endings?)"


def compare_folder_fingerprints(
    recorded: Mapping[str, Mapping[str, Any]], current: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """``(file, what changed)`` for every file added, removed or changed, sorted by file."""
    changes: list[tuple[str, str]] = []
    for name in sorted(set(recorded) | set(current)):
        if name not in current:
            changes.append((name, "file removed"))
        elif name not in recorded:
            changes.append((name, "file added"))
        elif recorded[name]["sha256"] != current[name]["sha256"]:
            changes.append((name, describe_file_change(recorded[name], current[name])))
    return changes
