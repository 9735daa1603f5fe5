"""Configuration of the example-data generator (:mod:`auditlib.synth.generator`).

:class:`SynthConfig` is a frozen dataclass holding everything that shapes one synthetic county:
its identity, size, Dibao standard, the planted error rates and the seed. It is validated when
it is built; every problem is collected and raised together as a
:class:`~auditlib.errors.ParamsError`
naming the parameter, the value received and the range expected.

Planted rates
-------------
``inclusion_error_rate``
    Expected share of Dibao recipient households that are not eligible (错保). The village rate is
    drawn from a beta distribution with this mean and intra-village correlation
    ``intra_village_correlation`` (beta-binomial clustering).
``payment_anomaly_rate``
    Expected share of Dibao recipient households with a fund-flow anomaly. Anomalies are planted
    only among *eligible* recipients, so inclusion errors and payment anomalies never overlap and
    the share of recipient households with any planted anomaly is the sum of the two rates.
    :meth:`SynthConfig.with_anomaly_share` splits a requested total (e.g. 3%) between them.
``omission_rate``
    Expected share of eligible households that are eligible non-recipients (漏保), planted among
    the priority groups.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from auditlib.data.codes import ERROR_TYPES, PAYMENT_ANOMALY_TYPES, PRIORITY_GROUPS
from auditlib.errors import ParamsError, Problem
from auditlib.synth.defaults import (
    DEFAULT_ERROR_TYPE_WEIGHTS,
    DEFAULT_ETHNICITY_SHARES,
    DEFAULT_PAYMENT_ANOMALY_WEIGHTS,
    DEFAULT_PRIORITY_GROUP_WEIGHTS,
)

__all__ = ["SynthConfig"]


_COUNTY_CODE = re.compile(r"[1-8]\d{5}")


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class SynthConfig:
    """Everything that shapes one synthetic county.

    Parameters
    ----------
    county_code : str
        6-digit administrative code; the address code of every generated ID number.
    county, province : str
        Names.
    seed : int
        Seed of all randomness (non-negative). Same config ⇒ identical tables.
    households : int
        Number of rural households (recipients and non-recipients), at least 200.
    townships : tuple of str
        Township names; empty means ``township_count`` generated names.
    township_count : int
        Number of townships when ``townships`` is empty.
    village_households : int
        Median number of households per village (villages hold 0.5×–2.5× this, at least 30).
    rural_standard : float
        Rural Dibao standard, yuan per person per month (100–2000; published 2024 standards are
        roughly 450–550).
    dibao_share : float
        Expected share of rural households on Dibao (published magnitude 5–8%).
    tekun_share : float
        Expected share of households in 特困 support (single-person, paid at 1.3× the standard).
    reference_date : datetime.date
        Date the registers are extracted; the audit period ends on it.
    months : int
        Months of payments in the ledger (12–24).
    inclusion_error_rate, payment_anomaly_rate, omission_rate : float
        Planted rates (see the module docstring).
    intra_village_correlation : float
        Intra-village correlation of inclusion errors (0 = none; published-like 0.05–0.15).
    error_type_weights, payment_anomaly_weights, priority_group_weights : mapping
        Relative frequencies (need not sum to 1; zero switches a type off).
    ethnicity_shares : mapping
        County share of each ethnicity (e.g. ``{"汉族": 0.8, "回族": 0.14}``).
    township_ethnicity_shares : mapping
        Per-township overrides of ``ethnicity_shares``.
    registered_poor_share : float
        Share of non-recipient households registered as poor (建档立卡); recipients are registered
        four times as often (capped at 0.9).
    temporary_assistance_share : float
        Share of households that received temporary assistance in the last 12 months (recipients
        and omitted households five times as often).
    """

    county_code: str = "430522"
    county: str = "新邵县"
    province: str = "湖南省"
    seed: int = 0
    households: int = 20_000
    townships: tuple[str, ...] = ()
    township_count: int = 8
    village_households: int = 250
    rural_standard: float = 480.0
    dibao_share: float = 0.065
    tekun_share: float = 0.008
    reference_date: date = date(2025, 12, 31)
    months: int = 12
    inclusion_error_rate: float = 0.08
    payment_anomaly_rate: float = 0.02
    omission_rate: float = 0.12
    intra_village_correlation: float = 0.10
    error_type_weights: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_ERROR_TYPE_WEIGHTS
    )
    payment_anomaly_weights: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_PAYMENT_ANOMALY_WEIGHTS
    )
    priority_group_weights: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_PRIORITY_GROUP_WEIGHTS
    )
    ethnicity_shares: Mapping[str, float] = field(default_factory=lambda: DEFAULT_ETHNICITY_SHARES)
    township_ethnicity_shares: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    registered_poor_share: float = 0.12
    temporary_assistance_share: float = 0.02

    def __post_init__(self) -> None:
        for name in (
            "error_type_weights",
            "payment_anomaly_weights",
            "priority_group_weights",
            "ethnicity_shares",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(
            self,
            "township_ethnicity_shares",
            _frozen({k: _frozen(v) for k, v in dict(self.township_ethnicity_shares).items()}),
        )
        object.__setattr__(self, "townships", tuple(self.townships))
        problems = _check(self)
        if problems:
            raise ParamsError(
                "invalid synthetic-county configuration: "
                + "; ".join(problem.describe() for problem in problems),
                problems,
            )

    @property
    def township_names(self) -> tuple[str, ...]:
        """Township names given, or ``()`` when they are generated."""
        return self.townships

    @property
    def n_townships(self) -> int:
        """Number of townships."""
        return len(self.townships) if self.townships else self.township_count

    def with_anomaly_share(self, share: float, payment_fraction: float = 0.3) -> SynthConfig:
        """Return this config planting ``share`` of recipient households with an anomaly.

        The anomaly of the ground truth is ``inclusion_error | payment_anomaly``; the two are
        planted on disjoint households, so ``share`` is split as
        ``inclusion_error_rate = share·(1 − payment_fraction)`` and
        ``payment_anomaly_rate = share·payment_fraction``.

        Examples
        --------
        >>> config = SynthConfig(households=2000, township_count=2).with_anomaly_share(0.03)
        >>> round(config.inclusion_error_rate + config.payment_anomaly_rate, 10)
        0.03
        """
        problems = []
        if not 0 <= share <= 0.5:
            problems.append(_problem("share", share, "a number in [0, 0.5]"))
        if not 0 <= payment_fraction <= 1:
            problems.append(_problem("payment_fraction", payment_fraction, "a number in [0, 1]"))
        if problems:
            raise ParamsError("; ".join(p.describe() for p in problems), problems)
        return replace(
            self,
            inclusion_error_rate=share * (1 - payment_fraction),
            payment_anomaly_rate=share * payment_fraction,
        )

    def to_mapping(self) -> dict[str, Any]:
        """Plain mapping of the parameters (for YAML), inverse of :meth:`from_mapping`."""
        result: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Mapping):
                value = {k: dict(v) if isinstance(v, Mapping) else v for k, v in value.items()}
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, date):
                value = value.isoformat()
            result[item.name] = value
        return result

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], source: str = "config") -> SynthConfig:
        """Build a config from a plain mapping (e.g. one county of ``counties.yaml``).

        Unknown keys and values of the wrong type raise :class:`ParamsError` naming ``source``.
        """
        known = {item.name: item for item in fields(cls)}
        problems = [
            Problem(source, None, key, str(mapping[key]), "a known key: " + ", ".join(known))
            for key in mapping
            if key not in known
        ]
        values: dict[str, Any] = {}
        for key, value in mapping.items():
            if key not in known:
                continue
            try:
                values[key] = _coerce(key, value)
            except (TypeError, ValueError) as error:
                problems.append(Problem(source, None, key, repr(value), str(error)))
        if problems:
            raise ParamsError(f"{source}: " + "; ".join(p.describe() for p in problems), problems)
        try:
            return cls(**values)
        except ParamsError as error:
            raise ParamsError(f"{source}: {error.message}", error.problems) from None


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
}


def _coerce(key: str, value: Any) -> Any:
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


def _problem(name: str, value: object, expected: str) -> Problem:
    return Problem("SynthConfig", None, name, repr(value), expected, "error", "bad_parameter")


def _check_weights(
    problems: list[Problem], name: str, weights: Mapping[str, float], codes: Mapping[str, str]
) -> None:
    unknown = sorted(set(weights) - set(codes))
    if unknown:
        problems.append(_problem(name, unknown, "codes among: " + ", ".join(codes)))
    values = list(weights.values())
    if any(not isinstance(v, int | float) or v < 0 for v in values):
        problems.append(_problem(name, dict(weights), "non-negative numbers"))
    elif sum(values) <= 0:
        problems.append(_problem(name, dict(weights), "at least one positive weight"))


def _check_shares(problems: list[Problem], name: str, shares: Mapping[str, float]) -> None:
    values = list(shares.values())
    if not shares or any(not isinstance(v, int | float) or v < 0 for v in values):
        problems.append(_problem(name, dict(shares), "a non-empty mapping to non-negative numbers"))
    elif sum(values) <= 0:
        problems.append(_problem(name, dict(shares), "at least one positive share"))


def _check(config: SynthConfig) -> list[Problem]:
    problems: list[Problem] = []

    def bounded(name: str, low: float, high: float) -> None:
        value = getattr(config, name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            problems.append(_problem(name, value, f"a number in [{low:g}, {high:g}]"))

    if not isinstance(config.county_code, str) or not _COUNTY_CODE.fullmatch(config.county_code):
        problems.append(_problem("county_code", config.county_code, "6 digits, e.g. '430522'"))
    for name in ("county", "province"):
        if not isinstance(getattr(config, name), str) or not getattr(config, name).strip():
            problems.append(_problem(name, getattr(config, name), "a non-empty name"))
    if isinstance(config.seed, bool) or not isinstance(config.seed, int) or config.seed < 0:
        problems.append(_problem("seed", config.seed, "a non-negative whole number"))
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
    if len(set(config.townships)) != len(config.townships) or any(
        not isinstance(name, str) or not name.strip() for name in config.townships
    ):
        problems.append(_problem("townships", list(config.townships), "distinct non-empty names"))
    if not isinstance(config.reference_date, date) or not (
        date(2000, 1, 1) <= config.reference_date <= date(2100, 12, 31)
    ):
        problems.append(_problem("reference_date", config.reference_date, "a date in 2000-2100"))
    elif config.reference_date.month == 2 and config.reference_date.day == 29:
        problems.append(
            _problem("reference_date", config.reference_date, "a date other than 29 Feb")
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
            problems.append(_problem("township_ethnicity_shares", township, "one of the townships"))
        _check_shares(problems, f"township_ethnicity_shares[{township}]", shares)
    if not problems:
        minimum = 4 * config.n_townships * 30
        if config.households < minimum:
            problems.append(
                _problem(
                    "households",
                    config.households,
                    f"at least {minimum} (4 villages of ≥30 households in each of "
                    f"{config.n_townships} townships)",
                )
            )
    return problems
