"""Members of the synthetic households and people registered outside any household.

One row per member: relation to the head, age, sex, ethnicity, disability, illness, student
status, employment and earnings, and the planted member-level traces:

* ``adult_student_no_proof``: the second member is a child aged 18–25 counted as a student
  without a school proof;
* ``deceased_member``: the last member is dead (the death is in ``registry_deaths``) but the
  register still lists and counts them (no ``death_date``);
* ``salary_or_pension``: the head has a salary or pension, shown in ``registry_payroll`` and/or in
  the member's employment and earnings (``salary_mode`` 1 = payroll only, 2 = both,
  3 = members table only);
* payment anomaly ``payment_after_death``: the head died during the audit period; the death is
  recorded (``death_date``) but payments continue.

People outside any household (``external``) are adults registered in the county (urban residents,
people who moved away) whose names and ID numbers fill the registries with benign records.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from auditlib.data.codes import EMPLOYMENT
from auditlib.synth.config import SynthConfig
from auditlib.synth.households import Columns
from auditlib.synth.identity import (
    birth_dates_for_ages,
    given_codes,
    id_numbers,
    name_codes,
    surname_codes,
)

__all__ = ["EMPLOYMENT_CODES", "RELATION_CODES", "build_people", "household_ethnicities"]

RELATION_CODES = np.array(["head", "spouse", "child", "parent", "grandchild", "sibling", "other"])
# Relation probabilities of the second member (index 0) and of later members (index 1), by head
# age band (<45, 45-64, 65+); columns follow RELATION_CODES.
_RELATION_PROBABILITIES = np.array(
    [
        [
            [0, 0.70, 0.30, 0, 0, 0, 0],
            [0, 0.75, 0.20, 0.05, 0, 0, 0],
            [0, 0.65, 0.30, 0, 0, 0.05, 0],
        ],
        [
            [0, 0, 0.85, 0.15, 0, 0, 0],
            [0, 0, 0.60, 0.20, 0.20, 0, 0],
            [0, 0, 0.40, 0, 0.55, 0, 0.05],
        ],
    ]
)
#: Employment codes of the contract, in the order used for integer codes.
EMPLOYMENT_CODES = np.array(list(EMPLOYMENT))
_EMPLOYMENT_INDEX = {code: index for index, code in enumerate(EMPLOYMENT)}
_EARNING = [
    _EMPLOYMENT_INDEX[code]
    for code in ("farming", "migrant_work", "wage", "self_employed", "pension")
]


def household_ethnicities(
    config: SynthConfig, township: npt.NDArray[np.object_], rng: np.random.Generator
) -> npt.NDArray[np.str_]:
    """Ethnicity of each household from the county (or township) shares."""
    result = _draw(rng, dict(config.ethnicity_shares), len(township))
    for name, shares in config.township_ethnicity_shares.items():
        chosen = np.flatnonzero(township == name)
        if len(chosen):
            result[chosen] = _draw(rng, dict(shares), len(chosen))
    return result


def _draw(rng: np.random.Generator, shares: dict[str, float], size: int) -> npt.NDArray[np.str_]:
    codes = np.array(list(shares), dtype=str)
    weights = np.array(list(shares.values()), dtype=float)
    return codes[rng.choice(len(codes), size=size, p=weights / weights.sum())]


def _relations(
    rng: np.random.Generator, position: npt.NDArray[np.int64], head_age: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    band = np.select([head_age < 45, head_age < 65], [0, 1], 2)
    later = (position >= 2).astype(np.int64)
    cumulative = np.cumsum(_RELATION_PROBABILITIES, axis=2)[later, band]
    relation = (rng.random(len(position))[:, None] > cumulative).sum(axis=1)
    return np.where(position == 0, 0, np.minimum(relation, 6))


def _ages(
    rng: np.random.Generator, relation: npt.NDArray[np.int64], head_age: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    count = len(relation)
    offsets = np.select(
        [relation == 1, relation == 2, relation == 3, relation == 4, relation == 5],
        [
            rng.normal(-2, 4, count),
            -rng.uniform(20, 36, count),
            rng.uniform(20, 30, count),
            -rng.uniform(44, 62, count),
            rng.normal(0, 6, count),
        ],
        0.0,
    )
    age = np.where(relation == 6, rng.uniform(5, 80, count), head_age + offsets)
    return np.clip(np.round(age), 0, 100).astype(np.int64)


def _draw_codes(
    rng: np.random.Generator, codes: tuple[str, ...], weights: tuple[float, ...], count: int
) -> npt.NDArray[np.int64]:
    """Draw employment codes (indices into ``EMPLOYMENT_CODES``) with the given weights."""
    cumulative = np.cumsum(weights) / np.sum(weights)
    chosen = np.searchsorted(cumulative, rng.random(count), side="right")
    indices = np.array([_EMPLOYMENT_INDEX[code] for code in codes])
    return indices[np.minimum(chosen, len(codes) - 1)]


def _employment(
    rng: np.random.Generator, age: npt.NDArray[np.int64], needy: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Employment codes (indices into ``EMPLOYMENT_CODES``) and student status by age."""
    count = len(age)
    working_needy = _draw_codes(rng, ("farming", "migrant_work", "none"), (0.45, 0.10, 0.45), count)
    working_other = _draw_codes(
        rng,
        ("farming", "migrant_work", "self_employed", "wage", "none"),
        (0.40, 0.35, 0.06, 0.06, 0.13),
        count,
    )
    old_needy = _draw_codes(rng, ("farming", "none"), (0.35, 0.65), count)
    old_other = _draw_codes(rng, ("farming", "none", "pension"), (0.45, 0.45, 0.10), count)
    young_student = (age >= 18) & (age <= 22) & (rng.random(count) < 0.35)
    student = ((age >= 6) & (age <= 17)) | young_student
    employment = np.where(needy, working_needy, working_other)
    employment = np.where(age >= 60, np.where(needy, old_needy, old_other), employment)
    employment = np.where(student, _EMPLOYMENT_INDEX["student"], employment)
    employment = np.where(age < 6, _EMPLOYMENT_INDEX["child"], employment)
    return employment, student


def build_people(
    config: SynthConfig, frame: Columns, rng: np.random.Generator
) -> tuple[Columns, Columns]:
    """Members of every household and people registered outside any household.

    Parameters
    ----------
    config : SynthConfig
        The county's configuration.
    frame : dict of numpy arrays
        One row per household with the statuses of :func:`plant_statuses`, the attributes of
        :func:`build_households` and ``ethnicity``.
    rng : numpy.random.Generator
        The people sub-stream.

    Returns
    -------
    members, external : dict of numpy arrays
        Internal frames (numpy columns); ``members`` has ``household_index`` and ``position``.
    """
    size = frame["size"]
    households = len(frame["size"])
    household_index = np.repeat(np.arange(households), size)
    count = len(household_index)
    position = np.arange(count) - np.repeat(np.cumsum(size) - size, size)
    last = position == size[household_index] - 1
    head_age = frame["head_age"][household_index]
    head_male = frame["head_male"][household_index]
    error_type = frame["error_type"][household_index]
    anomaly_type = frame["anomaly_type"][household_index]
    group = frame["priority_group"][household_index]
    needy = (frame["recipient"] | frame["omitted"] | frame["tekun"])[household_index]
    recipient = frame["recipient"][household_index]
    omitted = frame["omitted"][household_index]

    relation = _relations(rng, position, head_age)
    age = _ages(rng, relation, head_age)
    male = np.where(
        relation == 0, head_male, np.where(relation == 1, ~head_male, rng.random(count) < 0.5)
    )
    employment, student = _employment(rng, age, needy)
    proof = student.copy()
    # Planted adult student without proof: the second member.
    adult_student = (error_type == "adult_student_no_proof") & (position == 1)
    relation = np.where(adult_student, 2, relation)
    age = np.where(adult_student, np.clip(head_age - 24, 18, 25), age)
    student = student | adult_student
    proof = proof & ~adult_student
    employment = np.where(adult_student, _EMPLOYMENT_INDEX["student"], employment)

    earnings = np.zeros(count)
    salary = (error_type == "salary_or_pension") & (position == 0)
    mode = np.where(salary, rng.choice([1, 2, 3], count, p=[0.4, 0.3, 0.3]), 0)
    own = mode >= 2
    employment = np.where(
        own,
        np.where(age >= 60, _EMPLOYMENT_INDEX["pension"], _EMPLOYMENT_INDEX["wage"]),
        employment,
    )
    earnings = np.where(own, np.round(rng.uniform(2_500, 6_000, count)), earnings)
    earner = np.isin(employment, _EARNING) & ~own
    earners = np.bincount(household_index, weights=earner, minlength=households)
    income = frame["declared_income"]
    share = np.divide(income, earners, out=np.zeros(households), where=earners > 0)
    earnings = np.where(earner, np.round(share[household_index]), earnings)

    disabled_probability = np.select(
        [frame["recipient"], frame["omitted"], frame["tekun"]], [0.22, 0.15, 0.30], 0.04
    )
    illness_probability = np.select(
        [frame["recipient"], frame["omitted"], frame["tekun"]], [0.15, 0.10, 0.20], 0.02
    )
    disabled_member = np.where(
        (rng.random(households) < disabled_probability)
        | (frame["priority_group"] == "severe_disability"),
        np.floor(rng.random(households) * size).astype(np.int64),
        -1,
    )
    ill_member = np.where(
        (rng.random(households) < illness_probability)
        | (frame["priority_group"] == "serious_illness"),
        np.floor(rng.random(households) * size).astype(np.int64),
        -1,
    )
    disabled = position == disabled_member[household_index]
    grade = np.where(disabled, rng.choice([1, 2, 3, 4], count, p=[0.25, 0.30, 0.25, 0.20]), 0)
    severe = disabled & (group == "severe_disability")
    grade = np.where(severe, rng.choice([1, 2], count), grade)
    illness = position == ill_member[household_index]

    reference = config.reference_date
    period_days = config.months * 30
    death = (anomaly_type == "payment_after_death") & (position == 0)
    death_days = rng.integers(60, max(period_days - 30, 61), count)
    death_date = np.where(
        death,
        np.datetime64(reference, "D") - death_days.astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    deceased_unrecorded = (error_type == "deceased_member") & last & (position > 0)
    employment = np.where(
        deceased_unrecorded & (employment != _EMPLOYMENT_INDEX["child"]),
        _EMPLOYMENT_INDEX["none"],
        employment,
    )
    earnings = np.where(deceased_unrecorded, 0.0, earnings)

    ethnicity = frame["ethnicity"][household_index]
    household_surname = surname_codes(rng, frame["ethnicity"])[household_index]
    own_surname = surname_codes(rng, ethnicity)
    inherits = np.isin(relation, (2, 4, 5)) & (head_male | (rng.random(count) < 0.5))
    inherits |= (relation == 0) | ((relation == 3) & head_male)
    name = name_codes(np.where(inherits, household_surname, own_surname), given_codes(rng, male))

    external_count = round(0.08 * households) + 50
    external_age = rng.integers(18, 86, external_count)
    external_male = rng.random(external_count) < 0.5
    external_ethnicity = _draw(rng, dict(config.ethnicity_shares), external_count)
    external_name = name_codes(
        surname_codes(rng, external_ethnicity), given_codes(rng, external_male)
    )

    all_ages = np.concatenate([age, external_age])
    all_male = np.concatenate([male, external_male])
    births = birth_dates_for_ages(rng, all_ages, reference)
    identities = id_numbers(rng, config.county_code, births, all_male)
    members = dict(
        {
            "household_index": household_index,
            "position": position,
            "id_number": identities[:count],
            "name": name,
            "relation": RELATION_CODES[relation],
            "relation_code": relation,
            "age": age,
            "male": male,
            "ethnicity": ethnicity,
            "disability_grade": grade.astype(np.int64),
            "serious_illness": illness,
            "student": student,
            "student_proof": proof,
            "employment": EMPLOYMENT_CODES[employment],
            "employment_code": employment,
            "monthly_earnings": earnings,
            "death_date": death_date.astype("datetime64[ns]"),
            "salary_mode": mode.astype(np.int64),
            "deceased_unrecorded": deceased_unrecorded,
            "recipient": recipient,
            "omitted": omitted,
        }
    )
    external = dict(
        {
            "id_number": identities[count:],
            "name": external_name,
            "age": external_age,
            "male": external_male,
        }
    )
    return members, external
