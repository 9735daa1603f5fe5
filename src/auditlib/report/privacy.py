"""Privacy guard: no full name, ID number or account number of the data in any report output.

:func:`identities_in_folder` collects the personal values of a county's data (every column the
contract marks ``personal``: names, resident ID numbers, account numbers). :func:`scan_files`
looks for them in report outputs — HTML, JSON, notebooks, logs, xlsx cells and PDF text (read
with ``pdftotext`` or, where poppler is missing, pypdf: :mod:`auditlib.report.pdf_text`; no PDF
is ever skipped) — and returns findings that name the file and the kind of value, never the
value itself unmasked.
:func:`auditlib.report.produce.produce_report` runs it on every report before moving it into
place.

:func:`guard_outputs` is the guard that repairs instead of refusing: a county that validated
clean can still reach an output with an identity in clear (a chart label, a free-text cell). In
the text outputs — HTML, notebooks, JSON, Markdown, CSV, logs — every such value is replaced by
its masked form (张*明, 430522********1234) and the outcome lists what was masked, file by file,
for the manifest. Binary outputs (the PDF, the xlsx form) are not rewritten: a PDF cannot be
edited reliably (its text is split into positioned glyph runs) and the xlsx form holds only
aggregates, so an identity in either is a bug; they are reported as ``refused`` and the caller
refuses the report. Render the PDF from the guarded HTML so that it carries the masked text.

How values are matched:

* ID numbers (18 characters) and account numbers (8+ digits): every run of digits in the text;
* names of three or more characters: anywhere in a run of Chinese characters;
* two-character names: only as a whole run (e.g. a table cell ``王五``), since two characters
  occur inside ordinary words; the masked form ``王*`` never matches;
* names in any other script or with a middle dot (``阿不都·热合曼``, ``Ayşe Yılmaz``): as a
  whole word sequence anywhere in the text, when written in several parts or at least five
  letters long (a short one-word name such as ``Ana`` also reads as an ordinary word).

Names that also occur in the data's place names (county, township, village) are not searched.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditlib.data.contract import CONTRACT
from auditlib.data.schema import TableSpec, normalise_header
from auditlib.errors import DataError
from auditlib.report.identity_columns import distinct_values, not_in_text, values_at_least
from auditlib.report.pdf_text import pdf_text

__all__ = [
    "Finding",
    "GuardOutcome",
    "Identities",
    "guard_outputs",
    "identities_in_folder",
    "identity_columns",
    "mask_identities",
    "scan_files",
    "scan_text",
]

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_SEPARATED = re.compile(r"[\s·•・‧.．-]")
#: Text outputs the guard rewrites with identities masked; other outputs it can only refuse.
MASKABLE_SUFFIXES = (".html", ".htm", ".json", ".log", ".txt", ".csv", ".md", ".ipynb")
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


def identity_columns(folder: str | Path) -> Iterator[tuple[str, Any]]:
    """Each column of the county data in ``folder`` that holds a place or a personal value, as
    read (raw text): ``(kind, column)`` with kind ``"place"``, ``"id_number"``, ``"account"``
    or ``"name"``.

    Tables that cannot be read are skipped (loading reports them); the privacy guard only needs
    the values it can see.
    """
    from auditlib.data.io import read_raw_table  # pandas, pyarrow: not before the kernel starts

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
            if name in _PLACE_COLUMNS:
                yield "place", raw.frame[header]
            elif not column.personal:
                continue
            elif column.kind == "id_number":
                yield "id_number", raw.frame[header]
            elif name.endswith("account_number"):
                yield "account", raw.frame[header]
            else:
                yield "name", raw.frame[header]


def identities_in_folder(folder: str | Path) -> Identities:
    """Collect every personal value of the county data in ``folder``
    (:func:`identity_columns`).

    Each column is reduced to its distinct values before any Python work (a 1,000,000-household
    county has 3 million ID numbers, but far fewer distinct places).
    """
    names: set[str] = set()
    numbers: set[str] = set()
    places: set[str] = set()
    for kind, column in identity_columns(folder):
        values = distinct_values(column)
        if kind == "place":
            places |= values_at_least(values)
        elif kind == "id_number":
            numbers |= values_at_least(values, upper=True)
        elif kind == "account":
            numbers |= values_at_least(values, 8)
        else:
            names |= values_at_least(values, 2)
    return Identities(names=not_in_text(names, "|".join(places)), numbers=frozenset(numbers))


@functools.lru_cache(maxsize=4)
def _other_names(names: frozenset[str]) -> re.Pattern[str] | None:
    """One pattern for the names that are not plain Chinese runs (``·``, Latin letters).

    Built once per county's names (cached): a notebook is masked string by string, thousands
    of calls, and building it scans every name of the county (1,000 strings × 100,000 names
    took 13 minutes uncached).
    """
    others = sorted(
        (n for n in names if not _CJK_RUN.fullmatch(n) and (len(n) >= 5 or _SEPARATED.search(n))),
        key=len,
        reverse=True,
    )
    if not others:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in others) + r")(?!\w)")


def _mask_any_name(name: str) -> str:
    """``张小明`` → ``张*明``; each part of ``阿不都·热合曼`` or ``Ayşe Yılmaz`` likewise."""
    from auditlib.data.idcard import mask_name  # pandas: not before the kernel starts

    return re.sub(r"[^\s·•・‧.．-]+", lambda part: mask_name(part.group(0)), name)


def mask_identities(text: str, identities: Identities, file: str = "") -> tuple[str, list[Finding]]:
    """``text`` with every personal value of ``identities`` masked, and the findings masked.

    Parameters
    ----------
    text : str
        Text of one output.
    identities : Identities
        Personal values of the county's data (:func:`identities_in_folder`).
    file : str
        Name of the output, for the findings.

    Returns
    -------
    tuple of (str, list of Finding)
        The masked text and one finding per distinct value masked (the value masked).
    """
    from auditlib.data.idcard import mask_id_number  # pandas: not before the kernel starts

    findings: dict[tuple[str, str], Finding] = {}

    def number(match: re.Match[str]) -> str:
        value = match.group(0).upper()
        if value not in identities.numbers:
            return match.group(0)
        kind = "ID number" if len(value) == 18 else "account number"
        masked = mask_id_number(value)
        findings[(kind, masked)] = Finding(file, kind, masked)
        return masked

    def name(found: str) -> str:
        masked = _mask_any_name(found)
        findings[("name", masked)] = Finding(file, "name", masked)
        return masked

    def cjk_run(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) == 2:
            return name(run) if run in identities.names else run
        for size in (4, 3):  # longest first: 欧阳小明 before 欧阳小
            for start in range(len(run) - size + 1):
                if run[start : start + size] in identities.names:
                    run = run[:start] + name(run[start : start + size]) + run[start + size :]
        return run

    text = _DIGIT_RUN.sub(number, text)
    others = _other_names(identities.names)
    if others is not None:
        text = others.sub(lambda match: name(match.group(0)), text)
    text = _CJK_RUN.sub(cjk_run, text)
    return text, list(findings.values())


def scan_text(text: str, identities: Identities, file: str = "") -> list[Finding]:
    """Findings of unmasked personal values in ``text``."""
    return mask_identities(text, identities, file)[1]


def _without_png(content: object) -> object:
    """A notebook's content without its charts' PNG (base64 is not text to search)."""
    if isinstance(content, list):
        return [_without_png(item) for item in content]
    if isinstance(content, dict):
        return {k: _without_png(v) for k, v in content.items() if k != "image/png"}
    return content


def _file_text(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".json", ".log", ".txt", ".csv", ".md"):
        return path.read_text(encoding="utf-8", errors="replace")
    if suffix == ".ipynb":
        content = json.loads(path.read_text(encoding="utf-8"))
        return json.dumps(_without_png(content), ensure_ascii=False)
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
    if suffix == ".pdf":
        return pdf_text(path)
    return None


def scan_files(paths: Iterable[Path], identities: Identities) -> list[Finding]:
    """Scan report outputs (HTML, JSON, notebooks, logs, xlsx, PDF text) for personal values."""
    findings: list[Finding] = []
    for path in paths:
        text = _file_text(path)
        if text is not None:
            findings += scan_text(text, identities, path.name)
    return findings


@dataclass(frozen=True)
class GuardOutcome:
    """What :func:`guard_outputs` did: values masked in text outputs, values it could not mask.

    Attributes
    ----------
    masked : tuple of Finding
        Values found in clear in a text output and masked there (the file was rewritten).
    refused : tuple of Finding
        Values found in an output the guard cannot rewrite (PDF, xlsx): the report must be
        refused.
    """

    masked: tuple[Finding, ...] = ()
    refused: tuple[Finding, ...] = ()

    def record(self) -> list[str]:
        """Lines for the manifest or the data-quality appendix (values masked), one per file."""
        by_file: dict[str, list[str]] = {}
        for finding in self.masked:
            by_file.setdefault(finding.file, []).append(finding.kind)
        return [
            f"{file}: the privacy guard masked {len(kinds)} personal value(s) shown in clear ("
            + ", ".join(f"{kinds.count(kind)} {kind}" for kind in sorted(set(kinds)))
            + ")"
            for file, kinds in sorted(by_file.items())
        ]


def _mask_notebook(
    content: object, identities: Identities, file: str
) -> tuple[object, list[Finding]]:
    if isinstance(content, str):
        return mask_identities(content, identities, file)
    findings: list[Finding] = []
    if isinstance(content, list):
        items = [_mask_notebook(item, identities, file) for item in content]
        return [item for item, _ in items], [f for _, found in items for f in found]
    if isinstance(content, dict):
        masked = {}
        chart_masked = False
        for key, value in content.items():
            if key == "image/png":  # base64 of a chart's PNG: not text, never rewritten
                masked[key] = value
                continue
            masked[key], found = _mask_notebook(value, identities, file)
            findings += found
            chart_masked = chart_masked or (key == "image/svg+xml" and bool(found))
        if chart_masked:
            # The PNG shows what the SVG held in clear: drop it, the masked SVG stays.
            masked.pop("image/png", None)
        return masked, findings
    return content, findings


def guard_outputs(paths: Iterable[Path], identities: Identities) -> GuardOutcome:
    """Mask identities found in the text outputs ``paths``; list those it cannot mask.

    Text outputs (:data:`MASKABLE_SUFFIXES`) holding a personal value in clear are rewritten
    with the value masked; a notebook is rewritten as nbformat writes it (one-space indent,
    sorted keys). Other outputs (PDF, xlsx) are only scanned: their findings are ``refused``.

    Parameters
    ----------
    paths : iterable of pathlib.Path
        Output files of one report, before they are published.
    identities : Identities
        Personal values of the county's data (:func:`identities_in_folder`).

    Returns
    -------
    GuardOutcome
        Values masked (for the record) and values refused (the report must not be published).
    """
    masked: list[Finding] = []
    refused: list[Finding] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".ipynb":
            content, found = _mask_notebook(
                json.loads(path.read_text(encoding="utf-8")), identities, path.name
            )
            if found:
                text = json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
                path.write_text(text, encoding="utf-8")
            masked += list(dict.fromkeys(found))
        elif suffix in MASKABLE_SUFFIXES:
            text, found = mask_identities(
                path.read_text(encoding="utf-8", errors="replace"), identities, path.name
            )
            if found:
                path.write_text(text, encoding="utf-8")
            masked += found
        else:
            refused += scan_files([path], identities)
    return GuardOutcome(masked=tuple(masked), refused=tuple(refused))
