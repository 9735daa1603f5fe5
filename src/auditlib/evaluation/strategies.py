"""Ranking strategies side by side on synthetic ground truth, the learned score included.

For one target county (generator seed *s*) every strategy orders the recipient households and
is scored on the top ``budget`` share against the truth (``anomaly``: inclusion error or
payment anomaly):

=====================  ========================================================================
strategy               order
=====================  ========================================================================
``rules``              definitive rules, then prompts; no forest (the rest by the seeded key)
``forest``             the isolation forest's score alone
``rules+forest``       the default ranking (:mod:`auditlib.risk.assessment`)
``rules+<feature>``    the default ranking with one raw feature's percentile in place of the
                       forest's (the single-feature baselines)
``learned-1``          :mod:`auditlib.risk.learned` trained on one previous round
``learned-2``          … on two previous rounds
=====================  ========================================================================

*Previous rounds* are simulated: counties generated with the target's settings and other seeds
(*s* + 100 003·k), scored with the same scorer, sampled with ``round_plan`` (default
``risk-targeted``) and verified from their ground truth (:func:`auditlib.synth.fieldwork.
simulate_verification`, no verifier error, no non-response). A real previous round is the same
county a year earlier; here it is a county drawn from the same generating process (the
households differ), which is what a stationary process gives. This is documented as a
limitation in ``docs/risk.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.base import clone

from auditlib.errors import ParamsError
from auditlib.estimation.findings import verified_findings
from auditlib.evaluation.risk_ranking import planted_types
from auditlib.risk.assessment import RiskAssessment, tie_break_key, within_percentile
from auditlib.risk.learned import LearnedRanker, learning_matrix, rank_with_learning
from auditlib.risk.scorer import RiskScorer
from auditlib.sampling.frame import build_frame
from auditlib.sampling.plan import resolve_plan
from auditlib.sampling.sample import sample_from_frame
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county
from auditlib.synth.output import SyntheticCounty

__all__ = [
    "PREVIOUS_ROUND_SEED_STEP",
    "StrategyResult",
    "compare_strategies",
    "previous_round_training",
    "strategy_gains",
    "strategy_orders",
    "summarise_strategies",
]

#: Generator seed of previous round k of target seed s: s + k · PREVIOUS_ROUND_SEED_STEP.
PREVIOUS_ROUND_SEED_STEP = 100_003


@dataclass(frozen=True)
class StrategyResult:
    """Precision and per-type recall of every strategy on one target county.

    Attributes
    ----------
    generator_seed : int
    precision : pandas.DataFrame
        ``strategy, precision_at_budget, recall_at_budget, budget_households``.
    by_type : pandas.DataFrame
        ``strategy, type, anomalies, detected``.
    training : dict
        Per learned strategy: verified households and findings it was trained on.
    """

    generator_seed: int
    precision: pd.DataFrame
    by_type: pd.DataFrame
    training: dict[str, dict[str, float]]


def _order_by(key: np.ndarray, ids: pd.Series, seed: int) -> list[str]:
    tie = tie_break_key(ids, seed)
    order = np.lexsort((ids.to_numpy(), tie, -key))
    return ids.iloc[order].astype(str).tolist()


def strategy_orders(assessment: RiskAssessment, *, seed: int = 0) -> dict[str, list[str]]:
    """The unsupervised orders (rules, forest, rules+forest, rules+each single feature)."""
    scores = assessment.scores.reset_index(drop=True)
    ids = scores["household_id"].astype(str)
    per = assessment.rule_hits.per_household(ids)
    definitive = per["definitive_weight"].to_numpy(float)
    prompt = per["prompt_weight"].to_numpy(float)
    orders = {
        "rules": _order_by(definitive + np.minimum(prompt, 1.0) / 1.001, ids, seed),
        "forest": _order_by(scores["forest_score"].to_numpy(float), ids, seed),
        "rules+forest": scores["household_id"].astype(str).tolist(),
    }
    raw = assessment.features.reindex(pd.Index(ids))
    for name in assessment.feature_names:
        values = raw[name].to_numpy(float)
        percentile = within_percentile(np.where(np.isfinite(values), values, -np.inf)) / 100.0
        key = definitive + np.minimum(percentile + prompt, 1.0) / 1.001
        orders[f"rules+{name}"] = _order_by(key, ids, seed)
    return orders


def previous_round_training(
    config: SynthConfig,
    scorer: RiskScorer,
    *,
    plan: str = "risk-targeted",
    sample_seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inputs and findings of one simulated previous round (a county generated from
    ``config``): the verified households' :func:`~auditlib.risk.learned.learning_matrix`
    rows and their :func:`~auditlib.estimation.findings.verified_findings`."""
    county = generate_county(config)
    assessment = clone(scorer).fit_assess(county.data)
    resolved = resolve_plan(plan, {}, file="<evaluation>")
    frame = build_frame(county.data, resolved, assessment.scores)
    sample = sample_from_frame(frame, resolved, sample_seed, county.data.info.county_code)
    ids = sample.table["household_id"].astype(str).tolist()
    answers = simulate_verification(county.data, county.truth, ids, seed=sample_seed)
    findings = verified_findings(
        sample.table, answers, county.data, programmes=tuple(scorer.programmes)
    )
    inputs = learning_matrix(assessment).reindex(findings["household_id"].astype(str))
    return inputs, findings


def _metrics(
    order: list[str], anomaly: pd.Series, types: pd.Series, budget: float
) -> tuple[dict[str, float], list[dict[str, object]]]:
    count = max(1, math.ceil(budget * len(order) - 1e-9))
    chosen = order[:count]
    hits = anomaly.reindex(chosen).fillna(False).to_numpy(bool)
    total = int(anomaly.sum())
    metrics = {
        "precision_at_budget": float(hits.mean()),
        "recall_at_budget": float(hits.sum() / total) if total else math.nan,
        "budget_households": float(count),
    }
    chosen_set = set(chosen)
    rows = []
    for planted in sorted({kind for entry in types for kind in entry}):
        members = [household for household, entry in types.items() if planted in entry]
        rows.append(
            {
                "type": planted,
                "anomalies": len(members),
                "detected": sum(household in chosen_set for household in members),
            }
        )
    return metrics, rows


def compare_strategies(
    config: SynthConfig,
    *,
    scorer: RiskScorer | None = None,
    budget: float = 0.05,
    rounds: Sequence[int] = (1, 2),
    round_plan: str = "risk-targeted",
    exploration_share: float = 0.10,
    model: str = "logistic",
    rule_estimates: bool = True,
) -> StrategyResult:
    """Every strategy of the module docstring on the county ``config`` generates.

    Parameters
    ----------
    config : SynthConfig
        The target county (its seed is the generator seed).
    scorer : RiskScorer, optional
        The unsupervised scorer (default parameters); its high tier is set to ``budget``.
    budget : float
        Share of recipient households verified.
    rounds : sequence of int
        Numbers of previous rounds to learn from (``learned-k`` for each k).
    round_plan : str
        Sampling preset of the previous rounds (default ``risk-targeted``: a county that ranks
        by risk samples by it; its certainty and oversampled risk strata give the model more
        findings, and the design weights keep the fit county-wide).
    exploration_share : float
        Share of the budget the learned strategies leave to the forest.
    model : {"logistic", "boosting"}
        The learned model (:class:`~auditlib.risk.learned.LearnedRanker`).
    rule_estimates : bool
        Definitive-rule households ranked at least at their rule's empirical-Bayes precision
        (:class:`~auditlib.risk.learned.LearnedRanker`); ``False``: the model alone.
    """
    scorer = clone(scorer if scorer is not None else RiskScorer())
    scorer.set_params(tiers=(budget, max(budget, float(scorer.tiers[1]))))
    county: SyntheticCounty = generate_county(config)
    assessment = clone(scorer).fit_assess(county.data)
    orders = strategy_orders(assessment, seed=int(config.seed))
    training: dict[str, dict[str, float]] = {}
    collected: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    for count in sorted(set(rounds)):
        while len(collected) < count:
            k = len(collected) + 1
            previous = replace(config, seed=int(config.seed) + k * PREVIOUS_ROUND_SEED_STEP)
            collected.append(
                previous_round_training(
                    previous, scorer, plan=round_plan, sample_seed=int(previous.seed)
                )
            )
        inputs = pd.concat([part[0] for part in collected[:count]])
        findings = pd.concat([part[1] for part in collected[:count]])
        ranker = LearnedRanker(
            exploration_share=exploration_share,
            random_state=int(config.seed),
            model=model,
            rule_estimates=rule_estimates,
            rule_weights=scorer.rule_weights,
        )
        name = f"learned-{count}"
        try:
            ranker.fit(inputs, findings["finding"], findings["weight"], rounds=count)
        except ParamsError:
            # Too few labels: ranked as without them, as the pipeline does.
            orders[name] = orders["rules+forest"]
            training[name] = {
                "verified": float(len(findings)),
                "findings": float(findings["finding"].sum()),
                "learned": 0.0,
            }
            continue
        learned = rank_with_learning(assessment, ranker, tiers=tuple(scorer.tiers))
        orders[name] = learned.scores["household_id"].astype(str).tolist()
        training[name] = {**ranker.training_summary_, "learned": 1.0}
    truth = county.truth.households.assign(
        household_id=county.truth.households["household_id"].astype(str)
    ).set_index("household_id")
    ids = pd.Index(assessment.scores["household_id"].astype(str))
    anomaly = truth["anomaly"].reindex(ids).fillna(False).astype(bool)
    types = planted_types(county.truth.households)
    types.index = types.index.astype(str)
    types = types.reindex(ids)
    types = types.where(types.notna(), frozenset())
    rows, type_rows = [], []
    for name, order in orders.items():
        metrics, by_type = _metrics(order, anomaly, types, budget)
        rows.append({"strategy": name, **metrics})
        type_rows += [{"strategy": name, **row} for row in by_type]
    return StrategyResult(
        generator_seed=int(config.seed),
        precision=pd.DataFrame(rows),
        by_type=pd.DataFrame(type_rows, columns=["strategy", "type", "anomalies", "detected"]),
        training=training,
    )


def summarise_strategies(
    results: Sequence[StrategyResult],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Precision per strategy over counties, and recall per planted type pooled over them.

    Returns
    -------
    precision : pandas.DataFrame
        ``strategy, mean, sd, min, max`` of the precision at the budget, best first.
    recall : pandas.DataFrame
        Index planted type, one column per strategy: detected ÷ planted, pooled.
    """
    table = pd.concat(
        [result.precision.assign(generator_seed=result.generator_seed) for result in results]
    )
    precision = (
        table.groupby("strategy")["precision_at_budget"]
        .agg(mean="mean", sd="std", min="min", max="max")
        .sort_values("mean", ascending=False)
        .reset_index()
    )
    types = pd.concat([result.by_type for result in results])
    pooled = types.groupby(["strategy", "type"])[["anomalies", "detected"]].sum()
    recall = (pooled["detected"] / pooled["anomalies"]).unstack("strategy")
    return precision, recall


def strategy_gains(results: Sequence[StrategyResult]) -> pd.DataFrame:
    """Issue 15's comparisons over counties: each ``learned-k`` minus ``rules+forest``, and
    ``rules+forest`` minus the best single-feature baseline (the ``rules+<feature>`` with the
    highest mean precision over these counties — picked on the same counties, so the
    comparison favours the baseline).

    Returns
    -------
    pandas.DataFrame
        ``comparison, mean, sd, min, negative, counties`` of the per-county differences in
        precision at the budget (``negative``: counties where the first is below the second).
    """
    table = pd.concat(
        [result.precision.assign(generator_seed=result.generator_seed) for result in results]
    )
    wide = table.pivot(index="generator_seed", columns="strategy", values="precision_at_budget")
    pairs = [
        (f"{name} − rules+forest", wide[name] - wide["rules+forest"])
        for name in sorted(column for column in wide.columns if column.startswith("learned-"))
    ]
    singles = [c for c in wide.columns if c.startswith("rules+") and c != "rules+forest"]
    if singles:
        best = str(wide[singles].mean().idxmax())
        pairs.append(
            (f"rules+forest − {best} (best single feature)", wide["rules+forest"] - wide[best])
        )
    return pd.DataFrame(
        [
            {
                "comparison": name,
                "mean": float(difference.mean()),
                "sd": float(difference.std()) if len(difference) > 1 else math.nan,
                "min": float(difference.min()),
                "negative": int((difference < 0).sum()),
                "counties": len(difference),
            }
            for name, difference in pairs
        ],
        columns=["comparison", "mean", "sd", "min", "negative", "counties"],
    )
