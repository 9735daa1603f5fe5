"""Fairness audit: flag rates by group and error rates on the random part of the sample.

Expected numbers are hand counts on tests/risk_fixtures.make_county(): household n has an
ethnic-minority (苗族) head when n % 5 == 0 and a disabled member when n % 7 == 0; HH0001-HH0060
are the recipients.
"""

from __future__ import annotations

import pandas as pd
import pytest

from auditlib.errors import DataError
from auditlib.risk.fairness import FAIRNESS_COLUMNS, fairness_audit, household_groups
from tests.risk_fixtures import make_county

FLAGGED = {"HH0005", "HH0010", "HH0014", "HH0020"}


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    return make_county()


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    ids = [f"HH{n:04d}" for n in range(1, 61)]
    return pd.DataFrame(
        {"household_id": ids, "tier": ["high" if i in FLAGGED else "low" for i in ids]}
    )


def _row(table: pd.DataFrame, attribute: str, group: str) -> pd.Series:
    return table[(table["attribute"] == attribute) & (table["group"] == group)].iloc[0]


def test_flag_rates_and_ratios(county, scores) -> None:  # type: ignore[no-untyped-def]
    table = fairness_audit(county, scores)
    assert tuple(table.columns) == FAIRNESS_COLUMNS
    overall = _row(table, "overall", "all")
    assert (overall["households"], overall["flagged"]) == (60, 4)
    minority = _row(table, "head_ethnicity", "苗族")
    # 12 recipient households n % 5 == 0 among 1..60; flagged: 5, 10, 20 -> 3/12.
    assert (minority["households"], minority["flagged"]) == (12, 3)
    assert minority["flag_rate"] == pytest.approx(0.25)
    assert minority["ratio_to_overall"] == pytest.approx(0.25 / (4 / 60))
    disabled = _row(table, "disability", "yes")
    # n % 7 == 0 among 1..60: 7, 14, ..., 56 -> 8 households; flagged: 14.
    assert (disabled["households"], disabled["flagged"]) == (8, 1)
    townships = table[table["attribute"] == "township"]
    assert townships["households"].sum() == 60
    for attribute in ("head_sex", "head_ethnicity", "disability", "head_age_group", "township"):
        part = table[table["attribute"] == attribute]
        assert part["households"].sum() == 60 and part["flagged"].sum() == 4
    assert table["precision"].isna().all()


def test_precision_and_false_positive_rate_on_the_random_sample(county, scores) -> None:  # type: ignore[no-untyped-def]
    random_part = [f"HH{n:04d}" for n in range(1, 21)]
    sample = pd.DataFrame(
        {
            "household_id": [*random_part, "HH0021"],
            "selection_reason": ["random"] * 20 + ["risk_oversample"],
        }
    )
    ineligible = {"HH0005", "HH0006", "HH0014", "HH0021"}
    verification = pd.DataFrame(
        {
            "household_id": sample["household_id"],
            "eligible": ["no" if i in ineligible else "yes" for i in sample["household_id"]],
        }
    )
    table = fairness_audit(county, scores, verification=verification, sample=sample)
    overall = _row(table, "overall", "all")
    # Random part: 20 verified; flagged 5, 10, 14, 20 of which 5 and 14 ineligible -> 2/4;
    # eligible verified 20 - 3 = 17, flagged among them 10 and 20 -> 2/17. HH0021 (not random)
    # is left out.
    assert (overall["verified"], overall["verified_flagged"]) == (20, 4)
    assert overall["precision"] == pytest.approx(0.5)
    assert overall["false_positive_rate"] == pytest.approx(2 / 17)


def test_groups_come_from_the_head(county) -> None:  # type: ignore[no-untyped-def]
    groups = household_groups(county, pd.Series(["HH0005", "HH0007", "HH0014"]))
    assert groups.loc["HH0005", "head_ethnicity"] == "苗族"
    assert groups.loc["HH0007", "head_age_group"] == "under 40"  # head aged 19 (planted)
    assert groups.loc["HH0014", "disability"] == "yes"


def test_bad_inputs_are_named(county, scores) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match="scores: missing column 'tier'"):
        fairness_audit(county, scores.drop(columns=["tier"]))
    sample = pd.DataFrame({"household_id": ["HH0001"], "selection_reason": ["random"]})
    verification = pd.DataFrame({"household_id": ["HH0001"], "eligible": ["maybe"]})
    with pytest.raises(DataError, match="'eligible' must be 'yes' or 'no'; got 'maybe'"):
        fairness_audit(county, scores, verification=verification, sample=sample)
