"""Public interface of auditlib, read by type checkers and, at run time, by ``lazy_loader``.

``auditlib/__init__.py`` passes this file to ``lazy_loader.attach_stub``: each name imported here
becomes a package attribute, imported from its module on first use, and is listed in
``__all__``. A public name is added here, once.
"""

__version__: str

from .batch import (
    BatchOptions as BatchOptions,
    CountyOutcome as CountyOutcome,
    run_batch as run_batch,
    summary_table as summary_table,
    write_summary as write_summary,
)
from .crosscheck import (
    CrossCheckResult as CrossCheckResult,
    cross_check as cross_check,
)
from .design import (
    SurveyDesign as SurveyDesign,
)
from .errors import (
    AuditError as AuditError,
    DataError as DataError,
    DesignError as DesignError,
    FieldworkError as FieldworkError,
    ParamsError as ParamsError,
    Problem as Problem,
    ReportError as ReportError,
)
from .estimands import (
    AuditEstimates as AuditEstimates,
    OmissionEstimate as OmissionEstimate,
    build_analysis_table as build_analysis_table,
    county_estimates as county_estimates,
    estimates_table as estimates_table,
    township_estimates as township_estimates,
)
from .estimation import (
    Estimate as Estimate,
    Estimates as Estimates,
)
from .fairness import (
    fairness_audit as fairness_audit,
)
from .fieldwork import (
    WorksheetSet as WorksheetSet,
    write_worksheets as write_worksheets,
)
from .fieldwork_import import (
    ImportResult as ImportResult,
    import_worksheets as import_worksheets,
    read_issued as read_issued,
)
from .forms import (
    FormCounts as FormCounts,
    form_counts as form_counts,
    write_statistics_form as write_statistics_form,
)
from .notebook_runner import (
    execute_notebook as execute_notebook,
    notebook_parameters as notebook_parameters,
)
from .params import (
    AuditParams as AuditParams,
    load_params as load_params,
)
from .planner import (
    MarginResult as MarginResult,
    SampleSizePlan as SampleSizePlan,
    achieved_margin as achieved_margin,
    design_effect as design_effect,
    frame_counts as frame_counts,
    plan_sample_size as plan_sample_size,
    required_sample_size as required_sample_size,
)
from .reasons import (
    explain as explain,
    top_reasons as top_reasons,
)
from .render import (
    html_to_pdf as html_to_pdf,
    notebook_to_html as notebook_to_html,
)
from .report import (
    ReportResult as ReportResult,
    produce_report as produce_report,
)
from .report_context import (
    AuditRun as AuditRun,
    run_audit as run_audit,
    save_outputs as save_outputs,
)
from .reproduce import (
    VerifyResult as VerifyResult,
    report_is_current as report_is_current,
    verify_report as verify_report,
)
from .risk import (
    RiskAssessment as RiskAssessment,
    RiskScorer as RiskScorer,
)
from .risk_evaluation import (
    RiskEvaluation as RiskEvaluation,
    evaluate_risk as evaluate_risk,
)
from .risk_inputs import (
    check_risk_inputs as check_risk_inputs,
)
from .rules import (
    RULES as RULES,
    RuleHits as RuleHits,
    RuleParameters as RuleParameters,
    evaluate_rules as evaluate_rules,
    rule_catalogue as rule_catalogue,
)
from .sampling import (
    Sample as Sample,
    check_sample as check_sample,
    draw_sample as draw_sample,
    read_sample as read_sample,
)
from .sampling_frame import (
    SamplingFrame as SamplingFrame,
    build_frame as build_frame,
)
from .sampling_plan import (
    PRESETS as PRESETS,
    SamplingPlan as SamplingPlan,
    resolve_plan as resolve_plan,
)
from .synth import (
    GroundTruth as GroundTruth,
    SynthConfig as SynthConfig,
    SyntheticCounty as SyntheticCounty,
    generate_county as generate_county,
    simulate_verification as simulate_verification,
    write_county as write_county,
)
