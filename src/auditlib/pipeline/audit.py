"""One county audit end to end, for the report notebook: phase 1 and phase 2 in library calls.

:func:`run_audit` loads and validates the county, scores risk, draws the sample, writes the
fieldwork worksheets into the restricted folder (phase 1), obtains the verification results —
simulated from the synthetic ground truth, taken from the data folder, or imported from filled
worksheets — and computes every estimate (phase 2). The notebook then only displays sections
(:mod:`auditlib.report.sections`) and calls
:func:`auditlib.report.outputs.save_outputs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.loading import load_county
from auditlib.errors import ReportError
from auditlib.estimation.analysis_table import build_analysis_table
from auditlib.estimation.summary import ReportEstimates, compute_estimates, priority_groups
from auditlib.fieldwork.importing import import_worksheets, read_issued, read_verification
from auditlib.fieldwork.writing import write_worksheets
from auditlib.pipeline.params import RiskParams, load_params
from auditlib.risk.reasons import explain
from auditlib.risk.scorer import RiskScorer
from auditlib.sampling.sample import draw_sample
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.output import read_ground_truth

__all__ = ["AuditRun", "analysis_table", "run_audit", "township_names"]

VERIFICATION_MODES = ("simulate", "data")


@dataclass(frozen=True)
class AuditRun:
    """Everything one county's report shows.

    Attributes
    ----------
    params : auditlib.pipeline.params.AuditParams
        The validated parameter file.
    language : str
        ``"zh"`` or ``"en"``.
    data : CountyData
        The county's tables (with ``problems``: the data-quality appendix).
    assessment : auditlib.risk.scorer.RiskAssessment
        Risk scores, rule hits and features.
    reasons : pandas.DataFrame
        Reasons of the top-tier households (:func:`auditlib.risk.reasons.explain`).
    sample : auditlib.sampling.sample.Sample
        The sample drawn.
    verification : pandas.DataFrame
        Verification results of the sampled households.
    verification_source : str
        ``"simulate"``, ``"data"`` or the worksheet folder / file used.
    analysis : pandas.DataFrame
        Sample table + verification + ``amount_paid`` + ``township``.
    estimates : ReportEstimates
        Every estimate of the report.
    worksheet_files : tuple of str
        Names of the worksheet files written into the restricted folder.
    """

    params: Any
    language: str
    data: CountyData
    assessment: Any
    reasons: pd.DataFrame
    sample: Any
    verification: pd.DataFrame
    verification_source: str
    analysis: pd.DataFrame
    estimates: ReportEstimates
    worksheet_files: tuple[str, ...]

    @property
    def simulated(self) -> bool:
        """Whether the verification results were simulated (demo and training)."""
        return self.verification_source == "simulate"


def risk_scorer(settings: RiskParams) -> RiskScorer:
    """The :class:`~auditlib.risk.scorer.RiskScorer` a parameter file's ``risk`` section
    describes (not yet fitted)."""
    return RiskScorer(
        n_estimators=settings.n_estimators,
        max_samples=settings.max_samples,
        tiers=(float(settings.tiers[0]), float(settings.tiers[1])),
        random_state=settings.random_state,
    )


def township_names(data: CountyData) -> dict[str, str]:
    """Township name by township code."""
    households = data.households.drop_duplicates("township_code")
    return dict(
        zip(
            households["township_code"].astype(str),
            households["township"].astype(str),
            strict=True,
        )
    )


def analysis_table(
    sample_table: pd.DataFrame, verification: pd.DataFrame, data: CountyData
) -> pd.DataFrame:
    """Sample table + verification answers + ``amount_paid`` (audit period) + ``township``.

    Built by :func:`auditlib.estimation.analysis_table.build_analysis_table` (which refuses answers
    that do not reconcile with the sample), with the township name added.
    """
    table = build_analysis_table(
        sample_table,
        verification,
        data.payments,
        period_start=data.info.audit_period_start,
        period_end=data.info.audit_period_end,
    )
    names = township_names(data)
    table["township"] = table["township_code"].astype(str).map(names)
    return table


def _verification(
    mode: str, params: Any, data: CountyData, sample: Any, restricted: Path | None
) -> pd.DataFrame:
    ids = sample.table["household_id"].astype(str).tolist()
    if mode == "simulate":
        truth = read_ground_truth(params.data)
        return simulate_verification(data, truth, ids, seed=params.seed)
    if mode == "data":
        if data.verification is None:
            raise ReportError(
                f"verification='data' but {params.data} has no verification table; "
                "import the filled worksheets or pass their folder"
            )
        return data.verification
    source = Path(mode)
    if source.is_dir():
        issued_folder = restricted if restricted is not None else source
        result = import_worksheets(
            sorted(source.glob("*.xlsx")), sample, read_issued(issued_folder)
        )
        if result.errors:
            raise ReportError(
                f"the worksheets in {source} have {len(result.errors)} problem(s); fix them "
                "(see 'auditlib fieldwork import') before reporting",
                result.errors,
            )
        return result.verification
    if source.is_file():
        return read_verification(source)
    raise ReportError(
        f"verification must be 'simulate', 'data', a folder of filled worksheets or a "
        f"verification CSV; got {mode!r} (no such file or folder)"
    )


def run_audit(
    params_file: str | Path,
    *,
    verification: str = "simulate",
    restricted_dir: str | Path | None = None,
    language: str = "",
) -> AuditRun:
    """Run both phases of one county's audit.

    Parameters
    ----------
    params_file : str or pathlib.Path
        ``params/<county_code>.yaml``.
    verification : str
        ``"simulate"``, ``"data"``, a folder of filled worksheets or a verification CSV.
    restricted_dir : str or pathlib.Path, optional
        Folder for the fieldwork worksheets (full identities); ``None`` writes none.
    language : {"", "zh", "en"}
        Report language; ``""`` takes the parameter file's.
    """
    params = load_params(params_file)
    chosen_language = language or params.report.language
    if chosen_language not in ("zh", "en"):
        raise ReportError(f"language must be 'zh' or 'en', got {chosen_language!r}")
    data = load_county(params.data)
    assessment = risk_scorer(params.risk).fit_assess(data)
    reasons = explain(assessment, language=chosen_language)
    sample = draw_sample(data, params.sampling_plan(), params.seed, risk=assessment.scores)
    restricted = Path(restricted_dir) if restricted_dir else None
    files: tuple[str, ...] = ()
    if restricted is not None:
        written = write_worksheets(sample, data, restricted, teams=params.sampling.teams)
        files = tuple(sorted(Path(path).name for path in written.files))
    answers = _verification(verification, params, data, sample, restricted)
    table = analysis_table(sample.table, answers, data)
    groups = priority_groups(
        data.households,
        data.members,
        pd.Timestamp(data.info.reference_date),
        params.sampling_plan().priority_window_months,
    )
    estimates = compute_estimates(
        table,
        groups=groups[groups["household_id"].isin(table["household_id"].astype(str))],
        township_names=township_names(data),
        method=params.estimation.ci_method,
        level=params.estimation.level,
        lonely_psu=params.estimation.lonely_psu,
        ultimate_cluster=sample.ultimate_cluster,
    )
    return AuditRun(
        params=params,
        language=chosen_language,
        data=data,
        assessment=assessment,
        reasons=reasons,
        sample=sample,
        verification=answers,
        verification_source=verification,
        analysis=table,
        estimates=estimates,
        worksheet_files=files,
    )
