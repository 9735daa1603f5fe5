"""Public names of sampling, planning, parameters and fieldwork (re-exported by ``auditlib``)."""

from __future__ import annotations

from auditlib.fieldwork import WorksheetSet, write_worksheets
from auditlib.fieldwork_import import ImportResult, import_worksheets, read_issued
from auditlib.params import AuditParams, load_params
from auditlib.planner import (
    MarginResult,
    SampleSizePlan,
    achieved_margin,
    design_effect,
    frame_counts,
    plan_sample_size,
    required_sample_size,
)
from auditlib.sampling import Sample, check_sample, draw_sample, read_sample
from auditlib.sampling_frame import SamplingFrame, build_frame
from auditlib.sampling_plan import PRESETS, SamplingPlan, resolve_plan

__all__ = [
    "PRESETS",
    "AuditParams",
    "ImportResult",
    "MarginResult",
    "Sample",
    "SampleSizePlan",
    "SamplingFrame",
    "SamplingPlan",
    "WorksheetSet",
    "achieved_margin",
    "build_frame",
    "check_sample",
    "design_effect",
    "draw_sample",
    "frame_counts",
    "import_worksheets",
    "load_params",
    "plan_sample_size",
    "read_issued",
    "read_sample",
    "required_sample_size",
    "resolve_plan",
    "write_worksheets",
]
