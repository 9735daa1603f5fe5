"""Simulated verification conforms to the contract and honours its verifier error rate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditlib.data.contract import VERIFICATION
from auditlib.errors import FieldworkError, ParamsError
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county
from auditlib.synth.output import SyntheticCounty, read_ground_truth, write_county

CONFIG = SynthConfig(households=8_000, township_count=3, village_households=200, seed=3)


@pytest.fixture(scope="module")
def county() -> SyntheticCounty:
    return generate_county(CONFIG)


@pytest.fixture(scope="module")
def sample(county: SyntheticCounty) -> list[str]:
    truth = county.truth.households
    recipients = truth.loc[truth["recipient"], "household_id"].tolist()
    at_risk = truth.loc[~truth["recipient"] & truth["priority_group"].notna(), "household_id"]
    return recipients + at_risk.tolist()[:300]


def test_conforms_to_the_verification_contract(county: SyntheticCounty, sample: list[str]) -> None:
    result = simulate_verification(county.data, county.truth, sample, seed=1)
    assert list(result.columns) == list(VERIFICATION.column_names)
    assert result["household_id"].tolist() == sample
    assert str(result["household_id"].dtype) == "string"
    assert str(result["correct_benefit"].dtype) == "float64"
    assert str(result["verification_date"].dtype) == "datetime64[ns]"
    assert set(result["eligible"]) == {"yes", "no"}
    assert set(result["error_type"].dropna()) <= set(VERIFICATION.column("error_type").values)
    assert result["verifier"].notna().all() and result["verification_date"].notna().all()
    assert (result["correct_benefit"] >= 0).all()
    # Ineligible ⇒ benefit 0; an ineligible recipient carries a reason.
    no = result["eligible"] == "no"
    assert (result.loc[no, "correct_benefit"] == 0).all()


def test_without_verifier_errors_it_reports_the_truth(
    county: SyntheticCounty, sample: list[str]
) -> None:
    result = simulate_verification(county.data, county.truth, sample, seed=1).set_index(
        "household_id"
    )
    truth = county.truth.households.set_index("household_id").loc[sample]
    assert ((result["eligible"] == "yes") == truth["eligible"]).all()
    planted = truth["error_type"].fillna("")
    assert (result["error_type"].fillna("") == planted).all()
    assert np.allclose(result["correct_benefit"], truth["correct_benefit"])
    omitted = truth.index[truth["omitted"]]
    assert (result.loc[omitted, "correct_benefit"] > 0).all()


def test_verifier_error_rate_is_honoured(county: SyntheticCounty, sample: list[str]) -> None:
    rate = 0.2
    result = simulate_verification(
        county.data, county.truth, sample, verifier_error_rate=rate, seed=9
    ).set_index("household_id")
    truth = county.truth.households.set_index("household_id").loc[sample]
    wrong = (result["eligible"] == "yes") != truth["eligible"]
    # Binomial: each verdict is wrong independently with probability 0.2; 4 standard errors.
    error = np.sqrt(rate * (1 - rate) / len(sample))
    assert abs(wrong.mean() - rate) < 4 * error, wrong.mean()
    flipped_to_no = wrong & truth["eligible"] & truth["recipient"]
    assert result.loc[flipped_to_no[flipped_to_no].index, "error_type"].notna().all()


def test_result_of_a_household_does_not_depend_on_the_sample(
    county: SyntheticCounty, sample: list[str]
) -> None:
    full = simulate_verification(
        county.data, county.truth, sample, verifier_error_rate=0.3, seed=4
    ).set_index("household_id")
    part = list(reversed(sample[::7]))
    subset = simulate_verification(
        county.data, county.truth, part, verifier_error_rate=0.3, seed=4
    ).set_index("household_id")
    pd.testing.assert_frame_equal(subset, full.loc[part])
    other_seed = simulate_verification(
        county.data, county.truth, sample, verifier_error_rate=0.3, seed=5
    )
    assert not other_seed["eligible"].equals(full["eligible"].reset_index(drop=True))


def test_visit_dates(county: SyntheticCounty, sample: list[str]) -> None:
    result = simulate_verification(
        county.data,
        county.truth,
        sample[:50],
        seed=1,
        visit_dates=(date(2026, 1, 5), date(2026, 1, 9)),
    )
    assert result["verification_date"].between("2026-01-05", "2026-01-09").all()
    default = simulate_verification(county.data, county.truth, sample[:50], seed=1)
    assert (default["verification_date"] > pd.Timestamp(CONFIG.reference_date)).all()


def test_bad_requests_raise_clear_errors(county: SyntheticCounty, sample: list[str]) -> None:
    with pytest.raises(ParamsError, match="verifier_error_rate"):
        simulate_verification(county.data, county.truth, sample, verifier_error_rate=0.7, seed=1)
    with pytest.raises(FieldworkError, match="unknown"):
        simulate_verification(county.data, county.truth, ["nope", *sample[:3]], seed=1)
    with pytest.raises(FieldworkError, match="duplicated"):
        simulate_verification(county.data, county.truth, sample[:3] * 2, seed=1)


def test_works_on_a_written_and_reloaded_county(
    tmp_path: Path, county: SyntheticCounty, sample: list[str]
) -> None:
    loading = pytest.importorskip("auditlib.data.loading")
    write_county(county, tmp_path)
    data = loading.load_county(tmp_path)
    truth = read_ground_truth(tmp_path)
    reloaded = simulate_verification(data, truth, sample, verifier_error_rate=0.1, seed=2)
    direct = simulate_verification(
        county.data, county.truth, sample, verifier_error_rate=0.1, seed=2
    )
    pd.testing.assert_frame_equal(reloaded, direct)


# ---------------------------------------------------------------------- non-response
def test_nonresponse_rate_is_honoured(county: SyntheticCounty, sample: list[str]) -> None:
    rate = 0.15
    result = simulate_verification(county.data, county.truth, sample, nonresponse_rate=rate, seed=6)
    absent = result["status"] != "verified"
    # Binomial: each household misses with probability 0.15, independently; 4 standard errors.
    error = np.sqrt(rate * (1 - rate) / len(sample))
    assert abs(absent.mean() - rate) < 4 * error, absent.mean()
    assert set(result.loc[absent, "status"]) == {"not_found", "moved", "refused"}
    # Non-respondents carry no finding; the visit itself is recorded.
    assert result.loc[absent, ["eligible", "error_type", "correct_benefit"]].isna().all().all()
    assert result.loc[absent, "verifier"].notna().all()
    assert set(result.loc[~absent, "eligible"]) == {"yes", "no"}
    if "status" in VERIFICATION.column_names:
        assert list(result.columns) == list(VERIFICATION.column_names)


def test_without_nonresponse_nothing_else_changes(
    county: SyntheticCounty, sample: list[str]
) -> None:
    complete = simulate_verification(
        county.data, county.truth, sample, verifier_error_rate=0.1, seed=2
    )
    if "status" in complete.columns:
        assert (complete["status"] == "verified").all()
    partial = simulate_verification(
        county.data, county.truth, sample, verifier_error_rate=0.1, nonresponse_rate=0.3, seed=2
    )
    answered = (partial["status"] == "verified").to_numpy()
    # A household's verdict does not depend on whether the others responded.
    columns = [name for name in complete.columns if name != "status"]
    pd.testing.assert_frame_equal(
        partial.loc[answered, columns].reset_index(drop=True),
        complete.loc[answered, columns].reset_index(drop=True),
    )


def test_nonresponse_is_keyed_by_household(county: SyntheticCounty, sample: list[str]) -> None:
    full = simulate_verification(
        county.data, county.truth, sample, nonresponse_rate=0.2, seed=4
    ).set_index("household_id")
    part = list(reversed(sample[::5]))
    subset = simulate_verification(
        county.data, county.truth, part, nonresponse_rate=0.2, seed=4
    ).set_index("household_id")
    pd.testing.assert_frame_equal(subset, full.loc[part])
    with pytest.raises(ParamsError, match="nonresponse_rate"):
        simulate_verification(county.data, county.truth, sample, nonresponse_rate=1.0, seed=1)


def test_nonresponse_reaches_the_analysis_table(county: SyntheticCounty) -> None:
    from auditlib.estimation.analysis_table import build_analysis_table
    from auditlib.sampling.sample import draw_sample

    drawn = draw_sample(county.data, "notice-2021", 3).table
    verification = simulate_verification(
        county.data, county.truth, drawn["household_id"], nonresponse_rate=0.2, seed=3
    )
    table = build_analysis_table(drawn, verification, county.data.payments)
    statuses = verification.set_index("household_id")["status"]
    assert (table["status"].to_numpy() == statuses.loc[table["household_id"]].to_numpy()).all()
    verified = (table["status"] == "verified").to_numpy(dtype=float)
    assert (table["respondent"].to_numpy() == verified).all()
