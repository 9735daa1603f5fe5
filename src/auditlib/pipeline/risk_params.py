"""The ``risk`` section of the parameter file (split from :mod:`auditlib.pipeline.params`).

Every parameter of :class:`auditlib.risk.scorer.RiskScorer` is a field, validated against the
scorer's vocabulary without importing pandas or scikit-learn (reading a parameter file stays
light), plus the verification budget and the learned score's settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    field_validator,
    model_validator,
)

from auditlib.risk.rules.catalogue import RULE_CODES
from auditlib.risk.vocabulary import FEATURE_NAMES

__all__ = ["FILE_FIELDS", "LEARNING_FIELDS", "PreviousRound", "RiskParams", "Strict"]


class Strict(BaseModel):
    """A frozen model that refuses unknown keys (every section of the parameter file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: ``risk`` fields of the learned score, not of the unsupervised scorer.
LEARNING_FIELDS: tuple[str, ...] = (
    "previous_rounds",
    "exploration_share",
    "learned_model",
    "rule_estimates",
    "rule_prior_precision",
    "rule_prior_strength",
)

#: ``risk`` fields that name a file whose content, not the path, is a scorer parameter.
FILE_FIELDS: tuple[str, ...] = ("cross_county",)


class PreviousRound(Strict):
    """One previous audit round the risk score learns from (``risk.previous_rounds`` item).

    ``data``: that round's county data folder (its registers and ledger); then either
    ``audit``: that round's audit folder ``<audits>/<county_code>`` (its recorded sample in
    ``sample/`` and imported results in ``results/``), or ``sample`` (a sample record folder)
    and ``verification`` (a verification CSV/xlsx of the data contract). Paths are relative to
    the parameter file.
    """

    data: Path
    audit: Path | None = None
    sample: Path | None = None
    verification: Path | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PreviousRound:
        separate = self.sample is not None or self.verification is not None
        if (self.audit is None) == (not separate) or (
            separate and (self.sample is None or self.verification is None)
        ):
            raise ValueError(
                "either 'audit' (an audit folder with sample/ and results/) or both 'sample' "
                "and 'verification'"
            )
        return self

    def resolved(self, base: Path) -> PreviousRound:
        """The same round with relative paths resolved against ``base``."""
        changes = {
            name: base / value
            for name in ("data", "audit", "sample", "verification")
            if isinstance(value := getattr(self, name), Path) and not value.is_absolute()
        }
        return self.model_copy(update=changes)


class RiskParams(Strict):
    """``risk`` section: every parameter of :class:`auditlib.risk.scorer.RiskScorer`, and the
    verification budget.

    The fields are the scorer's parameters, with its defaults (a test checks that the two
    agree and that every scorer parameter has a field): the forest (``n_estimators``,
    ``max_samples``, ``features``, ``normalise_within``, ``min_peers``, ``one_sided``,
    ``random_state``, ``n_jobs``), how rules and forest combine (``combine``,
    ``rule_weights``: rule code → weight, ≥ 1 definitive, below 1 a prompt), the tiers
    (cumulative shares of the high and high+medium tiers), the programmes scored, the rules'
    thresholds and exemptions (see :class:`auditlib.risk.rules.evaluate.RuleParameters`), the
    county's benefit formula (``benefit_floors``, ``benefit_rounding``) and
    what rejected rows or an empty registry are. ``budget_share`` is the share of recipient
    households that can be fully verified. ``previous_rounds`` (:class:`PreviousRound` items)
    are earlier audits whose verified households train the learned score
    (:mod:`auditlib.risk.learned`); ``exploration_share`` is the share of every budget then
    left to the forest alone; ``learned_model`` the model family; ``rule_estimates``,
    ``rule_prior_precision`` and ``rule_prior_strength`` the floor each definitive rule's
    estimated precision puts under the learned probability
    (:class:`auditlib.risk.learned.LearnedRanker`). ``cross_county`` names the
    findings table of ``auditlib crosscheck`` (``crosscounty.csv``, relative to the parameter
    file): the county's findings become hits of rules X01–X04 (docs/crosscheck.md). Example::

        risk:
          n_estimators: 500
          rule_weights: {H02: 1.0}       # no relatives certainty stratum: make H02 definitive
          vehicle_value_minimum: 30000
          previous_rounds:
            - {data: ../data/2025/430522, audit: ../audits-2025/430522}
          cross_county: ../restricted/province/crosscounty.csv
    """

    n_estimators: int = Field(default=500, ge=10, le=100_000)
    max_samples: int | float = Field(default=1024, gt=0)
    features: tuple[str, ...] | None = None
    normalise_within: Literal["township", "county"] = "township"
    min_peers: int = Field(default=30, ge=2)
    combine: Literal["lexicographic", "rank_average"] = "lexicographic"
    one_sided: bool = True
    tiers: tuple[float, float] = (0.05, 0.20)
    programmes: tuple[Literal["dibao", "tekun"], ...] = ("dibao",)
    shared_account_households: int = Field(default=2, ge=2)
    oversized_multiple: float = Field(default=2.5, gt=1)
    entitlement_tolerance: float = Field(default=0.10, ge=0)
    luxury_storeys: int = Field(default=3, ge=1)
    vehicle_value_minimum: float = Field(default=20_000.0, ge=0)
    business_capital_minimum: float = Field(default=10_000.0, ge=0)
    housing_share_minimum: float = Field(default=0.5, ge=0, le=1)
    payroll_exempt_keywords: tuple[str, ...] = ("公益性岗位",)
    benefit_floors: tuple[tuple[NonNegativeFloat, NonNegativeFloat], ...] = (
        (0.0, 1.0),
        (0.2, 0.0),
        (0.6, 0.2),
    )
    benefit_rounding: NonNegativeFloat = 10.0
    rule_weights: dict[str, float] | None = None
    empty_registry: Literal["error", "warning"] = "error"
    rejected_rows: Literal["error", "warning"] = "warning"
    random_state: int = Field(default=0, ge=0)
    n_jobs: int | None = 1
    budget_share: float = Field(default=0.05, ge=0, le=1)
    previous_rounds: tuple[PreviousRound, ...] = ()
    exploration_share: float = Field(default=0.10, ge=0, lt=1)
    learned_model: Literal["logistic", "boosting"] = "logistic"
    rule_estimates: bool = True
    rule_prior_precision: float = Field(default=0.9, ge=0, le=1)
    rule_prior_strength: float = Field(default=5.0, ge=0, allow_inf_nan=False)
    cross_county: Path | None = None

    @field_validator("max_samples")
    @classmethod
    def _samples(cls, value: int | float) -> int | float:
        if (isinstance(value, int) and value < 2) or (isinstance(value, float) and value > 1):
            raise ValueError("an integer ≥ 2 or a share in (0, 1]")
        return value

    @field_validator("tiers")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not 0 < value[0] <= value[1] <= 1:
            raise ValueError("two cumulative shares 0 < high <= high+medium <= 1")
        return value

    @field_validator("features")
    @classmethod
    def _known_features(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        unknown = sorted(set(value or ()) - set(FEATURE_NAMES))
        if value is not None and (not value or unknown):
            raise ValueError("a non-empty list of features among " + ", ".join(FEATURE_NAMES))
        return value

    @field_validator("programmes")
    @classmethod
    def _some_programme(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("a non-empty list of programmes (dibao, tekun)")
        return value

    @field_validator("payroll_exempt_keywords")
    @classmethod
    def _keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not all(word.strip() for word in value):
            raise ValueError("a list of non-empty keywords")
        return value

    @field_validator("rule_weights")
    @classmethod
    def _known_rules(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return value
        unknown = sorted(set(value) - set(RULE_CODES))
        negative = sorted(code for code, weight in value.items() if weight < 0)
        if unknown or negative:
            raise ValueError(
                "rule codes ("
                + ", ".join(RULE_CODES)
                + ") mapped to weights ≥ 0"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; negative: {', '.join(negative)}" if negative else "")
            )
        return value

    @field_validator("n_jobs")
    @classmethod
    def _threads(cls, value: int | None) -> int | None:
        if value == 0:
            raise ValueError("None or a non-zero integer (-1 = one thread per core)")
        return value

    def scorer_parameters(self) -> dict[str, Any]:
        """Keyword arguments of :class:`~auditlib.risk.scorer.RiskScorer` (all but the budget,
        the learned score's and :data:`FILE_FIELDS`, which the pipeline reads)."""
        values = self.model_dump(exclude=set(LEARNING_FIELDS) | set(FILE_FIELDS) | {"budget_share"})
        for name in ("tiers", "programmes", "payroll_exempt_keywords"):
            values[name] = tuple(values[name])
        if values["features"] is not None:
            values["features"] = tuple(values["features"])
        if values["rule_weights"] is not None:
            values["rule_weights"] = {k: float(v) for k, v in values["rule_weights"].items()}
        values["tiers"] = tuple(float(value) for value in values["tiers"])
        values["benefit_floors"] = tuple(tuple(band) for band in values["benefit_floors"])
        return values
