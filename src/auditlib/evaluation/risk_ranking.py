"""Evaluation of the risk ranking against synthetic ground truth.

For each generator seed a county is generated (by default the example county 新邵县's settings
with 3% of recipient households carrying a planted anomaly), scored with ``scorer_seeds``
forest seeds, and compared with the truth (``anomaly`` = inclusion error or payment anomaly):

* ROC-AUC and average precision of ``risk_percentile``;
* precision and recall among the top ``budget`` share (the households a verification budget
  reaches), and lift = precision ÷ prevalence (what random selection would find);
* recall per planted type (error types and payment anomaly types);
* the share of detected anomalies (true anomalies in the top ``budget``) whose top reason
  names a planted cause (the reason's ``causes`` include one of the household's types);
* the stability of the selection: mean pairwise Jaccard index of the top ``budget`` sets
  across scorer seeds.

The first scorer seed gives the accuracy figures; every seed enters the Jaccard index. Results
are summarised as mean ± SD over generator seeds (per-type recalls pooled over seeds).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score, roc_auc_score

from auditlib.errors import ParamsError
from auditlib.risk.assessment import RiskAssessment
from auditlib.risk.reasons import explain, top_reasons
from auditlib.risk.scorer import RiskScorer
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import SyntheticCounty

_LOG = logging.getLogger("auditlib.evaluation")

__all__ = [
    "METRICS",
    "CountyEvaluation",
    "RiskEvaluation",
    "evaluate_assessment",
    "evaluate_county",
    "evaluate_risk",
    "planted_types",
]

#: Scalar metrics of one county, in reporting order.
METRICS: tuple[str, ...] = (
    "roc_auc",
    "average_precision",
    "precision_at_budget",
    "recall_at_budget",
    "lift",
    "top_reason_correct",
    "jaccard",
)


def planted_types(truth_households: pd.DataFrame) -> pd.Series:
    """Planted types of each household as a frozenset (index ``household_id``; empty if none)."""
    error = truth_households["error_type"].astype("string").fillna("")
    payment = truth_households["payment_anomaly_types"].astype("string").fillna("")
    combined = (error + ";" + payment).tolist()
    types = [frozenset(part for part in str(text).split(";") if part) for text in combined]
    return pd.Series(
        types, index=truth_households["household_id"].astype("string").to_numpy(), dtype=object
    )


@dataclass(frozen=True)
class CountyEvaluation:
    """Metrics of one generated county.

    Attributes
    ----------
    generator_seed : int
        Seed of the county.
    households, anomalies, budget_households : int
        Scored (recipient) households, true anomalies among them, households in the budget.
    metrics : dict of str to float
        :data:`METRICS`.
    by_type : pandas.DataFrame
        ``type, anomalies, detected`` per planted type.
    """

    generator_seed: int
    households: int
    anomalies: int
    budget_households: int
    metrics: Mapping[str, float]
    by_type: pd.DataFrame


def _budget_count(households: int, budget: float) -> int:
    return max(1, math.ceil(budget * households - 1e-9))


def evaluate_assessment(
    assessment: RiskAssessment, truth_households: pd.DataFrame, *, budget: float = 0.05
) -> tuple[dict[str, float], pd.DataFrame]:
    """Accuracy metrics and per-type recall of one assessment (without the Jaccard index).

    Parameters
    ----------
    assessment : RiskAssessment
        Scores, rule hits and features of one county; its high tier should cover ``budget``.
    truth_households : pandas.DataFrame
        Ground truth (``household_id, anomaly, error_type, payment_anomaly_types``).
    budget : float
        Share of households the verification budget reaches.

    Returns
    -------
    metrics : dict
        Every :data:`METRICS` entry but ``jaccard``.
    by_type : pandas.DataFrame
        ``type, anomalies, detected``.
    """
    scores = assessment.scores
    truth = truth_households.assign(
        household_id=truth_households["household_id"].astype("string")
    ).set_index("household_id")
    ids = scores["household_id"].astype("string")
    anomaly = truth["anomaly"].reindex(ids).fillna(False).to_numpy(dtype=bool)
    count = _budget_count(len(scores), budget)
    selected = np.zeros(len(scores), dtype=bool)
    selected[:count] = True  # scores are ordered by risk, highest first
    prevalence = float(anomaly.mean())
    both = anomaly.any() and not anomaly.all()
    risk = scores["risk_percentile"].to_numpy(dtype=float)
    precision = float(anomaly[selected].mean())
    metrics = {
        "roc_auc": float(roc_auc_score(anomaly, risk)) if both else math.nan,
        "average_precision": float(average_precision_score(anomaly, risk)) if both else math.nan,
        "precision_at_budget": precision,
        "recall_at_budget": float(anomaly[selected].sum() / anomaly.sum())
        if anomaly.any()
        else math.nan,
        "lift": precision / prevalence if prevalence > 0 else math.nan,
    }
    types = planted_types(truth_households).reindex(ids)
    types = types.where(types.notna(), frozenset())
    rows = []
    for planted in sorted({kind for entry in types for kind in entry}):
        mask = np.array([planted in entry for entry in types], dtype=bool)
        rows.append(
            {
                "type": planted,
                "anomalies": int(mask.sum()),
                "detected": int((mask & selected).sum()),
            }
        )
    detected_ids = ids[anomaly & selected]
    reasons = explain(assessment, language="en", tiers=tuple(scores["tier"].iloc[:1]))
    top = top_reasons(reasons)
    correct = [
        bool(
            household in top.index
            and set(str(top.at[household, "causes"]).split(";")) & set(types[household])
        )
        for household in detected_ids
    ]
    metrics["top_reason_correct"] = float(np.mean(correct)) if correct else math.nan
    return metrics, pd.DataFrame(rows, columns=["type", "anomalies", "detected"])


def _jaccard(selections: Sequence[set[str]]) -> float:
    values = [
        len(first & second) / len(first | second)
        for first, second in combinations(selections, 2)
        if first | second
    ]
    return float(np.mean(values)) if values else math.nan


def evaluate_county(
    county: SyntheticCounty,
    scorer: RiskScorer,
    *,
    scorer_seeds: Sequence[int] = (0, 1, 2, 3, 4),
    budget: float = 0.05,
) -> CountyEvaluation:
    """Evaluate ``scorer`` (refitted per seed) on one generated county.

    The scorer's high tier is set to ``budget`` so that reasons cover the budget.
    """
    if not scorer_seeds:
        raise ParamsError("scorer_seeds must list at least one seed, got none")
    tiers = (budget, max(budget, float(scorer.tiers[1])))
    seeded = clone(scorer).set_params(tiers=tiers)
    assessments = seeded.fit_assess_seeds(county.data, [int(seed) for seed in scorer_seeds])
    count = _budget_count(len(assessments[0].scores), budget)
    selections = [
        set(assessment.scores["household_id"].iloc[:count].astype(str))
        for assessment in assessments
    ]
    metrics, by_type = evaluate_assessment(assessments[0], county.truth.households, budget=budget)
    metrics["jaccard"] = _jaccard(selections) if len(selections) > 1 else math.nan
    truth = county.truth.households.set_index(
        county.truth.households["household_id"].astype("string")
    )
    ids = assessments[0].scores["household_id"].astype("string")
    return CountyEvaluation(
        generator_seed=int(county.config.seed),
        households=len(ids),
        anomalies=int(truth["anomaly"].reindex(ids).fillna(False).astype(bool).sum()),
        budget_households=_budget_count(len(ids), budget),
        metrics=metrics,
        by_type=by_type,
    )


@dataclass(frozen=True)
class RiskEvaluation:
    """Evaluation over several generator seeds.

    Attributes
    ----------
    counties : tuple of CountyEvaluation
        One per generator seed.
    budget : float
        Verification budget (share of recipient households).
    anomaly_share : float
        Planted share of recipient households with an anomaly.
    scorer_parameters : dict
        Parameters of the scorer evaluated.
    """

    counties: tuple[CountyEvaluation, ...]
    budget: float
    anomaly_share: float
    scorer_parameters: Mapping[str, Any]

    def runs(self) -> pd.DataFrame:
        """One row per generator seed: sizes and every metric."""
        return pd.DataFrame(
            [
                {
                    "generator_seed": county.generator_seed,
                    "households": county.households,
                    "anomalies": county.anomalies,
                    "budget_households": county.budget_households,
                    **county.metrics,
                }
                for county in self.counties
            ]
        )

    def summary(self) -> pd.DataFrame:
        """Mean and SD over generator seeds of each metric."""
        runs = self.runs()
        return pd.DataFrame(
            {
                "metric": list(METRICS),
                "mean": [float(runs[name].mean()) for name in METRICS],
                "sd": [
                    float(runs[name].std(ddof=1)) if len(runs) > 1 else math.nan for name in METRICS
                ],
            }
        )

    def by_type(self) -> pd.DataFrame:
        """Recall per planted type, pooled over seeds, with the mean ± SD of per-seed recalls."""
        frames = [
            county.by_type.assign(generator_seed=county.generator_seed)
            for county in self.counties
            if len(county.by_type)
        ]
        if not frames:
            return pd.DataFrame(columns=["type", "anomalies", "detected", "recall", "recall_sd"])
        table = pd.concat(frames, ignore_index=True)
        table["recall"] = table["detected"] / table["anomalies"]
        pooled = table.groupby("type").agg(
            anomalies=("anomalies", "sum"),
            detected=("detected", "sum"),
            recall_mean=("recall", "mean"),
            recall_sd=("recall", "std"),
        )
        pooled.insert(2, "recall", pooled["detected"] / pooled["anomalies"])
        return pooled.reset_index()


def evaluate_risk(
    config: SynthConfig | None = None,
    *,
    generator_seeds: Sequence[int] = (1, 2, 3, 4, 5),
    scorer_seeds: Sequence[int] = (0, 1, 2, 3, 4),
    anomaly_share: float = 0.03,
    budget: float = 0.05,
    scorer: RiskScorer | None = None,
) -> RiskEvaluation:
    """Evaluate the risk ranking on generated counties (mean ± SD over generator seeds).

    Parameters
    ----------
    config : SynthConfig, optional
        Base configuration (default ``SynthConfig()``, 新邵县-like); its seed is replaced by
        each generator seed and its planted rates by ``anomaly_share``.
    generator_seeds, scorer_seeds : sequence of int
        Seeds of the generated counties and of the forest.
    anomaly_share : float
        Share of recipient households with a planted anomaly (split 70% inclusion errors,
        30% payment anomalies by :meth:`SynthConfig.with_anomaly_share`).
    budget : float
        Share of recipient households verified, in (0, 1).
    scorer : RiskScorer, optional
        Scorer to evaluate (default parameters otherwise).

    Returns
    -------
    RiskEvaluation

    Notes
    -----
    Each county's steps are logged (logger ``auditlib.evaluation``, INFO, with the
    ``step``/``progress`` extras that ``auditlib risk evaluate`` shows as a progress bar).
    """
    if not 0 < budget < 1:
        raise ParamsError(f"budget must be in (0, 1), got {budget!r}")
    if not generator_seeds:
        raise ParamsError("generator_seeds must list at least one seed, got none")
    base = (config or SynthConfig()).with_anomaly_share(anomaly_share)
    scorer = scorer if scorer is not None else RiskScorer()
    counties = []
    total = len(generator_seeds)
    for done, seed in enumerate(generator_seeds):
        county_seed = f"generator seed {int(seed)} ({done + 1} of {total})"
        _LOG.info(
            "%s: generating the county",
            county_seed,
            extra={"step": "generate", "progress": (done, total)},
        )
        county = generate_county(replace(base, seed=int(seed)))
        _LOG.info(
            "%s: scoring with %d forest seed(s)",
            county_seed,
            len(scorer_seeds),
            extra={"step": "score", "progress": (done, total)},
        )
        counties.append(evaluate_county(county, scorer, scorer_seeds=scorer_seeds, budget=budget))
        _LOG.info("%s: evaluated", county_seed, extra={"progress": (done + 1, total)})
    return RiskEvaluation(
        counties=tuple(counties),
        budget=budget,
        anomaly_share=anomaly_share,
        scorer_parameters=scorer.get_params(),
    )
