"""A risk score that learns from verified results of previous rounds.

Every audit round verifies a sample of recipient households; the findings (found ineligible,
or paid more than the verified entitlement) are labels. :class:`LearnedRanker` fits a
calibrated model of P(finding | rule hits, features, forest score) on the verified households
of one or more previous rounds, with their design weights, and ranks the current county by it.

*Inputs* (:func:`learning_matrix`, computed on each round's own registers with the same
:class:`~auditlib.risk.scorer.RiskScorer` settings): the raw features (log1p of the
non-negative money and area features, as the forest's transform), their within-peer z-scores,
the forest percentile, the unsupervised ranking's percentile, one 0/1 column per rule code
(hit through an ID match), one per rule code hit through a name-only link, and the number of
distinct rules hit. No protected attribute is among them (sex, ethnicity, disability and age
never enter; a test changes them and checks every probability).

*Training set*: the verified households of the previous rounds' samples with their design
weights ``1/π``. They were selected on inputs of the model, never the outcome, so a weighted fit
estimates the county-wide P(finding | inputs). Non-respondents are left out (``docs/risk.md``).

*Model* (``model``, :mod:`auditlib.risk.learned_models`): by default an L2-penalised logistic
regression on standardised inputs (few degrees of freedom for a few dozen findings);
``"boosting"``: shallow boosted trees. Both are calibrated out of fold (Platt scaling over 5
folds): an in-sample fit was overconfident beyond the training range, and its probability is
compared with the rules' estimates. Design weights are sample weights throughout. With fewer than
:data:`MIN_FINDINGS` findings or :data:`MIN_VERIFIED` verified households nothing is learned
(the caller ranks as without labels).

*Rule estimates* (``rule_estimates``, default on): the penalised model shrinks a rule's effect
toward the average finding rate, so a few dozen findings made it demote definitive hits that
are nearly always real. Each definitive rule (weight ≥ 1) also gets an empirical-Bayes
precision — the weighted finding rate of the n training households it hit (ID-linked) shrunk
toward m = :data:`RULE_PRIOR_PRECISION` with k = :data:`RULE_PRIOR_STRENGTH` households,
``(k·m + n·rate) / (k + n)`` — and a household ranks by the larger of the model's probability
and its best definitive rule's estimate: a rule the previous round found weak falls back to the
model, and the model still promotes the kinds of error no rule sees.

*Exploration*: a share of every budget (``exploration_share``, default
:data:`DEFAULT_EXPLORATION_SHARE`) goes to the forest's top households, so that kinds of
anomaly absent from past findings can still be found. The order interleaves the two lists: of
the first k households, ⌊k · share⌋ are the forest's top households the learned order has not
placed yet. Ties are broken by the seeded household key as everywhere else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from threadpoolctl import threadpool_limits

from auditlib.errors import ParamsError
from auditlib.risk.assessment import RiskAssessment, tie_break_key, within_percentile
from auditlib.risk.learned_models import MODELS, calibrated_model
from auditlib.risk.rules.catalogue import RULE_CODES, RULES

__all__ = [
    "DEFAULT_EXPLORATION_SHARE",
    "MIN_FINDINGS",
    "MIN_VERIFIED",
    "MODELS",
    "RULE_PRIOR_PRECISION",
    "RULE_PRIOR_STRENGTH",
    "LearnedRanker",
    "definitive_codes",
    "enough_labels",
    "interleave",
    "learning_matrix",
    "rank_with_learning",
]

#: Share of every budget chosen by the unsupervised forest alone (docs/risk.md: the rationale).
DEFAULT_EXPLORATION_SHARE = 0.10
#: Fewer findings than this among the verified households: nothing is learned. Ten leave
#: eight in each training part of the 5-fold calibration, enough for the penalty's own 5-fold
#: choice; a small county's round (about 150 verified households) often has 10–15.
MIN_FINDINGS = 10
#: Fewer verified households than this: nothing is learned.
MIN_VERIFIED = 100
#: Prior precision of a definitive rule's hit (it contradicts eligibility on its own).
RULE_PRIOR_PRECISION = 0.9
#: Weight of that prior, in verified households.
RULE_PRIOR_STRENGTH = 5.0

#: Raw features read through log1p (non-negative, right-skewed money, areas and counts).
_LOG_FEATURES = frozenset(
    {
        "income_per_capita",
        "earnings_per_capita",
        "assets_per_capita",
        "housing_area_per_capita",
        "households_per_account",
    }
)


def learning_matrix(assessment: RiskAssessment) -> pd.DataFrame:
    """The model's inputs for every scored household of an assessment (index ``household_id``).

    Columns ``raw:<feature>``, ``z:<feature>``, ``forest_percentile``, ``prior_percentile``
    (the unsupervised ranking's ``risk_percentile``), ``rule:<code>``,
    ``name_only:<code>`` for every rule code (0/1), ``rule_count``. Missing raw values stay
    missing (the boosted trees route them).
    """
    ids = pd.Index(assessment.scores["household_id"].astype(str), name="household_id")
    names = list(assessment.feature_names)
    raw = assessment.features.reindex(ids)[names].astype(float)
    for name in names:
        if name in _LOG_FEATURES:
            raw[name] = np.log1p(raw[name].clip(lower=0.0))
    columns: dict[str, Any] = {f"raw:{name}": raw[name].to_numpy() for name in names}
    z = assessment.normalised.reindex(ids)[names].astype(float)
    columns |= {f"z:{name}": z[name].to_numpy() for name in names}
    scores = assessment.scores.set_index(assessment.scores["household_id"].astype(str))
    columns["forest_percentile"] = scores["forest_percentile"].reindex(ids).to_numpy(float)
    # The unsupervised ranking itself (rules, then forest): the model starts from it.
    columns["prior_percentile"] = scores["risk_percentile"].reindex(ids).to_numpy(float)
    hits = assessment.rule_hits.hits
    owner = hits["household_id"].astype(str)
    strength = (
        hits["strength"].astype(str)
        if "strength" in hits.columns
        else pd.Series("id", index=hits.index)
    )
    for code in RULE_CODES:
        of_code = hits["rule_code"].astype(str) == code
        strong = set(owner[of_code & (strength != "name_only")])
        weak = set(owner[of_code & (strength == "name_only")])
        columns[f"rule:{code}"] = ids.isin(list(strong)).astype(float)
        columns[f"name_only:{code}"] = ids.isin(list(weak)).astype(float)
    columns["rule_count"] = scores["rule_count"].reindex(ids).to_numpy(float)
    return pd.DataFrame(columns, index=ids)


def _shrunk_precision(
    hit: npt.NDArray[np.bool_],
    y: npt.NDArray[np.bool_],
    w: npt.NDArray[np.float64],
    prior: float,
    strength: float,
) -> float:
    """(k·m + n·rate) / (k + n): the weighted finding rate of the n hits shrunk toward m."""
    count = int(hit.sum())
    rate = float(np.sum(w[hit] * y[hit]) / np.sum(w[hit])) if count else prior
    return (strength * prior + count * rate) / (strength + count) if strength + count else prior


def enough_labels(verified: int, findings: int) -> bool:
    """At least :data:`MIN_VERIFIED` verified households and :data:`MIN_FINDINGS` findings."""
    return verified >= MIN_VERIFIED and findings >= MIN_FINDINGS


def definitive_codes(rule_weights: dict[str, float] | None = None) -> list[str]:
    """Rule codes of weight ≥ 1 (the catalogue's weights, overridden by ``rule_weights``)."""
    table = {rule.code: rule.weight for rule in RULES} | dict(rule_weights or {})
    return [code for code, weight in table.items() if weight >= 1]


@dataclass
class LearnedRanker:
    """P(finding | inputs) fitted on verified households of previous rounds.

    Parameters
    ----------
    exploration_share : float, default=0.10
        Share of every budget chosen by the forest alone (0 ≤ share < 1).
    random_state : int, default=0
        Seed of the model and of the tie-break.
    model : {"logistic", "boosting"}, default="logistic"
        L2-penalised logistic regression or boosted trees, both with out-of-fold Platt
        calibration (:mod:`auditlib.risk.learned_models`).
    rule_estimates : bool, default=True
        Rank each household by the larger of the model's probability and the empirical-Bayes
        precision of its best definitive rule (module docstring); ``False``: the model alone.
    rule_prior_precision : float, default=0.9
        Prior precision of a definitive rule's hit (0 ≤ value ≤ 1).
    rule_prior_strength : float, default=5.0
        Weight of the prior, in verified households (≥ 0).
    rule_weights : dict of str to float, optional
        The scorer's ``rule_weights`` (which rules are definitive); default the catalogue's.

    Attributes
    ----------
    model_ : sklearn estimator
        The calibrated classifier (after :meth:`fit`).
    columns_ : list of str
        Input columns, in the order fitted.
    rule_precision_ : dict of str to float
        Empirical-Bayes precision of each definitive rule (empty without ``rule_estimates``).
    training_summary_ : dict
        ``verified``, ``findings``, ``weighted_finding_rate``, ``rounds``.
    """

    exploration_share: float = DEFAULT_EXPLORATION_SHARE
    random_state: int = 0
    model: str = "logistic"
    rule_estimates: bool = True
    rule_prior_precision: float = RULE_PRIOR_PRECISION
    rule_prior_strength: float = RULE_PRIOR_STRENGTH
    rule_weights: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ParamsError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if not 0 <= self.exploration_share < 1:
            raise ParamsError(
                f"exploration_share must be in [0, 1), got {self.exploration_share!r}"
            )
        if not 0 <= self.rule_prior_precision <= 1:
            raise ParamsError(
                f"rule_prior_precision must be in [0, 1], got {self.rule_prior_precision!r}"
            )
        if not (math.isfinite(self.rule_prior_strength) and self.rule_prior_strength >= 0):
            raise ParamsError(
                f"rule_prior_strength must be finite and ≥ 0, got {self.rule_prior_strength!r}"
            )

    def fit(
        self,
        inputs: pd.DataFrame,
        finding: npt.ArrayLike,
        weight: npt.ArrayLike,
        *,
        rounds: int = 1,
    ) -> LearnedRanker:
        """Fit on verified households (``inputs`` rows from :func:`learning_matrix`).

        Raises
        ------
        ParamsError
            Fewer than :data:`MIN_VERIFIED` households or :data:`MIN_FINDINGS` findings, or
            weights that are not positive and finite.
        """
        y = np.asarray(finding, dtype=bool)
        w = np.asarray(weight, dtype=float)
        if len(y) != len(inputs) or len(w) != len(inputs):
            raise ParamsError("inputs, findings and weights must have one row per household")
        if not (np.isfinite(w).all() and (w > 0).all()):
            raise ParamsError("design weights must be positive and finite")
        if not enough_labels(len(y), int(y.sum())):
            raise ParamsError(
                f"{len(y)} verified household(s) with {int(y.sum())} finding(s) in the previous "
                f"round(s); at least {MIN_VERIFIED} and {MIN_FINDINGS} are needed to learn"
            )
        self.columns_ = list(inputs.columns)
        model = calibrated_model(self.model, self.random_state)
        # Normalised weights (mean 1): the regularisation does not depend on N.
        # One OpenMP thread: batches run one process per core, and on shared cores more
        # threads made a 600-household fit 5× slower (7.6 s against 1.4 s).
        with threadpool_limits(limits=1, user_api="openmp"):
            model.fit(inputs.to_numpy(dtype=float), y, sample_weight=w / w.mean())
        self.model_ = model
        codes = definitive_codes(self.rule_weights) if self.rule_estimates else []
        self.rule_precision_ = {
            code: _shrunk_precision(
                inputs.get(f"rule:{code}", pd.Series(0.0, index=inputs.index)).to_numpy() > 0,
                y, w, self.rule_prior_precision, self.rule_prior_strength,
            ) for code in codes
        }  # fmt: skip
        self.training_summary_ = {
            "verified": len(y),
            "findings": int(y.sum()),
            "weighted_finding_rate": float(np.sum(w * y) / np.sum(w)),
            "rounds": int(rounds),
        }
        return self

    def probability(self, inputs: pd.DataFrame) -> npt.NDArray[np.float64]:
        """The ranking probability of each row: the larger of :meth:`model_probability` and
        :meth:`rule_probability`."""
        return np.maximum(self.model_probability(inputs), self.rule_probability(inputs))

    def rule_probability(self, inputs: pd.DataFrame) -> npt.NDArray[np.float64]:
        """Empirical-Bayes precision of each row's best definitive rule hit (0 without one)."""
        best = np.zeros(len(inputs))
        for code, precision in self.rule_precision_.items():
            column = f"rule:{code}"
            if column in inputs.columns:
                hit = inputs[column].to_numpy(float) > 0
                best = np.where(hit, np.maximum(best, precision), best)
        return best

    def model_probability(self, inputs: pd.DataFrame) -> npt.NDArray[np.float64]:
        """Calibrated P(finding) of each row of ``inputs`` by the fitted model alone."""
        missing = [column for column in self.columns_ if column not in inputs.columns]
        if missing:
            raise ParamsError(f"inputs lack the fitted columns {missing}")
        matrix = inputs[self.columns_].to_numpy(dtype=float)
        with threadpool_limits(limits=1, user_api="openmp"):
            probability = self.model_.predict_proba(matrix)[:, 1]
        return np.asarray(probability, dtype=np.float64)


def interleave(
    learned_order: list[str], forest_order: list[str], exploration_share: float
) -> tuple[list[str], list[bool]]:
    """One order from the learned and the forest orders, the forest's share kept in every prefix.

    Returns the order and, per position, whether the forest chose it (exploration).

    Examples
    --------
    >>> interleave(["a", "b", "c", "d"], ["d", "c", "b", "a"], 0.5)
    (['a', 'd', 'b', 'c'], [False, True, False, True])
    """
    total = len(learned_order)
    placed: set[str] = set()
    order: list[str] = []
    explored: list[bool] = []
    learned_at = forest_at = chosen_by_forest = 0
    for position in range(1, total + 1):
        due = math.floor(position * exploration_share + 1e-9) > chosen_by_forest
        chosen_by_forest += due
        source, at = (forest_order, forest_at) if due else (learned_order, learned_at)
        while source[at] in placed:
            at += 1
        order.append(source[at])
        placed.add(source[at])
        explored.append(due)
        if due:
            forest_at = at + 1
        else:
            learned_at = at + 1
    return order, explored


def rank_with_learning(
    assessment: RiskAssessment,
    ranker: LearnedRanker,
    *,
    tiers: tuple[float, float],
) -> RiskAssessment:
    """The assessment re-ranked by the learned probability with forest exploration.

    The score table keeps :data:`~auditlib.risk.assessment.SCORE_COLUMNS` (``risk_percentile``
    is now the within-county percentile of the position in the interleaved order) and adds
    ``learned_probability`` (:meth:`LearnedRanker.probability`, rule estimates included) and
    ``chosen_by`` (``"learned"`` or ``"forest"``).
    """
    scores = assessment.scores.reset_index(drop=True)
    ids = scores["household_id"].astype(str)
    probability = ranker.probability(learning_matrix(assessment))
    tie = tie_break_key(ids, ranker.random_state)
    learned = np.lexsort((ids.to_numpy(), tie, -probability))
    forest = np.lexsort((ids.to_numpy(), tie, -scores["forest_score"].to_numpy(float)))
    order, explored = interleave(
        ids.iloc[learned].tolist(), ids.iloc[forest].tolist(), ranker.exploration_share
    )
    position = pd.Series(np.arange(len(order)), index=order)
    ranked = scores.assign(learned_probability=probability).set_index(ids)
    ranked = ranked.loc[order].reset_index(drop=True)
    ranked["chosen_by"] = np.where(explored, "forest", "learned")
    count = len(ranked)
    ranked["risk_percentile"] = within_percentile(-position.to_numpy(dtype=float))
    high = math.ceil(tiers[0] * count - 1e-9)
    medium = math.ceil(tiers[1] * count - 1e-9)
    rank = np.arange(1, count + 1)
    ranked["tier"] = np.where(rank <= high, "high", np.where(rank <= medium, "medium", "low"))
    ranked = ranked.astype({"household_id": "string", "tier": "string", "chosen_by": "string"})
    return replace(assessment, scores=ranked)
