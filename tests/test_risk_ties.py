"""Ties at the budget cut are broken by a seeded random key, not by household id (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.risk.assessment import rank_households


def _rank(ids: list[str], forest: np.ndarray, seed: int) -> list[str]:
    rules = pd.DataFrame(
        {
            "definitive_weight": np.zeros(len(ids)),
            "prompt_weight": np.zeros(len(ids)),
            "rule_count": np.zeros(len(ids), dtype=int),
            "rule_codes": [""] * len(ids),
        }
    )
    scores = rank_households(
        pd.Series(ids, dtype="string"),
        forest,
        rules,
        combine="lexicographic",
        tiers=(0.05, 0.2),
        random_state=seed,
    )
    return scores["household_id"].astype(str).tolist()


IDS = [f"43052210{i // 10}{i:04d}" for i in range(200)]


def test_ties_are_not_ordered_by_id_and_depend_on_the_seed() -> None:
    tied = np.full(len(IDS), 0.5)
    first = _rank(IDS, tied, seed=3)
    assert sorted(first) == sorted(IDS)
    assert first != sorted(IDS)
    # the top 10 (a 5 % budget) come from across the id range, not its start
    assert max(IDS.index(i) for i in first[:10]) > 50
    assert _rank(IDS, tied, seed=4) != first
    assert _rank(IDS, tied, seed=3) == first


def test_tie_order_does_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(8)
    forest = np.round(rng.random(len(IDS)), 1)  # ten tied levels
    order = rng.permutation(len(IDS))
    shuffled = [IDS[i] for i in order]
    assert _rank(shuffled, forest[order], seed=5) == _rank(IDS, forest, seed=5)


def test_scores_still_dominate_the_tie_break() -> None:
    forest = np.linspace(0.0, 1.0, len(IDS))
    assert _rank(IDS, forest, seed=1) == IDS[::-1]
