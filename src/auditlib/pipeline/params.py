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
    report: {language: zh, top_households: 20, tolerable_error_rate: 0.05,
             previous_round: ../reports/2025/430522}   # optional: conclusion and change

Every unknown key or bad value is a :class:`~auditlib.errors.ParamsError` naming the file, the
key path, the value received and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    Field,
    ValidationError,
    field_validator,
)

from auditlib.errors import ParamsError, Problem
from auditlib.pipeline.risk_params import PreviousRound, RiskParams, Strict
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


class SamplingParams(Strict):
    """``sampling`` section: the plan (preset name or mapping), overrides, worksheet teams."""

    plan: str | dict[str, Any] = "notice-2019"
    overrides: dict[str, Any] = Field(default_factory=dict)
    teams: dict[str, list[str]] | None = None


class EstimationParams(Strict):
    """``estimation`` section: interval methods, level and degrees of freedom.

    ``ci_method``: interval of proportions (``korn-graubard``: Kish-capped, the default;
    ``jeffreys``: the same size with the Jeffreys interval, narrower, under-covers in
    clustered counties; ``korn-graubard-nchs``: NCHS cap at n, R ``survey``).
    ``degrees_of_freedom``: ``variance`` (from the villages that carry the variance) or
    ``design`` (R's #PSU − #strata).
    ``payment_interval``: ``share`` (skew-respecting, never below 0) or ``t`` (R's symmetric).
    See ``docs/estimation.md``.
    """

    ci_method: Literal[
        "korn-graubard",
        "korn-graubard-nchs",
        "jeffreys",
        "logit",
        "wilson",
        "clopper-pearson",
        "wald",
    ] = "korn-graubard"
    level: float = Field(default=0.95, gt=0.5, lt=1)
    lonely_psu: Literal["fail", "adjust", "certainty"] = "fail"
    degrees_of_freedom: Literal["variance", "design"] = "variance"
    payment_interval: Literal["share", "t"] = "share"


class ReportParams(Strict):
    """``report`` section: language, households listed, the conclusion's yardsticks.

    ``tolerable_error_rate``: the 错保率 the province tolerates (e.g. 0.05); page 1 concludes
    against it with the one-sided upper limit, as an auditor would. ``previous_round``: an
    earlier report folder of the same county (or its ``estimates.json``), relative to the
    parameter file: page 1 then shows the change since that round with its interval.
    """

    language: Literal["zh", "en"] = "zh"
    top_households: int = Field(default=20, ge=0, le=10_000)
    tolerable_error_rate: float | None = Field(default=None, gt=0, lt=1)
    previous_round: Path | None = None


class AuditParams(Strict):
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
    earlier = params.report.previous_round
    if base is not None and earlier is not None and not earlier.is_absolute():
        report = params.report.model_copy(update={"previous_round": base / earlier})
        params = params.model_copy(update={"report": report})
    if base is not None and params.risk.previous_rounds:
        rounds = tuple(item.resolved(base) for item in params.risk.previous_rounds)
        risk = params.risk.model_copy(update={"previous_rounds": rounds})
        params = params.model_copy(update={"risk": risk})
    findings = params.risk.cross_county
    if base is not None and findings is not None and not findings.is_absolute():
        risk = params.risk.model_copy(update={"cross_county": base / findings})
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
