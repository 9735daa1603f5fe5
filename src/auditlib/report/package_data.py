"""Files shipped inside the package (``auditlib/report/assets``): templates, fonts, notebooks.

Found through :mod:`importlib.resources`, so they are where the installation put them (an
editable checkout or a wheel in ``site-packages``), never by a path relative to the source tree.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from auditlib.errors import ReportError

__all__ = ["asset_path"]


def asset_path(*parts: str) -> Path:
    """Path of a file or folder under ``auditlib/report/assets``.

    Parameters
    ----------
    *parts : str
        Path components below ``assets`` (``"fonts", "AuditlibSansSC-Regular.otf"``).

    Raises
    ------
    ReportError
        When the installation has no such file (a broken or zipped installation).
    """
    resource = files("auditlib.report").joinpath("assets", *parts)
    path = Path(str(resource))
    if not path.exists():
        raise ReportError(
            f"auditlib's package data {'/'.join(parts)} is missing at {path}; reinstall auditlib "
            "(pip install -e . from the project folder)"
        )
    return path
