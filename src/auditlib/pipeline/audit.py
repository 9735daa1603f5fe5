"""One county audit end to end, for the report notebook: phase 1 and phase 2 in library calls.

:func:`run_audit` loads and validates the county and scores risk; when the county workspace
(:mod:`auditlib.pipeline.workspace`) records no sample yet it runs phase 1
(:func:`auditlib.pipeline.phases.phase_one`: draw, record, issue worksheets). Phase 2
(:func:`phase_two`) then *reads* the recorded sample, checks it against the data (refusing data
that changed since phase 1 unless told to estimate from the recorded sample), takes the
verification results (:mod:`auditlib.pipeline.verification`) and computes every estimate. The
notebook then only displays sections (:mod:`auditlib.report.sections`) and calls
:func:`auditlib.report.outputs.save_outputs`. ``auditlib sample``, the notebook and batches all
go through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.loading import load_county
from auditlib.errors import DesignError, FieldworkError, ReportError
from auditlib.estimation.summary import ReportEstimates
from auditlib.pipeline.earlier_round import EarlierRound, load_earlier_round
from auditlib.pipeline.estimates import audit_estimates
from auditlib.pipeline.params import AuditParams, load_params
from auditlib.pipeline.phases import phase_one
from auditlib.pipeline.record import data_changes, read_recorded_sample, refuse_changed_data
from auditlib.pipeline.risk_ranking import assess_county, risk_scorer
from auditlib.pipeline.verification import pending_problems, verification_results
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.risk.reasons import explain
from auditlib.sampling.sample import Sample, check_sample

#: Pending households named in the message of a refused final report.
PENDING_LISTED = 20

__all__ = [
    "AuditRun",
    "phase_two",
    "risk_scorer",
    "run_audit",
]


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
        Names of the worksheet files issued by this run (phase 1 run now).
    interim : bool
        An interim report: results still pending counted as non-response.
    notes : tuple of str
        Facts the report must state (``"data_changed:<what>"`` when estimated from the
        recorded sample on changed data).
    earlier_round : EarlierRound or None
        The previous round's figures (``report.previous_round``), for the change since then.
    risk_training : dict
        How the ranking learned from ``risk.previous_rounds``
        (:attr:`auditlib.pipeline.risk_ranking.RankedCounty.training`; empty without them).
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
    interim: bool = False
    notes: tuple[str, ...] = ()
    earlier_round: EarlierRound | None = None
    risk_training: dict[str, float] = field(default_factory=dict)

    @property
    def simulated(self) -> bool:
        """Whether the verification results were simulated (demo and training)."""
        return self.verification_source == "simulate"


def phase_two(
    params: AuditParams,
    workspace: CountyWorkspace,
    data: CountyData,
    assessment: Any,
    *,
    verification: str = "auto",
    interim: bool = False,
    from_recorded_sample: bool = False,
) -> tuple[Sample, pd.DataFrame, str, tuple[str, ...]]:
    """Read the recorded sample, check it against the data, take the results.

    Returns
    -------
    sample, verification table, source used, notes for the report

    Raises
    ------
    DataError
        The data changed since phase 1 (each changed file named), unless
        ``from_recorded_sample``.
    DesignError
        No sample recorded, or the recorded sample cannot be re-derived from unchanged data.
    FieldworkError
        Results that do not reconcile; pending results in a final report (each listed with
        the worksheet file, sheet and row).
    """
    if not workspace.has_sample():
        raise DesignError(
            f"no sample is recorded in {workspace.sample_dir}; run phase 1 first "
            "('auditlib sample')"
        )
    sample = read_recorded_sample(workspace)
    notes: list[str] = []
    changes = data_changes(workspace, data)
    if changes and not from_recorded_sample:
        refuse_changed_data(changes, data)
    if changes:
        notes.append(
            "data_changed:" + "; ".join(f"{change.file}: {change.detail}" for change in changes)
        )
    else:
        check_sample(sample, data, risk=assessment.scores)
    answers, source = verification_results(verification, params, data, sample, workspace)
    pending = pending_problems(sample, answers, workspace)
    if pending and not interim:
        # The message itself lists the places: raised in the report's kernel, only the
        # message reaches the command line.
        shown = "; ".join(
            f"{problem.file} row {problem.row}: household {problem.value}"
            for problem in pending[:PENDING_LISTED]
        )
        more = (
            f"; and {len(pending) - PENDING_LISTED} more" if len(pending) > PENDING_LISTED else ""
        )
        raise FieldworkError(
            f"{len(pending)} sampled household(s) have no result yet: {shown}{more}. Import "
            "them ('auditlib fieldwork import'), or make an interim report (--interim)",
            pending,
        )
    return sample, answers, source, tuple(notes)


def run_audit(
    params_file: str | Path,
    *,
    verification: str = "auto",
    restricted_root: str | Path | None = None,
    audit_root: str | Path = "audits",
    language: str = "",
    interim: bool = False,
    from_recorded_sample: bool = False,
) -> AuditRun:
    """Run one county's audit: phase 1 when no sample is recorded yet, then phase 2.

    Parameters
    ----------
    params_file : str or pathlib.Path
        ``params/<county_code>.yaml``.
    verification : str
        Source of the results (:mod:`auditlib.pipeline.verification`): ``"auto"``,
        ``"results"``, ``"data"``, ``"simulate"``, a folder of filled worksheets or a file.
    restricted_root : str or pathlib.Path, optional
        Parent of ``<county_code>/worksheets`` (full identities); ``None`` issues none.
    audit_root : str or pathlib.Path
        Parent of ``<county_code>/sample`` and ``<county_code>/results``.
    language : {"", "zh", "en"}
        Report language; ``""`` takes the parameter file's.
    interim : bool
        Count results still pending as non-response (an interim report).
    from_recorded_sample : bool
        Estimate from the recorded sample even though the data changed since phase 1.
    """
    params = load_params(params_file)
    chosen_language = language or params.report.language
    if chosen_language not in ("zh", "en"):
        raise ReportError(f"language must be 'zh' or 'en', got {chosen_language!r}")
    earlier = params.report.previous_round
    earlier_round = None if earlier is None else load_earlier_round(earlier, params.county_code)
    workspace = CountyWorkspace(
        params.county_code,
        audit_root=Path(audit_root),
        restricted_root=Path(restricted_root) if restricted_root else Path("restricted"),
    )
    data = load_county(params.data)
    ranked = assess_county(params, data)
    assessment = ranked.assessment
    reasons = explain(assessment, language=chosen_language)
    files: tuple[str, ...] = ()
    if not workspace.has_sample():
        first = phase_one(
            params, workspace, data, risk=assessment.scores, worksheets=bool(restricted_root)
        )
        files = first.worksheets.files if first.worksheets is not None else ()
    sample, answers, source, notes = phase_two(
        params,
        workspace,
        data,
        assessment,
        verification=verification,
        interim=interim,
        from_recorded_sample=from_recorded_sample,
    )
    table, estimates = audit_estimates(
        params, data, sample, answers, scores=assessment.scores, interim=interim
    )
    return AuditRun(
        params=params,
        language=chosen_language,
        data=data,
        assessment=assessment,
        reasons=reasons,
        sample=sample,
        verification=answers,
        verification_source=source,
        analysis=table,
        estimates=estimates,
        worksheet_files=files,
        interim=interim,
        notes=notes,
        earlier_round=earlier_round,
        risk_training=dict(ranked.training),
    )
