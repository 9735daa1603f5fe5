"""auditlib: reproducible audits of China's minimum living allowance (低保 Dibao).

The public API is what ``__all__`` lists; everything else may change.

Public names are imported on first use (PEP 562 module ``__getattr__``): ``import auditlib``
loads no numerical library, so the command line, the report runner and the batch workers start
quickly, and a notebook pays only for the parts it uses. ``from auditlib import SurveyDesign``
and ``auditlib.SurveyDesign`` work as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from auditlib.report_api import (
        AuditRun,
        BatchOptions,
        CountyOutcome,
        FormCounts,
        ReportResult,
        VerifyResult,
        execute_notebook,
        form_counts,
        html_to_pdf,
        notebook_parameters,
        notebook_to_html,
        produce_report,
        report_is_current,
        run_audit,
        run_batch,
        save_outputs,
        summary_table,
        verify_report,
        write_statistics_form,
        write_summary,
    )
    from auditlib.risk_api import (
        RULES,
        CrossCheckResult,
        RiskAssessment,
        RiskEvaluation,
        RiskScorer,
        RuleHits,
        RuleParameters,
        check_risk_inputs,
        cross_check,
        evaluate_risk,
        evaluate_rules,
        explain,
        fairness_audit,
        rule_catalogue,
        top_reasons,
    )
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

#: Module that defines each public name (imported when the name is first asked for).
_PUBLIC_MODULES: dict[str, tuple[str, ...]] = {
    "auditlib.design": ("SurveyDesign",),
    "auditlib.errors": (
        "AuditError",
        "DataError",
        "DesignError",
        "FieldworkError",
        "ParamsError",
        "Problem",
        "ReportError",
    ),
    "auditlib.estimands": (
        "AuditEstimates",
        "OmissionEstimate",
        "build_analysis_table",
        "county_estimates",
        "estimates_table",
        "township_estimates",
    ),
    "auditlib.estimation": (
        "Estimate",
        "Estimates",
    ),
    "auditlib.report_api": (
        "AuditRun",
        "BatchOptions",
        "CountyOutcome",
        "FormCounts",
        "ReportResult",
        "VerifyResult",
        "execute_notebook",
        "form_counts",
        "html_to_pdf",
        "notebook_parameters",
        "notebook_to_html",
        "produce_report",
        "report_is_current",
        "run_audit",
        "run_batch",
        "save_outputs",
        "summary_table",
        "verify_report",
        "write_statistics_form",
        "write_summary",
    ),
    "auditlib.risk_api": (
        "RULES",
        "CrossCheckResult",
        "RiskAssessment",
        "RiskEvaluation",
        "RiskScorer",
        "RuleHits",
        "RuleParameters",
        "check_risk_inputs",
        "cross_check",
        "evaluate_risk",
        "evaluate_rules",
        "explain",
        "fairness_audit",
        "rule_catalogue",
        "top_reasons",
    ),
    "auditlib.sampling_api": (
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
    ),
    "auditlib.synth": (
        "GroundTruth",
        "SynthConfig",
        "SyntheticCounty",
        "generate_county",
        "simulate_verification",
        "write_county",
    ),
}
_MODULE_OF = {name: module for module, names in _PUBLIC_MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'auditlib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})


__all__ = [
    "PRESETS",
    "RULES",
    "AuditError",
    "AuditEstimates",
    "AuditParams",
    "AuditRun",
    "BatchOptions",
    "CountyOutcome",
    "CrossCheckResult",
    "DataError",
    "DesignError",
    "Estimate",
    "Estimates",
    "FieldworkError",
    "FormCounts",
    "GroundTruth",
    "ImportResult",
    "MarginResult",
    "OmissionEstimate",
    "ParamsError",
    "Problem",
    "ReportError",
    "ReportResult",
    "RiskAssessment",
    "RiskEvaluation",
    "RiskScorer",
    "RuleHits",
    "RuleParameters",
    "Sample",
    "SampleSizePlan",
    "SamplingFrame",
    "SamplingPlan",
    "SurveyDesign",
    "SynthConfig",
    "SyntheticCounty",
    "VerifyResult",
    "WorksheetSet",
    "__version__",
    "achieved_margin",
    "build_analysis_table",
    "build_frame",
    "check_risk_inputs",
    "check_sample",
    "county_estimates",
    "cross_check",
    "design_effect",
    "draw_sample",
    "estimates_table",
    "evaluate_risk",
    "evaluate_rules",
    "execute_notebook",
    "explain",
    "fairness_audit",
    "form_counts",
    "frame_counts",
    "generate_county",
    "html_to_pdf",
    "import_worksheets",
    "load_params",
    "notebook_parameters",
    "notebook_to_html",
    "plan_sample_size",
    "produce_report",
    "read_issued",
    "read_sample",
    "report_is_current",
    "required_sample_size",
    "resolve_plan",
    "rule_catalogue",
    "run_audit",
    "run_batch",
    "save_outputs",
    "simulate_verification",
    "summary_table",
    "top_reasons",
    "township_estimates",
    "verify_report",
    "write_county",
    "write_statistics_form",
    "write_summary",
    "write_worksheets",
]
