"""What a report folder holds and how a finished report is put into it.

Files of a report folder ``reports/<county_code>/``:

===========================  ======================================================
``report.html``              self-contained report (no network access needed)
``report.pdf``               A4 PDF of the same report, bundled Chinese font
``report.ipynb``             the executed notebook (code visible, identities masked)
``statistics_form.xlsx``     工作情况统计表 filled from the verification results
``estimates.json``           the key estimates, machine-readable
``manifest.json``            inputs, parameters, versions, outputs' SHA-256
===========================  ======================================================

The fieldwork worksheets (full identities) go to ``restricted/<county_code>/`` instead.
"""

from __future__ import annotations

import filecmp
import os
from collections.abc import Sequence
from pathlib import Path

from auditlib.report.package_data import asset_path

__all__ = [
    "ESTIMATES_FILE",
    "FORM_FILE",
    "HTML_FILE",
    "NOTEBOOK_FILE",
    "OUTPUT_FILES",
    "PDF_FILE",
    "REPORT_NOTEBOOK",
    "notebook_template",
    "output_name",
    "place_outputs",
]

ESTIMATES_FILE = "estimates.json"
FORM_FILE = "statistics_form.xlsx"
NOTEBOOK_FILE = "report.ipynb"
HTML_FILE = "report.html"
PDF_FILE = "report.pdf"
#: Files every complete report folder holds (besides the manifest).
OUTPUT_FILES = (HTML_FILE, PDF_FILE, NOTEBOOK_FILE, FORM_FILE, ESTIMATES_FILE)


REPORT_NOTEBOOK = "county_report.ipynb"


def notebook_template(name: str = REPORT_NOTEBOOK) -> Path:
    """Path of a report notebook template shipped with the package (``assets/notebooks``).

    ``notebooks/county_report.ipynb`` in the project folder is a link to the same file, for
    analysts who open it in JupyterLab.
    """
    return asset_path("notebooks", name)


def output_name(name: str, *, interim: bool = False) -> str:
    """File name of output ``name`` (``report.html``, ``manifest.json``, ...) in a report folder.

    An interim report's files carry ``-interim`` before the suffix (``report-interim.html``),
    so an interim report and the final one can stand side by side and cannot be mistaken.
    """
    if not interim:
        return name
    stem, dot, suffix = name.partition(".")
    return f"{stem}-interim{dot}{suffix}"


def place_outputs(
    work: Path, destination: Path, names: Sequence[str], manifest: str
) -> Path | None:
    """Move a finished report's files from ``work`` into ``destination``, manifest last.

    Each file replaces the one of the same name atomically; files of the folder that are not
    report outputs (anything a person or another step put there) are never touched. When the
    folder already holds a report whose files differ from the new ones, that report's files are
    first moved into ``destination/superseded-<n>/`` (never deleted).

    Returns
    -------
    pathlib.Path or None
        The folder the previous report was moved into, if any.
    """
    destination.mkdir(parents=True, exist_ok=True)
    every = [*names, manifest]
    previous = [name for name in every if (destination / name).is_file()]
    changed = [
        name
        for name in previous
        if not (work / name).is_file()
        or not filecmp.cmp(destination / name, work / name, shallow=False)
    ]
    kept: Path | None = None
    if changed:
        number = 1
        while (destination / f"superseded-{number}").exists():
            number += 1
        kept = destination / f"superseded-{number}"
        kept.mkdir()
        for name in previous:
            os.replace(destination / name, kept / name)
    for name in every:
        if (work / name).is_file():
            os.replace(work / name, destination / name)
    return kept
