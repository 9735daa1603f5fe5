"""The ``jeffreys`` interval of proportions: Jeffreys on the Korn–Graubard effective size.

Reference numbers from ``tests/r/jeffreys.R`` (base R ``qbeta``), printed with 15 digits.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from auditlib.estimation.certainty import CertaintySplit, split_interval
from auditlib.estimation.intervals import DEFAULT_CI_METHOD, proportion_interval, upper_limit

R_REFERENCE = {  # Rscript tests/r/jeffreys.R
    "srs x=6 n=40": (0.0651255151752082, 0.283313359573252),
    "srs x=0 n=30": (0.0, 0.0796781738172599),
    "srs x=1 n=30": (0.0, 0.14541777735402),
    "srs x=29.5 n=30": (0.884296691777972, 1.0),
    "srs x=6 n=40 90%": (0.0761654898979434, 0.259990431764392),
    "kg-size p=0.04 n=60 df=12": (0.00848783364161762, 0.121518934639401),
}


def _srs(x: float, n: int, level: float = 0.95) -> tuple[float, float]:
    # Simple random sample: v = p(1-p)/n and df = n - 1, so the effective size is n.
    p = x / n
    lower, upper = proportion_interval(p, p * (1 - p) / n, n, n - 1, level=level, method="jeffreys")
    return float(lower), float(upper)


def test_korn_graubard_stays_the_default() -> None:
    # Jeffreys under-covered in a clustered county of the development grid (docs/estimation.md)
    assert DEFAULT_CI_METHOD == "korn-graubard"


@pytest.mark.parametrize(
    ("label", "x", "n", "level"),
    [
        ("srs x=6 n=40", 6, 40, 0.95),
        ("srs x=0 n=30", 0, 30, 0.95),
        ("srs x=1 n=30", 1, 30, 0.95),
        ("srs x=29.5 n=30", 29.5, 30, 0.95),
        ("srs x=6 n=40 90%", 6, 40, 0.90),
    ],
)
def test_jeffreys_matches_r_for_a_simple_random_sample(
    label: str, x: float, n: int, level: float
) -> None:
    assert _srs(x, n, level) == pytest.approx(R_REFERENCE[label], rel=1e-10, abs=1e-15)


def test_jeffreys_uses_the_degrees_of_freedom_adjusted_size() -> None:
    # p = 0.04 with the binomial variance of n = 60 and df = 12: n* = 60 (t_59/t_12)^2.
    p, n = 0.04, 60
    lower, upper = proportion_interval(p, p * (1 - p) / n, n, 12, cap_size=n, method="jeffreys")
    expected = R_REFERENCE["kg-size p=0.04 n=60 df=12"]
    assert (float(lower), float(upper)) == pytest.approx(expected, rel=1e-10)


def test_jeffreys_lies_inside_clopper_pearson() -> None:
    # Clopper–Pearson guarantees coverage for every p and is wider; Jeffreys sits inside it
    # except where the Brown–Cai–DasGupta modification sets a limit to 0 or 1.
    for x in range(2, 38):
        lower, upper = _srs(x, 40)
        exact = stats.binomtest(x, 40).proportion_ci(confidence_level=0.95, method="exact")
        assert exact.low <= lower < upper <= exact.high


def test_one_sided_upper_limit_is_the_two_sided_ninety_percent_limit() -> None:
    limit = upper_limit(6 / 40, (6 / 40) * (34 / 40) / 40, 40, 39, method="jeffreys")
    assert float(limit) == pytest.approx(R_REFERENCE["srs x=6 n=40 90%"][1], rel=1e-10)


def test_certainty_split_with_jeffreys() -> None:
    # c + a·[L_R, U_R] and t·c·cv(N̂) in quadrature, Jeffreys for the variable part.
    c, a, kish, cv, df = 0.04, 0.8, 25.0, 0.05, 9
    part, part_variance = 0.05, 0.0009
    split = CertaintySplit(exact=np.array([c]), scale=a, kish=kish, exact_cv=cv)
    lowers, uppers, _ = split_interval(
        np.array([c + a * part]),
        np.array([part_variance * a**2]),
        df,
        split,
        method="jeffreys",
        levels=np.array([0.95]),
    )
    lower_r, upper_r = proportion_interval(
        part, part_variance, kish, df, cap_size=kish, method="jeffreys"
    )
    margin = stats.t.ppf(0.975, df) * c * cv  # in quadrature (MOVER)
    p = c + a * part
    assert lowers[0, 0] == pytest.approx(p - np.hypot(a * (part - lower_r), margin), rel=1e-10)
    assert uppers[0, 0] == pytest.approx(p + np.hypot(a * (upper_r - part), margin), rel=1e-10)
