"""Validation and coercion of :class:`~auditlib.synth.config.SynthConfig` parameters.

:func:`check_config` collects every problem of a config (named parameter, value received, range
expected); :func:`coerce_value` converts one value read from YAML to the parameter's type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from auditlib.data.codes import ERROR_TYPES, PAYMENT_ANOMALY_TYPES, PRIORITY_GROUPS
from auditlib.errors import Problem

__all__ = [
    "REALISM_LEVELS",
    "REALISM_RATES",
    "check_config",
    "coerce_value",
    "parameter_problem",
]

#: Values of :attr:`SynthConfig.realism`.
REALISM_LEVELS: tuple[str, ...] = ("realistic", "clean")

#: The rates of benign registry noise (used when ``realism == "realistic"``).
REALISM_RATES: tuple[str, ...] = (
    "benign_car_rate",
    "ended_payroll_rate",
    "co_owned_property_rate",
    "cancelled_business_rate",
    "erroneous_death_rate",
    "homonym_rate",
    "holder_name_variant_rate",
    "registry_name_variant_rate",
    "entry_error_rate",
)

_COUNTY_CODE = re.compile(r"[1-8]\d{5}")


_INT_KEYS = {"seed", "households", "township_count", "village_households", "months"}
_FLOAT_KEYS = {
    "rural_standard",
    "dibao_share",
    "tekun_share",
    "inclusion_error_rate",
    "payment_anomaly_rate",
    "omission_rate",
    "intra_village_correlation",
    "registered_poor_share",
    "temporary_assistance_share",
    *REALISM_RATES,
}


def coerce_value(key: str, value: Any) -> Any:
    """``value`` read from YAML converted to the type of parameter ``key``.

    Raises ``TypeError`` (naming the type expected) when it cannot be.
    """
    if key in _INT_KEYS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("a whole number")
        return value
    if key in _FLOAT_KEYS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError("a number")
        return float(value)
    if key == "reference_date":
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if key == "townships":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise TypeError("a list of township names")
        return tuple(value)
    if key.endswith(("weights", "shares")):
        if not isinstance(value, Mapping):
            raise TypeError("a mapping of names to numbers")
        return dict(value)
    if not isinstance(value, str):
        raise TypeError("text")
    return value


def parameter_problem(name: str, value: object, expected: str) -> Problem:
    """The :class:`Problem` of parameter ``name``: the value received and what was expected."""
    return Problem("SynthConfig", None, name, repr(value), expected, "error", "bad_parameter")


def _check_weights(
    problems: list[Problem], name: str, weights: Mapping[str, float], codes: Mapping[str, str]
) -> None:
    unknown = sorted(set(weights) - set(codes))
    if unknown:
        problems.append(parameter_problem(name, unknown, "codes among: " + ", ".join(codes)))
    values = list(weights.values())
    if any(not isinstance(v, int | float) or v < 0 for v in values):
        problems.append(parameter_problem(name, dict(weights), "non-negative numbers"))
    elif sum(values) <= 0:
        problems.append(parameter_problem(name, dict(weights), "at least one positive weight"))


def _check_shares(problems: list[Problem], name: str, shares: Mapping[str, float]) -> None:
    values = list(shares.values())
    if not shares or any(not isinstance(v, int | float) or v < 0 for v in values):
        problems.append(
            parameter_problem(name, dict(shares), "a non-empty mapping to non-negative numbers")
        )
    elif sum(values) <= 0:
        problems.append(parameter_problem(name, dict(shares), "at least one positive share"))


def check_config(config: Any) -> list[Problem]:
    """Every problem of ``config``, a :class:`~auditlib.synth.config.SynthConfig` (empty when it
    is valid; typed ``Any`` because that module imports this one)."""
    problems: list[Problem] = []

    def bounded(name: str, low: float, high: float) -> None:
        value = getattr(config, name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            problems.append(parameter_problem(name, value, f"a number in [{low:g}, {high:g}]"))

    if not isinstance(config.county_code, str) or not _COUNTY_CODE.fullmatch(config.county_code):
        problems.append(
            parameter_problem("county_code", config.county_code, "6 digits, e.g. '430522'")
        )
    for name in ("county", "province"):
        if not isinstance(getattr(config, name), str) or not getattr(config, name).strip():
            problems.append(parameter_problem(name, getattr(config, name), "a non-empty name"))
    if isinstance(config.seed, bool) or not isinstance(config.seed, int) or config.seed < 0:
        problems.append(parameter_problem("seed", config.seed, "a non-negative whole number"))
    bounded("households", 200, 20_000_000)
    bounded("township_count", 1, 200)
    bounded("village_households", 30, 5_000)
    bounded("rural_standard", 100, 2_000)
    bounded("dibao_share", 0.005, 0.3)
    bounded("tekun_share", 0, 0.05)
    bounded("months", 12, 24)
    bounded("inclusion_error_rate", 0, 0.5)
    bounded("payment_anomaly_rate", 0, 0.2)
    bounded("omission_rate", 0, 0.5)
    bounded("intra_village_correlation", 0, 0.5)
    bounded("registered_poor_share", 0, 0.5)
    bounded("temporary_assistance_share", 0, 0.2)
    if config.realism not in REALISM_LEVELS:
        problems.append(parameter_problem("realism", config.realism, "'realistic' or 'clean'"))
    for name in REALISM_RATES:
        bounded(name, 0, 0.2)
    if len(set(config.townships)) != len(config.townships) or any(
        not isinstance(name, str) or not name.strip() for name in config.townships
    ):
        problems.append(
            parameter_problem("townships", list(config.townships), "distinct non-empty names")
        )
    if not isinstance(config.reference_date, date) or not (
        date(2000, 1, 1) <= config.reference_date <= date(2100, 12, 31)
    ):
        problems.append(
            parameter_problem("reference_date", config.reference_date, "a date in 2000-2100")
        )
    elif config.reference_date.month == 2 and config.reference_date.day == 29:
        problems.append(
            parameter_problem("reference_date", config.reference_date, "a date other than 29 Feb")
        )
    _check_weights(problems, "error_type_weights", config.error_type_weights, ERROR_TYPES)
    _check_weights(
        problems, "payment_anomaly_weights", config.payment_anomaly_weights, PAYMENT_ANOMALY_TYPES
    )
    _check_weights(
        problems, "priority_group_weights", config.priority_group_weights, PRIORITY_GROUPS
    )
    _check_shares(problems, "ethnicity_shares", config.ethnicity_shares)
    for township, shares in config.township_ethnicity_shares.items():
        if township not in config.townships:
            problems.append(
                parameter_problem("township_ethnicity_shares", township, "one of the townships")
            )
        _check_shares(problems, f"township_ethnicity_shares[{township}]", shares)
    if not problems:
        minimum = 4 * config.n_townships * 30
        if config.households < minimum:
            problems.append(
                parameter_problem(
                    "households",
                    config.households,
                    f"at least {minimum} (4 villages of ≥30 households in each of "
                    f"{config.n_townships} townships)",
                )
            )
    return problems
