"""``manifest.json``: what a county report was made from, and how to check it again.

A manifest records the inputs (SHA-256 of the parameter file, of every file of the county data
folder and of the notebook template; for CSV files also a digest per column and per block of
rows, so that a later change can be located), the parameters and seed, the package versions and
platform, the SHA-256 of every output, and the key estimates. :mod:`auditlib.report.
manifest_compare` says what differs between two manifests, in words.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

from auditlib.data.fingerprint import file_sha256, folder_fingerprint
from auditlib.errors import Problem, ReportError
from auditlib.report.pdf_chromium import browser_version, find_browser

__all__ = [
    "MANIFEST_FILE",
    "PACKAGES",
    "check_manifest",
    "code_fingerprint",
    "input_fingerprint",
    "notebook_content_digest",
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


def input_fingerprint(
    params_file: Path,
    data_folder: Path,
    templates: Iterable[Path],
    previous_round: Path | None = None,
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
    previous_round : pathlib.Path, optional
        The previous round's ``estimates.json`` the report compares with
        (``report.previous_round``).

    Returns
    -------
    dict
        ``{"params": {...}, "data": {relative path: {...}}, "notebooks": {name: sha256},
        "code": {...}}`` and, with ``previous_round``, ``"previous_round": {"file": path,
        "sha256": ...}``.
    """
    if not data_folder.is_dir():
        raise ReportError(f"data folder {data_folder} does not exist or is not a folder")
    data = folder_fingerprint(data_folder)
    fingerprint: dict[str, Any] = {
        "params": {"file": params_file.name, "sha256": file_sha256(params_file)},
        "data": data,
        "notebooks": {path.name: file_sha256(path) for path in templates},
        "code": code_fingerprint(),
    }
    if previous_round is not None:
        fingerprint["previous_round"] = {
            "file": str(previous_round),
            "sha256": file_sha256(previous_round),
        }
    return fingerprint


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


def notebook_content_digest(path: Path) -> str:
    """SHA-256 of an executed notebook without its injected-parameters cell source."""
    content = json.loads(path.read_text(encoding="utf-8"))
    for cell in content.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = ""
    content.get("metadata", {}).get("papermill", {}).pop("parameters", None)
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
