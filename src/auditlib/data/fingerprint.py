"""Fingerprints of files and data folders, and what changed between two fingerprints.

A folder's fingerprint records, for every file below it (hidden files excepted), its SHA-256
and size and, for CSV files, the number of rows, a digest per column and a digest per block of
:data:`ROW_BLOCK` rows. Comparing two fingerprints then says *what* changed — rows added, a
column's values, which rows — without keeping a copy of the data: the report manifest uses it
to explain a failed ``verify``, the county workspace to refuse phase 2 on data that changed
since the sample was drawn.

CSV digests are computed with Arrow (:mod:`auditlib.data.fingerprint_fast`) where that gives
exactly the values of the pure-Python reference :func:`python_csv_digests`, and by the
reference otherwise. Digests of CSV files of :data:`CACHE_MIN_BYTES` or more are kept in a
cache keyed by the file's SHA-256 (always computed from the whole file), outside the data
folder: ``$AUDITLIB_CACHE_DIR/fingerprints`` (``AUDITLIB_CACHE_DIR=off`` turns it off), else
the user's cache folder (``$XDG_CACHE_HOME/auditlib`` or ``~/.cache/auditlib``; on Windows
``%LOCALAPPDATA%\\auditlib``). A cache entry is a function of the file's bytes only, so a stale
entry cannot exist; an unreadable one is recomputed. Only with ``trust_stat``
(``AUDITLIB_TRUST_FILE_STAT=1``) is a file's SHA-256 itself taken from the cache, for a file
whose path, size, modification time, inode and first and last 64 KiB are unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditlib.data.atomic import atomic_write_text
from auditlib.data.fingerprint_fast import arrow_csv_digests

__all__ = [
    "CACHE_MIN_BYTES",
    "ROW_BLOCK",
    "compare_folder_fingerprints",
    "csv_digests",
    "describe_file_change",
    "file_sha256",
    "fingerprint_cache_folder",
    "folder_fingerprint",
    "python_csv_digests",
]

#: Rows per block digest of a CSV file.
ROW_BLOCK = 1000
#: CSV files at least this large have their digests cached (smaller ones are quick to redo).
CACHE_MIN_BYTES = 1 << 20
_CACHE_FORMAT = 1


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _short(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def python_csv_digests(data: bytes, row_block: int = ROW_BLOCK) -> dict[str, Any] | None:
    """Row count, column and row-block digests of a CSV file's bytes: the reference.

    The :mod:`csv` module reads the text (UTF-8, else GB18030); each column's values and each
    block of ``row_block`` rows are joined and hashed. :func:`csv_digests` gives the same
    values faster; this is the definition and the fallback.

    Returns
    -------
    dict or None
        ``{"rows", "columns", "row_blocks"}``, or None for an empty file or text in neither
        encoding.
    """
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
        _short("\x1e".join("\x1f".join(row) for row in body[start : start + row_block]))
        for start in range(0, len(body), row_block)
    ]
    return {"rows": len(body), "columns": columns, "row_blocks": blocks}


def csv_digests(data: bytes) -> dict[str, Any] | None:
    """:func:`python_csv_digests`, computed with Arrow wherever that gives the same values."""
    digests = arrow_csv_digests(data, ROW_BLOCK)
    return python_csv_digests(data) if isinstance(digests, str) else digests


def fingerprint_cache_folder() -> Path | None:
    """Where CSV digests are cached (None: ``AUDITLIB_CACHE_DIR=off``); see the module."""
    configured = os.environ.get("AUDITLIB_CACHE_DIR", "")
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured) / "fingerprints"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "auditlib" / "fingerprints"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "auditlib" / "fingerprints"


def _cache_file(cache: Path, kind: str, key: str) -> Path:
    return cache / f"v{_CACHE_FORMAT}-{ROW_BLOCK}" / kind / key[:2] / f"{key}.json"


def _cached(cache: Path | None, kind: str, key: str, keys: set[str]) -> dict[str, Any] | None:
    """A cache entry with exactly ``keys`` (None: no cache, no entry or a damaged one)."""
    if cache is None:
        return None
    try:
        entry = json.loads(_cache_file(cache, kind, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and set(entry) == keys else None


def _store(cache: Path | None, kind: str, key: str, content: dict[str, Any]) -> None:
    """Write one cache entry atomically; a cache that cannot be written is no error."""
    if cache is None:
        return
    with contextlib.suppress(OSError):
        atomic_write_text(_cache_file(cache, kind, key), json.dumps(content, ensure_ascii=False))


_DIGESTS = {"rows", "columns", "row_blocks"}


def _csv_entry(path: Path, cache: Path | None) -> dict[str, Any]:
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    entry: dict[str, Any] = {"sha256": sha256, "bytes": len(data)}
    digests = _cached(cache, "csv", sha256, _DIGESTS)
    if digests is None:
        digests = csv_digests(data)
        if digests is not None:
            _store(cache, "csv", sha256, digests)
    if digests is not None:
        entry.update(digests)
    return entry


def _stat_key(path: Path, stat: os.stat_result) -> str:
    """Path, size, modification time, inode and the first and last 64 KiB of a file, hashed."""
    sample = hashlib.sha256()
    with open(path, "rb") as handle:
        sample.update(handle.read(1 << 16))
        if stat.st_size > 1 << 17:
            handle.seek(-(1 << 16), os.SEEK_END)
            sample.update(handle.read())
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}|{sample.hexdigest()}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _file_entry(path: Path, cache: Path | None, trust_stat: bool) -> dict[str, Any]:
    stat = path.stat()
    is_csv = path.suffix.lower() == ".csv"
    if stat.st_size < CACHE_MIN_BYTES:
        cache = None
    key = _stat_key(path, stat) if trust_stat and cache is not None else ""
    known = _cached(cache, "stat", key, {"sha256"}) if key else None
    if known is not None:
        entry = {"sha256": known["sha256"], "bytes": stat.st_size}
        digests = _cached(cache, "csv", known["sha256"], _DIGESTS) if is_csv else {}
        if digests is not None:
            return {**entry, **digests}
    if is_csv:
        entry = _csv_entry(path, cache)
    else:
        entry = {"sha256": file_sha256(path), "bytes": stat.st_size}
    if key:
        _store(cache, "stat", key, {"sha256": entry["sha256"]})
    return entry


def folder_fingerprint(
    folder: Path, cache: Path | bool | None = True, trust_stat: bool | None = None
) -> dict[str, dict[str, Any]]:
    """Digests of every file below ``folder`` (hidden files and folders excepted).

    Parameters
    ----------
    folder : pathlib.Path
        The data folder; nothing is written into it.
    cache : pathlib.Path or bool, default True
        Folder of the CSV digest cache; True for :func:`fingerprint_cache_folder`, False or
        None for no cache. The values are the same either way.
    trust_stat : bool, optional
        Take a file's SHA-256 from the cache, without reading the file, when its path, size,
        modification time, inode and first and last 64 KiB are those it had when the SHA-256
        was computed (files of :data:`CACHE_MIN_BYTES` or more). Faster for unchanged data
        (the batch resume check), but it trusts the file system: a file rewritten with the
        same size and time and changed only in its middle would go unnoticed. Default: the
        environment variable ``AUDITLIB_TRUST_FILE_STAT=1``; off otherwise.

    Returns
    -------
    dict
        ``{relative posix path: {"sha256", "bytes"[, "rows", "columns", "row_blocks"]}}``.
    """
    cache_folder = fingerprint_cache_folder() if cache is True else None
    if isinstance(cache, Path):
        cache_folder = cache
    if trust_stat is None:
        trust_stat = os.environ.get("AUDITLIB_TRUST_FILE_STAT", "") == "1"
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found[relative.as_posix()] = _file_entry(path, cache_folder, trust_stat)
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
