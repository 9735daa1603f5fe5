"""The text of a PDF: poppler's ``pdftotext`` where installed, pypdf (pure Python) otherwise.

Used by the privacy guard (:mod:`auditlib.report.privacy`), which must read every PDF it is
given: no PDF is skipped because poppler is missing (Windows rarely has it). ``pdftotext`` is
preferred where it exists only for speed (0.2 s against 2-5 s with pypdf for a seven-page report
with charts); both give the words of the page and of the charts. ``auditlib verify`` compares a
PDF that is not byte-reproducible (Chromium's) by :func:`pdf_text_digest`, which always reads
with pypdf so that the digest does not depend on what a machine has installed.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from auditlib.errors import ReportError

__all__ = ["pdf_text", "pdf_text_digest", "pypdf_text"]


def pdf_text(path: Path) -> str:
    """All text of the PDF ``path`` (``pdftotext`` when on ``PATH``, else :func:`pypdf_text`).

    Raises
    ------
    ReportError
        When the file cannot be read as a PDF (naming it).
    """
    command = shutil.which("pdftotext")
    if command is None:
        return pypdf_text(path)
    result = subprocess.run(
        [command, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False
    )
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:]
        raise ReportError(
            f"could not read the text of {path} (pdftotext: {' '.join(said) or 'failed'}); the "
            "privacy guard reads every PDF it publishes"
        )
    return result.stdout.decode("utf-8", errors="replace")


def pypdf_text(path: Path) -> str:
    """All text of the PDF ``path`` read with pypdf, page after page (form feeds between).

    Raises
    ------
    ReportError
        When the file cannot be read as a PDF (naming it).
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        return "\f".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, OSError, ValueError, KeyError) as error:
        raise ReportError(
            f"could not read the text of {path} ({type(error).__name__}: {error}); the privacy "
            "guard reads every PDF it publishes"
        ) from None


def pdf_text_digest(path: Path) -> str:
    """``"text:"`` and the SHA-256 of the PDF's words read with pypdf (whitespace normalised)."""
    words = " ".join(pypdf_text(path).split())
    return "text:" + hashlib.sha256(words.encode("utf-8")).hexdigest()
