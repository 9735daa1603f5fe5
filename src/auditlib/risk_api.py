"""The public names of the risk part of auditlib, re-exported by :mod:`auditlib`.

Registry cross-checks (:mod:`auditlib.crosscheck`), red-flag rules (:mod:`auditlib.rules`),
the scorer (:mod:`auditlib.risk`), reasons (:mod:`auditlib.reasons`), the fairness audit
(:mod:`auditlib.fairness`) and the evaluation on synthetic ground truth
(:mod:`auditlib.risk_evaluation`). See ``docs/risk.md``.
"""

from __future__ import annotations

from auditlib.crosscheck import CrossCheckResult, cross_check
from auditlib.fairness import fairness_audit
from auditlib.reasons import explain, top_reasons
from auditlib.risk import RiskAssessment, RiskScorer
from auditlib.risk_evaluation import RiskEvaluation, evaluate_risk
from auditlib.risk_inputs import check_risk_inputs
from auditlib.rules import RULES, RuleHits, RuleParameters, evaluate_rules, rule_catalogue

__all__ = [
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
]
