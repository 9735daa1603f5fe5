"""Presets on the example counties, and the phase-1/phase-2 command-line round trip."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from auditlib.cli.common import run_guarded
from auditlib.cli.main import cli
from auditlib.fieldwork.filling import fill_worksheet
from auditlib.fieldwork.results import current_results, read_results_log
from auditlib.sampling.frame import build_frame, share_count
from auditlib.sampling.plan import resolve_plan
from auditlib.sampling.sample import draw_sample, read_sample
from auditlib.synth.config import SynthConfig
from auditlib.synth.examples import DEFAULT_SPEC, read_county_specs
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county
from auditlib.synth.output import write_county

ROOT = Path(__file__).resolve().parents[1]
SPECS = {config.county_code: config for config in read_county_specs(ROOT / DEFAULT_SPEC)}


@pytest.fixture(scope="module", params=sorted(SPECS))
def example(request):  # type: ignore[no-untyped-def]
    return generate_county(SPECS[request.param])


def test_notice_2019_reproduces_the_notice_counts(example) -> None:  # type: ignore[no-untyped-def]
    data = example.data
    plan = resolve_plan("notice-2019")
    table = draw_sample(data, plan, seed=2019).table
    frame = build_frame(data, plan).table
    townships = data.households["township_code"].nunique()
    if data.info.county_code == "430522":
        assert townships == 15  # 新邵县: 15 townships in counties.yaml
    two_stage = frame[frame["stratum"].str.startswith("T:")]
    villages = two_stage.groupby("stratum")["village_code"].nunique()
    drawn = table[table["stratum"].str.startswith("T:")].groupby("stratum")["psu"].nunique()
    assert len(drawn) == townships  # every township is a stratum
    for name, available in villages.items():
        # the notice: 2–3 villages per township; 3 when the township has ≥ 10 villages
        expected = min(3 if available >= 10 else 2, available)
        assert drawn[name] == expected, name
    random = table[table["selection_reason"] == "random"]
    in_village = frame[frame["ssu_stratum"] == "random"].groupby("village_code").size()
    for village, count in random.groupby("psu").size().items():
        assert count == min(5, in_village[village])  # 5 Dibao households per village
    # every temporary-assistance household of every sampled village
    sampled = set(table.loc[table["stratum"].str.startswith("T:"), "psu"])
    assisted = frame[
        (frame["ssu_stratum"] == "temporary_assistance") & frame["village_code"].isin(sampled)
    ]
    assert set(assisted["household_id"]) <= set(table["household_id"])
    # 30% of new approvals (rounded up)
    new = (frame["stratum"] == "N:new_approval").sum()
    assert new > 0
    assert (table["stratum"] == "N:new_approval").sum() == share_count(0.3, int(new))
    # 100% of registered relatives that are recipients
    relatives = data.registry("registry_relatives")
    members = data.members[data.members["id_number"].isin(set(relatives["id_number"]))]
    recipients = data.households[data.households["programme"].isin(["dibao", "tekun"])]
    expected_relatives = set(members["household_id"]) & set(recipients["household_id"])
    assert len(expected_relatives) > 0
    assert set(table.loc[table["stratum"] == "C:relative", "household_id"]) >= expected_relatives
    # the random part estimates the number of recipient households in the two-stage strata
    # without bias; one draw is within a factor of 2 (sanity, not a test of unbiasedness)
    weighted = table.loc[table["selection_reason"] == "random", "weight"].sum()
    assert 0.5 < weighted / (two_stage["ssu_stratum"] == "random").sum() < 2.0


def test_notice_2021_omission_stratum(example) -> None:  # type: ignore[no-untyped-def]
    table = draw_sample(example.data, "notice-2021", seed=2021).table
    non_recipients = table[table["selection_reason"] == "non_recipient"]
    assert len(non_recipients) > 0
    assert not non_recipients["recipient"].any()
    assert (non_recipients.groupby("psu").size() <= 5).all()
    truth = example.truth.households.set_index("household_id")
    # omitted (eligible non-recipient) households exist among those that can be sampled
    frame = build_frame(example.data, resolve_plan("notice-2021")).table
    at_risk = frame.loc[frame["ssu_stratum"] == "non_recipient", "household_id"]
    assert truth.loc[at_risk, "omitted"].any()


@pytest.mark.slow
def test_cli_sample_then_import_round_trip(tmp_path: Path) -> None:
    config = SynthConfig(
        county_code="430522",
        households=3_000,
        township_count=3,
        seed=5,
        reference_date=date(2025, 12, 31),
    )
    county = generate_county(config)
    write_county(county, tmp_path / "data" / "430522")
    params = tmp_path / "params" / "430522.yaml"
    params.parent.mkdir()
    params.write_text(
        "county_code: '430522'\ndata: ../data/430522\nseed: 99\nsampling: {plan: notice-2021}\n",
        encoding="utf-8",
    )
    audits = tmp_path / "audits"
    runner = CliRunner()
    restricted = tmp_path / "restricted"
    places = ["--workspace", str(audits), "--restricted", str(restricted)]
    result = runner.invoke(cli, ["sample", str(params), *places])
    assert result.exit_code == 0, result.output
    record = audits / "430522" / "sample"
    sample = read_sample(record)
    assert not list(audits.rglob("*.xlsx")), "worksheets must stay out of the workspace"
    result = runner.invoke(cli, ["sample", str(params), *places, "--check"])
    assert result.exit_code == 0, result.output
    assert "reproduce the recorded sample" in result.output
    changed = params.with_name("changed.yaml")
    changed.write_text(params.read_text(encoding="utf-8").replace("seed: 99", "seed: 100"))
    assert run_guarded(cli, ["sample", str(changed), *places, "--check"]) == 2
    # phase 1 never replaces the recorded sample with another one
    assert run_guarded(cli, ["sample", str(changed), *places]) == 2
    assert read_sample(record).table.equals(sample.table)
    # phase 2 re-derives the same sample from the same data and seed
    again = draw_sample(county.data, "notice-2021", seed=99)
    pd.testing.assert_frame_equal(again.table, sample.table)
    assert again.frame_hash == sample.frame_hash
    issued = restricted / "430522" / "worksheets"
    worksheets = sorted(issued.glob("*.xlsx"))
    assert len(worksheets) == 3
    truth = simulate_verification(
        county.data, county.truth, sample.table["household_id"].tolist(), seed=1
    )
    for path in worksheets:
        fill_worksheet(path, truth)
    result = runner.invoke(
        cli, ["fieldwork", "import", str(params), *map(str, worksheets), *places]
    )
    assert result.exit_code == 0, result.output
    assert "0 row problem(s)" in result.output, result.output
    log = audits / "430522" / "results" / "results_log.csv"
    imported = current_results(read_results_log(log))
    expected = truth.copy()
    assert sorted(imported["household_id"]) == sorted(expected["household_id"])
    merged = imported.merge(expected, on="household_id", suffixes=("", "_truth"))
    assert (merged["eligible"] == merged["eligible_truth"]).all()
    assert np.allclose(
        pd.to_numeric(merged["correct_benefit"]).fillna(-1),
        merged["correct_benefit_truth"].astype(float).fillna(-1),
    )
    # importing the same worksheets again adds nothing and reports nothing
    before = log.read_bytes()
    result = runner.invoke(
        cli, ["fieldwork", "import", str(params), *map(str, worksheets), *places]
    )
    assert result.exit_code == 0, result.output
    assert "0 answer(s) added" in result.output
    assert log.read_bytes() == before
    # a worksheet saved as CSV: clear message, exit code 2, nothing lost
    saved_as_csv = tmp_path / "worksheet.csv"
    saved_as_csv.write_text("户编号,是否符合条件\n", encoding="utf-8")
    result = runner.invoke(cli, ["fieldwork", "import", str(params), str(saved_as_csv), *places])
    assert result.exit_code == 2
    assert "saved as CSV" in result.output
    assert log.read_bytes() == before
