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

Realism
-------
``realism = "realistic"`` (the default) adds the benign noise of real registries, drawn from a
random stream of its own (:mod:`auditlib.synth.realism`): records that trip a rule although the
household is eligible (a car sold but never transferred, a payroll record that ended before the
audit period, a minority share of a relative's flat, a cancelled business licence, a death
registered against the wrong ID), namesakes, account-holder and registry names written with a
space or in traditional characters, and typing errors in registry dates and values. The rates
are the ``*_rate`` fields below ``realism``; ``docs/example-data.md`` gives their sources.
``realism = "clean"`` reproduces the earlier generator byte for byte: no such noise, and
the benign traces of recipients stay below the rules' exemption thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from auditlib.errors import ParamsError, Problem
from auditlib.synth.config_checks import (
    REALISM_LEVELS,
    REALISM_RATES,
    check_config,
    coerce_value,
    parameter_problem,
)
from auditlib.synth.defaults import (
    DEFAULT_ERROR_TYPE_WEIGHTS,
    DEFAULT_ETHNICITY_SHARES,
    DEFAULT_PAYMENT_ANOMALY_WEIGHTS,
    DEFAULT_PRIORITY_GROUP_WEIGHTS,
)

__all__ = ["REALISM_LEVELS", "REALISM_RATES", "SynthConfig"]


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
    realism : {"realistic", "clean"}
        ``"realistic"`` adds the benign registry noise below; ``"clean"`` leaves it out (the
        data of earlier versions, byte-identical).
    benign_car_rate : float
        Share of eligible recipient households whose head has a car worth ≥ 20,000 yuan
        registered to their ID that is not theirs: sold without transfer of the registration
        (未过户), or registered in a parent's name for a child working elsewhere (default 1%).
    ended_payroll_rate : float
        Share of eligible recipient households whose head has a payroll record that ended
        before the audit period (former contract teacher or temporary staff; default 1%).
    co_owned_property_rate : float
        Share of eligible recipient households whose head holds a share (½, ⅓ or ¼) of
        commercial housing owned with a relative outside the household (default 1%).
    cancelled_business_rate : float
        Share of eligible recipient households whose head has a business whose licence was
        cancelled (注销) before the audit period (default 1%).
    erroneous_death_rate : float
        Share of eligible recipient households with a death record carrying the ID of a living
        member (a death of someone else registered under the wrong ID; default 0.2%).
    homonym_rate : float
        Share of eligible recipient households whose head has a namesake outside the household
        (same name, other ID) who owns a car (default 2%).
    holder_name_variant_rate : float
        Share of personally held payment accounts whose holder name is written differently
        from the register (interior space, full-width space, traditional characters;
        default 3%).
    registry_name_variant_rate : float
        Share of registry records whose name is written that way (default 2%).
    entry_error_rate : float
        Share of registry records with a typing error in a date (year off by 1–9) and of
        vehicle records without an assessed value (default 0.2%).
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
    realism: str = "realistic"
    benign_car_rate: float = 0.01
    ended_payroll_rate: float = 0.01
    co_owned_property_rate: float = 0.01
    cancelled_business_rate: float = 0.01
    erroneous_death_rate: float = 0.002
    homonym_rate: float = 0.02
    holder_name_variant_rate: float = 0.03
    registry_name_variant_rate: float = 0.02
    entry_error_rate: float = 0.002

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
        problems = check_config(self)
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
            problems.append(parameter_problem("share", share, "a number in [0, 0.5]"))
        if not 0 <= payment_fraction <= 1:
            problems.append(
                parameter_problem("payment_fraction", payment_fraction, "a number in [0, 1]")
            )
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
                values[key] = coerce_value(key, value)
            except (TypeError, ValueError) as error:
                problems.append(Problem(source, None, key, repr(value), str(error)))
        if problems:
            raise ParamsError(f"{source}: " + "; ".join(p.describe() for p in problems), problems)
        try:
            return cls(**values)
        except ParamsError as error:
            raise ParamsError(f"{source}: {error.message}", error.problems) from None
