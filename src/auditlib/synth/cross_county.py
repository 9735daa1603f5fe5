"""Planted cross-county links between generated counties (跨县比对 training cases).

A county-by-county audit cannot see a person enrolled in two counties or a death recorded in
another county's register; ``auditlib crosscheck`` can. For the example counties to exercise it,
:func:`plant_cross_county` links generated counties in a ring (each county with the next one
of the list, the last with the first):

* **deaths recorded elsewhere** — for ``deaths_elsewhere`` households per county whose planted
  error is ``deceased_member`` (a dead member still counted), the death record is moved from
  the county's own ``registry_deaths`` to the next county's (the person died there, e.g. in a
  hospital). The household's truth is unchanged (it is an inclusion error either way); only
  the evidence moves, so the county's own rule H08 no longer sees it and the cross-county check
  X02 must.
* **double enrolments** — for ``double_enrolments`` people per county pair, a non-head member
  of an eligible recipient household of one county is *also* listed, with the same ID number
  and name, as a member of an eligible recipient household of the next county (the identity
  of a member of the same sex and age there is replaced). The ground truth does not decide
  which enrolment is the wrong one: neither household's eligibility changes, so in the risk
  evaluation the two X01 hits count against the rule unless a household has another planted
  error. Field teams would settle it (where does the person live?).

The links are returned as a table (``ground_truth/cross_county.csv`` of each county involved):
``kind`` (``death_elsewhere`` or ``double_enrolment``), ``county_code``, ``household_id``,
``id_number`` (synthetic), ``other_county_code``, ``other_household_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from auditlib.errors import ParamsError
from auditlib.synth.output import SyntheticCounty

__all__ = ["LINK_COLUMNS", "CrossCountyPlan", "plant_cross_county"]

#: Columns of the planted-links table.
LINK_COLUMNS: tuple[str, ...] = (
    "kind",
    "county_code",
    "household_id",
    "id_number",
    "other_county_code",
    "other_household_id",
)


@dataclass(frozen=True)
class CrossCountyPlan:
    """How many cross-county links to plant (the ``cross_county`` mapping of the specs file).

    Parameters
    ----------
    seed : int
        Seed of the choice of households and people.
    double_enrolments : int
        People of each county also enrolled in the next county (≥ 0).
    deaths_elsewhere : int
        ``deceased_member`` households of each county whose death record moves to the next
        county's death registry (≥ 0).
    """

    seed: int
    double_enrolments: int = 2
    deaths_elsewhere: int = 2

    @classmethod
    def from_mapping(cls, value: Any, *, source: str) -> CrossCountyPlan:
        """Validate the specs file's ``cross_county`` mapping (``ParamsError`` naming the key)."""
        if not isinstance(value, dict):
            raise ParamsError(f"{source}: 'cross_county' must be a mapping, got {value!r}")
        unknown = sorted(set(value) - {"seed", "double_enrolments", "deaths_elsewhere"})
        if unknown:
            raise ParamsError(
                f"{source}: cross_county.{unknown[0]} is not a key; expected seed, "
                "double_enrolments, deaths_elsewhere"
            )
        for key in ("seed", "double_enrolments", "deaths_elsewhere"):
            if key in value and (
                isinstance(value[key], bool) or not isinstance(value[key], int) or value[key] < 0
            ):
                raise ParamsError(
                    f"{source}: cross_county.{key} must be an integer ≥ 0, got {value[key]!r}"
                )
        if "seed" not in value:
            raise ParamsError(f"{source}: cross_county.seed is required (an integer ≥ 0)")
        return cls(**value)


def _eligible_recipients(county: SyntheticCounty) -> pd.Series:
    """Household ids of the county's eligible recipient households (no planted error)."""
    truth = county.truth.households
    chosen = truth["recipient"].astype(bool) & truth["eligible"].astype(bool)
    return truth.loc[chosen, "household_id"].astype("string")


def _dead_to_move(county: SyntheticCounty, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """Death-registry rows of ``count`` planted ``deceased_member`` households."""
    truth = county.truth.households
    planted = truth.loc[truth["error_type"] == "deceased_member", "household_id"].astype("string")
    members = county.data.members
    dead = members[members["household_id"].astype("string").isin(planted)]
    deaths = county.data.registries["registry_deaths"]
    rows = deaths.reset_index(drop=True)
    linked = rows.merge(
        dead[["id_number", "household_id"]].drop_duplicates("id_number"), on="id_number"
    )
    linked = linked.drop_duplicates("household_id").sort_values("household_id", kind="stable")
    picked = rng.choice(len(linked), size=min(count, len(linked)), replace=False)
    return linked.iloc[np.sort(picked)]


def _enrol_pairs(
    source: SyntheticCounty,
    target: SyntheticCounty,
    count: int,
    rng: np.random.Generator,
    taken: tuple[set[int], set[int]],
) -> list[tuple[int, int]]:
    """Pairs (member row of ``source``, member row of ``target``): same sex and age, non-heads
    of eligible recipient households, alive, neither in a link already (``taken``: rows of
    each county used before; the pairs are added)."""

    def candidates(county: SyntheticCounty) -> pd.DataFrame:
        members = county.data.members.reset_index(drop=True)
        eligible = members["household_id"].astype("string").isin(_eligible_recipients(county))
        alive = members["death_date"].isna() if "death_date" in members else True
        keep = eligible & alive & (members["relation"].astype("string") != "head")
        return members.loc[keep.to_numpy(dtype=bool), ["age", "sex"]].assign(
            row=np.flatnonzero(keep.to_numpy(dtype=bool))
        )

    mine, theirs = candidates(source), candidates(target)
    mine = mine[~mine["row"].isin(taken[0])]
    pairs: list[tuple[int, int]] = []
    used = taken[1]
    for at in rng.permutation(len(mine)):
        if len(pairs) == count:
            break
        person = mine.iloc[at]
        match = theirs[(theirs["age"] == person["age"]) & (theirs["sex"] == person["sex"])]
        match = match[~match["row"].isin(used)]
        if len(match):
            other = int(match["row"].iloc[int(rng.integers(len(match)))])
            used.add(other)
            taken[0].add(int(person["row"]))
            pairs.append((int(person["row"]), other))
    return pairs


def plant_cross_county(
    counties: list[SyntheticCounty], plan: CrossCountyPlan
) -> tuple[list[SyntheticCounty], pd.DataFrame]:
    """Plant the links of ``plan`` in a ring of generated counties.

    Parameters
    ----------
    counties : list of SyntheticCounty
        At least two generated counties, in the specs' order.
    plan : CrossCountyPlan
        How many links.

    Returns
    -------
    counties : list of SyntheticCounty
        The counties with members and death registries changed (new objects).
    links : pandas.DataFrame
        Every planted link (:data:`LINK_COLUMNS`), one row per county involved.
    """
    if len(counties) < 2:
        return counties, pd.DataFrame(columns=list(LINK_COLUMNS))
    rng = np.random.default_rng(plan.seed)
    members = [county.data.members.reset_index(drop=True).copy() for county in counties]
    deaths = [
        county.data.registries["registry_deaths"].reset_index(drop=True) for county in counties
    ]
    moved: list[list[pd.DataFrame]] = [[] for _ in counties]
    links: list[dict[str, str]] = []
    taken: list[set[int]] = [set() for _ in counties]  # member rows in a link, per county
    for index, county in enumerate(counties):
        after = (index + 1) % len(counties)
        here, there = county.data.info.county_code, counties[after].data.info.county_code
        rows = _dead_to_move(county, plan.deaths_elsewhere, rng)
        deaths[index] = deaths[index][~deaths[index]["id_number"].isin(rows["id_number"])]
        moved[after].append(rows[deaths[index].columns])
        links += [
            {"kind": "death_elsewhere", "county_code": here, "household_id": household,
             "id_number": number, "other_county_code": there, "other_household_id": ""}
            for household, number in zip(rows["household_id"], rows["id_number"], strict=True)
        ]  # fmt: skip
        pairs = _enrol_pairs(
            county, counties[after], plan.double_enrolments, rng, (taken[index], taken[after])
        )
        for mine, theirs in pairs:
            person = members[index].loc[mine]
            members[after].loc[theirs, ["id_number", "name"]] = [
                person["id_number"],
                person["name"],
            ]
            home = str(person["household_id"])
            away = str(members[after].loc[theirs, "household_id"])
            number = str(person["id_number"])
            links += [
                {"kind": "double_enrolment", "county_code": here, "household_id": home,
                 "id_number": number, "other_county_code": there, "other_household_id": away},
                {"kind": "double_enrolment", "county_code": there, "household_id": away,
                 "id_number": number, "other_county_code": here, "other_household_id": home},
            ]  # fmt: skip
    planted = []
    for index, county in enumerate(counties):
        registry = pd.concat([deaths[index], *moved[index]], ignore_index=True)
        registries = dict(county.data.registries) | {"registry_deaths": registry}
        data = replace(county.data, members=members[index], registries=registries)
        planted.append(replace(county, data=data))
    return planted, pd.DataFrame(links, columns=list(LINK_COLUMNS)).astype("string")
