"""``RiskScorer(n_jobs=...)``: the forest grows the same trees whatever the number of threads.

scikit-learn's ``BaseBagging._fit`` draws one seed per tree from ``random_state`` *before*
sharing the trees out among the jobs (``sklearn/ensemble/_bagging.py``: ``seeds =
random_state.randint(MAX_INT, size=n_more_estimators)``), each tree is fitted from its own
seed only, and the jobs' trees are concatenated in order. Scores are therefore expected to be
equal bit for bit for ``n_jobs=1`` and ``n_jobs=2``; these tests check that claim on the
fixture county and on a generated one, so an sklearn change that broke it would fail here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditlib.errors import ParamsError
from auditlib.risk.scorer import RiskScorer
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from tests.risk_fixtures import make_county


def _fit(data, n_jobs):  # type: ignore[no-untyped-def]
    scorer = RiskScorer(n_estimators=60, min_peers=20, random_state=5, n_jobs=n_jobs)
    return scorer, scorer.fit_assess(data)


@pytest.fixture(scope="module", params=["fixture", "generated"])
def county(request):  # type: ignore[no-untyped-def]
    if request.param == "fixture":
        return make_county(n_households=160)
    return generate_county(SynthConfig(households=2_000, township_count=8, seed=11)).data


def test_default_is_one_thread() -> None:
    assert RiskScorer().get_params()["n_jobs"] == 1


def test_scores_are_identical_for_one_and_two_threads(county) -> None:  # type: ignore[no-untyped-def]
    one, serial = _fit(county, 1)
    two, parallel = _fit(county, 2)
    # The trees: same seeds in the same order, same sample indices, same split thresholds.
    assert [tree.random_state for tree in one.forest_.estimators_] == [
        tree.random_state for tree in two.forest_.estimators_
    ]
    for left, right in zip(one.forest_.estimators_, two.forest_.estimators_, strict=True):
        np.testing.assert_array_equal(left.tree_.threshold, right.tree_.threshold)
        np.testing.assert_array_equal(left.tree_.feature, right.tree_.feature)
    # The scores, bit for bit (compared as raw bytes, not with a tolerance).
    first = serial.scores["forest_score"].to_numpy()
    second = parallel.scores["forest_score"].to_numpy()
    assert first.tobytes() == second.tobytes()
    pd.testing.assert_frame_equal(serial.scores, parallel.scores, check_exact=True)


def test_all_cores_gives_the_same_ranking(county) -> None:  # type: ignore[no-untyped-def]
    _, serial = _fit(county, None)
    _, everywhere = _fit(county, -1)
    pd.testing.assert_frame_equal(serial.scores, everywhere.scores, check_exact=True)


@pytest.mark.parametrize("value", [0, 1.5, "2", True])
def test_n_jobs_is_validated(value) -> None:  # type: ignore[no-untyped-def]
    data = make_county(n_households=40)
    with pytest.raises(ParamsError, match="n_jobs must be None or a non-zero integer"):
        RiskScorer(n_jobs=value).fit(data)
