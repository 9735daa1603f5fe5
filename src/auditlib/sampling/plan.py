"""Sampling plans: what a county draws, described declaratively, and the named presets.

A :class:`SamplingPlan` is a frozen, strictly validated pydantic model (an unknown key is an
error). Presets reproduce the procedures of the governance notices and are selected by name
with :func:`resolve_plan`; any field can be overridden.

The design a plan describes (see ``docs/sampling.md`` for the full algorithm):

* county-wide certainty strata (π = 1): ``C:relative`` — every recipient household with a
  member in the registry of close relatives (近亲属备案); ``C:risk`` — the top-risk recipient
  households chosen for full verification;
* ``N:new_approval`` — a simple random sample (without replacement) of a share of the
  households enrolled during the audit window;
* ``T:<township_code>`` — the random two-stage part: villages (PSUs) drawn by SRSWOR or πps,
  then within each sampled village households by SRSWOR in second-stage strata ``random``,
  ``risk_oversample``, ``temporary_assistance`` (all) and ``non_recipient``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from auditlib.data.codes import PRIORITY_GROUPS
from auditlib.errors import ParamsError, Problem

__all__ = [
    "PRESETS",
    "SamplingPlan",
    "plan_problems_from_validation",
    "preset_names",
    "resolve_plan",
]

PriorityGroup = Literal[
    "severe_disability", "serious_illness", "registered_poor", "recently_exited", "refused"
]
Programme = Literal["dibao", "tekun"]


class SamplingPlan(BaseModel):
    """A sampling plan for one county.

    Parameters
    ----------
    name : str
        Name of the preset the plan came from, or ``"custom"``.
    recipient_programmes : tuple of str
        Programmes whose households count as recipients (the population of 错保).
    psu_selection : {"srs", "pps"}
        Village selection within a township: simple random sampling without replacement, or
        systematic πps on a randomly ordered list with size = recipient households of the
        village's two-stage frame (at least 1).
    villages_per_township : int
        Villages drawn in a township with fewer than ``large_township_min_villages`` villages.
    villages_per_large_township : int or None
        Villages drawn in a township with at least ``large_township_min_villages`` villages
        (``None``: same as ``villages_per_township``).
    large_township_min_villages : int
        Threshold (number of villages in the township's frame) for the larger allocation.
    households_per_village : int
        Recipient households drawn by SRSWOR in the ``random`` second-stage stratum.
    relatives_certainty : bool
        Put every recipient household with a registered close relative in ``C:relative``.
    new_approval_share : float
        Share (rounded up) of newly approved recipient households drawn into
        ``N:new_approval``; 0 disables the stratum.
    new_approval_months : int or None
        A new approval is an enrolment within this many months before the reference date;
        ``None``: on or after the start of the audit period.
    temporary_assistance : bool
        Visit every temporary-assistance household of each sampled village (π₂ = 1).
    risk_column : str or None
        Column of the households table holding a risk score (larger = riskier), used when no
        risk scores are passed to the draw (those from :mod:`auditlib.risk.scorer` use
        ``risk_percentile``).
    risk_certainty_share : float
        Share (rounded up) of recipient households with the highest risk put in ``C:risk``.
    risk_oversample_share : float
        Recipient households in the top share of risk (county-wide) form the second-stage
        stratum ``risk_oversample`` inside sampled villages; 0 disables it.
    risk_oversample_per_village : int
        Households drawn by SRSWOR from ``risk_oversample`` in each sampled village.
    non_recipient_groups : tuple of str
        Priority groups (PRIORITY_GROUPS codes) defining at-risk non-recipient households.
    non_recipients_per_village : int or None
        Non-recipient at-risk households drawn per sampled village (``None``: all of them).
    priority_window_months : int
        "Recently" exited or refused: within this many months before the reference date.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "custom"
    recipient_programmes: tuple[Programme, ...] = ("dibao", "tekun")
    psu_selection: Literal["srs", "pps"] = "srs"
    villages_per_township: int = Field(default=2, ge=1, le=1000)
    villages_per_large_township: int | None = Field(default=3, ge=1, le=1000)
    large_township_min_villages: int = Field(default=10, ge=1)
    households_per_village: int = Field(default=5, ge=1, le=100_000)
    relatives_certainty: bool = True
    new_approval_share: float = Field(default=0.30, ge=0.0, le=1.0)
    new_approval_months: int | None = Field(default=None, ge=1, le=240)
    temporary_assistance: bool = True
    risk_column: str | None = None
    risk_certainty_share: float = Field(default=0.0, ge=0.0, le=1.0)
    risk_oversample_share: float = Field(default=0.0, ge=0.0, le=1.0)
    risk_oversample_per_village: int = Field(default=0, ge=0, le=100_000)
    non_recipient_groups: tuple[PriorityGroup, ...] = ()
    non_recipients_per_village: int | None = Field(default=0, ge=0, le=100_000)
    priority_window_months: int = Field(default=24, ge=1, le=240)

    @model_validator(mode="after")
    def _consistent(self) -> SamplingPlan:
        if not self.recipient_programmes:
            raise ValueError("recipient_programmes must name at least one programme")
        if self.risk_oversample_share > 0 and self.risk_oversample_per_village == 0:
            raise ValueError("risk_oversample_share > 0 needs risk_oversample_per_village >= 1")
        if self.risk_oversample_per_village > 0 and self.risk_oversample_share == 0:
            raise ValueError("risk_oversample_per_village > 0 needs risk_oversample_share > 0")
        if self.non_recipient_groups and self.non_recipients_per_village == 0:
            raise ValueError(
                "non_recipient_groups given but non_recipients_per_village is 0 "
                "(use a positive number, or null for all)"
            )
        return self

    def villages_to_draw(self, villages_in_township: int) -> int:
        """Villages to draw in a township with ``villages_in_township`` villages (capped)."""
        wanted = self.villages_per_township
        if (
            self.villages_per_large_township is not None
            and villages_in_township >= self.large_township_min_villages
        ):
            wanted = self.villages_per_large_township
        return min(wanted, villages_in_township)

    @property
    def needs_risk(self) -> bool:
        """Whether the plan uses risk scores."""
        return self.risk_certainty_share > 0 or self.risk_oversample_share > 0

    def describe(self) -> dict[str, Any]:
        """The plan as plain JSON-serialisable data (for the sample's sidecar)."""
        return self.model_dump(mode="json")


_NOTICE_2019: dict[str, Any] = {
    "name": "notice-2019",
    "psu_selection": "srs",
    "villages_per_township": 2,
    "villages_per_large_township": 3,
    "large_township_min_villages": 10,
    "households_per_village": 5,
    "relatives_certainty": True,
    "new_approval_share": 0.30,
    "temporary_assistance": True,
}

#: Named presets. ``notice-2019`` is the seed procedure of the notices (2 villages per
#: township, 3 when the township has 10 or more villages; 5 Dibao households per village; every
#: temporary-assistance household of a sampled village; 30% of new approvals; 100% of
#: registered close relatives). ``notice-2021`` adds the omission check (漏保): 5 at-risk
#: non-recipient households per sampled village. ``risk-targeted`` adds PPS village selection,
#: full verification of the top 2% by risk and a 2-household oversample of the top 10%.
PRESETS: dict[str, dict[str, Any]] = {
    "notice-2019": _NOTICE_2019,
    "notice-2021": {
        **_NOTICE_2019,
        "name": "notice-2021",
        "non_recipient_groups": list(PRIORITY_GROUPS),
        "non_recipients_per_village": 5,
    },
    "risk-targeted": {
        **_NOTICE_2019,
        "name": "risk-targeted",
        "psu_selection": "pps",
        "non_recipient_groups": list(PRIORITY_GROUPS),
        "non_recipients_per_village": 5,
        "risk_column": "risk_percentile",
        "risk_certainty_share": 0.02,
        "risk_oversample_share": 0.10,
        "risk_oversample_per_village": 2,
    },
}


def preset_names() -> tuple[str, ...]:
    """Names of the available presets."""
    return tuple(PRESETS)


def plan_problems_from_validation(
    error: ValidationError, file: str, prefix: str = ""
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into :class:`Problem` records (no traceback text)."""
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        key = ".".join(part for part in (prefix, location) if part)
        value = item.get("input")
        kind = item.get("type", "")
        if kind == "extra_forbidden":
            expected = "no such key (unknown keys are errors; check the spelling)"
        elif kind == "missing":
            expected = "this key is required"
            value = "<missing>"
        else:
            expected = str(item.get("msg", "a valid value")).removeprefix("Value error, ")
        shown = value if isinstance(value, str) else repr(value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        problems.append(Problem(file, None, key or None, shown, expected, code="params_invalid"))
    return problems


def resolve_plan(
    plan: str | Mapping[str, Any] | SamplingPlan,
    overrides: Mapping[str, Any] | None = None,
    *,
    file: str = "<plan>",
    key: str = "sampling.plan",
) -> SamplingPlan:
    """Build a :class:`SamplingPlan` from a preset name, a mapping or a plan, plus overrides.

    Parameters
    ----------
    plan : str, mapping or SamplingPlan
        A preset name (see :data:`PRESETS`), an explicit plan (mapping of fields; it may name
        a ``preset`` to start from) or a plan object.
    overrides : mapping, optional
        Fields replacing those of the plan.
    file, key : str
        Where the plan came from (for error messages).

    Raises
    ------
    ParamsError
        Unknown preset, unknown key or bad value; every problem is listed.
    """
    if isinstance(plan, SamplingPlan):
        fields: dict[str, Any] = plan.model_dump()
    elif isinstance(plan, str):
        if plan not in PRESETS:
            known = ", ".join(PRESETS)
            raise ParamsError(
                f"{file}: {key} = {plan!r} is not a known preset; expected one of {known} "
                "or an explicit plan (a mapping of plan fields)",
                [Problem(file, None, key, plan, f"one of {known}", code="params_preset")],
            )
        fields = dict(PRESETS[plan])
    elif isinstance(plan, Mapping):
        fields = dict(plan)
        base = fields.pop("preset", None)
        if base is not None:
            start = resolve_plan(str(base), file=file, key=f"{key}.preset")
            fields = {**start.model_dump(), **fields}
    else:
        raise ParamsError(
            f"{file}: {key} must be a preset name or a mapping, got {type(plan).__name__}",
            [Problem(file, None, key, repr(plan), "a preset name or a mapping")],
        )
    if overrides:
        fields = {**fields, **dict(overrides)}
        if fields.get("name") in PRESETS and "name" not in overrides:
            fields["name"] = f"{fields['name']}+overrides"
    try:
        return SamplingPlan.model_validate(fields)
    except ValidationError as error:
        problems = plan_problems_from_validation(error, file, key)
        if overrides:
            # name the key where the user wrote it: sampling.overrides.<field>
            override_key = key.rsplit(".", 1)[0] + ".overrides"
            problems = [
                replace(p, column=f"{override_key}.{p.column.split('.')[-1]}")
                if p.column and p.column.split(".")[-1] in overrides
                else p
                for p in problems
            ]
        details = "; ".join(f"{p.column}: got {p.value}, expected {p.expected}" for p in problems)
        raise ParamsError(f"{file}: invalid sampling plan: {details}", problems) from None
