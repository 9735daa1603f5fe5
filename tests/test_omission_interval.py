"""The 漏保率 interval: the share's limits through f, R̂'s part in quadrature (MOVER)."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from auditlib.estimation.omission import omission_interval
from auditlib.estimation.results import Estimate


def _estimate(value: float, se: float, lower: float, upper: float, one_sided: float) -> Estimate:
    return Estimate(
        statistic="proportion",
        variable="y",
        domain=None,
        estimate=value,
        standard_error=se,
        lower=lower,
        upper=upper,
        upper_one_sided=one_sided,
        level=0.95,
        method="jeffreys",
        degrees_of_freedom=10,
        n=100,
        effective_n=80.0,
        design_effect=1.2,
        reliable=True,
    )


def test_omission_interval_closed_form() -> None:
    # q̂ = 0.03 of N̂ = 2000 non-recipients, R̂ = 600 (se 60): p̂ = 60 / 660.
    share = _estimate(0.03, 0.01, 0.012, 0.060, 0.054)
    recipients = _estimate(600.0, 60.0, 480.0, 720.0, 700.0)
    p = 60 / 660
    rate = _estimate(p, 0.02, 0.0, 1.0, 1.0)
    result = omission_interval(rate, share, recipients, 2000.0)

    def f(q: float) -> float:
        return q * 2000 / (q * 2000 + 600)

    margin = stats.t.ppf(0.975, 10) * p * (1 - p) * 0.1
    assert result.lower == pytest.approx(p - math.hypot(p - f(0.012), margin), rel=1e-12)
    assert result.upper == pytest.approx(p + math.hypot(f(0.060) - p, margin), rel=1e-12)
    one_sided = stats.t.ppf(0.95, 10) * p * (1 - p) * 0.1
    assert result.upper_one_sided == pytest.approx(
        p + math.hypot(f(0.054) - p, one_sided), rel=1e-12
    )
    # narrower than the two parts added, wider than either alone
    assert f(0.012) - margin < result.lower < f(0.012)
    assert f(0.060) < result.upper < f(0.060) + margin
    assert (result.estimate, result.standard_error) == (p, 0.02)


def test_omission_interval_without_eligible_found_starts_at_zero() -> None:
    share = _estimate(0.0, 0.0, 0.0, 0.02, 0.015)
    recipients = _estimate(500.0, 50.0, 400.0, 600.0, 580.0)
    result = omission_interval(_estimate(0.0, 0.0, 0.0, 0.0, 0.0), share, recipients, 1000.0)
    assert result.lower == 0.0
    assert result.upper == pytest.approx(20 / 520, rel=1e-12)  # p̂(1 − p̂) = 0: no R̂ part
