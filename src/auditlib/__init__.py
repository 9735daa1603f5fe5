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
from auditlib.synth import (
    GroundTruth,
    SynthConfig,
    SyntheticCounty,
    generate_county,
    simulate_verification,
    write_county,
)

__version__ = "0.1.0"

__all__ = [
    "AuditError",
    "DataError",
    "DesignError",
    "FieldworkError",
    "GroundTruth",
    "ParamsError",
    "Problem",
    "ReportError",
    "SynthConfig",
    "SyntheticCounty",
    "__version__",
    "generate_county",
    "simulate_verification",
    "write_county",
]
