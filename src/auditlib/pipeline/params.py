"""The county parameter file ``params/<county_code>.yaml``, strictly validated.

Example::

    county_code: "430522"
    data: ../data/example/430522     # relative to this file
    seed: 20190601
    sampling:
      plan: notice-2019              # a preset name, or a mapping of plan fields
      overrides: {households_per_village: 6}
      teams: {东片: ["430522101", "430522102"]}   # optional: worksheets per team
    risk: {n_estimators: 500, max_samples: 1024, budget_share: 0.05,
           tiers: [0.05, 0.20], random_state: 0}   # any RiskScorer parameter, see RiskParams
    estimation: {ci_method: korn-graubard, level: 0.95}
    report: {language: zh, top_households: 20}

Every unknown key or bad value is a :class:`~auditlib.errors.ParamsError` naming the file, the
key path, the value received and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    ValidationError,
    field_validator,
    model_validator,
)

from auditlib.errors import ParamsError, Problem
from auditlib.risk.rules.catalogue import RULE_CODES
from auditlib.risk.vocabulary import FEATURE_NAMES
from auditlib.sampling.plan import SamplingPlan, plan_problems_from_validation, resolve_plan

__all__ = [
    "AuditParams",
    "EstimationParams",
    "PreviousRound",
    "ReportParams",
    "RiskParams",
    "SamplingParams",
    "load_params",
    "params_from_mapping",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SamplingParams(_Strict):
    """``sampling`` section: the plan (preset name or mapping), overrides, worksheet teams."""

    plan: str | dict[str, Any] = "notice-2019"
    overrides: dict[str, Any] = Field(default_factory=dict)
    teams: dict[str, list[str]] | None = None


#: ``risk`` fields of the learned score, not of the unsupervised scorer.
LEARNING_FIELDS: tuple[str, ...] = ("previous_rounds", "exploration_share", "learned_model")


class PreviousRound(_Strict):
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


class RiskParams(_Strict):
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
    left to the forest alone; ``learned_model`` the model family. Example::

        risk:
          n_estimators: 500
          rule_weights: {H02: 1.0}       # no relatives certainty stratum: make H02 definitive
          vehicle_value_minimum: 30000
          previous_rounds:
            - {data: ../data/2025/430522, audit: ../audits-2025/430522}
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
        """Keyword arguments of :class:`~auditlib.risk.scorer.RiskScorer` (all but the budget)."""
        values = self.model_dump(exclude=set(LEARNING_FIELDS) | {"budget_share"})
        for name in ("tiers", "programmes", "payroll_exempt_keywords"):
            values[name] = tuple(values[name])
        if values["features"] is not None:
            values["features"] = tuple(values["features"])
        if values["rule_weights"] is not None:
            values["rule_weights"] = {k: float(v) for k, v in values["rule_weights"].items()}
        values["tiers"] = tuple(float(value) for value in values["tiers"])
        values["benefit_floors"] = tuple(tuple(band) for band in values["benefit_floors"])
        return values


class EstimationParams(_Strict):
    """``estimation`` section: interval methods, level and degrees of freedom.

    ``ci_method``: interval of proportions (``korn-graubard``: Kish-capped, the default;
    ``korn-graubard-nchs``: NCHS cap at n, R ``survey``). ``degrees_of_freedom``: ``variance``
    (from the villages that carry the variance) or ``design`` (R's #PSU − #strata).
    ``payment_interval``: ``share`` (skew-respecting, never below 0) or ``t`` (R's symmetric).
    See ``docs/estimation.md``.
    """

    ci_method: Literal[
        "korn-graubard", "korn-graubard-nchs", "logit", "wilson", "clopper-pearson", "wald"
    ] = "korn-graubard"
    level: float = Field(default=0.95, gt=0.5, lt=1)
    lonely_psu: Literal["fail", "adjust", "certainty"] = "fail"
    degrees_of_freedom: Literal["variance", "design"] = "variance"
    payment_interval: Literal["share", "t"] = "share"


class ReportParams(_Strict):
    """``report`` section: language and the number of households listed."""

    language: Literal["zh", "en"] = "zh"
    top_households: int = Field(default=20, ge=0, le=10_000)


class AuditParams(_Strict):
    """The whole parameter file of one county.

    Attributes
    ----------
    county_code : str
        6-digit administrative code.
    data : pathlib.Path
        County data folder (resolved against the parameter file's folder).
    seed : int
        Seed of the sample draw (non-negative).
    sampling, risk, estimation, report
        Sections (defaults apply when a section is omitted).
    source : pathlib.Path or None
        The parameter file read (``None`` when built from a mapping).
    """

    county_code: str
    data: Path
    seed: int = Field(ge=0, le=2**63 - 1)
    sampling: SamplingParams = SamplingParams()
    risk: RiskParams = RiskParams()
    estimation: EstimationParams = EstimationParams()
    report: ReportParams = ReportParams()
    source: Path | None = None

    @field_validator("county_code", mode="before")
    @classmethod
    def _code_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:06d}"
        return value

    @field_validator("county_code")
    @classmethod
    def _six_digits(cls, value: str) -> str:
        if len(value) != 6 or not value.isdigit():
            raise ValueError("a 6-digit administrative code such as '430522' (quote it in YAML)")
        return value

    def sampling_plan(self) -> SamplingPlan:
        """The resolved sampling plan (preset + overrides)."""
        file = str(self.source) if self.source else "<params>"
        return resolve_plan(self.sampling.plan, self.sampling.overrides, file=file)


def params_from_mapping(
    content: Mapping[str, Any], *, file: str = "<params>", base: Path | None = None
) -> AuditParams:
    """Validate a parsed parameter mapping.

    Parameters
    ----------
    content : mapping
        Parsed YAML.
    file : str
        Name used in messages.
    base : pathlib.Path, optional
        Folder against which a relative ``data`` path is resolved.

    Raises
    ------
    ParamsError
        Listing every problem (key path, value, expectation).
    """
    fields = dict(content)
    if "source" in fields:
        problem = Problem(file, None, "source", repr(fields["source"]), "no such key")
        raise ParamsError(f"{file}: unknown key 'source'", [problem])
    try:
        params = AuditParams.model_validate(fields)
    except ValidationError as error:
        problems = plan_problems_from_validation(error, file)
        details = "; ".join(
            f"key '{p.column}': got {p.value}, expected {p.expected}" for p in problems
        )
        raise ParamsError(f"{file}: invalid parameters: {details}", problems) from None
    if base is not None and not params.data.is_absolute():
        params = params.model_copy(update={"data": (base / params.data)})
    if base is not None and params.risk.previous_rounds:
        rounds = tuple(item.resolved(base) for item in params.risk.previous_rounds)
        risk = params.risk.model_copy(update={"previous_rounds": rounds})
        params = params.model_copy(update={"risk": risk})
    # validate the plan now, with the file's name in messages
    resolve_plan(params.sampling.plan, params.sampling.overrides, file=file)
    return params


def load_params(path: str | Path) -> AuditParams:
    """Read and validate ``params/<county_code>.yaml``.

    Parameters
    ----------
    path : str or pathlib.Path
        The parameter file.

    Returns
    -------
    AuditParams
        Validated parameters; ``data`` is resolved relative to the file's folder.

    Raises
    ------
    ParamsError
        Missing or unreadable file, invalid YAML (with line), unknown key or bad value.
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(
            f"{file}: parameter file not found",
            [Problem(file, None, None, file, "an existing params/<county_code>.yaml")],
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ParamsError(f"{file}: cannot read the parameter file ({error})") from None
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = None if mark is None else mark.line + 1
        reason = getattr(error, "problem", None) or str(error)
        raise ParamsError(
            f"{file}: invalid YAML at line {row}: {reason}",
            [Problem(file, row, None, str(reason), "valid YAML", code="params_yaml")],
        ) from None
    if not isinstance(content, Mapping):
        raise ParamsError(
            f"{file}: expected a mapping of keys (county_code, data, seed, ...), "
            f"got {type(content).__name__}",
            [Problem(file, None, None, repr(content)[:80], "a YAML mapping")],
        )
    params = params_from_mapping(content, file=file, base=path.resolve().parent)
    return params.model_copy(update={"source": path.resolve()})
