"""The text of a PDF, read with pypdf (pure Python: no poppler, works on every machine).

Used by the privacy guard (:mod:`auditlib.report.privacy`), which must read every PDF it is
given, and by ``auditlib verify`` for PDFs that are not byte-reproducible (Chromium's): those
are compared by :func:`pdf_text_digest`, their text with whitespace normalised.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from auditlib.errors import ReportError

__all__ = ["pdf_text", "pdf_text_digest"]


def pdf_text(path: Path) -> str:
    """All text of the PDF ``path``, page after page (pages separated by a form feed).

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
    """``"text:"`` and the SHA-256 of the PDF's words (whitespace normalised), for ``verify``."""
    words = " ".join(pdf_text(path).split())
    return "text:" + hashlib.sha256(words.encode("utf-8")).hexdigest()
