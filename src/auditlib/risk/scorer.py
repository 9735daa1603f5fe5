"""``RiskScorer``: red-flag rules and an isolation forest combined into one ranking.

The scorer follows scikit-learn conventions (``sklearn/ensemble/_iforest.py``): ``__init__``
only stores keyword-only parameters, every check happens in :meth:`RiskScorer.fit`, learned
state ends in ``_`` and randomness comes only from ``random_state``.

How a county is scored
----------------------
1. Inputs are checked (:func:`auditlib.risk.inputs.check_risk_inputs`): unknown households in the
   ledger, bad amounts, an ID number in two households, empty registries raise a ``DataError``.
2. The county is restricted to the scored (recipient) households; registries are matched to
   their members by ID number and every rule of :data:`auditlib.risk.rules.catalogue.RULES` runs.
3. Continuous per-capita features (:mod:`auditlib.risk.features`) are normalised within township
   (or county) and an isolation forest is fitted on the county's recipient households, sorted
   by household id so that the row order of the input does not matter.
4. ``forest_score`` is the forest's anomaly score (``-score_samples``, in (0, 1], higher is
   more isolated); ``forest_percentile`` its within-county percentile.
5. The combined ranking (``combine="lexicographic"``, the default) orders households by the
   summed weight of the distinct rules they hit, then by forest score: any household with a
   definitive rule hit ranks above every household without one, and among equals the forest
   decides. ``combine="rank_average"`` averages the percentile of the rule weight and the
   forest percentile instead. ``risk_percentile`` is the within-county percentile of the
   combined key (100 = highest risk).
6. Tiers: the top ``tiers[0]`` share of households (by combined key, ties broken by household
   id) is ``"high"``, up to ``tiers[1]`` ``"medium"``, the rest ``"low"``.

A score is only ever a reason to visit a household; nothing is decided by it.

Examples
--------
>>> scorer = RiskScorer(n_estimators=300, random_state=0).fit(data)  # doctest: +SKIP
>>> scores = scorer.score(data)  # doctest: +SKIP
>>> scores.columns.tolist()  # doctest: +SKIP
['household_id', 'forest_score', 'forest_percentile', 'rule_count', 'rule_codes',
 'risk_percentile', 'tier']
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest

from auditlib.data.bundle import CountyData
from auditlib.errors import ParamsError
from auditlib.risk.assessment import RiskAssessment, rank_households
from auditlib.risk.crosscheck import cross_check, restrict_to
from auditlib.risk.features import (
    DEFAULT_BENEFIT_FLOORS,
    FEATURES,
    build_features,
    normalise_features,
    peer_statistics,
)
from auditlib.risk.inputs import check_risk_inputs
from auditlib.risk.payment_ledger import payment_frame
from auditlib.risk.rules.evaluate import RuleParameters, evaluate_rules, recipient_ids
from auditlib.risk.scorer_checks import check_scorer_parameters

__all__ = ["RiskScorer"]


class RiskScorer(BaseEstimator):
    """Rank a county's recipient households for verification visits.

    Parameters
    ----------
    n_estimators : int, default=500
        Trees of the isolation forest (≥ 10).
    max_samples : int or float, default=1024
        Households drawn per tree: an int ≥ 2 (capped at the number of households) or a share
        in (0, 1].
    features : tuple of str or None, default=None
        Forest features (names of :data:`auditlib.risk.features.FEATURES`); ``None`` = all.
    normalise_within : {"township", "county"}, default="township"
        Peer group of the normalisation and of the medians quoted in reasons.
    min_peers : int, default=30
        Townships with fewer recipient households are compared with the whole county.
    combine : {"lexicographic", "rank_average"}, default="lexicographic"
        How rule hits and the forest make one ranking (module docstring).
    one_sided : bool, default=True
        Clip normalised features at 0 so that only values *above* the peer median can isolate
        a household (every feature points one way: more income, more assets, more payments
        than peers). Being poorer or smaller than one's peers is never a reason for a visit.
    tiers : tuple of two floats, default=(0.05, 0.20)
        Cumulative shares of the high and high+medium tiers.
    programmes : tuple of str, default=("dibao",)
        Programmes whose households are scored.
    shared_account_households, oversized_multiple, entitlement_tolerance, luxury_storeys, \
vehicle_value_minimum, business_capital_minimum, housing_share_minimum, \
payroll_exempt_keywords
        Rule thresholds and exemptions (see :class:`auditlib.risk.rules.evaluate.RuleParameters`).
    benefit_floors : tuple of (float, float), default=((0.0, 1.0), (0.2, 0.0), (0.6, 0.2))
        The county's benefit formula as bands ``(lowest declared income ÷ standard, floor ÷
        standard)`` (category A: the full standard below 20 %; B: the gap; C: at least 20 %
        of the standard from 60 %); ``()`` = the plain income gap. ``benefit_above_gap`` is
        the benefit above the formula's amount (:func:`auditlib.risk.features.formula_benefit`),
        so a category floor is not read as an anomaly.
    benefit_rounding : float, default=10.0
        Benefits are paid in multiples of this (yuan per person); the formula's amount is
        rounded up to it.
    rule_weights : dict of str to float or None, default=None
        Weights overriding the catalogue's by rule code (≥ 0; ≥ 1 makes a rule definitive,
        below 1 a prompt added to the forest percentile); ``None`` keeps the catalogue's.
    rejected_rows : {"error", "warning"}, default="warning"
        What a row of households, members or payments rejected by loading is.
    empty_registry : {"error", "warning"}, default="error"
        What an empty registry file is.
    random_state : int, default=0
        Seed of the forest (logged in reports).
    n_jobs : int or None, default=1
        Threads fitting the forest's trees (``-1``: one per core; ``None``: 1). The scores do
        not depend on it: scikit-learn draws every tree's seed before the trees are shared
        out among the threads, so any ``n_jobs`` grows the same trees, bit for bit
        (tests/test_risk_parallel.py). The default is 1 because batch runs already use one
        process per core. Threads help little: most of a tree's fit is scikit-learn Python
        code holding the GIL (seeding, cloning, checks), only the tree building releases it;
        on this project's 2 shared cores ``n_jobs=2`` was no faster (docs/risk.md §9).
        Scoring always runs in one thread.
    cross_county : pandas.DataFrame or None, default=None
        Findings of ``auditlib crosscheck`` involving the county, as read by
        :func:`auditlib.risk.rules.cross_county.read_cross_county_findings` (the parameter
        file's ``risk.cross_county`` names the file): the county's own become hits of rules
        X01–X04. ``None``: those rules have no hits.

    Attributes
    ----------
    forest_ : sklearn.ensemble.IsolationForest
        The fitted forest.
    feature_names_ : tuple of str
        Features used, in column order.
    n_features_in_ : int
        Number of features.
    n_households_ : int
        Recipient households the forest was fitted on.
    county_code_ : str
        County fitted.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 500,
        max_samples: int | float = 1024,
        features: tuple[str, ...] | None = None,
        normalise_within: str = "township",
        min_peers: int = 30,
        combine: str = "lexicographic",
        one_sided: bool = True,
        tiers: tuple[float, float] = (0.05, 0.20),
        programmes: tuple[str, ...] = ("dibao",),
        shared_account_households: int = 2,
        oversized_multiple: float = 2.5,
        entitlement_tolerance: float = 0.10,
        luxury_storeys: int = 3,
        vehicle_value_minimum: float = 20_000.0,
        business_capital_minimum: float = 10_000.0,
        housing_share_minimum: float = 0.5,
        payroll_exempt_keywords: tuple[str, ...] = ("公益性岗位",),
        benefit_floors: tuple[tuple[float, float], ...] = DEFAULT_BENEFIT_FLOORS,
        benefit_rounding: float = 10.0,
        rule_weights: dict[str, float] | None = None,
        empty_registry: str = "error",
        rejected_rows: str = "warning",
        random_state: int = 0,
        n_jobs: int | None = 1,
        cross_county: pd.DataFrame | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.features = features
        self.normalise_within = normalise_within
        self.min_peers = min_peers
        self.combine = combine
        self.one_sided = one_sided
        self.tiers = tiers
        self.programmes = programmes
        self.shared_account_households = shared_account_households
        self.oversized_multiple = oversized_multiple
        self.entitlement_tolerance = entitlement_tolerance
        self.luxury_storeys = luxury_storeys
        self.vehicle_value_minimum = vehicle_value_minimum
        self.business_capital_minimum = business_capital_minimum
        self.housing_share_minimum = housing_share_minimum
        self.payroll_exempt_keywords = payroll_exempt_keywords
        self.benefit_floors = benefit_floors
        self.benefit_rounding = benefit_rounding
        self.rule_weights = rule_weights
        self.empty_registry = empty_registry
        self.rejected_rows = rejected_rows
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.cross_county = cross_county

    def _check_parameters(self) -> None:
        check_scorer_parameters(self)

    def _rule_parameters(self) -> RuleParameters:
        return RuleParameters(
            shared_account_households=self.shared_account_households,
            oversized_multiple=self.oversized_multiple,
            entitlement_tolerance=self.entitlement_tolerance,
            luxury_storeys=self.luxury_storeys,
            vehicle_value_minimum=self.vehicle_value_minimum,
            business_capital_minimum=self.business_capital_minimum,
            housing_share_minimum=self.housing_share_minimum,
            payroll_exempt_keywords=tuple(self.payroll_exempt_keywords),
        )

    def _feature_names(self) -> tuple[str, ...]:
        if self.features is None:
            return tuple(spec.name for spec in FEATURES)
        return tuple(spec.name for spec in FEATURES if spec.name in set(self.features))

    # ------------------------------------------------------------------ work

    def _prepare(self, data: CountyData) -> dict[str, Any]:
        warnings = check_risk_inputs(
            data, empty_registry=self.empty_registry, rejected_rows=self.rejected_rows
        )
        ids = recipient_ids(data, tuple(self.programmes)).sort_values(kind="stable")
        if len(ids) < 2:
            raise ParamsError(
                f"county {data.info.county_code}: {len(ids)} recipient household(s) of "
                f"programmes {list(self.programmes)}; expected at least 2 to rank"
            )
        data = restrict_to(data, ids)
        crosscheck = cross_check(data)
        ledger = payment_frame(data)
        hits = evaluate_rules(
            data,
            crosscheck,
            self._rule_parameters(),
            programmes=tuple(self.programmes),
            ledger=ledger,
            cross_county=self.cross_county,
        )
        names = self._feature_names()
        raw = build_features(
            data,
            ids,
            ledger,
            benefit_floors=tuple((float(low), float(floor)) for low, floor in self.benefit_floors),
            benefit_rounding=float(self.benefit_rounding),
        )
        normalised = normalise_features(
            raw, names, within=self.normalise_within, min_peers=self.min_peers
        )
        if self.one_sided:
            normalised = normalised.clip(lower=0.0)
        return {
            "ids": ids,
            "crosscheck": crosscheck,
            "hits": hits,
            "names": names,
            "raw": raw,
            "normalised": normalised,
            "problems": (*warnings, *crosscheck.problems, *hits.problems),
        }

    def _fit_forest(self, prepared: dict[str, Any]) -> None:
        matrix = prepared["normalised"].to_numpy(dtype=float)
        samples = self.max_samples
        if isinstance(samples, Integral):
            samples = min(int(samples), matrix.shape[0])
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=samples,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
        ).fit(matrix)
        self.feature_names_ = prepared["names"]
        self.n_features_in_ = len(prepared["names"])
        self.n_households_ = matrix.shape[0]

    def fit(self, data: CountyData) -> RiskScorer:
        """Check the inputs and fit the isolation forest on the county's recipient households.

        Parameters
        ----------
        data : CountyData
            The county.

        Returns
        -------
        RiskScorer
            ``self``.
        """
        self._check_parameters()
        prepared = self._prepare(data)
        self._fit_forest(prepared)
        self.county_code_ = data.info.county_code
        return self

    def fit_assess(self, data: CountyData) -> RiskAssessment:
        """Fit on ``data`` and assess the same county (computing features once)."""
        self._check_parameters()
        prepared = self._prepare(data)
        self._fit_forest(prepared)
        self.county_code_ = data.info.county_code
        return self._assess(prepared)

    def fit_assess_seeds(
        self, data: CountyData, seeds: tuple[int, ...] | list[int]
    ) -> list[RiskAssessment]:
        """One assessment per forest seed, the features computed once (for stability checks).

        Each seed fits a fresh forest (``random_state=seed``); ``self`` ends fitted with the
        last seed.
        """
        self._check_parameters()
        prepared = self._prepare(data)
        self.county_code_ = data.info.county_code
        assessments = []
        for seed in seeds:
            self.set_params(random_state=int(seed))
            self._fit_forest(prepared)
            assessments.append(self._assess(prepared))
        return assessments

    def assess(self, data: CountyData) -> RiskAssessment:
        """Score a county and keep every intermediate result (for reasons and audits)."""
        if not hasattr(self, "forest_"):
            raise ParamsError("this RiskScorer is not fitted yet; call fit(data) first")
        return self._assess(self._prepare(data))

    def score(self, data: CountyData) -> pd.DataFrame:
        """One row per recipient household: :data:`SCORE_COLUMNS`, highest risk first."""
        return self.assess(data).scores

    def _assess(self, prepared: dict[str, Any]) -> RiskAssessment:
        names: tuple[str, ...] = prepared["names"]
        if names != self.feature_names_:
            raise ParamsError(
                f"features changed since fit: fitted on {list(self.feature_names_)}, "
                f"got {list(names)}"
            )
        normalised: pd.DataFrame = prepared["normalised"]
        forest_score = -self.forest_.score_samples(normalised.to_numpy(dtype=float))
        ids: pd.Series = prepared["ids"]
        rules = prepared["hits"].per_household(ids, self.rule_weights)
        scores = rank_households(
            ids,
            forest_score,
            rules,
            combine=self.combine,
            tiers=tuple(self.tiers),
            random_state=self.random_state,
        )
        medians, percentiles, peer = peer_statistics(
            prepared["raw"], names, within=self.normalise_within, min_peers=self.min_peers
        )
        return RiskAssessment(
            scores=scores,
            features=prepared["raw"],
            normalised=normalised,
            peer_medians=medians,
            peer_percentiles=percentiles,
            peer=peer,
            rule_hits=prepared["hits"],
            crosscheck=prepared["crosscheck"],
            problems=tuple(prepared["problems"]),
            feature_names=names,
            cross_county=self.cross_county,
        )
