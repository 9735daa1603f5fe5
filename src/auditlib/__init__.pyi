"""Public interface of auditlib, read by type checkers and, at run time, by ``lazy_loader``.

``auditlib/__init__.py`` passes this file to ``lazy_loader.attach_stub``: each name imported here
becomes a package attribute, imported from its module on first use, and is listed in
``__all__``. A public name is added here, once.
"""

__version__: str

from .batch.runner import (
    BatchOptions as BatchOptions,
    CountyOutcome as CountyOutcome,
    run_batch as run_batch,
)
from .batch.summary import (
    summary_table as summary_table,
)
from .batch.summary_workbook import (
    SummaryFile as SummaryFile,
    write_summary as write_summary,
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
from .estimation.analysis_table import (
    build_analysis_table as build_analysis_table,
)
from .estimation.areas import (
    AuditEstimates as AuditEstimates,
    county_estimates as county_estimates,
    estimates_table as estimates_table,
    township_estimates as township_estimates,
)
from .estimation.design import (
    SurveyDesign as SurveyDesign,
)
from .estimation.estimands import (
    OmissionEstimate as OmissionEstimate,
)
from .estimation.nonresponse import (
    NonresponseAdjustment as NonresponseAdjustment,
    adjust_for_nonresponse as adjust_for_nonresponse,
)
from .estimation.results import (
    Estimate as Estimate,
    Estimates as Estimates,
)
from .evaluation.risk_ranking import (
    RiskEvaluation as RiskEvaluation,
    evaluate_risk as evaluate_risk,
)
from .fieldwork.importing import (
    ImportResult as ImportResult,
    import_worksheets as import_worksheets,
    read_issued as read_issued,
)
from .fieldwork.results import (
    append_results as append_results,
    current_results as current_results,
    read_results_log as read_results_log,
)
from .fieldwork.writing import (
    WorksheetSet as WorksheetSet,
    write_worksheets as write_worksheets,
)
from .pipeline.audit import (
    AuditRun as AuditRun,
    phase_two as phase_two,
    run_audit as run_audit,
)
from .pipeline.params import (
    AuditParams as AuditParams,
    load_params as load_params,
)
from .pipeline.phases import (
    phase_one as phase_one,
)
from .pipeline.workspace import (
    CountyWorkspace as CountyWorkspace,
)
from .report.forms import (
    FormCounts as FormCounts,
    form_counts as form_counts,
    write_statistics_form as write_statistics_form,
)
from .report.notebook_runner import (
    execute_notebook as execute_notebook,
    notebook_parameters as notebook_parameters,
)
from .report.outputs import (
    save_outputs as save_outputs,
)
from .report.produce import (
    ReportResult as ReportResult,
    produce_report as produce_report,
)
from .report.render import (
    html_to_pdf as html_to_pdf,
    notebook_to_html as notebook_to_html,
)
from .report.verify import (
    VerifyResult as VerifyResult,
    report_is_current as report_is_current,
    verify_report as verify_report,
)
from .risk.assessment import (
    RiskAssessment as RiskAssessment,
)
from .risk.crosscheck import (
    CrossCheckResult as CrossCheckResult,
    cross_check as cross_check,
)
from .risk.fairness import (
    fairness_audit as fairness_audit,
)
from .risk.inputs import (
    check_risk_inputs as check_risk_inputs,
)
from .risk.reasons import (
    explain as explain,
    top_reasons as top_reasons,
)
from .risk.rules.catalogue import (
    RULES as RULES,
    rule_catalogue as rule_catalogue,
)
from .risk.rules.evaluate import (
    RuleHits as RuleHits,
    RuleParameters as RuleParameters,
    evaluate_rules as evaluate_rules,
)
from .risk.scorer import (
    RiskScorer as RiskScorer,
)
from .sampling.frame import (
    SamplingFrame as SamplingFrame,
    build_frame as build_frame,
)
from .sampling.plan import (
    PRESETS as PRESETS,
    SamplingPlan as SamplingPlan,
    resolve_plan as resolve_plan,
)
from .sampling.planner import (
    MarginResult as MarginResult,
    SampleSizePlan as SampleSizePlan,
    achieved_margin as achieved_margin,
    design_effect as design_effect,
    frame_counts as frame_counts,
    plan_sample_size as plan_sample_size,
    required_sample_size as required_sample_size,
)
from .sampling.sample import (
    Sample as Sample,
    check_sample as check_sample,
    draw_sample as draw_sample,
    read_sample as read_sample,
)
from .synth.config import (
    SynthConfig as SynthConfig,
)
from .synth.fieldwork import (
    simulate_verification as simulate_verification,
)
from .synth.generator import (
    generate_county as generate_county,
)
from .synth.output import (
    GroundTruth as GroundTruth,
    SyntheticCounty as SyntheticCounty,
    write_county as write_county,
)
