"""Geography, planted statuses and household attributes of a synthetic county.

All functions are vectorised; each draws only from the generator it is given (one independent
sub-stream per component, see :mod:`auditlib.synth.generator`).

Statuses (one per household)
----------------------------
``recipient``   on Dibao (programme ``dibao``);
``tekun``       in 特困 support (programme ``tekun``; not a Dibao recipient, not Dibao-eligible);
``error_type``  planted inclusion error of a recipient (``""`` if none);
``omitted``     eligible non-recipient, always in a priority group (``priority_group``);
``anomaly_type`` planted payment anomaly of an eligible recipient (``""`` if none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from auditlib.errors import ParamsError
from auditlib.synth.config import SynthConfig
from auditlib.synth.identity import township_names, village_names

__all__ = [
    "Coded",
    "Columns",
    "benefit_per_person",
    "build_geography",
    "build_households",
    "plant_statuses",
]

#: Internal tables: column name → numpy array (pandas only at the contract boundary).
Columns = dict[str, Any]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Coded:
    """A text column stored as integer ``codes`` into ``labels`` (dictionary encoding).

    Converting it to a pandas ``string`` column goes through a pyarrow dictionary array, which is
    much faster than converting millions of numpy strings. A label ``""`` means missing.
    """

    codes: npt.NDArray[np.integer[Any]]
    labels: Any  # numpy text array, or a pyarrow string array

    @classmethod
    def encode(cls, values: npt.NDArray[Any], labels: Sequence[str]) -> Coded:
        """Encode ``values`` (each one of ``labels``) as codes."""
        known = np.asarray(labels)
        order = np.argsort(known)
        position = np.minimum(np.searchsorted(known[order], values), len(known) - 1)
        codes = order[position]
        unknown = known[codes] != values
        if unknown.any():
            raise ValueError(f"values not among the labels: {sorted(set(values[unknown]))[:5]}")
        return cls(codes, known)

    def decode(self) -> npt.NDArray[Any]:
        """The text values."""
        return self.labels[self.codes]


BoolArray = npt.NDArray[np.bool_]

#: Error types whose household needs at least two members (the trace is on a second member).
NEEDS_TWO = ("adult_student_no_proof", "deceased_member")
#: Error types whose trace sits on a working-age head.
WORKING_HEAD = (
    "village_cadre",
    "official_relative",
    "salary_or_pension",
    "car_owner",
    "commercial_housing",
    "business_owner",
)


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> npt.NDArray[np.str_]:
    codes = np.array(list(weights), dtype=object).astype(str)
    values = np.array(list(weights.values()), dtype=float)
    if size == 0:
        return np.array([], dtype=str)
    return codes[rng.choice(len(codes), size=size, p=values / values.sum())]


def build_geography(config: SynthConfig, rng: np.random.Generator) -> Columns:
    """Townships and villages: one row per village with its size and poverty factor."""
    median = config.village_households
    townships = config.townships or township_names(rng, config.township_count)
    n_townships = len(townships)
    count = max(4 * n_townships, round(config.households / median))
    # Village sizes: a floor of half the median (or less in tiny counties) plus a multinomial
    # share of the rest with log-normal weights (right-skewed sizes that sum exactly).
    low = max(1, min(median // 2, config.households // (2 * count)))
    weights = rng.lognormal(0.0, 0.45, count)
    sizes = low + rng.multinomial(config.households - count * low, weights / weights.sum())
    if sizes.max() > 9_999:
        raise ParamsError(
            f"village_households: a village of {sizes.max()} households, expected at most 9999 "
            "(4-digit household numbers); lower village_households"
        )
    township_weights = rng.dirichlet(np.full(n_townships, 4.0))
    per_township = 4 + rng.multinomial(len(sizes) - 4 * n_townships, township_weights)
    if per_township.max() > 999:
        raise ParamsError(
            f"village_households: {per_township.max()} villages in one township, expected at "
            "most 999 (3-digit village codes); raise village_households or add townships"
        )
    township_index = np.repeat(np.arange(n_townships), per_township)
    kind_counter = {"镇": 0, "乡": 0}
    township_codes = []
    for name in townships:
        kind = "乡" if name.endswith("乡") else "镇"
        kind_counter[kind] += 1
        base = 200 if kind == "乡" else 100
        township_codes.append(f"{config.county_code}{base + kind_counter[kind]:03d}")
    within = np.arange(len(sizes)) - np.repeat(np.cumsum(per_township) - per_township, per_township)
    offset = np.where(per_township[township_index] <= 799, 200, 0) + within + 1
    names = np.empty(len(sizes), dtype="<U8")
    for index in range(n_townships):
        chosen = township_index == index
        names[chosen] = village_names(rng, int(chosen.sum()))
    township_factor = rng.lognormal(0.0, 0.30, n_townships)
    village_factor = rng.lognormal(0.0, 0.25, len(sizes))
    codes = np.array(township_codes)[township_index]
    return dict(
        {
            "township_index": township_index,
            "township_code": codes,
            "township": np.array(townships)[township_index],
            "village_code": np.char.add(codes.astype(str), np.char.zfill(offset.astype(str), 3)),
            "village": names,
            "households": sizes,
            "poverty": township_factor[township_index] * village_factor,
        }
    )


def plant_statuses(config: SynthConfig, villages: Columns, rng: np.random.Generator) -> Columns:
    """Draw programme, planted inclusion errors, omissions and payment anomalies per household."""
    village_index = np.repeat(np.arange(len(villages["households"])), villages["households"])
    count = len(village_index)
    poverty = villages["poverty"][village_index]
    relative = poverty / poverty.mean()
    recipient = rng.random(count) < np.clip(config.dibao_share * relative, 0, 0.6)
    tekun_probability = config.tekun_share / (1 - config.dibao_share) * relative
    tekun = ~recipient & (rng.random(count) < np.clip(tekun_probability, 0, 0.2))
    # Beta-binomial clustering of inclusion errors: village rate ~ Beta(a, b) with mean m and
    # intra-village correlation rho = 1 / (a + b + 1).
    mean, rho = config.inclusion_error_rate, config.intra_village_correlation
    if mean <= 0:
        village_rate = np.zeros(len(villages["households"]))
    elif rho <= 0:
        village_rate = np.full(len(villages["households"]), mean)
    else:
        total = 1 / rho - 1
        village_rate = rng.beta(mean * total, (1 - mean) * total, len(villages["households"]))
    error = recipient & (rng.random(count) < village_rate[village_index])
    error_type = np.full(count, "", dtype=object)
    error_type[error] = _choice(rng, dict(config.error_type_weights), int(error.sum()))
    eligible_recipient = recipient & ~error
    candidates = ~recipient & ~tekun
    omission = config.omission_rate
    expected_omitted = omission / (1 - omission) * eligible_recipient.sum()
    weight = np.where(candidates, relative, 0.0)
    probability = np.clip(expected_omitted * weight / max(weight.sum(), 1e-12), 0, 1)
    omitted = candidates & (rng.random(count) < probability)
    priority_group = np.full(count, "", dtype=object)
    priority_group[omitted] = _choice(rng, dict(config.priority_group_weights), int(omitted.sum()))
    anomaly_probability = (
        config.payment_anomaly_rate * recipient.sum() / max(int(eligible_recipient.sum()), 1)
    )
    anomaly = eligible_recipient & (rng.random(count) < min(anomaly_probability, 1.0))
    anomaly_type = np.full(count, "", dtype=object)
    anomaly_type[anomaly] = _choice(rng, dict(config.payment_anomaly_weights), int(anomaly.sum()))
    return dict(
        {
            "village_index": village_index,
            "recipient": recipient,
            "tekun": tekun,
            "error_type": error_type,
            "omitted": omitted,
            "priority_group": priority_group,
            "anomaly_type": anomaly_type,
        }
    )


def benefit_per_person(
    ratio: FloatArray, standard: float
) -> tuple[FloatArray, npt.NDArray[np.str_]]:
    """Monthly benefit per person and Dibao category from declared income ÷ standard.

    Category A (income below 20% of the standard) receives the full standard; B (20–60%) the
    income gap; C (60% and above) the gap but at least 20% of the standard. Amounts are rounded
    to 10 yuan. With incomes ~ standard × Beta(1.6, 2.4) the mean is about 62% of the standard.
    """
    category = np.where(ratio < 0.2, "A", np.where(ratio < 0.6, "B", "C"))
    share = np.where(ratio < 0.2, 1.0, np.where(ratio < 0.6, 1 - ratio, np.maximum(1 - ratio, 0.2)))
    return np.round(share * standard / 10) * 10, category


def _days_before(reference: date, days: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    return np.datetime64(reference, "D") - days.astype("timedelta64[D]")


def build_households(config: SynthConfig, statuses: Columns, rng: np.random.Generator) -> Columns:
    """Household attributes: size, head, income, benefit, dates, housing, assets, flags."""
    count = len(statuses["recipient"])
    standard = config.rural_standard
    recipient = statuses["recipient"]
    tekun = statuses["tekun"]
    omitted = statuses["omitted"]
    error_type = statuses["error_type"]
    anomaly_type = statuses["anomaly_type"]
    group = statuses["priority_group"]
    needy = recipient | omitted
    other = ~needy & ~tekun
    # Household size: recipients 1.85 persons on average, others about 3.2.
    size = np.where(
        needy,
        rng.choice([1, 2, 3, 4, 5], count, p=[0.45, 0.35, 0.12, 0.06, 0.02]),
        rng.choice([1, 2, 3, 4, 5, 6], count, p=[0.10, 0.25, 0.25, 0.22, 0.12, 0.06]),
    )
    size[tekun] = 1
    needs_two = np.isin(error_type, NEEDS_TWO) | (anomaly_type == "payment_after_death")
    size = np.where(needs_two, np.maximum(size, 2), size)
    head_age = np.where(needy, rng.normal(62, 14, count), rng.normal(52, 13, count))
    working = np.isin(error_type, WORKING_HEAD)
    head_age = np.where(working, rng.normal(47, 8, count), head_age)
    head_age = np.where(error_type == "wealthy_children", rng.normal(74, 6, count), head_age)
    head_age = np.where(tekun, rng.uniform(60, 92, count), head_age)
    head_age = np.clip(np.round(head_age), 20, 97).astype(np.int64)
    head_age = np.where(working, np.clip(head_age, 25, 64), head_age)
    head_age = np.where(error_type == "wealthy_children", np.maximum(head_age, 60), head_age)
    head_male = rng.random(count) < np.where(needy | tekun, 0.62, 0.86)

    # Incomes: ratio of per-capita income to the standard.
    needy_ratio = rng.beta(1.6, 2.4, count)
    other_ratio = 1 + rng.lognormal(np.log(1.4), 0.8, count)
    true_ratio = np.where(needy, needy_ratio, other_ratio)
    declared_ratio = np.where(other, other_ratio * rng.uniform(0.8, 1.0, count), needy_ratio)
    declared_ratio = np.where(omitted, needy_ratio * rng.uniform(1.0, 1.5, count), declared_ratio)
    above = error_type == "income_above_standard"
    true_ratio = np.where(above, rng.uniform(1.1, 2.0, count), true_ratio)
    declared_ratio = np.where(above, rng.beta(5, 2, count), declared_ratio)
    hidden = np.isin(error_type, ("wealthy_children", "connections"))
    true_ratio = np.where(hidden, rng.uniform(1.05, 2.5, count), true_ratio)
    declared_ratio = np.where(hidden, rng.uniform(0.45, 0.95, count), declared_ratio)
    declared_ratio = np.where(tekun, rng.uniform(0, 0.3, count), declared_ratio)
    true_ratio = np.where(tekun, declared_ratio, true_ratio)
    declared_income = np.round(declared_ratio * standard * size)
    per_person, category = benefit_per_person(declared_ratio, standard)
    # Wealthy children / connections: most are paid as category A whatever the declared income.
    full = hidden & (rng.random(count) < 0.7)
    per_person = np.where(full, standard, per_person)
    category = np.where(full, "A", category)
    benefit = np.where(recipient, per_person * size, 0.0)
    benefit = np.where(tekun, np.round(1.3 * standard / 10) * 10, benefit)
    correct_per_person, _ = benefit_per_person(true_ratio, standard)
    correct = np.where(recipient & (error_type == ""), benefit, 0.0)
    correct = np.where(omitted, correct_per_person * size, correct)
    correct = np.where(tekun, benefit, correct)

    reference = config.reference_date
    enrolment_days = np.minimum(
        rng.exponential(6 * 365, count), (reference - date(2008, 1, 1)).days
    )
    # Households with a planted payment anomaly were enrolled before the audit period, so that the
    # anomaly leaves a trace in the ledger.
    enrolment_days = np.where(
        anomaly_type != "", np.maximum(enrolment_days, config.months * 31 + 31), enrolment_days
    )
    enrolment = _days_before(reference, enrolment_days.astype(np.int64) + 20)
    enrolment = np.where(recipient | tekun, enrolment, np.datetime64("NaT"))
    recent_exit = (group == "recently_exited") | (other & (rng.random(count) < 0.02))
    older_exit = other & ~recent_exit & (rng.random(count) < 0.03)
    exit_days = np.where(
        recent_exit, rng.integers(20, 720, count), rng.integers(750, 2900, count)
    ).astype(np.int64)
    exit_date = np.where(
        recent_exit | older_exit, _days_before(reference, exit_days), np.datetime64("NaT")
    )
    refused = (group == "refused") | (other & ~recent_exit & (rng.random(count) < 0.015))
    refusal = np.where(
        refused,
        _days_before(reference, rng.integers(15, 720, count).astype(np.int64)),
        np.datetime64("NaT"),
    )
    past_benefit = np.round(rng.uniform(0.3, 0.8, count) * standard * size / 10) * 10

    storeys = np.where(
        needy | tekun,
        rng.choice([1, 2, 3], count, p=[0.75, 0.23, 0.02]),
        rng.choice([1, 2, 3, 4], count, p=[0.35, 0.45, 0.17, 0.03]),
    )
    decorated_probability = np.where(
        needy | tekun, 0.01, np.select([storeys >= 3, storeys == 2], [0.45, 0.15], 0.03)
    )
    decorated = (rng.random(count) < decorated_probability) & ~((needy | tekun) & (storeys >= 3))
    luxury = error_type == "luxury_house"
    storeys = np.where(luxury, rng.choice([3, 4], count, p=[0.8, 0.2]), storeys)
    decorated = decorated | luxury
    per_storey = np.where(
        needy | tekun, rng.lognormal(np.log(45), 0.3, count), rng.lognormal(np.log(70), 0.3, count)
    )
    area = np.round(np.clip(per_storey * storeys, 12, 1_500), 1)
    assets = np.where(
        needy | tekun,
        rng.lognormal(np.log(2_000), 1.0, count),
        rng.lognormal(np.log(20_000), 1.2, count),
    )
    assets = np.round(np.minimum(assets, 5_000_000) / 100) * 100

    poor_probability = np.where(
        recipient, min(4 * config.registered_poor_share, 0.9), config.registered_poor_share
    )
    registered_poor = (rng.random(count) < poor_probability) | (group == "registered_poor")
    assistance_probability = np.where(
        needy, 5 * config.temporary_assistance_share, config.temporary_assistance_share
    )
    temporary = rng.random(count) < np.minimum(assistance_probability, 1.0)
    return dict(
        {
            "size": size.astype(np.int64),
            "head_age": head_age,
            "head_male": head_male,
            "declared_income": declared_income,
            "true_income_ratio": true_ratio,
            "dibao_category": np.where(recipient, category, ""),
            "monthly_benefit": benefit,
            "correct_benefit": correct,
            "enrolment_date": enrolment,
            "exit_date": exit_date,
            "refusal_date": refusal,
            "past_benefit": past_benefit,
            "housing_area": area,
            "housing_storeys": storeys.astype(np.int64),
            "housing_decorated": decorated,
            "financial_assets": assets,
            "registered_poor": registered_poor,
            "temporary_assistance": temporary,
        }
    )
