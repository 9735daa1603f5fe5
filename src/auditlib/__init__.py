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
from auditlib.sampling_api import (
    PRESETS,
    AuditParams,
    ImportResult,
    MarginResult,
    Sample,
    SampleSizePlan,
    SamplingFrame,
    SamplingPlan,
    WorksheetSet,
    achieved_margin,
    build_frame,
    check_sample,
    design_effect,
    draw_sample,
    frame_counts,
    import_worksheets,
    load_params,
    plan_sample_size,
    read_issued,
    read_sample,
    required_sample_size,
    resolve_plan,
    write_worksheets,
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
    "PRESETS",
    "AuditError",
    "AuditEstimates",
    "AuditParams",
    "DataError",
    "DesignError",
    "Estimate",
    "Estimates",
    "FieldworkError",
    "GroundTruth",
    "ImportResult",
    "MarginResult",
    "OmissionEstimate",
    "ParamsError",
    "Problem",
    "ReportError",
    "Sample",
    "SampleSizePlan",
    "SamplingFrame",
    "SamplingPlan",
    "SurveyDesign",
    "SynthConfig",
    "SyntheticCounty",
    "WorksheetSet",
    "__version__",
    "achieved_margin",
    "build_analysis_table",
    "build_frame",
    "check_sample",
    "county_estimates",
    "design_effect",
    "draw_sample",
    "estimates_table",
    "frame_counts",
    "generate_county",
    "import_worksheets",
    "load_params",
    "plan_sample_size",
    "read_issued",
    "read_sample",
    "required_sample_size",
    "resolve_plan",
    "simulate_verification",
    "township_estimates",
    "write_county",
    "write_worksheets",
]
