"""Privacy guard: no full name, ID number or account number of the data in any report output.

:func:`identities_in_folder` collects the personal values of a county's data (every column the
contract marks ``personal``: names, resident ID numbers, account numbers). :func:`scan_files`
looks for them in report outputs — HTML, JSON, notebooks, logs, xlsx cells and PDF text (via
``pdftotext``) — and returns findings that name the file and the kind of value, never the value
itself unmasked. :func:`auditlib.report.produce.produce_report` runs it on every report before
moving it into place and refuses to publish one that leaks.

How values are matched:

* ID numbers (18 characters) and account numbers (8+ digits): every run of digits in the text;
* names of three or more characters: anywhere in a run of Chinese characters;
* two-character names: only as a whole run (e.g. a table cell ``王五``), since two characters
  occur inside ordinary words; the masked form ``王*`` never matches.

Names that also occur in the data's place names (county, township, village) are not searched.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from auditlib.data.contract import CONTRACT
from auditlib.data.schema import TableSpec, normalise_header
from auditlib.errors import DataError

__all__ = ["Finding", "Identities", "identities_in_folder", "scan_files", "scan_text"]

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_DIGIT_RUN = re.compile(r"\d{8,}[\dXx]?")
_PLACE_COLUMNS = ("county", "township", "village")


@dataclass(frozen=True)
class Identities:
    """Personal values of one county's data."""

    names: frozenset[str]
    numbers: frozenset[str]


@dataclass(frozen=True)
class Finding:
    """One leaked value: the file, the kind of value and its masked form."""

    file: str
    kind: str
    masked: str

    def describe(self) -> str:
        """One line for people (the value masked)."""
        return f"{self.file}: unmasked {self.kind} {self.masked}"


def _table_file(folder: Path, spec: TableSpec) -> Path | None:
    from auditlib.data.io import SUPPORTED_SUFFIXES  # pandas, pyarrow: not before the kernel starts

    for stem in (spec.name, spec.label_zh):
        for suffix in SUPPORTED_SUFFIXES:
            path = folder / f"{stem}{suffix}"
            if path.is_file():
                return path
    return None


def identities_in_folder(folder: str | Path) -> Identities:
    """Collect every personal value of the county data in ``folder``.

    Tables that cannot be read are skipped (loading reports them); this guard only needs the
    values it can see.
    """
    from auditlib.data.io import read_raw_table  # pandas, pyarrow: not before the kernel starts

    names: set[str] = set()
    numbers: set[str] = set()
    places: set[str] = set()
    for spec in CONTRACT:
        path = _table_file(Path(folder), spec)
        if path is None:
            continue
        aliases = spec.alias_map()
        try:
            raw = read_raw_table(path, aliases)
        except DataError:
            continue
        for header in raw.frame.columns:
            name = aliases.get(normalise_header(header))
            if name is None:
                continue
            column = spec.column(name)
            values = {str(value).strip() for value in raw.frame[header].tolist()}
            values.discard("")
            if name in _PLACE_COLUMNS:
                places |= values
            elif column.personal and column.kind == "id_number":
                numbers |= {value.upper() for value in values}
            elif column.personal and name.endswith("account_number"):
                numbers |= {value for value in values if len(value) >= 8}
            elif column.personal:
                names |= {value for value in values if len(value) >= 2}
    place_text = "|".join(places)
    return Identities(
        names=frozenset(name for name in names if name not in place_text),
        numbers=frozenset(numbers),
    )


def scan_text(text: str, identities: Identities, file: str = "") -> list[Finding]:
    """Findings of unmasked personal values in ``text``."""
    from auditlib.data.idcard import mask_id_number, mask_name  # pandas: not before the kernel

    findings: dict[tuple[str, str], Finding] = {}
    for match in _DIGIT_RUN.finditer(text):
        value = match.group(0).upper()
        if value in identities.numbers:
            kind = "ID number" if len(value) == 18 else "account number"
            masked = mask_id_number(value)
            findings[(kind, masked)] = Finding(file, kind, masked)
    names = identities.names
    for match in _CJK_RUN.finditer(text):
        run = match.group(0)
        candidates = {run} if len(run) == 2 else set()
        for size in (3, 4):
            candidates |= {run[start : start + size] for start in range(len(run) - size + 1)}
        for candidate in candidates & names:
            masked = mask_name(candidate)
            findings[("name", masked)] = Finding(file, "name", masked)
    return list(findings.values())


def _file_text(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".json", ".log", ".txt", ".csv", ".md"):
        return path.read_text(encoding="utf-8", errors="replace")
    if suffix == ".ipynb":
        content = json.loads(path.read_text(encoding="utf-8"))
        return json.dumps(content, ensure_ascii=False)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        workbook.close()
        return "\n".join(cells)
    if suffix == ".pdf" and shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False
        )
        return result.stdout.decode("utf-8", errors="replace")
    return None


def scan_files(paths: Iterable[Path], identities: Identities) -> list[Finding]:
    """Scan report outputs (HTML, JSON, notebooks, logs, xlsx, PDF text) for personal values."""
    findings: list[Finding] = []
    for path in paths:
        text = _file_text(path)
        if text is not None:
            findings += scan_text(text, identities, path.name)
    return findings
