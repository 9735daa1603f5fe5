"""The Chinese font shipped with auditlib, for charts (matplotlib) and the PDF (WeasyPrint).

The font is a subset of Noto Sans SC Regular (SIL Open Font License 1.1, see
``fonts/OFL.txt``) covering GB 2312, Latin and the usual punctuation, renamed to the family
``Auditlib Sans SC`` so that no system font can shadow it (matplotlib resolves a family name to
the first file that claims it). Using a font installed with the package, not a system font, makes
a report look the same on Linux, macOS and Windows.

Nothing happens at import: call :func:`register_matplotlib_font` before drawing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from auditlib.errors import ReportError
from auditlib.report.package_data import asset_path

__all__ = [
    "CSS_FONT_STACK",
    "FONT_FAMILY",
    "covered_characters",
    "font_face_css",
    "font_path",
    "missing_characters",
    "register_matplotlib_font",
]

#: Family name of the bundled font (unique: no system font uses it).
FONT_FAMILY = "Auditlib Sans SC"
#: CSS font list of the reports: the bundled family first (the PDF has it from ``@font-face``),
#: then common system CJK fonts for the HTML, which embeds no font file.
CSS_FONT_STACK = (
    f"'{FONT_FAMILY}', 'Noto Sans SC', 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
)
_FONT_FILE = "AuditlibSansSC-Regular.otf"


def font_path() -> Path:
    """Return the path of the bundled font file.

    Raises
    ------
    ReportError
        When the file is missing from the installation.
    """
    return asset_path("fonts", _FONT_FILE)


@cache
def register_matplotlib_font() -> str:
    """Add the bundled font to matplotlib and check that its family resolves to it.

    Returns
    -------
    str
        The family name to use in ``rcParams["font.family"]``.

    Raises
    ------
    ReportError
        When matplotlib resolves the family to another file.
    """
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    found = font_manager.findfont(
        font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False
    )
    if Path(found).resolve() != path.resolve():
        raise ReportError(
            f"matplotlib resolves font family {FONT_FAMILY!r} to {found}, expected {path}"
        )
    return FONT_FAMILY


def font_face_css() -> str:
    """Return an ``@font-face`` rule pointing at the bundled font (``file://`` URL).

    Used only for the PDF (WeasyPrint reads local files); the HTML report names the family
    with system fallbacks instead, so that it stays small and refers to no file.
    """
    return (
        "@font-face { font-family: '" + FONT_FAMILY + "'; "
        f"src: url('{font_path().as_uri()}') format('opentype'); "
        "font-weight: normal; font-style: normal; }"
    )


@cache
def covered_characters() -> frozenset[str]:
    """Characters the bundled font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path()), lazy=True) as font:
        cmap = font.getBestCmap()
    return frozenset(chr(code) for code in cmap)


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` (other than whitespace) that the bundled font cannot draw."""
    covered = covered_characters()
    return sorted({c for c in text if not c.isspace() and c not in covered})
