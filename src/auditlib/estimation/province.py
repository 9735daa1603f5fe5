"""Provincial estimates: the county estimates combined as independent strata.

Each county's sample is drawn independently of the others, so the counties are the strata of
one provincial design and the provincial estimates follow from the county estimates alone —
their point values, variances and degrees of freedom — without re-running any county.

**Totals** (yuan, households) add, and so do their variances:
:math:`\\hat T = \\sum_c \\hat T_c`, :math:`v(\\hat T) = \\sum_c v_c`.

**Rates** are combined with the county's known size of the estimand's population :math:`N_c`
(Dibao recipient households for 错保率, 特困 households for the 特困 error rate, yuan paid to
Dibao recipients for the yuan rates; for 漏保率 the eligible households, which no register
knows, so the county's estimate of them):

.. math::

    \\hat p = \\frac{\\sum_c N_c \\hat p_c}{\\sum_c N_c}, \\qquad
    v(\\hat p) = \\sum_c \\left(\\frac{N_c}{N}\\right)^2 v_c .

**Degrees of freedom**: Satterthwaite's for a sum of independent variance components, as
within a county (:func:`auditlib.estimation.degrees.satterthwaite_degrees_of_freedom`), with
the counties as the groups: :math:`\\nu = (\\sum_c a_c)^2 / \\sum_c a_c^2/\\nu_c`,
:math:`a_c` the county's share of the variance and :math:`\\nu_c` its degrees of freedom.
When nothing varies (no error found anywhere) :math:`\\nu = \\sum_c \\nu_c`.

**Intervals** by the county rules: for rates the county's proportion method (Korn–Graubard by
default) on the effective size :math:`\\hat p(1-\\hat p)/v`, capped at Kish's size of the
combined weights :math:`N^2/\\sum_c N_c^2/n^*_c` (:math:`n^*_c` the county's effective size:
its Kish size when :math:`\\hat p_c\\in\\{0,1\\}`, otherwise at most that), so a province that
found no error still gets a meaningful upper limit. Yuan totals that a county scaled from its
rate (the yuan paid is known) are the provincial rate's limits times the provincial yuan paid;
other totals get :math:`\\hat T \\pm t_\\nu \\sqrt{v}`.

**Known totals.** The yuan paid to Dibao recipients (``total_paid``) is known from every
county's payments ledger (``populations.paid``; a county's estimate of it checks its sample).
The province's figure is the sum of the audited counties' register totals, without sampling
error (method ``"register"``); only a three-stage design, which does not know the counties
not drawn, estimates it like any total.

**Counties without an audit.** By default the estimates speak for the audited counties only
(:attr:`ProvincialEstimate.counties`; the report names the others). When the province drew
its counties at random, pass their inclusion probabilities: the counties are then the PSUs of
a three-stage design, totals are :math:`\\sum_c \\hat T_c/\\pi_c` and rates the ratio of such
totals, and the variance is the with-replacement (ultimate-cluster) estimator over counties,
:math:`\\frac{m}{m-1}\\sum_c (z_c-\\bar z)^2` with :math:`z_c` the county's weighted
linearised value, on :math:`m-1` degrees of freedom; it includes the within-county variance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from auditlib.errors import DesignError
from auditlib.estimation.intervals import (
    effective_sample_size,
    proportion_interval,
    t_interval,
)
from auditlib.estimation.presentation import proportion_flags, total_presentation
from auditlib.estimation.results import Estimate, known_total

__all__ = [
    "ESTIMANDS",
    "CountyResult",
    "EstimandRule",
    "ProvincialEstimate",
    "combine",
    "province_estimates",
]


@dataclass(frozen=True)
class EstimandRule:
    """How one estimand combines over counties.

    ``kind`` is ``"rate"`` (weighted by the population ``population``), ``"total"`` or
    ``"known"`` (the sum of the counties' ``population``, known from their registers); a total
    with ``rate`` set takes its interval from that rate times the sum of ``population`` when
    the counties scaled it from the rate (interval method other than ``"t"``).
    """

    kind: str
    population: str | None = None
    rate: str | None = None


#: The combinable estimands of a county's ``estimates.json`` (``details``) and their rules.
ESTIMANDS: Mapping[str, EstimandRule] = {
    "error_rate": EstimandRule("rate", "dibao_households"),
    "error_rate_lower_bound": EstimandRule("rate", "dibao_households"),
    "error_rate_upper_bound": EstimandRule("rate", "dibao_households"),
    "tekun_error_rate": EstimandRule("rate", "tekun_households"),
    "omission_rate": EstimandRule("rate", "eligible_households"),
    "improper_rate": EstimandRule("rate", "paid"),
    "overpayment_rate": EstimandRule("rate", "paid"),
    "underpayment_rate": EstimandRule("rate", "paid"),
    "improper_amount": EstimandRule("total", "paid", "improper_rate"),
    "overpayment": EstimandRule("total", "paid", "overpayment_rate"),
    "underpayment": EstimandRule("total", "paid", "underpayment_rate"),
    "ineligible_households": EstimandRule("total", "dibao_households", "error_rate"),
    "total_paid": EstimandRule("known", "paid"),
}


@dataclass(frozen=True)
class CountyResult:
    """One county's published estimates, as its ``estimates.json`` holds them.

    Attributes
    ----------
    county_code, county : str
    estimates : mapping of str to Estimate or None
        The ``details`` of ``estimates.json`` by name (``None``: not estimable there).
    populations : mapping of str to float
        ``dibao_households``, ``tekun_households`` (register), ``paid`` (yuan paid to Dibao
        recipients in the audit period, register) and ``eligible_households`` (estimated).
    source : str
        The file the result was read from (for messages).
    """

    county_code: str
    county: str
    estimates: Mapping[str, Estimate | None]
    populations: Mapping[str, float | None]
    source: str = ""


@dataclass(frozen=True)
class ProvincialEstimate:
    """A provincial estimate and the counties it rests on (``counties``: county codes)."""

    name: str
    estimate: Estimate
    counties: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=dict)


def _satterthwaite(parts: np.ndarray, df: np.ndarray) -> float:
    usable = df > 0
    contributions = np.where(usable, np.maximum(parts, 0.0), 0.0)
    if contributions.sum() <= 0:
        return float(max(df[usable].sum(), 1.0)) if usable.any() else 1.0
    inverse = np.where(contributions > 0, contributions**2 / np.where(usable, df, 1.0), 0.0)
    return float(max(contributions.sum() ** 2 / inverse.sum(), 1.0))


def _finite(value: float | None) -> float:
    return float(value) if value is not None and np.isfinite(value) else float("nan")


def _rate_estimate(
    template: Estimate, name: str, p: float, v: float, df: int, n: int, cap: float, method: str
) -> Estimate:
    level = template.level
    levels = np.array([level, round(2 * level - 1, 12)])
    lower, upper = proportion_interval(p, v, n, df, method=method, level=levels, cap_size=cap)
    effective = float(effective_sample_size(p, v, cap))
    shown = proportion_flags(p, lower[0], upper[0], effective, df, n)[0]
    return Estimate(
        statistic=template.statistic,
        variable=template.variable,
        domain="province",
        estimate=p,
        standard_error=float(np.sqrt(max(v, 0.0))),
        lower=float(lower[0]),
        upper=float(upper[0]),
        upper_one_sided=float(upper[1]),
        level=level,
        method=method,
        degrees_of_freedom=df,
        n=n,
        effective_n=effective,
        design_effect=float("nan"),
        reliable=not (shown.suppress or shown.review),
        presentation=";".join(shown.reasons),
    )


def _total_estimate(
    template: Estimate, t: float, v: float, df: int, n: int, effective: float
) -> Estimate:
    level = template.level
    se = float(np.sqrt(max(v, 0.0)))
    lower, upper = t_interval(t, se, df, level=level)
    one_sided = t_interval(t, se, df, level=round(2 * level - 1, 12))[1]
    shown = total_presentation(t, se, effective, df, n)[0]
    return Estimate(
        statistic="total",
        variable=template.variable,
        domain="province",
        estimate=t,
        standard_error=se,
        lower=float(lower),
        upper=float(upper),
        upper_one_sided=float(one_sided),
        level=level,
        method="t",
        degrees_of_freedom=df,
        n=n,
        effective_n=effective,
        design_effect=float("nan"),
        reliable=not (shown.suppress or shown.review),
        presentation=";".join(shown.reasons),
    )


def _scaled_total(rate: Estimate, factor: float, template: Estimate) -> Estimate:
    values = rate.as_dict() | {
        "statistic": "total",
        "variable": template.variable,
        **{
            part: getattr(rate, part) * factor
            for part in ("estimate", "standard_error", "lower", "upper", "upper_one_sided")
        },
    }
    return Estimate(**values)


def _check_same(name: str, counties: Sequence[CountyResult], attribute: str) -> None:
    values = {getattr(c.estimates[name], attribute) for c in counties}
    if len(values) > 1:
        first = counties[0]
        reference = getattr(first.estimates[name], attribute)
        odd = next(c for c in counties if getattr(c.estimates[name], attribute) != reference)
        raise DesignError(
            f"the counties' {name} estimates differ in {attribute} ({sorted(map(str, values))}): "
            f"{first.source or first.county_code} has "
            f"{getattr(first.estimates[name], attribute)!r}, {odd.source or odd.county_code} "
            f"{getattr(odd.estimates[name], attribute)!r}; re-run the counties with one setting"
        )


def _weights(name: str, rule: EstimandRule, counties: Sequence[CountyResult]) -> np.ndarray:
    if rule.population is None:
        return np.ones(len(counties))
    values = []
    for county in counties:
        value = county.populations.get(rule.population)
        if value is None or not np.isfinite(value) or value < 0:
            raise DesignError(
                f"{county.source or county.county_code}: populations.{rule.population} must be "
                f"a number ≥ 0 to combine {name} over counties; got {value!r} (re-run the "
                "county's report with this version of auditlib to record it)"
            )
        values.append(float(value))
    return np.asarray(values, dtype=np.float64)


def combine(
    name: str,
    counties: Sequence[CountyResult],
    *,
    inclusion_probabilities: Mapping[str, float] | None = None,
) -> ProvincialEstimate | None:
    """Combine estimand ``name`` over ``counties`` (see the module docstring).

    Parameters
    ----------
    name : str
        A key of :data:`ESTIMANDS`.
    counties : sequence of CountyResult
        The audited counties (independent samples).
    inclusion_probabilities : mapping, optional
        County code → probability that the province drew the county (a three-stage design);
        ``None``: the estimate speaks for the audited counties only.

    Returns
    -------
    ProvincialEstimate or None
        ``None`` when no county could estimate ``name``.

    Raises
    ------
    DesignError
        When the counties' estimates differ in confidence level or interval method, or a
        county lacks the population the estimand is weighted by.
    """
    rule = ESTIMANDS[name]
    usable = [c for c in counties if c.estimates.get(name) is not None]
    if not usable:
        return None
    for attribute in ("level", "method"):
        _check_same(name, usable, attribute)
    if rule.kind == "known" and inclusion_probabilities is None:
        return _known_total(name, rule, usable)
    weights = _weights(name, rule, usable) if rule.kind == "rate" else np.ones(len(usable))
    if rule.kind == "rate" and weights.sum() <= 0:
        return None
    records = [r for r in (c.estimates.get(name) for c in usable) if r is not None]
    template = records[0]
    point = np.array([_finite(r.estimate) for r in records])
    variance = np.array([_finite(r.standard_error) ** 2 for r in records])
    df = np.array([float(r.degrees_of_freedom) for r in records])
    n = int(sum(r.n for r in records))
    effective = np.array([_finite(r.effective_n) for r in records])
    codes = tuple(c.county_code for c in usable)
    if inclusion_probabilities is not None:
        total, var, nu = _three_stage(name, usable, point, weights, rule, inclusion_probabilities)
    elif rule.kind == "rate":
        share = weights / weights.sum()
        total, var = float(np.sum(share * point)), float(np.sum(share**2 * variance))
        nu = _satterthwaite(share**2 * variance, df)
    else:
        total, var, nu = float(point.sum()), float(variance.sum()), _satterthwaite(variance, df)
    degrees = int(np.floor(nu))
    if rule.kind == "rate":
        share = weights / weights.sum()
        kish = np.where(effective > 0, effective, np.nan)
        cap = float(1.0 / np.nansum(share**2 / kish)) if np.isfinite(kish).any() else float(n)
        result = _rate_estimate(template, name, total, var, degrees, n, cap, template.method)
    elif rule.rate is not None and template.method != "t":
        rate = combine(rule.rate, usable, inclusion_probabilities=inclusion_probabilities)
        paid_by_county = _weights(name, rule, usable)
        if inclusion_probabilities is not None:
            paid_by_county = paid_by_county / np.array(
                [inclusion_probabilities[c.county_code] for c in usable]
            )
        paid = float(paid_by_county.sum())
        if rate is None:
            raise DesignError(f"{name} is scaled from {rule.rate}, which no county estimated")
        result = _scaled_total(rate.estimate, paid, template)
    else:
        result = _total_estimate(template, total, var, degrees, n, float(np.nansum(effective)))
    return ProvincialEstimate(name, result, codes, dict(zip(codes, weights.tolist(), strict=True)))


def _known_total(
    name: str, rule: EstimandRule, counties: Sequence[CountyResult]
) -> ProvincialEstimate:
    """The sum of the counties' register totals ``rule.population``: no sampling error."""
    values = _weights(name, rule, counties)
    records = [r for r in (c.estimates.get(name) for c in counties) if r is not None]
    estimate = known_total(records, float(values.sum()), domain="province")
    codes = tuple(c.county_code for c in counties)
    return ProvincialEstimate(name, estimate, codes, dict(zip(codes, values.tolist(), strict=True)))


def _three_stage(
    name: str,
    counties: Sequence[CountyResult],
    point: np.ndarray,
    weights: np.ndarray,
    rule: EstimandRule,
    probabilities: Mapping[str, float],
) -> tuple[float, float, float]:
    """Point, with-replacement variance over counties (PSUs) and ``m − 1`` df."""
    pi = []
    for county in counties:
        value = probabilities.get(county.county_code)
        if value is None or not 0 < value <= 1:
            raise DesignError(
                f"inclusion_probabilities must give county {county.county_code} a probability "
                f"in (0, 1] to estimate {name} under the three-stage design; got {value!r}"
            )
        pi.append(float(value))
    inverse = 1.0 / np.asarray(pi)
    m = len(counties)
    if m < 2:
        raise DesignError(
            f"the three-stage design needs at least 2 sampled counties to estimate {name}; got {m}"
        )
    if rule.kind == "rate":
        numerator = inverse * weights * point
        denominator = float(np.sum(inverse * weights))
        value = float(numerator.sum()) / denominator
        scores = (numerator - value * inverse * weights) / denominator
    else:
        scores = inverse * point
        value = float(scores.sum())
    variance = m / (m - 1) * float(np.sum((scores - scores.mean()) ** 2))
    return value, variance, float(m - 1)


def province_estimates(
    counties: Sequence[CountyResult],
    *,
    inclusion_probabilities: Mapping[str, float] | None = None,
) -> dict[str, ProvincialEstimate | None]:
    """Every estimand of :data:`ESTIMANDS` combined over ``counties`` (see :func:`combine`).

    Examples
    --------
    >>> def rate(p, se):
    ...     return Estimate("proportion", "ineligible", None, p, se, 0, 1, 1, 0.95,
    ...                     "korn-graubard", 20, 400, 300.0, 1.5, True)
    >>> a = CountyResult("1", "A", {"error_rate": rate(0.1, 0.02)}, {"dibao_households": 3000})
    >>> b = CountyResult("2", "B", {"error_rate": rate(0.2, 0.03)}, {"dibao_households": 1000})
    >>> result = province_estimates([a, b])["error_rate"].estimate
    >>> round(result.estimate, 4), round(result.standard_error, 6)
    (0.125, 0.016771)
    """
    if not counties:
        raise DesignError("a provincial estimate needs at least one audited county; got none")
    return {
        name: combine(name, counties, inclusion_probabilities=inclusion_probabilities)
        for name in ESTIMANDS
    }
