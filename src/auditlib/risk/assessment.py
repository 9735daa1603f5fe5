"""The result of scoring one county: :class:`RiskAssessment`, its score table's columns and the
within-county percentile used for every ranking (split from :mod:`auditlib.risk.scorer`, which
re-exports these names)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from auditlib.errors import Problem
from auditlib.risk.crosscheck import CrossCheckResult
from auditlib.risk.rules.evaluate import RuleHits

__all__ = [
    "SCORE_COLUMNS",
    "TIERS",
    "RiskAssessment",
    "rank_households",
    "tie_break_key",
    "within_percentile",
]

SCORE_COLUMNS: tuple[str, ...] = (
    "household_id",
    "forest_score",
    "forest_percentile",
    "rule_count",
    "rule_codes",
    "risk_percentile",
    "tier",
)
TIERS: tuple[str, ...] = ("high", "medium", "low")


def within_percentile(values: np.ndarray) -> np.ndarray:
    """Percentile (0-100] of each value within ``values``: share of values ≤ it."""
    if len(values) == 0:
        return np.zeros(0)
    return 100.0 * rankdata(values, method="max") / len(values)


@dataclass(frozen=True)
class RiskAssessment:
    """Everything computed while scoring one county (inputs of reasons and the fairness audit).

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per recipient household, columns :data:`SCORE_COLUMNS`, highest risk first.
    features : pandas.DataFrame
        Raw feature values (index ``household_id``).
    normalised : pandas.DataFrame
        The forest's input: robust z-scores within the peer group.
    peer_medians, peer_percentiles : pandas.DataFrame
        Peer median and percentile of each raw feature value (for reasons).
    peer : pandas.Series
        ``"township"`` or ``"county"``: peer group of each household.
    rule_hits : RuleHits
        Every rule hit of the county's recipient households.
    crosscheck : CrossCheckResult
        Registry matching.
    cross_county : pandas.DataFrame or None
        The findings of ``auditlib crosscheck`` involving the county that the scorer was given
        (rules X01–X04; full identities: restricted), or None.
    problems : tuple of Problem
        Warnings found in the inputs (errors raise instead).
    feature_names : tuple of str
        Features the forest used.
    """

    scores: pd.DataFrame
    features: pd.DataFrame
    normalised: pd.DataFrame
    peer_medians: pd.DataFrame
    peer_percentiles: pd.DataFrame
    peer: pd.Series
    rule_hits: RuleHits
    crosscheck: CrossCheckResult
    problems: tuple[Problem, ...]
    feature_names: tuple[str, ...]
    cross_county: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """The score table."""
        return self.scores.copy()


def tie_break_key(ids: pd.Series, random_state: int) -> np.ndarray:
    """A seeded pseudo-random key per household id, independent of the rows' order.

    SipHash (pandas' ``hash_pandas_object``) of each id under a 16-character key made from
    ``random_state``: the same id and seed give the same key on any machine and in any row
    order; another seed reorders ties.

    Examples
    --------
    >>> ids = pd.Series(["a", "b", "c"])
    >>> bool((tie_break_key(ids, 1) == tie_break_key(ids[::-1], 1)[::-1]).all())
    True
    """
    hash_key = f"{int(random_state) % 10**16:016d}"
    hashed = pd.util.hash_pandas_object(
        ids.astype("string").reset_index(drop=True), index=False, hash_key=hash_key
    )
    return hashed.to_numpy(dtype=np.uint64)


def rank_households(
    ids: pd.Series,
    forest_score: np.ndarray,
    rules: pd.DataFrame,
    *,
    combine: str,
    tiers: tuple[float, ...],
    random_state: int = 0,
) -> pd.DataFrame:
    """The score table: rule weights and forest scores combined into one ranking and tiers.

    Parameters
    ----------
    ids : pandas.Series
        Household ids, aligned with ``forest_score`` and ``rules``.
    forest_score : numpy.ndarray
        The forest's anomaly score of each household.
    rules : pandas.DataFrame
        :meth:`auditlib.risk.rules.evaluate.RuleHits.per_household` of ``ids``.
    combine : {"lexicographic", "rank_average"}
        How rules and forest make one ranking (see :mod:`auditlib.risk.scorer`).
    tiers : tuple of two floats
        Cumulative shares of the high and high+medium tiers.
    random_state : int, default=0
        Seed of the tie-break: households with equal keys (e.g. the same definitive hits and
        forest score, or many households clipped at the top of the prompt scale) are ordered
        by :func:`tie_break_key`, a seeded hash of the household id, not by the id itself
        (ids follow geography, so sorting by them would fill a budget cut with one township).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCORE_COLUMNS`, highest risk first.
    """
    forest_percentile = within_percentile(forest_score)
    definitive = rules["definitive_weight"].to_numpy(dtype=float)
    prompt = rules["prompt_weight"].to_numpy(dtype=float)
    if combine == "lexicographic":
        key = definitive + np.minimum(forest_percentile / 100.0 + prompt, 1.0) / 1.001
    else:
        weight = definitive + prompt
        key = (within_percentile(weight) + forest_percentile) / 2.0
    risk_percentile = within_percentile(key)
    scores = pd.DataFrame(
        {
            "household_id": ids.to_numpy(),
            "forest_score": forest_score,
            "forest_percentile": forest_percentile,
            "rule_count": rules["rule_count"].to_numpy(),
            "rule_codes": rules["rule_codes"].to_numpy(),
            "risk_percentile": risk_percentile,
            "_key": key,
            "_tie": tie_break_key(ids, random_state),
        }
    )
    scores = scores.sort_values(["_key", "_tie", "household_id"], ascending=[False, True, True])
    position = np.arange(1, len(scores) + 1)
    high = math.ceil(tiers[0] * len(scores) - 1e-9)
    medium = math.ceil(tiers[1] * len(scores) - 1e-9)
    scores["tier"] = np.where(
        position <= high, "high", np.where(position <= medium, "medium", "low")
    )
    scores = scores.drop(columns=["_key", "_tie"]).reset_index(drop=True)
    scores = scores.astype({"household_id": "string", "rule_codes": "string", "tier": "string"})
    return scores
