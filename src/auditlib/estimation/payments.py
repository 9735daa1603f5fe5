"""Yuan estimands of Dibao recipients: improper payments, overpayments and underpayments.

Each is a yuan total over the Dibao recipient households of the audit period and its *rate*, the
ratio to all yuan paid to them:

* ``improper_amount`` — yuan paid to households found ineligible;
* ``overpayment`` / ``underpayment`` — yuan paid above / below the verified entitlement
  (:mod:`auditlib.estimation.entitlement`), as DWP reports fraud and error.

**Rate.** The ratio estimator :math:`\\hat R = \\hat Y/\\hat X` (R ``svyratio``), with the
interval of a share (:func:`auditlib.estimation.shares.share_interval`: Korn–Graubard on the
effective size :math:`\\hat R(1-\\hat R)/v`, Kish-capped), or R's symmetric ``t`` interval with
``interval="t"``.

**Total.** When the yuan paid to Dibao recipients in the period is known from the register
(``known_total_paid``; the pipeline always knows it from the payments ledger) the total is
:math:`\\hat R X` with standard error :math:`X\\,\\mathrm{se}(\\hat R)` and the rate's limits
times *X* (R: ``predict(svyratio(...), total = X)``), which removes the variance of the yuan
paid and keeps the rate's skew-respecting interval, never below 0. DWP estimates its
monetary totals the same way, rates applied to known expenditure. Without *X* it is the
Horvitz–Thompson total (R ``svytotal``) with, by default, the rate's limits times
:math:`\\hat X` (an approximation that ignores the variance of :math:`\\hat X`), or R's
``t`` interval with ``interval="t"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from auditlib.estimation.design import SurveyDesign
from auditlib.estimation.intervals import DEFAULT_CI_METHOD
from auditlib.estimation.results import Estimate
from auditlib.estimation.variables import column_values

__all__ = ["PAYMENT_INTERVALS", "PaymentEstimate", "payment_estimate", "scaled_total"]

#: Yuan estimands whose numerator is a part of a household's payment, never all of it (an
#: ineligible household is never underpaid): their share interval is not capped at Kish's size.
FRACTIONAL: frozenset[str] = frozenset({"underpayment"})
#: ``"share"`` (default): skew-respecting limits from the rate; ``"t"``: R's symmetric limits.
PAYMENT_INTERVALS: tuple[str, ...] = ("share", "t")


@dataclass(frozen=True)
class PaymentEstimate:
    """A yuan total of Dibao recipients and its rate (``None`` when nothing was paid)."""

    total: Estimate
    rate: Estimate | None


def _scaled(rate: Estimate, factor: float, variable: str, base: Estimate | None) -> Estimate:
    values = rate.as_dict() | {
        "statistic": "total",
        "variable": variable,
        "estimate": rate.estimate * factor,
        "standard_error": rate.standard_error * factor,
        "lower": rate.lower * factor,
        "upper": rate.upper * factor,
        "upper_one_sided": rate.upper_one_sided * factor,
    }
    if base is not None:
        values["estimate"] = base.estimate
        values["standard_error"] = base.standard_error
        values["design_effect"] = base.design_effect
    return Estimate(**values)


def scaled_total(rate: Estimate, factor: float, variable: str) -> Estimate:
    """A total known to be ``factor`` times a rate: every figure of the rate times ``factor``.

    For a count or an amount over a population whose size is known from the register
    (``factor``), the interval is the rate's interval scaled, so it keeps the rate's coverage
    and never goes below zero (a Wald interval of a Horvitz–Thompson total of a rare finding
    does both badly).
    """
    return _scaled(rate, float(factor), variable, None)


def payment_estimate(
    recipients: SurveyDesign,
    variable: str,
    *,
    method: str = DEFAULT_CI_METHOD,
    level: float = 0.95,
    degrees_of_freedom: int | None = None,
    known_total_paid: float | None = None,
    interval: str = "share",
) -> PaymentEstimate:
    """The total of ``variable`` (yuan) over the ``recipients`` domain and its rate.

    Parameters
    ----------
    recipients : SurveyDesign
        The design restricted to Dibao recipient households.
    variable : str
        ``"improper_amount"``, ``"overpayment"`` or ``"underpayment"``.
    method, level, degrees_of_freedom
        Proportion interval method of the rate, confidence level, degrees of freedom override.
    known_total_paid : float, optional
        Yuan paid to the domain's population in the audit period (register).
    interval : {"share", "t"}
        See the module docstring.
    """
    options: dict[str, Any] = {"level": level, "degrees_of_freedom": degrees_of_freedom}
    paid = float((recipients.weight * column_values(recipients, "amount_paid", "column")).sum())
    if paid == 0:
        total: Estimate = recipients.total(variable, **options)
        return PaymentEstimate(total, None)
    rate: Estimate = recipients.ratio(
        variable,
        "amount_paid",
        method="t" if interval == "t" else method,
        fractional=variable in FRACTIONAL,
        **options,
    )
    if known_total_paid is not None and np.isfinite(known_total_paid):
        return PaymentEstimate(_scaled(rate, float(known_total_paid), variable, None), rate)
    horvitz_thompson: Estimate = recipients.total(variable, **options)
    if interval == "t":
        return PaymentEstimate(horvitz_thompson, rate)
    return PaymentEstimate(_scaled(rate, paid, variable, horvitz_thompson), rate)
