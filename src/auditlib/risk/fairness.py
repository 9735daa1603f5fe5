"""Fairness audit of risk flags: who gets flagged, and how often wrongly.

Risk scores only decide who is visited first, but a score that sends field teams to one group
more than another still burdens that group (the Dutch SyRI and childcare-benefits cases,
Rotterdam's model, Australia's Robodebt). The audit reports, for every group of

* ``head_sex``        sex of the household head (户主性别),
* ``head_ethnicity``  ethnicity of the household head (民族),
* ``disability``      whether any member has a disability grade (残疾),
* ``head_age_group``  age group of the head (under 40, 40-59, 60-69, 70 and over),
* ``township``        township (乡镇),

the number of recipient households, how many are flagged (default: tier ``"high"``), the flag
rate and its ratio to the county's overall rate (1 = parity; the "four-fifths" screen reads a
ratio below 0.8 or above 1.25 as a disparity to explain). Where verification results exist for
households drawn at random (``selection_reason == "random"`` in the sample table), it adds for
each group the flagged precision (share of verified flagged households found ineligible) and
the false-positive rate (share of verified eligible households that were flagged). These are
unweighted shares of the random part of the sample (households drawn with equal probability
within a village); they describe the verified households, they are not county estimates.

Protected attributes are read here and nowhere else in the risk pipeline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.errors import DataError

__all__ = ["AGE_GROUPS", "FAIRNESS_COLUMNS", "fairness_audit", "household_groups"]

#: Age groups of the household head: (label, lower bound inclusive, upper bound exclusive).
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("under 40", 0, 40),
    ("40-59", 40, 60),
    ("60-69", 60, 70),
    ("70 and over", 70, 200),
)

FAIRNESS_COLUMNS: tuple[str, ...] = (
    "attribute",
    "group",
    "households",
    "flagged",
    "flag_rate",
    "ratio_to_overall",
    "verified",
    "verified_flagged",
    "precision",
    "false_positive_rate",
)

_ATTRIBUTES: tuple[str, ...] = (
    "head_sex",
    "head_ethnicity",
    "disability",
    "head_age_group",
    "township",
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


def _verified_random(
    verification: pd.DataFrame | None, sample: pd.DataFrame | None
) -> pd.Series | None:
    """``True`` (found ineligible) / ``False`` per verified household drawn at random."""
    if verification is None or sample is None:
        return None
    for name, table, columns in (
        ("verification", verification, ("household_id", "eligible")),
        ("sample", sample, ("household_id", "selection_reason")),
    ):
        missing = [column for column in columns if column not in table.columns]
        if missing:
            raise DataError(
                f"{name}: missing column(s) {', '.join(missing)} needed by the fairness audit"
            )
    random_ids = sample.loc[
        (sample["selection_reason"].astype("string") == "random").fillna(False).to_numpy(bool),
        "household_id",
    ].astype("string")
    results = verification.assign(household_id=verification["household_id"].astype("string"))
    results = results[results["household_id"].isin(set(random_ids))]
    if "status" in results.columns:
        # households not found, moved or refusing were not verified: no finding to score
        status = results["status"].astype("string").fillna("verified").str.strip()
        results = results[status.isin(["verified", ""]).to_numpy(dtype=bool)]
    eligible = results["eligible"].astype("string")
    unknown = results[~eligible.isin(["yes", "no"]).fillna(False).to_numpy(dtype=bool)]
    if len(unknown):
        raise DataError(
            f"verification: column 'eligible' must be 'yes' or 'no'; got "
            f"{unknown['eligible'].iloc[0]!r} for household {unknown['household_id'].iloc[0]}"
        )
    return pd.Series((eligible == "no").to_numpy(dtype=bool), index=results["household_id"])


def fairness_audit(
    data: CountyData,
    scores: pd.DataFrame,
    *,
    flagged_tiers: tuple[str, ...] = ("high",),
    verification: pd.DataFrame | None = None,
    sample: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Flag rates (and, with verification, precision and false-positive rate) by group.

    Parameters
    ----------
    data : CountyData
        The county (members give the head's sex, ethnicity and age, and disability).
    scores : pandas.DataFrame
        Output of :meth:`auditlib.risk.scorer.RiskScorer.score` (``household_id``, ``tier``).
    flagged_tiers : tuple of str
        Tiers counted as flagged.
    verification : pandas.DataFrame, optional
        Verification results (schema ``verification``); defaults to ``data.verification``.
    sample : pandas.DataFrame, optional
        The sample table (``household_id``, ``selection_reason``); only households drawn at
        random enter precision and false-positive rate.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FAIRNESS_COLUMNS`, one row per (attribute, group) plus a first row
        ``("overall", "all")``; the verification columns are ``NaN`` without verification.
    """
    for column in ("household_id", "tier"):
        if column not in scores.columns:
            raise DataError(f"scores: missing column {column!r} (expected RiskScorer output)")
    ids = scores["household_id"].astype("string")
    flagged = pd.Series(
        scores["tier"].astype("string").isin(flagged_tiers).fillna(False).to_numpy(dtype=bool),
        index=pd.Index(ids, name="household_id"),
    )
    groups = household_groups(data, ids)
    verification = verification if verification is not None else data.verification
    found = _verified_random(verification, sample)
    overall_rate = float(flagged.mean()) if len(flagged) else float("nan")
    rows = [_row("overall", "all", flagged, found, overall_rate)]
    for attribute in _ATTRIBUTES:
        for group, members in groups.groupby(attribute, sort=True).groups.items():
            rows.append(_row(attribute, str(group), flagged.loc[members], found, overall_rate))
    return pd.DataFrame(rows, columns=list(FAIRNESS_COLUMNS))


def _row(
    attribute: str,
    group: str,
    flagged: pd.Series,
    found: pd.Series | None,
    overall_rate: float,
) -> dict[str, object]:
    households = len(flagged)
    count = int(flagged.sum())
    rate = count / households if households else float("nan")
    row: dict[str, object] = {
        "attribute": attribute,
        "group": group,
        "households": households,
        "flagged": count,
        "flag_rate": rate,
        "ratio_to_overall": rate / overall_rate if overall_rate > 0 else float("nan"),
        "verified": np.nan,
        "verified_flagged": np.nan,
        "precision": np.nan,
        "false_positive_rate": np.nan,
    }
    if found is not None:
        verified = found[found.index.isin(flagged.index)]
        is_flagged = flagged.reindex(verified.index).to_numpy(dtype=bool)
        ineligible = verified.to_numpy(dtype=bool)
        eligible_count = int((~ineligible).sum())
        row.update(
            verified=len(verified),
            verified_flagged=int(is_flagged.sum()),
            precision=float(ineligible[is_flagged].mean()) if is_flagged.any() else np.nan,
            false_positive_rate=float(is_flagged[~ineligible].mean()) if eligible_count else np.nan,
        )
    return row
