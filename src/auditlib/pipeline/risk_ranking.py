"""The county's risk assessment as the parameter file asks for it: unsupervised, or learned from
previous rounds (``risk.previous_rounds``) with forest exploration.

Each previous round is read as it was recorded — its registers (``data``), its sample record
and its verification results — scored with the same ``risk`` settings as this round, and its
verified recipient households labelled (:func:`auditlib.estimation.findings.verified_findings`).
With enough labels (:data:`auditlib.risk.learned.MIN_VERIFIED` households,
:data:`~auditlib.risk.learned.MIN_FINDINGS` findings) the county is ranked by the learned
probability; otherwise it is ranked as without labels, and the training counts say why
(the report's risk section prints them). Nothing of a previous round is written or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.loading import load_county
from auditlib.estimation.findings import verified_findings
from auditlib.fieldwork.importing import read_verification
from auditlib.fieldwork.results import current_results, read_results_log
from auditlib.pipeline.params import AuditParams, PreviousRound, RiskParams
from auditlib.pipeline.workspace import RESULTS_LOG_FILE
from auditlib.risk.assessment import RiskAssessment
from auditlib.risk.learned import (
    LearnedRanker,
    enough_labels,
    learning_matrix,
    rank_with_learning,
)
from auditlib.risk.rules.cross_county import read_cross_county_findings
from auditlib.risk.scorer import RiskScorer
from auditlib.sampling.sample import read_sample

__all__ = ["RankedCounty", "assess_county", "previous_round_labels", "risk_scorer"]


def risk_scorer(settings: RiskParams, county_code: str | None = None) -> RiskScorer:
    """The :class:`~auditlib.risk.scorer.RiskScorer` a parameter file's ``risk`` section
    describes (not yet fitted).

    With ``county_code``, the cross-county findings ``risk.cross_county`` names are read (the
    rows of that county); without, or when the section names none, rules X01–X04 have none.

    Raises
    ------
    DataError
        The findings file does not exist or is not a findings table of ``auditlib crosscheck``.
    """
    findings = None
    if county_code is not None and settings.cross_county is not None:
        findings = read_cross_county_findings(settings.cross_county, county_code)
    return RiskScorer(**settings.scorer_parameters(), cross_county=findings)


@dataclass(frozen=True)
class RankedCounty:
    """The assessment a run uses, and what the report should say about how it was ranked.

    Attributes
    ----------
    assessment : RiskAssessment
        Scores (learned when :attr:`learned`), rule hits, features.
    training : dict
        Empty without previous rounds; otherwise ``rounds``, ``verified``, ``findings``,
        ``learned`` (1.0 when the model was fitted, 0.0 when the labels were too few) and, when
        learned, the model's other training figures and ``exploration_share`` — what the
        report's risk section says about the ranking.
    """

    assessment: RiskAssessment
    training: dict[str, float]

    @property
    def learned(self) -> bool:
        """Ranked by the learned probability (with forest exploration)."""
        return bool(self.training.get("learned", 0.0))


def previous_round_labels(
    previous: PreviousRound, settings: RiskParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inputs (:func:`~auditlib.risk.learned.learning_matrix`) and findings of the verified
    recipient households of one previous round.

    Raises
    ------
    DataError, DesignError, FieldworkError
        A round's data, sample record or results that do not read (each names its file).
    """
    data: CountyData = load_county(previous.data)
    if previous.audit is not None:
        sample = read_sample(previous.audit / "sample")
        log = previous.audit / "results" / RESULTS_LOG_FILE
        verification = current_results(read_results_log(log))
    else:
        assert previous.sample is not None and previous.verification is not None
        sample = read_sample(previous.sample)
        verification = read_verification(previous.verification, sample=sample)
    findings = verified_findings(
        sample.table, verification, data, programmes=tuple(settings.programmes)
    )
    assessment = risk_scorer(settings).fit_assess(data)
    inputs = learning_matrix(assessment).reindex(findings["household_id"].astype(str))
    return inputs, findings


def assess_county(params: AuditParams, data: CountyData) -> RankedCounty:
    """Score ``data`` with the params' ``risk`` settings, learning from previous rounds if any."""
    settings = params.risk
    assessment = risk_scorer(settings, data.info.county_code).fit_assess(data)
    if not settings.previous_rounds:
        return RankedCounty(assessment, training={})
    parts = [previous_round_labels(item, settings) for item in settings.previous_rounds]
    inputs = pd.concat([part[0] for part in parts])
    findings = pd.concat([part[1] for part in parts])
    counts = {
        "rounds": float(len(settings.previous_rounds)),
        "verified": float(len(findings)),
        "findings": float(findings["finding"].sum()),
    }
    if not enough_labels(len(findings), int(findings["finding"].sum())):
        return RankedCounty(assessment, training={**counts, "learned": 0.0})
    ranker = LearnedRanker(
        exploration_share=settings.exploration_share,
        random_state=settings.random_state,
        model=settings.learned_model,
        rule_weights=settings.rule_weights,
        rule_estimates=settings.rule_estimates,
        rule_prior_precision=settings.rule_prior_precision,
        rule_prior_strength=settings.rule_prior_strength,
    )
    ranker.fit(
        inputs, findings["finding"], findings["weight"], rounds=len(settings.previous_rounds)
    )
    tiers = (float(settings.tiers[0]), float(settings.tiers[1]))
    learned = rank_with_learning(assessment, ranker, tiers=tiers)
    training = {
        **ranker.training_summary_,
        "learned": 1.0,
        "exploration_share": settings.exploration_share,
    }
    return RankedCounty(learned, training=training)
