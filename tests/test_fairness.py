"""Fairness audit: census flag rates by group, and weighted error rates on a hand-made design.

Expected numbers are hand counts on tests/risk_fixtures.make_county(): household n has an
ethnic-minority (苗族) head when n % 5 == 0 and a disabled member when n % 7 == 0; HH0001-HH0060
are the recipients.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from auditlib.errors import DataError, DesignError
from auditlib.estimation.analysis_table import build_analysis_table
from auditlib.evaluation.fairness import FAIRNESS_COLUMNS, fairness_table
from auditlib.risk.fairness import CENSUS_COLUMNS, fairness_audit, household_groups
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
    table = fairness_audit(county, scores, intersections=())
    assert tuple(table.columns) == CENSUS_COLUMNS
    overall = _row(table, "overall", "all")
    assert (overall["households"], overall["flagged"]) == (60, 4)
    minority = _row(table, "head_ethnicity", "苗族")
    # 12 recipient households n % 5 == 0 among 1..60; flagged: 5, 10, 20 -> 3/12.
    assert (minority["households"], minority["flagged"]) == (12, 3)
    assert minority["flag_rate"] == pytest.approx(0.25)
    assert minority["ratio_to_overall"] == pytest.approx(0.25 / (4 / 60))
    assert minority["flag_outside_band"]  # 3.75 > 1.25
    disabled = _row(table, "disability", "yes")
    # n % 7 == 0 among 1..60: 7, 14, ..., 56 -> 8 households; flagged: 14 -> ratio 1.875.
    assert (disabled["households"], disabled["flagged"]) == (8, 1)
    assert disabled["flag_outside_band"]
    for attribute in ("head_sex", "head_ethnicity", "disability", "head_age_group", "township"):
        part = table[table["attribute"] == attribute]
        assert part["households"].sum() == 60 and part["flagged"].sum() == 4


def test_townships_in_the_reports_order_by_code_not_by_name(county, scores) -> None:  # type: ignore[no-untyped-def]
    households = county.households.copy()
    # 甲 (U+7532) sorts after 乙 (U+4E59): by name T2 would come first, by code T1 does
    households["township"] = households["township_code"].map({"T1": "甲乡", "T2": "乙镇"})
    renamed = dataclasses.replace(county, households=households)
    table = fairness_audit(renamed, scores, intersections=())
    assert table.loc[table["attribute"] == "township", "group"].tolist() == ["甲乡", "乙镇"]


def test_intersections_listed_only_above_the_minimum(county, scores) -> None:  # type: ignore[no-untyped-def]
    table = fairness_audit(county, scores, minimum_households=10)
    crossed = table[table["attribute"] == "head_ethnicity × head_sex"]
    assert len(crossed) and (crossed["households"] >= 10).all()
    assert crossed["households"].sum() <= 60
    assert (
        fairness_audit(county, scores, minimum_households=61)["attribute"].str.contains("×").sum()
        == 0
    )


def _analysis(county) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """HH0001-10 in village v1 (weight 2 × 2 = 4), HH0011-20 in v2 (2 × 3 = 6), HH0021 in the
    certainty stratum C:risk (weight 1)."""
    ids = [f"HH{n:04d}" for n in range(1, 22)]
    village = ["v1"] * 10 + ["v2"] * 10 + ["HH0021"]
    sample = pd.DataFrame(
        {
            "household_id": ids,
            "county_code": "430522",
            "township_code": "t1",
            "village_code": village,
            "programme": "dibao",
            "recipient": True,
            "stratum": ["T:t1"] * 20 + ["C:risk"],
            "psu": village,
            "ssu_stratum": ["random"] * 20 + ["all"],
            "psu_population": [4] * 20 + [1],
            "ssu_population": [20] * 10 + [30] * 10 + [1],
            "weight": [4.0] * 10 + [6.0] * 10 + [1.0],
            "selection_reason": ["random"] * 20 + ["certainty_risk"],
        }
    )
    ineligible = {"HH0005", "HH0006", "HH0014", "HH0021"}
    verification = pd.DataFrame(
        {
            "household_id": ids,
            "eligible": ["no" if i in ineligible else "yes" for i in ids],
            "error_type": ["car_owner" if i in ineligible else None for i in ids],
            "payment_anomaly": ["yes" if i == "HH0020" else "no" for i in ids],
        }
    )
    payments = pd.DataFrame({"household_id": [], "payment_date": [], "amount": []})
    return build_analysis_table(sample, verification, payments), verification


def test_weighted_precision_recall_and_false_positive_rate(county, scores) -> None:  # type: ignore[no-untyped-def]
    analysis, verification = _analysis(county)
    table = fairness_table(
        county, scores, analysis, verification=verification, part="random", minimum_verified=1
    )
    assert tuple(table.columns) == FAIRNESS_COLUMNS
    overall = _row(table, "overall", "all")
    # Findings (ineligible or payment anomaly): 5 (w 4), 6 (4), 14 (6), 20 (6) -> 20.
    # Flagged 5, 10, 14, 20 (w 4, 4, 6, 6): precision (4 + 6 + 6) / 20 = 0.8 (unweighted 0.75);
    # recall 16 / 20 = 0.8; no finding: 8 × 4 + 8 × 6 = 80, flagged among them HH0010 (4):
    # 4 / 80 = 0.05 (unweighted 1/16). HH0021 (certainty stratum) is not in the random part.
    assert overall["precision"] == pytest.approx(0.8, abs=1e-12)
    assert overall["recall"] == pytest.approx(0.8, abs=1e-12)
    assert overall["miss_rate"] == pytest.approx(0.2, abs=1e-12)
    assert overall["false_positive_rate"] == pytest.approx(0.05, abs=1e-12)
    assert (overall["precision_numerator"], overall["precision_denominator"]) == (3, 4)
    assert (overall["false_positive_rate_numerator"], overall["verified"]) == (1, 20)
    assert overall["precision_lower"] <= 0.8 <= overall["precision_upper"]
    # All strata: HH0021 (ineligible, not flagged, weight 1) adds a missed finding.
    everything = fairness_table(
        county, scores, analysis, verification=verification, minimum_verified=1
    )
    overall = _row(everything, "overall", "all")
    assert overall["recall"] == pytest.approx(16 / 21, abs=1e-12)
    assert overall["verified"] == 21
    overall = _row(
        fairness_table(county, scores, analysis, verification=verification), "overall", "all"
    )
    # Default minimum of 10 verified: 4 flagged are too few for precision; 17 without a finding
    # are enough for the false-positive rate.
    assert pd.isna(overall["precision"]) and overall["precision_denominator"] == 4
    assert overall["false_positive_rate"] == pytest.approx(4 / 80, abs=1e-12)


def test_groups_come_from_the_head(county) -> None:  # type: ignore[no-untyped-def]
    groups = household_groups(county, pd.Series(["HH0005", "HH0007", "HH0014"]))
    assert groups.loc["HH0005", "head_ethnicity"] == "苗族"
    assert groups.loc["HH0007", "head_age_group"] == "under 40"  # head aged 19 (planted)
    assert groups.loc["HH0014", "disability"] == "yes"


def test_bad_inputs_are_named(county, scores) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match="scores: missing column 'tier'"):
        fairness_audit(county, scores.drop(columns=["tier"]))
    analysis, verification = _analysis(county)
    with pytest.raises(DesignError, match="part must be one of"):
        fairness_table(county, scores, analysis, part="certainty")
    with pytest.raises(DesignError, match="minimum_verified must be a whole number >= 1, got 0"):
        fairness_table(county, scores, analysis, minimum_verified=0)
    bad = verification.assign(payment_anomaly="maybe")
    with pytest.raises(DataError, match="'payment_anomaly' must be yes or no; got 'maybe'"):
        fairness_table(county, scores, analysis, verification=bad)


def test_report_cells_and_labels() -> None:
    from auditlib.report.fairness_section import group_label, interval_cell

    row = pd.Series(
        {
            "precision": 0.5,
            "precision_lower": 0.125,
            "precision_upper": 0.875,
            "precision_denominator": 12,
            "recall": float("nan"),
            "recall_denominator": 4,
            "false_positive_rate": float("nan"),
            "false_positive_rate_denominator": float("nan"),
        }
    )
    assert interval_cell(row, "precision", "en") == "50.0% (12.5–87.5%), n = 12"
    assert interval_cell(row, "recall", "en") == "too few, n = 4"
    assert interval_cell(row, "recall", "zh") == "样本过少, n = 4"
    assert interval_cell(row, "false_positive_rate", "en") == "—"
    assert group_label("head_sex × head_age_group", "F × 70 and over", "zh") == (
        "户主性别：女 × 户主年龄：70岁及以上"
    )
    assert group_label("overall", "all", "en") == "County"
