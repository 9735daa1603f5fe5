"""Fairness audit, census part: who gets flagged, by group and by intersection of groups.

Risk scores only decide who is visited first, but a score that sends field teams to one group
more than another still burdens that group (the Dutch SyRI and childcare-benefits cases,
Rotterdam's model, Australia's Robodebt). The audit reports, for every group of

* ``head_sex``        sex of the household head (户主性别),
* ``head_ethnicity``  ethnicity of the household head (民族),
* ``disability``      whether any member has a disability grade (残疾),
* ``head_age_group``  age group of the head (under 40, 40-59, 60-69, 70 and over),
* ``township``        township (乡镇),

and for the intersections of :data:`INTERSECTIONS` (e.g. sex × age group, listed only where a
cell holds at least ``minimum_households`` recipient households), the number of recipient
households, how many are flagged (default: tier ``"high"``), the flag rate and its ratio to the
county's overall rate (1 = parity). These are counts over *every* scored household: exact, no
sampling error. ``flag_outside_band`` marks a ratio outside :data:`BAND` (the "four-fifths"
screen: below 0.8 or above 1.25 is a disparity to explain).

How often a flag is right, and whom the flags miss, needs verified households with their
design weights: :mod:`auditlib.evaluation.fairness` adds those columns to this table.

Protected attributes are read here (and by the evaluation that builds on it) and nowhere else
in the risk pipeline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.errors import DataError

__all__ = [
    "AGE_GROUPS",
    "ATTRIBUTES",
    "BAND",
    "CENSUS_COLUMNS",
    "INTERSECTIONS",
    "INTERSECTION_SEPARATOR",
    "MINIMUM_INTERSECTION_HOUSEHOLDS",
    "fairness_audit",
    "flagged_households",
    "group_columns",
    "household_groups",
]

#: Age groups of the household head: (label, lower bound inclusive, upper bound exclusive).
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("under 40", 0, 40),
    ("40-59", 40, 60),
    ("60-69", 60, 70),
    ("70 and over", 70, 200),
)

#: Single attributes, in report order.
ATTRIBUTES: tuple[str, ...] = (
    "head_sex",
    "head_ethnicity",
    "disability",
    "head_age_group",
    "township",
)

#: Intersections of two attributes reported where counts allow.
INTERSECTIONS: tuple[tuple[str, str], ...] = (
    ("head_sex", "head_age_group"),
    ("head_ethnicity", "head_sex"),
    ("disability", "head_age_group"),
)

#: Joins the attribute names and the group labels of an intersection ("F × 70 and over").
INTERSECTION_SEPARATOR = " × "

#: Fewest recipient households an intersectional cell needs to be listed.
MINIMUM_INTERSECTION_HOUSEHOLDS = 30

#: Ratios to the overall rate inside this closed band are read as parity (four-fifths screen).
BAND: tuple[float, float] = (0.8, 1.25)

#: Columns of :func:`fairness_audit`.
CENSUS_COLUMNS: tuple[str, ...] = (
    "attribute",
    "group",
    "households",
    "flagged",
    "flag_rate",
    "ratio_to_overall",
    "flag_outside_band",
)


def household_groups(data: CountyData, household_ids: pd.Series) -> pd.DataFrame:
    """Protected attributes and township of each household (index ``household_id``).

    The head is the member whose relation is ``head`` (the first member listed when a
    household has none, which loading reports as a warning).
    """
    ids = pd.Index(household_ids.astype("string"), name="household_id")
    members = data.members.assign(household_id=data.members["household_id"].astype("string"))
    is_head = (members["relation"].astype("string") == "head").fillna(False).to_numpy(dtype=bool)
    heads = pd.concat([members[is_head], members[~is_head]]).drop_duplicates("household_id")
    heads = heads.set_index("household_id").reindex(ids)
    age = pd.to_numeric(heads["age"], errors="coerce")
    labels = [label for label, _, _ in AGE_GROUPS]
    edges = [low for _, low, _ in AGE_GROUPS] + [AGE_GROUPS[-1][2]]
    age_group = pd.cut(age, bins=edges, right=False, labels=labels).astype("string")
    grade = pd.to_numeric(members["disability_grade"], errors="coerce").fillna(0)
    disabled = (grade > 0).groupby(members["household_id"]).any().reindex(ids).fillna(False)
    township = (
        data.households.assign(household_id=data.households["household_id"].astype("string"))
        .set_index("household_id")["township"]
        .reindex(ids)
    )
    return pd.DataFrame(
        {
            "head_sex": heads["sex"].astype("string").fillna("unknown").to_numpy(),
            "head_ethnicity": heads["ethnicity"].astype("string").fillna("unknown").to_numpy(),
            "disability": np.where(disabled.to_numpy(dtype=bool), "yes", "no"),
            "head_age_group": age_group.fillna("unknown").to_numpy(),
            "township": township.astype("string").fillna("unknown").to_numpy(),
        },
        index=ids,
    )


def group_columns(
    groups: pd.DataFrame, intersections: tuple[tuple[str, str], ...] = INTERSECTIONS
) -> pd.DataFrame:
    """``groups`` plus one column per intersection (name and labels joined by ``" × "``)."""
    result = groups.copy()
    for first, second in intersections:
        for name in (first, second):
            if name not in ATTRIBUTES:
                raise DataError(
                    f"intersections: unknown attribute {name!r}; expected one of {list(ATTRIBUTES)}"
                )
        name = f"{first}{INTERSECTION_SEPARATOR}{second}"
        result[name] = (
            groups[first].astype(str) + INTERSECTION_SEPARATOR + groups[second].astype(str)
        )
    return result


def flagged_households(scores: pd.DataFrame, flagged_tiers: tuple[str, ...]) -> pd.Series:
    """``True`` for each scored household whose tier is one of ``flagged_tiers``.

    Indexed by ``household_id`` (text), in the order of ``scores``.
    """
    for column in ("household_id", "tier"):
        if column not in scores.columns:
            raise DataError(f"scores: missing column {column!r} (expected RiskScorer output)")
    ids = scores["household_id"].astype("string")
    return pd.Series(
        scores["tier"].astype("string").isin(flagged_tiers).fillna(False).to_numpy(dtype=bool),
        index=pd.Index(ids, name="household_id"),
        name="flagged",
    )


def _outside(ratio: float) -> bool:
    return bool(np.isfinite(ratio) and not BAND[0] <= ratio <= BAND[1])


def fairness_audit(
    data: CountyData,
    scores: pd.DataFrame,
    *,
    flagged_tiers: tuple[str, ...] = ("high",),
    intersections: tuple[tuple[str, str], ...] = INTERSECTIONS,
    minimum_households: int = MINIMUM_INTERSECTION_HOUSEHOLDS,
) -> pd.DataFrame:
    """Flag rates by group over every scored household (a census: exact).

    Parameters
    ----------
    data : CountyData
        The county (members give the head's sex, ethnicity and age, and disability).
    scores : pandas.DataFrame
        Output of :meth:`auditlib.risk.scorer.RiskScorer.score` (``household_id``, ``tier``).
    flagged_tiers : tuple of str
        Tiers counted as flagged.
    intersections : tuple of (str, str)
        Pairs of :data:`ATTRIBUTES` crossed; a cell is listed when it holds at least
        ``minimum_households`` households.
    minimum_households : int
        Fewest households of a listed intersectional cell (single groups are always listed).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CENSUS_COLUMNS`, one row per (attribute, group) plus a first row
        ``("overall", "all")``.

    Examples
    --------
    >>> from tests.risk_fixtures import make_county  # doctest: +SKIP
    >>> fairness_audit(make_county(), scores)[["attribute", "group", "flag_rate"]]  # doctest: +SKIP
    """
    if isinstance(minimum_households, bool) or not isinstance(minimum_households, int):
        raise DataError(f"minimum_households must be a whole number, got {minimum_households!r}")
    flagged = flagged_households(scores, flagged_tiers)
    groups = group_columns(household_groups(data, flagged.index.to_series()), intersections)
    overall_rate = float(flagged.mean()) if len(flagged) else float("nan")
    rows = [_row("overall", "all", flagged, overall_rate)]
    township_rank = _township_rank(data)
    for attribute in groups.columns:
        crossed = INTERSECTION_SEPARATOR in attribute
        members_of = groups.groupby(attribute, sort=True).groups
        order = list(members_of)
        if attribute == "township":  # the report's order of townships: by township code
            order.sort(key=lambda name: township_rank.get(str(name), (1, str(name))))
        for group in order:
            members = members_of[group]
            if crossed and len(members) < minimum_households:
                continue
            rows.append(_row(attribute, str(group), flagged.loc[members], overall_rate))
    return pd.DataFrame(rows, columns=list(CENSUS_COLUMNS))


def _township_rank(data: CountyData) -> dict[str, tuple[int, str]]:
    """Sort key of each township name: its smallest township code (as text, like
    :func:`auditlib.report.township_order.township_order`); names without a code last."""
    households = data.households
    if "township_code" not in households.columns:
        return {}
    codes = (
        pd.DataFrame(
            {
                "name": households["township"].astype("string"),
                "code": households["township_code"].astype("string"),
            }
        )
        .dropna()
        .groupby("name")["code"]
        .min()
    )
    return {str(name): (0, str(code)) for name, code in codes.items()}


def _row(attribute: str, group: str, flagged: pd.Series, overall_rate: float) -> dict[str, object]:
    households = len(flagged)
    count = int(flagged.sum())
    rate = count / households if households else float("nan")
    ratio = rate / overall_rate if overall_rate > 0 else float("nan")
    return {
        "attribute": attribute,
        "group": group,
        "households": households,
        "flagged": count,
        "flag_rate": rate,
        "ratio_to_overall": ratio,
        "flag_outside_band": _outside(ratio),
    }
