"""auditlib: reproducible audits of China's minimum living allowance (低保 Dibao).

The public API is what ``__all__`` lists; everything else may change.
"""

from __future__ import annotations

from auditlib.design import SurveyDesign
from auditlib.errors import (
    AuditError,
    DataError,
    DesignError,
    FieldworkError,
    ParamsError,
    Problem,
    ReportError,
)
from auditlib.estimands import (
    AuditEstimates,
    OmissionEstimate,
    build_analysis_table,
    county_estimates,
    estimates_table,
    township_estimates,
)
from auditlib.estimation import Estimate, Estimates
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
    "AuditEstimates",
    "DataError",
    "DesignError",
    "Estimate",
    "Estimates",
    "FieldworkError",
    "GroundTruth",
    "OmissionEstimate",
    "ParamsError",
    "Problem",
    "ReportError",
    "SurveyDesign",
    "SynthConfig",
    "SyntheticCounty",
    "__version__",
    "build_analysis_table",
    "county_estimates",
    "estimates_table",
    "generate_county",
    "simulate_verification",
    "township_estimates",
    "write_county",
]
