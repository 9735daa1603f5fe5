"""What a report folder holds and how a finished one is moved into place.

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

import os
import shutil
import time
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
    "replace_folder",
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


def replace_folder(source: Path, destination: Path) -> None:
    """Move a finished folder into place, replacing any previous one.

    The previous folder is first renamed aside, so at every moment the destination is either the
    old complete folder, absent for an instant, or the new complete folder — never a mix.
    """
    aside: Path | None = None
    if destination.exists():
        aside = destination.with_name(f".old-{destination.name}-{os.getpid()}-{time.time_ns()}")
        os.replace(destination, aside)
    os.replace(source, destination)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
