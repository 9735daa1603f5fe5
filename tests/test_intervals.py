"""auditlib.estimation.intervals: closed forms, vectorisation and argument checks.

R agreement of every method is tested in tests/test_design_r.py; here the closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from auditlib import DesignError
from auditlib.estimation.intervals import (
    CI_METHODS,
    effective_sample_size,
    proportion_interval,
    t_interval,
    upper_limit,
)


def test_korn_graubard_equals_clopper_pearson_for_srs() -> None:
    # Simple random sample: v = p(1-p)/n and df = n - 1, so n* = n and the interval is the
    # exact binomial (Clopper-Pearson) interval of x = 6 out of n = 40 (scipy binomtest).
    p, n = 6 / 40, 40
    lower, upper = proportion_interval(p, p * (1 - p) / n, n, n - 1, method="korn-graubard")
    exact = stats.binomtest(6, 40).proportion_ci(confidence_level=0.95, method="exact")
    assert (float(lower), float(upper)) == pytest.approx((exact.low, exact.high), rel=1e-10)


def test_one_sided_upper_limit_at_zero() -> None:
    # x = 0 of n = 59 with df = n - 1: the one-sided 95% upper limit is 1 - 0.05^(1/59)
    # (the "rule of 3" region, about 4.95%).
    limit = upper_limit(0.0, 0.0, 59, 58, method="korn-graubard")
    assert float(limit) == pytest.approx(1 - 0.05 ** (1 / 59), rel=1e-12)


def test_vectorised_equals_scalar() -> None:
    p = np.array([0.0, 0.03, 0.2, 0.5, 1.0])
    v = np.array([0.0, 0.0004, 0.003, 0.01, 0.0])
    for method in CI_METHODS:
        lower, upper = proportion_interval(p, v, 60, 12, method=method)
        for k in range(p.size):
            one = proportion_interval(p[k], v[k], 60, 12, method=method)
            assert (lower[k], upper[k]) == pytest.approx((float(one[0]), float(one[1])))


def test_boundaries() -> None:
    for method in CI_METHODS:
        lower, upper = proportion_interval(1.0, 0.0, 25, 5, method=method)
        assert float(upper) == 1.0
        lower, upper = proportion_interval(0.0, 0.0, 25, 5, method=method)
        assert float(lower) == 0.0
    # No degrees of freedom: the interval is undefined (NaN), not invented.
    lower, upper = proportion_interval(0.1, 0.001, 25, 0)
    assert np.isnan(lower) and np.isnan(upper)


def test_effective_sample_size() -> None:
    # p(1-p)/v, capped at n; n when p = 0.
    assert float(effective_sample_size(0.2, 0.16 / 10, 50)) == pytest.approx(10.0)
    assert float(effective_sample_size(0.2, 0.16 / 100, 50)) == 50.0
    assert float(effective_sample_size(0.2, 0.16 / 100, 50, cap=False)) == pytest.approx(100.0)
    assert float(effective_sample_size(0.0, 0.0, 50)) == 50.0


def test_t_interval() -> None:
    # 10 ± t_{0.975, 4} · 2 (t quantile 2.7764451051977987, scipy).
    lower, upper = t_interval(10.0, 2.0, 4)
    assert float(upper) == pytest.approx(10 + 2 * 2.7764451051977987, rel=1e-12)
    assert float(lower) == pytest.approx(10 - 2 * 2.7764451051977987, rel=1e-12)


def test_bad_arguments() -> None:
    with pytest.raises(DesignError, match="method must be one of"):
        proportion_interval(0.1, 0.01, 10, 5, method="exact")
    with pytest.raises(DesignError, match=r"level must be in \(0, 1\)"):
        proportion_interval(0.1, 0.01, 10, 5, level=95)
    with pytest.raises(DesignError, match="one-sided level"):
        upper_limit(0.1, 0.01, 10, 5, level=0.4)
