"""auditlib: reproducible audits of China's minimum living allowance (低保 Dibao).

The public API is what ``__all__`` lists; everything else may change.
"""

from __future__ import annotations

from auditlib.errors import (
    AuditError,
    DataError,
    DesignError,
    FieldworkError,
    ParamsError,
    Problem,
    ReportError,
)

__version__ = "0.1.0"

__all__ = [
    "AuditError",
    "DataError",
    "DesignError",
    "FieldworkError",
    "ParamsError",
    "Problem",
    "ReportError",
    "__version__",
]
