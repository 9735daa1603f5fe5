"""Parameter checks of :class:`auditlib.risk.scorer.RiskScorer` (scikit-learn convention: the
constructor only stores, ``fit`` checks; split from the scorer to keep it small)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import pandas as pd

from auditlib.errors import ParamsError
from auditlib.risk.crosscounty import FINDING_COLUMNS
from auditlib.risk.features import FEATURES
from auditlib.risk.rules.catalogue import RULES

__all__ = ["check_scorer_parameters"]


def check_scorer_parameters(scorer: Any) -> None:
    """Raise :class:`ParamsError` listing every bad parameter of a
    :class:`~auditlib.risk.scorer.RiskScorer` (name, expectation, value received)."""
    problems: list[str] = []

    def bad(name: str, expected: str) -> None:
        problems.append(f"{name} must be {expected}, got {getattr(scorer, name)!r}")

    if not isinstance(scorer.n_estimators, Integral) or scorer.n_estimators < 10:
        bad("n_estimators", "an integer ≥ 10")
    samples = scorer.max_samples
    if isinstance(samples, bool) or not (
        (isinstance(samples, Integral) and int(samples) >= 2)
        or (
            isinstance(samples, Real)
            and not isinstance(samples, Integral)
            and 0 < float(samples) <= 1
        )
    ):
        bad("max_samples", "an integer ≥ 2 or a share in (0, 1]")
    known = {spec.name for spec in FEATURES}
    if scorer.features is not None and (not scorer.features or not set(scorer.features) <= known):
        bad("features", "None or a non-empty subset of " + ", ".join(sorted(known)))
    if scorer.normalise_within not in ("township", "county"):
        bad("normalise_within", "'township' or 'county'")
    if not isinstance(scorer.min_peers, Integral) or scorer.min_peers < 2:
        bad("min_peers", "an integer ≥ 2")
    codes = {rule.code for rule in RULES}
    if scorer.rule_weights is not None and (
        not isinstance(scorer.rule_weights, dict)
        or not set(scorer.rule_weights) <= codes
        or not all(
            isinstance(value, Real) and float(value) >= 0 for value in scorer.rule_weights.values()
        )
    ):
        bad(
            "rule_weights",
            "None or a dict of rule codes (" + ", ".join(sorted(codes)) + ") to weights ≥ 0",
        )
    bands = scorer.benefit_floors
    if not isinstance(bands, tuple | list) or not all(
        isinstance(band, tuple | list)
        and len(band) == 2
        and all(isinstance(value, Real) and not isinstance(value, bool) for value in band)
        and band[0] >= 0
        and band[1] >= 0
        for band in bands
    ):
        bad("benefit_floors", "bands (lowest income ÷ standard ≥ 0, floor ÷ standard ≥ 0)")
    if not isinstance(scorer.benefit_rounding, Real) or not float(scorer.benefit_rounding) >= 0:
        bad("benefit_rounding", "a number ≥ 0 (yuan)")
    if not isinstance(scorer.one_sided, bool):
        bad("one_sided", "True or False")
    if scorer.combine not in ("lexicographic", "rank_average"):
        bad("combine", "'lexicographic' or 'rank_average'")
    tiers = tuple(scorer.tiers) if isinstance(scorer.tiers, tuple | list) else ()
    if (
        len(tiers) != 2
        or not all(isinstance(value, Real) for value in tiers)
        or not (0 < tiers[0] <= tiers[1] <= 1)
    ):
        bad("tiers", "two cumulative shares 0 < high ≤ high+medium ≤ 1")
    if not scorer.programmes:
        bad("programmes", "a non-empty tuple of programme codes")
    if scorer.empty_registry not in ("error", "warning"):
        bad("empty_registry", "'error' or 'warning'")
    if scorer.rejected_rows not in ("error", "warning"):
        bad("rejected_rows", "'error' or 'warning'")
    if not isinstance(scorer.random_state, Integral) or isinstance(scorer.random_state, bool):
        bad("random_state", "an integer seed")
    if scorer.n_jobs is not None and (
        not isinstance(scorer.n_jobs, Integral)
        or isinstance(scorer.n_jobs, bool)
        or scorer.n_jobs == 0
    ):
        bad("n_jobs", "None or a non-zero integer (-1 = one thread per core)")
    if scorer.cross_county is not None and not (
        isinstance(scorer.cross_county, pd.DataFrame)
        and set(FINDING_COLUMNS) <= set(scorer.cross_county.columns)
    ):
        problems.append(
            "cross_county must be None or the findings of 'auditlib crosscheck' as read by "
            f"read_cross_county_findings, got {type(scorer.cross_county).__name__}"
        )
    if problems:
        raise ParamsError("; ".join(problems))
    scorer._rule_parameters().validate()
