"""auditlib: reproducible audits of China's minimum living allowance (低保 Dibao).

The public API is what ``__all__`` lists; everything else may change.

Public names are imported on first use (PEP 562 module ``__getattr__``): ``import auditlib``
loads no numerical library, so the command line, the report runner and the batch workers start
quickly, and a notebook pays only for the parts it uses. ``from auditlib import SurveyDesign``
and ``auditlib.SurveyDesign`` work as before. Each name is listed twice below: imported under
``TYPE_CHECKING`` (for type checkers) and in ``_PUBLIC_MODULES`` (at run time);
``tests/test_package.py`` checks that the two lists agree.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # "X as X": an explicit re-export (PEP 484)
    from auditlib.batch import (
        BatchOptions as BatchOptions,
        CountyOutcome as CountyOutcome,
        run_batch as run_batch,
        summary_table as summary_table,
        write_summary as write_summary,
    )
    from auditlib.crosscheck import (
        CrossCheckResult as CrossCheckResult,
        cross_check as cross_check,
    )
    from auditlib.design import (
        SurveyDesign as SurveyDesign,
    )
    from auditlib.errors import (
        AuditError as AuditError,
        DataError as DataError,
        DesignError as DesignError,
        FieldworkError as FieldworkError,
        ParamsError as ParamsError,
        Problem as Problem,
        ReportError as ReportError,
    )
    from auditlib.estimands import (
        AuditEstimates as AuditEstimates,
        OmissionEstimate as OmissionEstimate,
        build_analysis_table as build_analysis_table,
        county_estimates as county_estimates,
        estimates_table as estimates_table,
        township_estimates as township_estimates,
    )
    from auditlib.estimation import (
        Estimate as Estimate,
        Estimates as Estimates,
    )
    from auditlib.fairness import (
        fairness_audit as fairness_audit,
    )
    from auditlib.fieldwork import (
        WorksheetSet as WorksheetSet,
        write_worksheets as write_worksheets,
    )
    from auditlib.fieldwork_import import (
        ImportResult as ImportResult,
        import_worksheets as import_worksheets,
        read_issued as read_issued,
    )
    from auditlib.forms import (
        FormCounts as FormCounts,
        form_counts as form_counts,
        write_statistics_form as write_statistics_form,
    )
    from auditlib.notebook_runner import (
        execute_notebook as execute_notebook,
        notebook_parameters as notebook_parameters,
    )
    from auditlib.params import (
        AuditParams as AuditParams,
        load_params as load_params,
    )
    from auditlib.planner import (
        MarginResult as MarginResult,
        SampleSizePlan as SampleSizePlan,
        achieved_margin as achieved_margin,
        design_effect as design_effect,
        frame_counts as frame_counts,
        plan_sample_size as plan_sample_size,
        required_sample_size as required_sample_size,
    )
    from auditlib.reasons import (
        explain as explain,
        top_reasons as top_reasons,
    )
    from auditlib.render import (
        html_to_pdf as html_to_pdf,
        notebook_to_html as notebook_to_html,
    )
    from auditlib.report import (
        ReportResult as ReportResult,
        produce_report as produce_report,
    )
    from auditlib.report_context import (
        AuditRun as AuditRun,
        run_audit as run_audit,
        save_outputs as save_outputs,
    )
    from auditlib.reproduce import (
        VerifyResult as VerifyResult,
        report_is_current as report_is_current,
        verify_report as verify_report,
    )
    from auditlib.risk import (
        RiskAssessment as RiskAssessment,
        RiskScorer as RiskScorer,
    )
    from auditlib.risk_evaluation import (
        RiskEvaluation as RiskEvaluation,
        evaluate_risk as evaluate_risk,
    )
    from auditlib.risk_inputs import (
        check_risk_inputs as check_risk_inputs,
    )
    from auditlib.rules import (
        RULES as RULES,
        RuleHits as RuleHits,
        RuleParameters as RuleParameters,
        evaluate_rules as evaluate_rules,
        rule_catalogue as rule_catalogue,
    )
    from auditlib.sampling import (
        Sample as Sample,
        check_sample as check_sample,
        draw_sample as draw_sample,
        read_sample as read_sample,
    )
    from auditlib.sampling_frame import (
        SamplingFrame as SamplingFrame,
        build_frame as build_frame,
    )
    from auditlib.sampling_plan import (
        PRESETS as PRESETS,
        SamplingPlan as SamplingPlan,
        resolve_plan as resolve_plan,
    )
    from auditlib.synth import (
        GroundTruth as GroundTruth,
        SynthConfig as SynthConfig,
        SyntheticCounty as SyntheticCounty,
        generate_county as generate_county,
        simulate_verification as simulate_verification,
        write_county as write_county,
    )

__version__ = "0.1.0"

#: Module that defines each public name (imported when the name is first asked for).
_PUBLIC_MODULES: dict[str, tuple[str, ...]] = {
    "auditlib.batch": (
        "BatchOptions",
        "CountyOutcome",
        "run_batch",
        "summary_table",
        "write_summary",
    ),
    "auditlib.crosscheck": (
        "cross_check",
        "CrossCheckResult",
    ),
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
        "build_analysis_table",
        "county_estimates",
        "estimates_table",
        "OmissionEstimate",
        "township_estimates",
    ),
    "auditlib.estimation": (
        "Estimate",
        "Estimates",
    ),
    "auditlib.fairness": ("fairness_audit",),
    "auditlib.fieldwork": (
        "WorksheetSet",
        "write_worksheets",
    ),
    "auditlib.fieldwork_import": (
        "import_worksheets",
        "ImportResult",
        "read_issued",
    ),
    "auditlib.forms": (
        "form_counts",
        "FormCounts",
        "write_statistics_form",
    ),
    "auditlib.notebook_runner": (
        "execute_notebook",
        "notebook_parameters",
    ),
    "auditlib.params": (
        "AuditParams",
        "load_params",
    ),
    "auditlib.planner": (
        "achieved_margin",
        "design_effect",
        "frame_counts",
        "MarginResult",
        "plan_sample_size",
        "required_sample_size",
        "SampleSizePlan",
    ),
    "auditlib.reasons": (
        "explain",
        "top_reasons",
    ),
    "auditlib.render": (
        "html_to_pdf",
        "notebook_to_html",
    ),
    "auditlib.report": (
        "produce_report",
        "ReportResult",
    ),
    "auditlib.report_context": (
        "AuditRun",
        "run_audit",
        "save_outputs",
    ),
    "auditlib.reproduce": (
        "report_is_current",
        "verify_report",
        "VerifyResult",
    ),
    "auditlib.risk": (
        "RiskAssessment",
        "RiskScorer",
    ),
    "auditlib.risk_evaluation": (
        "evaluate_risk",
        "RiskEvaluation",
    ),
    "auditlib.risk_inputs": ("check_risk_inputs",),
    "auditlib.rules": (
        "RULES",
        "evaluate_rules",
        "rule_catalogue",
        "RuleHits",
        "RuleParameters",
    ),
    "auditlib.sampling": (
        "check_sample",
        "draw_sample",
        "read_sample",
        "Sample",
    ),
    "auditlib.sampling_frame": (
        "build_frame",
        "SamplingFrame",
    ),
    "auditlib.sampling_plan": (
        "PRESETS",
        "resolve_plan",
        "SamplingPlan",
    ),
    "auditlib.synth": (
        "generate_county",
        "GroundTruth",
        "simulate_verification",
        "SynthConfig",
        "SyntheticCounty",
        "write_county",
    ),
}
_MODULE_OF = {name: module for module, names in _PUBLIC_MODULES.items() for name in names}
__all__ = ["__version__", *sorted(_MODULE_OF)]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'auditlib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})
