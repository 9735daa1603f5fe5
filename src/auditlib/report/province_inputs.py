"""The county results of a batch, read for the provincial estimates.

``auditlib batch`` publishes one report folder per county under its output root
(``reports/<county_code>/``), ``manifest.json`` written last. :func:`read_batch` reads every
published folder's ``estimates.json`` (never re-running a county) and lists, with the reason,
the folders it leaves out: a county whose batch run failed before publishing (no
``manifest.json``), an interim report only (results still pending: not combined), and any
folder that is not a county's report folder. A published folder whose ``estimates.json`` is
missing or malformed is an error naming the file and the key, not a silent omission.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditlib.data.fingerprint import file_sha256
from auditlib.errors import DataError, Problem, ReportError
from auditlib.estimation.province import CountyResult
from auditlib.estimation.province_records import county_result
from auditlib.report.folder import ESTIMATES_FILE, FORM_FILE, output_name
from auditlib.report.manifest import MANIFEST_FILE

__all__ = ["BatchCounties", "CountyFolder", "read_batch", "read_county_folder"]

#: Files whose presence shows a county report was begun (besides the manifest).
_REPORT_FILES = (ESTIMATES_FILE, FORM_FILE, "report.html", "report.pdf", "report.ipynb")


@dataclass(frozen=True)
class CountyFolder:
    """One published county report folder as the province reads it.

    Attributes
    ----------
    folder : pathlib.Path
    result : CountyResult
        Its estimates.
    content : dict
        The whole ``estimates.json`` (province name, tables of the county).
    digests : dict
        SHA-256 of ``estimates.json``, ``manifest.json`` and, when present, the statistics
        form, by file name.
    """

    folder: Path
    result: CountyResult
    content: dict[str, Any]
    digests: dict[str, str]


@dataclass(frozen=True)
class BatchCounties:
    """The counties of a batch: those read and those left out (folder name → reason)."""

    counties: tuple[CountyFolder, ...]
    skipped: dict[str, str] = field(default_factory=dict)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(
            f"{path} cannot be read: {error}", [Problem(str(path), None, None, str(error), "")]
        ) from error
    except json.JSONDecodeError as error:
        raise DataError(
            f"{path} is not valid JSON (line {error.lineno}: {error.msg})",
            [Problem(str(path), error.lineno, None, error.msg, "JSON as auditlib report writes")],
        ) from error


def read_county_folder(folder: Path) -> CountyFolder:
    """Read one published county report folder (``manifest.json`` and ``estimates.json``).

    Raises
    ------
    DataError
        When ``estimates.json`` is missing, not JSON, or lacks a key the province needs (the
        problems name the file and the key), or its county code is not the folder's manifest's.
    """
    estimates = folder / ESTIMATES_FILE
    manifest = folder / MANIFEST_FILE
    for path in (manifest, estimates):
        if not path.is_file():
            raise DataError(
                f"{path} is missing: the folder {folder} is not a complete county report "
                "(re-run the county with auditlib report or auditlib batch)",
                [Problem(str(path), None, None, "<missing>", "the county report's file")],
            )
    content = _read_json(estimates)
    result = county_result(content, str(estimates))
    recorded = _read_json(manifest)
    code = recorded.get("county_code") if isinstance(recorded, dict) else None
    if code is not None and str(code) != result.county_code:
        raise DataError(
            f"{estimates} is county {result.county_code} but {manifest} records county {code}",
            [Problem(str(estimates), None, "county_code", result.county_code, str(code))],
        )
    digests = {ESTIMATES_FILE: file_sha256(estimates), MANIFEST_FILE: file_sha256(manifest)}
    if (folder / FORM_FILE).is_file():
        digests[FORM_FILE] = file_sha256(folder / FORM_FILE)
    return CountyFolder(folder, result, content, digests)


def _is_province_output(folder: Path) -> bool:
    manifest = folder / MANIFEST_FILE
    if not manifest.is_file():
        return False
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(content, dict) and content.get("kind") == "province"


def read_batch(batch_out: Path, *, exclude: Path | None = None) -> BatchCounties:
    """Every published county report folder directly under ``batch_out``.

    Parameters
    ----------
    batch_out : pathlib.Path
        The batch's output root (``reports/``).
    exclude : pathlib.Path, optional
        A folder to pass over (the provincial output folder, when it lies inside).

    Raises
    ------
    ReportError
        When ``batch_out`` is not a folder or holds no published county report.
    DataError
        When a published folder's ``estimates.json`` is malformed (see
        :func:`read_county_folder`), or two folders report the same county.
    """
    if not batch_out.is_dir():
        raise ReportError(f"{batch_out} is not a folder (give the output folder of auditlib batch)")
    counties: list[CountyFolder] = []
    skipped: dict[str, str] = {}
    seen: dict[str, Path] = {}
    for folder in sorted(p for p in batch_out.iterdir() if p.is_dir()):
        if folder.name.startswith(".") or (exclude is not None and _same(folder, exclude)):
            continue
        if _is_province_output(folder):
            skipped[folder.name] = "a provincial output folder"
            continue
        if not (folder / MANIFEST_FILE).is_file():
            interim = (folder / output_name(MANIFEST_FILE, interim=True)).is_file()
            started = any((folder / name).exists() for name in _REPORT_FILES)
            skipped[folder.name] = (
                "interim report only (results pending): not combined"
                if interim
                else "no manifest.json: the county's report was not published (failed or "
                "incomplete run)"
                if started
                else "not a county report folder (no report files)"
            )
            continue
        county = read_county_folder(folder)
        code = county.result.county_code
        if code in seen:
            raise DataError(
                f"county {code} is reported twice: {seen[code]} and {folder}",
                [Problem(str(folder / ESTIMATES_FILE), None, "county_code", code, "one folder")],
            )
        seen[code] = folder
        counties.append(county)
    if not counties:
        listing = "; ".join(f"{name}: {reason}" for name, reason in skipped.items()) or "empty"
        raise ReportError(f"{batch_out} holds no published county report ({listing})")
    return BatchCounties(tuple(counties), skipped)


def _same(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return False
