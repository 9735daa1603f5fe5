"""Registries of other departments, with the planted traces and plenty of benign records.

Each planted inclusion error leaves the trace the official procedure could find:

==========================  ===========================================================
error type                  trace
==========================  ===========================================================
``car_owner``               the head in ``registry_vehicles`` with ``vehicle_type = car``
``village_cadre``           the head in ``registry_cadres`` for the household's village
``official_relative``       the head in ``registry_relatives``
``salary_or_pension``       the head in ``registry_payroll`` (salary_mode 1, 2) and/or a
                            ``wage``/``pension`` employment with earnings (modes 2, 3)
``commercial_housing``      the head in ``registry_property`` as ``commercial_housing``
``business_owner``          the head in ``registry_business``
``deceased_member``         the last member in ``registry_deaths``, no ``death_date`` in members
==========================  ===========================================================

Benign records keep rules from being trivially perfect: motorcycles, tricycles and invalid
carriages of recipients, and old cars worth 3–15k yuan of 0.5% of eligible recipients; cars,
shops, businesses, payroll jobs and deaths of non-recipients; self-built housing of everyone and
poverty-relocation housing of registered poor households; public-welfare jobs (500–800 yuan) and
tiny stalls of eligible recipients; eligible recipients registered as officials' relatives (the
reason the county checks all of them); village cadres from non-recipient households; records of
people in no household (registered in the county, same address code); and about 1% of names
spelt differently from the household register (last character changed).

These benign traces of eligible recipients all stay below the rules' exemption thresholds, so
on these registries alone every definitive rule hit is a planted error. The benign records that
do trip a rule (a car not transferred after a sale, an ended payroll record, a co-owned flat, a
cancelled licence, a wrong death record), namesakes, name variants and typing errors are added
by :mod:`auditlib.synth.realism` when ``SynthConfig.realism == "realistic"`` (the default).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from auditlib.synth.config import SynthConfig
from auditlib.synth.households import Columns
from auditlib.synth.identity import (
    change_last_character,
    decode_names,
    given_codes,
    name_codes,
    person_names,
    surname_of,
    surnames_of,
)

__all__ = ["build_registries"]

IntArray = npt.NDArray[np.int64]

_BUSINESS_KINDS = np.array(
    ["商店", "农资店", "养殖场", "餐馆", "建材店", "运输部", "农家乐", "五金店", "理发店", "服装店"]
)
_EMPLOYERS = np.array(["中心学校", "人民政府", "卫生院", "财政所", "林业站", "派出所"])
_OFFICIALS = np.array(
    [
        "乡镇低保经办人员",
        "村党支部书记",
        "村委会主任",
        "乡镇干部",
        "县民政局工作人员",
        "县直机关干部",
    ]
)
_RELATIONSHIPS = np.array(["父母", "子女", "兄弟姐妹", "配偶"])
_CADRE_POSITIONS = np.array(["村党支部书记", "村委会主任", "村监委会主任", "村委会委员"])


def _days_ago(reference: np.datetime64, days: IntArray) -> npt.NDArray[np.datetime64]:
    return (reference - days.astype("timedelta64[D]")).astype("datetime64[ns]")


def _pick(rng: np.random.Generator, mask: npt.NDArray[np.bool_], share: float) -> IntArray:
    return np.flatnonzero(mask & (rng.random(len(mask)) < share))


class _People:
    """Identity lookup over members (indices ``0..m-1``) and external people (``m..``)."""

    def __init__(self, members: Columns, external: Columns) -> None:
        self.id_number = np.concatenate([members["id_number"], external["id_number"]])
        self.name = np.concatenate([members["name"], external["name"]])
        self.members = len(members["id_number"])

    def frame(
        self, rng: np.random.Generator, rows: IntArray, **columns: npt.NDArray[Any]
    ) -> Columns:
        codes = self.name[rows]
        misspelt = rng.random(len(rows)) < 0.01
        codes = np.where(misspelt, change_last_character(rng, codes), codes)
        return {"id_number": self.id_number[rows], "name": decode_names(codes), **columns}


def build_registries(
    config: SynthConfig,
    frame: Columns,
    members: Columns,
    external: Columns,
    rng: np.random.Generator,
) -> dict[str, Columns]:
    """Build the seven registries (internal dtypes; see :mod:`auditlib.synth.generator` for
    conversion)."""
    people = _People(members, external)
    reference = np.datetime64(config.reference_date, "D")
    size = frame["size"]
    head = np.cumsum(size) - size
    error_type = frame["error_type"]
    needy = frame["recipient"] | frame["omitted"] | frame["tekun"]
    eligible_recipient = frame["recipient"] & (frame["error_type"] == "")
    other = ~needy
    offset = people.members
    outside = np.arange(len(external["id_number"])) + offset
    older = outside[external["age"] >= 55]

    def heads_of(code: str) -> IntArray:
        return head[error_type == code]

    def concat(*parts: Columns) -> Columns:
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}

    # Deaths.
    unrecorded = np.flatnonzero(members["deceased_unrecorded"])
    recorded = np.flatnonzero(~np.isnat(members["death_date"]))
    non_recipient_last = (head + size - 1)[other & (rng.random(len(frame["size"])) < 0.003)]
    external_dead = older[rng.random(len(older)) < 0.08]
    deaths = concat(
        people.frame(
            rng, unrecorded, death_date=_days_ago(reference, rng.integers(90, 900, len(unrecorded)))
        ),
        people.frame(rng, recorded, death_date=members["death_date"][recorded]),
        people.frame(
            rng,
            non_recipient_last,
            death_date=_days_ago(reference, rng.integers(30, 700, len(non_recipient_last))),
        ),
        people.frame(
            rng,
            external_dead,
            death_date=_days_ago(reference, rng.integers(30, 1_000, len(external_dead))),
        ),
    )

    # Vehicles.
    def vehicles(rows: IntArray, kind: str, low: float, high: float, days: int) -> Columns:
        return people.frame(
            rng,
            rows,
            vehicle_type=np.full(len(rows), kind),
            registration_date=_days_ago(reference, rng.integers(30, days, len(rows))),
            vehicle_value=np.round(rng.uniform(low, high, len(rows)) / 100) * 100,
        )

    vehicle_table = concat(
        vehicles(heads_of("car_owner"), "car", 40_000, 250_000, 1_500),
        vehicles(head[_pick(rng, needy, 0.12)], "motorcycle", 2_000, 8_000, 3_000),
        vehicles(head[_pick(rng, needy, 0.05)], "tricycle", 3_000, 12_000, 3_000),
        vehicles(head[_pick(rng, needy, 0.01)], "disabled_vehicle", 3_000, 10_000, 3_000),
        # Old, nearly worthless cars of eligible recipients (registered long ago; benign).
        vehicles(head[_pick(rng, eligible_recipient, 0.005)], "car", 3_000, 15_000, 6_000),
        vehicles(head[_pick(rng, other, 0.25)], "motorcycle", 2_000, 10_000, 3_000),
        vehicles(head[_pick(rng, other, 0.08)], "tricycle", 3_000, 15_000, 3_000),
        vehicles(head[_pick(rng, other, 0.14)], "car", 40_000, 300_000, 3_000),
        vehicles(head[_pick(rng, other, 0.03)], "truck", 60_000, 300_000, 3_000),
        vehicles(outside[rng.random(len(outside)) < 0.3], "car", 50_000, 400_000, 3_000),
    )

    # Property.
    area = frame["housing_area"]

    def houses(
        rows: IntArray, kind: str, areas: npt.NDArray[np.float64], days: tuple[int, int]
    ) -> Columns:
        return people.frame(
            rng,
            rows,
            property_type=np.full(len(rows), kind),
            registration_date=_days_ago(reference, rng.integers(days[0], days[1], len(rows))),
            area=np.round(areas, 1),
        )

    commercial = heads_of("commercial_housing")
    self_built = np.flatnonzero(rng.random(len(frame["size"])) < 0.4)
    other_commercial = head[_pick(rng, other, 0.08)]
    shops = head[_pick(rng, other, 0.02)]
    outside_commercial = outside[rng.random(len(outside)) < 0.4]
    # Poverty-relocation housing (易地扶贫搬迁安置房) of registered poor households: benign.
    resettled = head[_pick(rng, frame["registered_poor"], 0.08)]
    property_table = concat(
        houses(
            commercial, "commercial_housing", rng.uniform(80, 140, len(commercial)), (30, 1_800)
        ),
        houses(head[self_built], "self_built", area[self_built], (1_800, 11_000)),
        houses(
            other_commercial,
            "commercial_housing",
            rng.uniform(70, 160, len(other_commercial)),
            (30, 5_000),
        ),
        houses(shops, "shop", rng.uniform(20, 120, len(shops)), (30, 5_000)),
        houses(
            resettled, "resettlement_housing", rng.uniform(40, 100, len(resettled)), (300, 3_000)
        ),
        houses(
            outside_commercial,
            "commercial_housing",
            rng.uniform(60, 180, len(outside_commercial)),
            (30, 7_000),
        ),
    )

    # Businesses.
    township = frame["township"].astype(str)
    owners = np.concatenate(
        [
            heads_of("business_owner"),
            head[_pick(rng, other, 0.06)],
            head[_pick(rng, eligible_recipient, 0.01)],  # tiny stalls of recipients (benign)
        ]
    )
    owner_households = members["household_index"][owners]
    outside_owners = outside[rng.random(len(outside)) < 0.1]
    all_owners = np.concatenate([owners, outside_owners])
    places = np.concatenate(
        [township[owner_households], rng.choice(np.unique(township), len(outside_owners))]
    )
    surnames = surnames_of(people.name[all_owners])
    business_names = np.char.add(
        np.char.add(np.char.add(config.county + places, surnames), "记"),
        _BUSINESS_KINDS[rng.integers(0, len(_BUSINESS_KINDS), len(all_owners))],
    )
    business_table = people.frame(
        rng,
        all_owners,
        business_name=business_names,
        registration_date=_days_ago(reference, rng.integers(30, 5_000, len(all_owners))),
        registered_capital=np.where(
            np.isin(all_owners, head[eligible_recipient]),
            np.round(rng.uniform(1_000, 5_000, len(all_owners)) / 100) * 100,
            np.round(rng.lognormal(np.log(100_000), 1.0, len(all_owners)) / 1_000) * 1_000,
        ),
    )

    # Payroll.
    salary_mode = members["salary_mode"]
    planted = np.flatnonzero(np.isin(salary_mode, (1, 2)))
    ages = members["age"]
    member_other = other[members["household_index"]]
    adults = np.flatnonzero(
        member_other & (ages >= 22) & (ages < 60) & (rng.random(len(members["id_number"])) < 0.03)
    )
    retired = np.flatnonzero(
        member_other & (ages >= 60) & (rng.random(len(members["id_number"])) < 0.02)
    )
    outside_payroll = outside[rng.random(len(outside)) < 0.25]
    # Public-welfare jobs (公益性岗位, e.g. forest rangers) of eligible recipients: low pay, benign.
    welfare_jobs = head[
        _pick(rng, eligible_recipient & (frame["head_age"] >= 25) & (frame["head_age"] < 65), 0.03)
    ]
    payroll_rows = np.concatenate([planted, adults, retired, outside_payroll, welfare_jobs])
    payroll_age = np.concatenate([ages, external["age"]])[payroll_rows]
    member_row = np.minimum(payroll_rows, offset - 1)
    payroll_places = np.where(
        payroll_rows < offset,
        township[members["household_index"][member_row]],
        rng.choice(np.unique(township), len(payroll_rows)),
    )
    employer = np.where(
        payroll_age >= 60,
        config.county + "社会保险事业局(退休)",
        np.char.add(
            payroll_places, _EMPLOYERS[rng.integers(0, len(_EMPLOYERS), len(payroll_rows))]
        ),
    )
    welfare = np.arange(len(payroll_rows)) >= len(payroll_rows) - len(welfare_jobs)
    employer = np.where(welfare, np.char.add(payroll_places, "生态护林员(公益性岗位)"), employer)
    salary = np.where(
        welfare,
        rng.uniform(500, 800, len(payroll_rows)),
        rng.uniform(2_500, 7_000, len(payroll_rows)),
    )
    payroll_table = people.frame(
        rng, payroll_rows, employer=employer, monthly_salary=np.round(salary)
    )

    # Village cadres: 3-5 per village from non-recipient households, plus the planted ones.
    village_code = frame["village_code"]
    village_index = frame["village_index"]
    adult_head = other & (frame["head_age"] >= 28) & (frame["head_age"] <= 65)
    key = np.where(adult_head, rng.random(len(frame["size"])), 2.0)
    order = np.lexsort((key, village_index))
    starts = np.r_[0, np.flatnonzero(np.diff(village_index[order])) + 1]
    lengths = np.diff(np.r_[starts, len(order)])
    rank = np.empty(len(frame["size"]), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, lengths)
    quota = rng.integers(3, 6, village_index.max() + 1)[village_index]
    serving = np.flatnonzero(adult_head & (rank < quota))
    planted_cadres = np.flatnonzero(error_type == "village_cadre")
    cadre_households = np.concatenate([serving, planted_cadres])
    cadre_position = np.concatenate(
        [_CADRE_POSITIONS[np.minimum(rank[serving], 3)], np.full(len(planted_cadres), "村委会委员")]
    )
    cadre_table = people.frame(
        rng,
        head[cadre_households],
        village_code=village_code[cadre_households],
        position=cadre_position,
    )

    # Registered close relatives of officials and caseworkers.
    relatives = np.concatenate(
        [
            heads_of("official_relative"),
            head[_pick(rng, eligible_recipient, 0.02)],
            head[_pick(rng, other, 0.015)],
            outside[rng.random(len(outside)) < 0.05],
        ]
    )
    relationship = _RELATIONSHIPS[rng.integers(0, len(_RELATIONSHIPS), len(relatives))]
    official_male = rng.random(len(relatives)) < 0.7
    kin = relationship != "配偶"
    # A male official related by blood shares the registered relative's surname.
    random_names = person_names(rng, np.full(len(relatives), "汉族"), official_male)
    kin_names = decode_names(
        name_codes(surname_of(people.name[relatives]), given_codes(rng, official_male))
    )
    official_name = np.where(kin & official_male, kin_names, random_names)
    relatives_table = people.frame(
        rng,
        relatives,
        official_name=official_name,
        official_position=_OFFICIALS[rng.integers(0, len(_OFFICIALS), len(relatives))],
        relationship=relationship,
    )
    return {
        "registry_deaths": deaths,
        "registry_vehicles": vehicle_table,
        "registry_property": property_table,
        "registry_business": business_table,
        "registry_payroll": payroll_table,
        "registry_cadres": cadre_table,
        "registry_relatives": relatives_table,
    }
