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
:math:`[L_q, U_q]` the Korn–Graubard interval of the share (effective size capped at the
sampled non-recipients' Kish size), widened by :math:`\\pm t_{df}\\,\\hat p(1-\\hat p)\\,
\\mathrm{cv}(\\hat R)`, the delta-method part of the uncertainty of *R*.
"""

from __future__ import annotations

import numpy as np
from scipy import special

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
    values = rate.as_dict() | {
        "lower": float(min(max(f(share.lower) - margin[0], 0.0), p)),
        "upper": float(max(min(f(share.upper) + margin[0], 1.0), p)),
        "upper_one_sided": float(max(min(f(share.upper_one_sided) + margin[1], 1.0), p)),
        "effective_n": share.effective_n,
    }
    return Estimate(**values)
