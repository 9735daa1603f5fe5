"""Planted rates match the requested ones within sampling error; calibration to magnitudes.

Tolerances are 4 standard errors (a correct generator fails such a check with probability about
6e-5; the seeds are fixed, so each check is deterministic). Standard errors:

* inclusion errors: beta-binomial, Var(p̂) = p(1−p)/N · (1 + (m̄ − 1)ρ), with N recipients and
  m̄ = Σ m_v² / Σ m_v the size-weighted mean number of recipients per village (design effect of a
  cluster sample, Kish 1965, §5.4);
* payment anomalies: binomial over the eligible recipients, Var(p̂) = q(1−q)·E / N², where
  q = p·N/E is the per-household probability the generator uses;
* omission: the number omitted O is a sum of independent Bernoulli draws (variance ≤ O), and
  ω̂ = O/(O + E_r) so by the delta method SE(ω̂) ≈ √O · E_r / (O + E_r)².
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from auditlib.data.codes import ERROR_TYPES
from auditlib.synth.config import SynthConfig
from auditlib.synth.examples import read_county_specs
from auditlib.synth.generator import generate_county
from auditlib.synth.output import SyntheticCounty

BASE = SynthConfig(households=60_000, township_count=10, village_households=250, seed=2024)


@pytest.fixture(scope="module")
def county() -> SyntheticCounty:
    return generate_county(BASE)


def _recipients_per_village(county: SyntheticCounty) -> pd.Series:
    households = county.data.households
    return households[households["programme"] == "dibao"].groupby("village_code").size()


def _inclusion_standard_error(county: SyntheticCounty, rate: float, rho: float) -> float:
    sizes = _recipients_per_village(county).to_numpy(dtype=float)
    recipients = sizes.sum()
    weighted_mean = (sizes**2).sum() / recipients
    design_effect = 1 + (weighted_mean - 1) * rho
    return float(np.sqrt(rate * (1 - rate) / recipients * design_effect))


def test_inclusion_error_rate_within_sampling_error(county: SyntheticCounty) -> None:
    truth = county.truth.households
    observed = truth["inclusion_error"].sum() / truth["recipient"].sum()
    error = _inclusion_standard_error(
        county, BASE.inclusion_error_rate, BASE.intra_village_correlation
    )
    assert abs(observed - BASE.inclusion_error_rate) < 4 * error, (observed, error)


def test_payment_anomaly_rate_within_sampling_error(county: SyntheticCounty) -> None:
    truth = county.truth.households
    recipients = truth["recipient"].sum()
    eligible = (truth["recipient"] & ~truth["inclusion_error"]).sum()
    probability = BASE.payment_anomaly_rate * recipients / eligible
    observed = truth["payment_anomaly"].sum() / recipients
    error = np.sqrt(probability * (1 - probability) * eligible) / recipients
    assert abs(observed - BASE.payment_anomaly_rate) < 4 * error, (observed, error)
    # Anomalies are planted on eligible recipients only, never on inclusion errors.
    assert not (truth["payment_anomaly"] & ~(truth["recipient"] & ~truth["inclusion_error"])).any()


def test_omission_rate_within_sampling_error(county: SyntheticCounty) -> None:
    truth = county.truth.households
    omitted = truth["omitted"].sum()
    eligible_recipients = (truth["recipient"] & truth["eligible"]).sum()
    observed = omitted / (omitted + eligible_recipients)
    error = np.sqrt(omitted) * eligible_recipients / (omitted + eligible_recipients) ** 2
    assert abs(observed - BASE.omission_rate) < 4 * error, (observed, error)
    assert truth.loc[truth["omitted"], "priority_group"].notna().all()
    assert not (truth["omitted"] & truth["recipient"]).any()


def test_error_types_follow_their_weights(county: SyntheticCounty) -> None:
    truth = county.truth.households
    counts = truth["error_type"].value_counts().reindex(list(ERROR_TYPES), fill_value=0)
    assert (counts > 0).all(), counts
    weights = np.array([BASE.error_type_weights[code] for code in ERROR_TYPES])
    expected = counts.sum() * weights / weights.sum()
    # Pearson chi-square goodness of fit of a multinomial given the number of errors.
    assert stats.chisquare(counts.to_numpy(), expected).pvalue > 1e-4


def test_requested_anomaly_share_is_honoured() -> None:
    config = replace(BASE, seed=77, intra_village_correlation=0.05).with_anomaly_share(0.03)
    truth = generate_county(config).truth.households
    recipients = truth["recipient"].sum()
    observed = truth["anomaly"].sum() / recipients
    # Variance of the sum of the two disjoint planted shares: clustered binomial + binomial.
    inclusion = config.inclusion_error_rate
    payment = config.payment_anomaly_rate
    variance = (
        inclusion * (1 - inclusion) / recipients * (1 + 20 * 0.05)
        + payment * (1 - payment) / recipients
    )
    assert abs(observed - 0.03) < 4 * np.sqrt(variance), observed


def test_zero_rates_plant_nothing() -> None:
    config = replace(
        BASE,
        households=5_000,
        inclusion_error_rate=0.0,
        payment_anomaly_rate=0.0,
        omission_rate=0.0,
    )
    truth = generate_county(config).truth
    assert not truth.households["anomaly"].any()
    assert not truth.households["omitted"].any()
    assert truth.payments["anomaly_type"].isna().all()


def _intra_village_correlation(county: SyntheticCounty) -> float:
    """ANOVA estimator of the intra-class correlation of a binary outcome (Fleiss 1981, §13.2)."""
    households = county.data.households[["household_id", "village_code", "programme"]]
    table = households.merge(county.truth.households[["household_id", "inclusion_error"]])
    table = table[table["programme"] == "dibao"]
    groups = table.groupby("village_code")["inclusion_error"]
    sizes, sums = groups.size().to_numpy(float), groups.sum().to_numpy(float)
    total, villages = sizes.sum(), len(sizes)
    mean = sums.sum() / total
    between = ((sums - sizes * mean) ** 2 / sizes).sum() / (villages - 1)
    within = (sums - sums**2 / sizes).sum() / (total - villages)
    size0 = (total - (sizes**2).sum() / total) / (villages - 1)
    return float((between - within) / (between + (size0 - 1) * within))


def test_errors_are_clustered_by_village() -> None:
    clustered = generate_county(replace(BASE, seed=5, intra_village_correlation=0.15))
    independent = generate_county(replace(BASE, seed=5, intra_village_correlation=0.0))
    # With ~240 villages of ~16 recipients the estimator has SE about 0.02 (6 seeds at rho 0.15:
    # mean 0.141, sd 0.018); bounds are rho ± 4 SE.
    assert 0.07 < _intra_village_correlation(clustered) < 0.23
    assert abs(_intra_village_correlation(independent)) < 0.05


@pytest.mark.parametrize("county_code", ["430522", "530621", "500102"])
def test_example_counties_are_calibrated(county_code: str) -> None:
    config = next(
        c for c in read_county_specs("data/example/counties.yaml") if c.county_code == county_code
    )
    config = replace(config, households=20_000)
    synthetic = generate_county(config)
    households = synthetic.data.households
    recipients = households[households["programme"] == "dibao"]
    # Published magnitudes (issue 2): 5-8% of rural households on Dibao, 1.7-1.9 persons per
    # recipient household, standard 450-550 yuan, benefit 55-65% of the standard.
    assert 0.05 <= len(recipients) / len(households) <= 0.085
    assert 1.7 <= recipients["members"].mean() <= 1.9
    assert 2.7 <= households.loc[households["programme"] == "none", "members"].mean() <= 3.5
    assert 450 <= config.rural_standard <= 550
    ratio = recipients["monthly_benefit"] / (recipients["members"] * config.rural_standard)
    assert 0.55 <= ratio.mean() <= 0.65
    assert set(recipients["dibao_category"]) == {"A", "B", "C"}
    per_capita = households["declared_income"] / households["members"]
    others = per_capita[households["programme"] == "none"]
    assert others.mean() > others.median()  # right-skewed
    assert stats.skew(others) > 1
    village_counts = (
        recipients.groupby("village_code")
        .size()
        .reindex(households["village_code"].unique(), fill_value=0)
    )
    assert (village_counts >= 5).mean() >= 0.9
    if config.townships:
        assert set(households["township"]) == set(config.townships)


def test_xinshao_townships_are_the_fifteen_of_the_notice() -> None:
    config = next(
        c for c in read_county_specs("data/example/counties.yaml") if c.county_code == "430522"
    )
    assert config.townships == (
        "酿溪镇",
        "严塘镇",
        "雀塘镇",
        "陈家坊镇",
        "潭府乡",
        "小塘镇",
        "太芝庙镇",
        "坪上镇",
        "寸石镇",
        "潭溪镇",
        "巨口铺镇",
        "龙溪铺镇",
        "迎光乡",
        "新田铺镇",
        "大新镇",
    )


def test_ludian_has_hui_and_yi_households() -> None:
    config = next(
        c for c in read_county_specs("data/example/counties.yaml") if c.county_code == "530621"
    )
    members = generate_county(replace(config, households=10_000)).data.members
    shares = members["ethnicity"].value_counts(normalize=True)
    assert shares["回族"] > 0.08 and shares["彝族"] > 0.02
