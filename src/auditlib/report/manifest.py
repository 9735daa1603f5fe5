"""``manifest.json``: what a county report was made from, and how to check it again.

A manifest records the inputs (SHA-256 of the parameter file, of every file of the county data
folder and of the notebook template; for CSV files also a digest per column and per block of
rows, so that a later change can be located), the parameters and seed, the package versions and
platform, the SHA-256 of every output, and the key estimates. :func:`compare_inputs` and
:func:`compare_outputs` say what differs between two manifests, in words.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

from auditlib.data.fingerprint import (
    compare_folder_fingerprints,
    file_sha256,
    folder_fingerprint,
)
from auditlib.errors import Problem, ReportError
from auditlib.report.pdf_chromium import browser_version, find_browser

__all__ = [
    "MANIFEST_FILE",
    "PACKAGES",
    "Difference",
    "check_manifest",
    "code_fingerprint",
    "compare_estimates",
    "compare_inputs",
    "compare_outputs",
    "input_fingerprint",
    "notebook_content_digest",
    "package_differences",
    "package_versions",
    "platform_facts",
    "read_manifest",
    "relative_locations",
    "write_manifest",
]

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
#: Packages whose versions can change a report's numbers or bytes.
PACKAGES = (
    "auditlib",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "pyarrow",
    "openpyxl",
    "XlsxWriter",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "weasyprint",
    "pydyf",
    "fonttools",
    "pydantic",
    "PyYAML",
)


@dataclass(frozen=True)
class Difference:
    """One difference between a manifest and a re-run: what, and how it changed."""

    kind: str
    name: str
    detail: str

    def describe(self) -> str:
        """One line for people."""
        return f"{self.kind} {self.name}: {self.detail}"


def input_fingerprint(
    params_file: Path, data_folder: Path, templates: Iterable[Path]
) -> dict[str, Any]:
    """Digests of every input of a report.

    Parameters
    ----------
    params_file : pathlib.Path
        The county's parameter file.
    data_folder : pathlib.Path
        The county's data folder (every file below it, hidden files excepted).
    templates : iterable of pathlib.Path
        Notebook templates executed.

    Returns
    -------
    dict
        ``{"params": {...}, "data": {relative path: {...}}, "notebooks": {name: sha256}}``.
    """
    if not data_folder.is_dir():
        raise ReportError(f"data folder {data_folder} does not exist or is not a folder")
    data = folder_fingerprint(data_folder)
    return {
        "params": {"file": params_file.name, "sha256": file_sha256(params_file)},
        "data": data,
        "notebooks": {path.name: file_sha256(path) for path in templates},
        "code": code_fingerprint(),
    }


def code_fingerprint() -> dict[str, str]:
    """SHA-256 of every source file of the installed ``auditlib`` package (modules, templates).

    The package version alone does not change while a project is developed; these digests
    make ``verify`` and ``batch`` resume notice a changed module. The files are found through
    :mod:`importlib.resources`, so every subpackage of the installation is covered.
    """
    package = Path(str(files("auditlib")))
    digests: dict[str, str] = {}
    for pattern in ("*.py", "*.j2", "*.css", "*.json"):
        for path in sorted(package.rglob(pattern)):
            if "__pycache__" not in path.parts:
                digests[path.relative_to(package).as_posix()] = file_sha256(path)
    return dict(sorted(digests.items()))


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape a report."""
    versions: dict[str, str] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def platform_facts(pdf_engine: str = "") -> dict[str, str]:
    """Python version and operating system (informative: not compared).

    With ``pdf_engine="chromium"`` also the browser that printed the PDF (``pdf_browser``).
    """
    facts = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "system": platform.system(),
        "machine": platform.machine(),
    }
    browser = find_browser() if pdf_engine == "chromium" else None
    if browser is not None:
        facts["pdf_browser"] = f"{browser_version(browser)} ({browser.name})"
    return facts


def write_manifest(path: Path, content: Mapping[str, Any]) -> None:
    """Write a manifest as sorted, indented UTF-8 JSON (readable Chinese)."""
    document = {"format": MANIFEST_FORMAT, **content}
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def read_manifest(folder: Path, name: str = MANIFEST_FILE) -> dict[str, Any]:
    """Read ``manifest.json`` (or the manifest called ``name``) from a report folder.

    Raises
    ------
    ReportError
        When the file is missing, not JSON, or of an unknown format.
    """
    path = folder / name
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(
            f"{path} does not exist; expected a report folder made by 'auditlib report'"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ReportError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(content, dict) or content.get("format") != MANIFEST_FORMAT:
        raise ReportError(f"{path}: unknown manifest format; expected format {MANIFEST_FORMAT}")
    return content


#: Parts every manifest must hold, with the JSON type each must have (``verify`` refuses others).
REQUIRED_PARTS: dict[str, type | tuple[type, ...]] = {
    "county_code": str,
    "params_file": str,
    "parameters": dict,
    "seed": int,
    "options": dict,
    "inputs": dict,
    "outputs": dict,
    "estimates": dict,
}
#: Parts a manifest may lack (older versions), checked for their type when present.
OPTIONAL_PARTS: dict[str, type | tuple[type, ...]] = {
    "notebook": str,
    "notebook_content": dict,
    "packages": dict,
    "relative_paths": dict,
    "pdf_text": dict,
}
_INPUT_PARTS: dict[str, type] = {"params": dict, "data": dict, "notebooks": dict}
_TYPE_NAMES = {str: "a text", int: "an integer", dict: "a mapping"}


def _part_problem(path: Path, part: str, value: Any, expected: type | tuple[type, ...]) -> Problem:
    wanted = _TYPE_NAMES.get(expected, str(expected)) if isinstance(expected, type) else "valid"
    shown = "missing" if value is None else f"{type(value).__name__} {json.dumps(value)[:60]}"
    return Problem(str(path), None, part, shown, f"{wanted} ({part!r} of a report manifest)")


def _bad(value: Any, expected: type | tuple[type, ...]) -> bool:
    return isinstance(value, bool) or not isinstance(value, expected)


def check_manifest(manifest: Mapping[str, Any], path: Path) -> None:
    """Refuse a manifest lacking a part ``verify`` needs, or holding one of the wrong type.

    Parameters
    ----------
    manifest : mapping
        As returned by :func:`read_manifest`.
    path : pathlib.Path
        The manifest file (for messages).

    Raises
    ------
    ReportError
        Naming every missing or malformed part (one :class:`~auditlib.errors.Problem` each).
    """
    problems = [
        _part_problem(path, part, manifest.get(part), expected)
        for part, expected in REQUIRED_PARTS.items()
        if _bad(manifest.get(part), expected)
    ]
    problems += [
        _part_problem(path, part, manifest[part], expected)
        for part, expected in OPTIONAL_PARTS.items()
        if part in manifest and _bad(manifest[part], expected)
    ]
    inputs = manifest.get("inputs")
    if isinstance(inputs, dict):
        problems += [
            _part_problem(path, f"inputs.{part}", inputs.get(part), expected)
            for part, expected in _INPUT_PARTS.items()
            if _bad(inputs.get(part), expected)
        ]
        recorded = inputs.get("params")
        if isinstance(recorded, dict) and _bad(recorded.get("sha256"), str):
            problems.append(_part_problem(path, "inputs.params.sha256", None, str))
    outputs = manifest.get("outputs")
    if isinstance(outputs, dict) and not outputs:
        problems.append(Problem(str(path), None, "outputs", "{}", "at least one output file"))
    if isinstance(outputs, dict) and any(_bad(value, str) for value in outputs.values()):
        problems.append(Problem(str(path), None, "outputs", "a non-text digest", "SHA-256 texts"))
    if problems:
        parts = ", ".join(f"'{problem.column}'" for problem in problems)
        raise ReportError(
            f"{path}: the manifest is incomplete or damaged ({parts}: missing or not of the "
            "expected type); it cannot be verified. Restore it from the original report folder",
            problems,
        )


def relative_locations(report_folder: Path, params_file: Path, data_folder: Path) -> dict[str, str]:
    """The parameter file and data folder relative to the report folder (POSIX form).

    Recorded in the manifest so that a copy of the report folder, its parameter file and its
    data keeping the same layout is verified where it is (``auditlib verify`` tries these
    before the absolute paths). A location that has no relative form (another drive) is left
    out.
    """
    locations: dict[str, str] = {}
    for key, path in (("params_file", params_file), ("data", data_folder)):
        try:
            relative = os.path.relpath(Path(path).resolve(), report_folder.resolve())
        except ValueError:
            continue
        locations[key] = Path(relative).as_posix()
    return locations


def compare_inputs(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[Difference]:
    """Differences between two input fingerprints (see :func:`input_fingerprint`)."""
    differences: list[Difference] = []
    if recorded["params"]["sha256"] != current["params"]["sha256"]:
        differences.append(
            Difference("input", recorded["params"]["file"], "parameter file changed")
        )
    differences += [
        Difference("input", name, detail)
        for name, detail in compare_folder_fingerprints(recorded["data"], current["data"])
    ]
    old_code, new_code = recorded.get("code", {}), current.get("code", {})
    changed_code = sorted(
        name for name in set(old_code) | set(new_code) if old_code.get(name) != new_code.get(name)
    )
    if changed_code:
        shown = ", ".join(changed_code[:8]) + (" ..." if len(changed_code) > 8 else "")
        differences.append(Difference("code", "auditlib", f"source changed: {shown}"))
    old_books, new_books = recorded.get("notebooks", {}), current.get("notebooks", {})
    for name in sorted(set(old_books) | set(new_books)):
        if old_books.get(name) != new_books.get(name):
            differences.append(Difference("notebook", name, "template changed"))
    return differences


def compare_outputs(
    recorded: Mapping[str, str], current: Mapping[str, str], *, by_text: Iterable[str] = ()
) -> list[Difference]:
    """Per output file: identical, different, missing or new.

    Outputs named in ``by_text`` (Chromium PDFs, digests of their text) say so after the
    verdict: ``"identical (its text: ...)"``.
    """
    results: list[Difference] = []
    for name in sorted(set(recorded) | set(current)):
        if name not in current:
            results.append(Difference("output", name, "missing in the re-run"))
        elif name not in recorded:
            results.append(Difference("output", name, "new in the re-run"))
        elif recorded[name] == current[name]:
            results.append(Difference("output", name, "identical"))
        else:
            results.append(Difference("output", name, "differs"))
    text_only = set(by_text)
    return [
        Difference(item.kind, item.name, f"{item.detail} ({_BY_TEXT})")
        if item.name in text_only
        else item
        for item in results
    ]


_BY_TEXT = "its text: a Chromium PDF is not byte-reproducible"


def compare_estimates(
    recorded: Mapping[str, Any], current: Mapping[str, Any], *, tolerance: float = 1e-12
) -> list[Difference]:
    """Key estimates whose value differs between a manifest and a re-run."""
    differences: list[Difference] = []
    for name in sorted(set(recorded) | set(current)):
        old, new = recorded.get(name), current.get(name)
        if isinstance(old, int | float) and isinstance(new, int | float):
            if abs(float(old) - float(new)) <= tolerance * max(1.0, abs(float(old))):
                continue
        elif old == new:
            continue
        differences.append(Difference("estimate", name, f"{old!r} -> {new!r}"))
    return differences


def package_differences(
    recorded: Mapping[str, str], current: Mapping[str, str]
) -> list[Difference]:
    """Packages whose installed version differs from the manifest's."""
    return [
        Difference("package", name, f"{recorded.get(name)} -> {current.get(name)}")
        for name in sorted(set(recorded) | set(current))
        if recorded.get(name) != current.get(name)
    ]


def notebook_content_digest(path: Path) -> str:
    """SHA-256 of an executed notebook without its injected-parameters cell source."""
    content = json.loads(path.read_text(encoding="utf-8"))
    for cell in content.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = ""
    content.get("metadata", {}).get("papermill", {}).pop("parameters", None)
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
