"""The interval of the 漏保率 E/(E+R) from the share of eligible households among non-recipients.

Eligible non-recipients are rare (2–3 % of the at-risk non-recipients) and found only among the
sampled non-recipients (about 90 households in a county sample), while the eligible recipients
*R* are estimated from hundreds of verified recipients. Treated as a proportion of all eligible
households, the rate's effective size counted the recipients too, and when few eligible
non-recipients were found its variance was small with it: the interval covered 88–92 % in
issue 13's held-out counties. Written as

.. math::

    \\hat p = f(\\hat q) = \\frac{\\hat q\\,\\hat N}{\\hat q\\,\\hat N + \\hat R},

with :math:`\\hat q` the share of eligible households among non-recipients (estimated size
:math:`\\hat N`), *f* increasing in *q*, the interval is :math:`[f(L_q), f(U_q)]` with
:math:`[L_q, U_q]` the interval of the share (the county's method, effective size capped at the
sampled non-recipients' Kish size), widened by :math:`m = t_{df}\\,\\hat p(1-\\hat p)\\,
\\mathrm{cv}(\\hat R)`, the delta-method part of the uncertainty of *R*. The two parts come
from different households (non-recipients, recipients) and are combined in quadrature, as in
the MOVER method (Zou & Donner 2008, *Statistics in Medicine* 27:1693–1702):
:math:`\\hat p - \\sqrt{(\\hat p - f(L_q))^2 + m^2}` and
:math:`\\hat p + \\sqrt{(f(U_q) - \\hat p)^2 + m^2}`. Adding them linearly (issue 13's
first version) covered 99–100 % with intervals 1.3–1.65× the width of the true-variance
interval on the held-out grid.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from auditlib.estimation.intervals import combine_in_quadrature
from auditlib.estimation.results import Estimate

__all__ = ["omission_interval"]


def omission_interval(
    rate: Estimate, share: Estimate, recipients: Estimate, non_recipients: float
) -> Estimate:
    """``rate`` with the limits of :math:`f(\\hat q)` (see the module docstring).

    Parameters
    ----------
    rate : Estimate
        The 漏保率 as a proportion of eligible households (estimate and variance kept).
    share : Estimate
        Share of eligible households among the sampled non-recipients, with its interval.
    recipients : Estimate
        Estimated number of eligible Dibao recipients :math:`\\hat R`.
    non_recipients : float
        Estimated number of non-recipients :math:`\\hat N` the share speaks for.
    """
    p = rate.estimate
    size, eligible = float(non_recipients), max(recipients.estimate, 0.0)

    def f(value: float) -> float:
        top = value * size
        return top / (top + eligible) if top + eligible > 0 else 0.0

    cv = recipients.standard_error / eligible if eligible > 0 else 0.0
    levels = np.array([rate.level, round(2 * rate.level - 1, 12)])
    t = special.stdtrit(max(rate.degrees_of_freedom, 1), 1 - (1 - levels) / 2)
    margin = t * p * (1 - p) * cv
    lower, upper = combine_in_quadrature(p, f(share.lower), f(share.upper), margin[0])
    one_sided = combine_in_quadrature(p, p, f(share.upper_one_sided), margin[1])[1]
    values = rate.as_dict() | {
        "lower": float(lower),
        "upper": float(upper),
        "upper_one_sided": float(one_sided),
        "effective_n": share.effective_n,
    }
    return Estimate(**values)
