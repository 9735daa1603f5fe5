"""Sampling: strata, inclusion probabilities, weights, reproducibility, certainty strata."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from auditlib.errors import DataError, DesignError, ParamsError
from auditlib.sampling.draw import SAMPLE_COLUMNS
from auditlib.sampling.frame import build_frame, share_count
from auditlib.sampling.keyed_hash import systematic_pps, unit_keys
from auditlib.sampling.plan import resolve_plan
from auditlib.sampling.sample import check_sample, draw_sample, read_sample
from tests.sampling_fixtures import make_county

RISK_PLAN = {"preset": "risk-targeted", "risk_column": "risk_score"}


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    return make_county()


def test_columns_and_types(county) -> None:  # type: ignore[no-untyped-def]
    sample = draw_sample(county, "notice-2021", seed=1)
    assert tuple(sample.table.columns) == SAMPLE_COLUMNS
    assert sample.table["household_id"].is_unique
    assert sample.table["recipient"].dtype == bool
    assert sample.table["psu_population"].dtype == np.int64
    assert len(sample.frame_hash) == 64


def test_unit_keys_match_published_recipe() -> None:
    # the key of docs/sampling.md: first 8 bytes of SHA-256 of the "␟"-joined text, big-endian
    text = "auditlib-sample-v1\x1f42\x1fT:430522101\x1f430522101201"
    expected = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    assert int(unit_keys(42, "T:430522101", ["430522101201"])[0]) == expected


def test_share_count_rounds_float_noise() -> None:
    # 0.3 * 10 = 3.0000000000000004 in binary floating point; ⌈·⌉ must give 3, not 4
    assert share_count(0.3, 10) == 3
    assert share_count(0.3, 11) == 4  # ⌈3.3⌉
    assert share_count(0.3, 0) == 0


def test_stage_weights_sum_to_population_exactly(county) -> None:  # type: ignore[no-untyped-def]
    # SRS at both stages: Σ over selected villages of 1/π₁ = villages in the township (M/m·m),
    # Σ over selected households of 1/π₂ = households of that SSU stratum (N/n·n), exactly.
    table = draw_sample(county, "notice-2021", seed=3).table
    two_stage = table[table["stratum"].str.startswith("T:")]
    villages = two_stage.drop_duplicates(["stratum", "psu"])
    for _, group in villages.groupby("stratum"):
        total = (1 / group["psu_inclusion_probability"]).sum()
        assert total == pytest.approx(group["psu_population"].iloc[0], rel=1e-12)
    for _, group in two_stage.groupby(["stratum", "psu", "ssu_stratum"]):
        total = (1 / group["ssu_inclusion_probability"]).sum()
        assert total == pytest.approx(group["ssu_population"].iloc[0], rel=1e-12)
    # single-stage strata: the weights sum to the frame count of the stratum
    frame = build_frame(county, resolve_plan("notice-2021")).table
    for name in ("C:relative", "N:new_approval"):
        weights = table.loc[table["stratum"] == name, "weight"].sum()
        assert weights == pytest.approx((frame["stratum"] == name).sum(), rel=1e-12)


def test_certainty_strata_complete(county) -> None:  # type: ignore[no-untyped-def]
    plan = resolve_plan(RISK_PLAN)
    sample = draw_sample(county, plan, seed=5)
    table = sample.table
    frame = build_frame(county, plan).table
    relatives_registry = set(county.registry("registry_relatives")["id_number"])
    heads = county.households[county.households["head_id_number"].isin(relatives_registry)]
    recipients = heads[heads["programme"] != "none"]["household_id"]
    relatives = set(table.loc[table["stratum"] == "C:relative", "household_id"])
    assert relatives == set(recipients)
    assert len(relatives) == 3  # make_county(relatives=3)
    risk = set(table.loc[table["stratum"] == "C:risk", "household_id"])
    assert risk == set(frame.loc[frame["stratum"] == "C:risk", "household_id"])
    # top 2% of recipient households by risk_score (ties impossible: uniform floats)
    recipient_hh = county.households[county.households["programme"] != "none"]
    expected_count = share_count(0.02, len(recipient_hh))
    assert len(risk) == expected_count
    # every temporary-assistance household of a sampled village is in the sample
    villages = set(table.loc[table["stratum"].str.startswith("T:"), "psu"])
    assisted = frame[(frame["ssu_stratum"] == "temporary_assistance")]
    assisted = assisted[assisted["village_code"].isin(villages)]
    assert set(assisted["household_id"]) <= set(table["household_id"])
    assert (
        table.loc[table["ssu_stratum"] == "temporary_assistance", "ssu_inclusion_probability"]
        == 1.0
    ).all()
    assert (table.loc[table["stratum"].str.startswith("C:"), "inclusion_probability"] == 1).all()


def test_probabilities_in_unit_interval_and_weight_inverse(county) -> None:  # type: ignore[no-untyped-def]
    for plan in ("notice-2019", "notice-2021", RISK_PLAN):
        table = draw_sample(county, plan, seed=11).table
        pi = table["inclusion_probability"]
        assert ((pi > 0) & (pi <= 1)).all()
        assert np.allclose(table["weight"] * pi, 1.0)
        assert np.allclose(
            pi, table["psu_inclusion_probability"] * table["ssu_inclusion_probability"]
        )


def test_recipients_partition(county) -> None:  # type: ignore[no-untyped-def]
    frame = build_frame(county, resolve_plan(RISK_PLAN)).table
    recipients = frame[frame["recipient"]]
    assert recipients["household_id"].is_unique
    all_recipients = county.households[county.households["programme"] != "none"]
    assert set(recipients["household_id"]) == set(all_recipients["household_id"])


def test_notice_2019_counts(county) -> None:  # type: ignore[no-untyped-def]
    # make_county((4, 12, 6)): 2 villages in townships with < 10 villages, 3 in the one with 12
    table = draw_sample(county, "notice-2019", seed=2).table
    random = table[table["selection_reason"] == "random"]
    villages = random.groupby("stratum")["psu"].nunique().to_dict()
    assert villages == {"T:430522101": 2, "T:430522102": 3, "T:430522103": 2}
    per_village = random.groupby("psu").size()
    frame = build_frame(county, resolve_plan("notice-2019")).table
    available = frame[frame["ssu_stratum"] == "random"].groupby("village_code").size()
    for village, count in per_village.items():
        assert count == min(5, available[village])
    new = table[table["stratum"] == "N:new_approval"]
    assert len(new) == share_count(0.3, int((frame["stratum"] == "N:new_approval").sum()))


def _shuffled(data, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    households = data.households.iloc[rng.permutation(len(data.households))]
    members = data.members.iloc[rng.permutation(len(data.members))]
    return replace(
        data,
        households=households.reset_index(drop=True),
        members=members.reset_index(drop=True),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    villages=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    households=st.integers(1, 12),
    seed=st.integers(0, 2**32),
    permutation=st.integers(0, 1000),
    plan=st.sampled_from(["notice-2019", "notice-2021", "pps"]),
)
def test_properties(villages, households, seed, permutation, plan) -> None:  # type: ignore[no-untyped-def]
    data = make_county(tuple(villages), households, seed=seed % 1000)
    resolved = resolve_plan(
        {"preset": "notice-2021", "psu_selection": "pps"} if plan == "pps" else plan
    )
    sample = draw_sample(data, resolved, seed=seed)
    table = sample.table
    pi = table["inclusion_probability"]
    assert ((pi > 0) & (pi <= 1)).all()
    # permuting the input rows gives the same sample and the same frame hash
    again = draw_sample(_shuffled(data, permutation), resolved, seed=seed)
    pd.testing.assert_frame_equal(table, again.table)
    assert sample.frame_hash == again.frame_hash
    if resolved.psu_selection == "srs":
        two_stage = table[table["stratum"].str.startswith("T:")]
        for _, group in two_stage.groupby(["stratum", "psu", "ssu_stratum"]):
            assert (1 / group["ssu_inclusion_probability"]).sum() == pytest.approx(
                group["ssu_population"].iloc[0], rel=1e-12
            )
    frame = build_frame(data, resolved).table
    relatives = set(frame.loc[frame["stratum"] == "C:relative", "household_id"])
    assert relatives <= set(table["household_id"])


def test_adding_a_township_leaves_other_draws_unchanged() -> None:
    small = make_county((4, 12, 6))
    larger = make_county((4, 12, 6, 5))
    extra = larger.households[larger.households["township_code"] == "430522104"]
    extra_members = larger.members[larger.members["household_id"].isin(extra["household_id"])]
    grown = replace(
        small,
        households=pd.concat([small.households, extra], ignore_index=True),
        members=pd.concat([small.members, extra_members], ignore_index=True),
    )
    before = draw_sample(small, "notice-2021", seed=9).table
    after = draw_sample(grown, "notice-2021", seed=9).table
    for name in ("T:430522101", "T:430522102", "T:430522103"):
        pd.testing.assert_frame_equal(
            before[before["stratum"] == name].reset_index(drop=True),
            after[after["stratum"] == name].reset_index(drop=True),
        )


def test_seed_changes_sample(county) -> None:  # type: ignore[no-untyped-def]
    first = draw_sample(county, "notice-2019", seed=1).table["household_id"]
    second = draw_sample(county, "notice-2019", seed=2).table["household_id"]
    assert set(first) != set(second)


def test_write_read_and_check(county, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sample = draw_sample(county, "notice-2021", seed=4)
    path = sample.write(tmp_path / "out")
    assert path.name == "sample.csv"
    back = read_sample(tmp_path / "out")
    pd.testing.assert_frame_equal(back.table, sample.table)
    assert back.plan == sample.plan and back.seed == 4 and back.frame_hash == sample.frame_hash
    check_sample(back, county)
    # a changed frame is refused
    changed = county.households.copy()
    changed.loc[0, "village_code"] = "430522101299"
    with pytest.raises(DesignError, match=r"frame .* changed"):
        check_sample(back, replace(county, households=changed))
    # an edited sample table is refused on reading
    text = path.read_text(encoding="utf-8").replace("random", "randon", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DesignError, match="changed after it was drawn"):
        read_sample(tmp_path / "out")


def test_parquet_round_trip(county, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sample = draw_sample(county, "notice-2019", seed=4)
    sample.write(tmp_path, parquet=True)
    back = read_sample(tmp_path)
    pd.testing.assert_frame_equal(back.table, sample.table)


def test_risk_needed_but_missing(county) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DesignError, match="risk"):
        draw_sample(county, "risk-targeted", seed=1)
    # risk scores from auditlib.risk.scorer output (household_id, risk_percentile)
    scores = pd.DataFrame(
        {
            "household_id": county.households["household_id"],
            "risk_percentile": np.linspace(0, 100, len(county.households)),
        }
    )
    table = draw_sample(county, "risk-targeted", seed=1, risk=scores).table
    top = set(table.loc[table["stratum"] == "C:risk", "household_id"])
    ranked = scores.merge(county.households[["household_id", "programme"]])
    ranked = ranked[ranked["programme"] != "none"].sort_values("risk_percentile")
    assert top <= set(ranked["household_id"].tail(len(top) + 3))


def test_bad_plan_and_seed(county) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParamsError, match="housholds_per_village"):
        draw_sample(county, {"housholds_per_village": 5}, seed=1)
    with pytest.raises(DesignError, match="seed"):
        draw_sample(county, "notice-2019", seed=-1)


def test_systematic_pps_exact_probabilities() -> None:
    units = np.array(["a", "b", "c", "d"], dtype=object)
    sizes = np.array([10, 1, 1, 8])
    # n = 2, X = 20: n·x_a/X = 1 → certainty; then n' = 1 over {b, c, d}, X' = 10:
    # π = (1, 0.1, 0.1, 0.8) by hand
    chosen, probabilities = systematic_pps(1, "T:x", units, sizes, 2)
    assert probabilities.tolist() == pytest.approx([1.0, 0.1, 0.1, 0.8])
    assert "a" in chosen and len(chosen) == 2


def test_village_in_two_townships_refused(county) -> None:  # type: ignore[no-untyped-def]
    households = county.households.copy()
    first_village = households["village_code"].iloc[0]
    other = households["township_code"] != households["township_code"].iloc[0]
    households.loc[other.idxmax(), "village_code"] = first_village
    with pytest.raises(DataError, match="more than one township"):
        draw_sample(replace(county, households=households), "notice-2019", seed=1)
